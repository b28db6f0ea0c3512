import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { providerModules } from '../app.module';
import { ENV_SPECS } from './env.validation';
import { declaredProviderConfigs } from './provider-config';
import { POLICY_SETTINGS } from './resilience.config';

/** Every variable a schema declares: app-level namespaces and the provider modules' own declarations. */
function declaredVariables(): Set<string> {
  const specs = [...ENV_SPECS, ...declaredProviderConfigs(providerModules()).map((config) => config.env)];
  const names = specs.flatMap((spec) =>
    getMetadataStorage()
      .getTargetValidationMetadatas(spec.schema, '', true, false)
      .map((meta) => meta.propertyName),
  );
  // Resilience variables are open-ended per provider; the example file documents the DEFAULT set.
  for (const setting of Object.values(POLICY_SETTINGS)) names.push(`RESILIENCE_DEFAULT_${setting.env}`);
  return new Set(names);
}

function documentedVariables(): Set<string> {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
}

describe('.env.example', () => {
  const declared = declaredVariables();
  const documented = documentedVariables();

  it('counts the provider modules’ own declarations', () => {
    expect(declared.has('GITHUB_REST_TOKEN')).toBe(true);
  });

  it('documents every declared variable', () => {
    expect([...declared].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('lists no variable that nobody declares', () => {
    expect([...documented].filter((name) => !declared.has(name)).sort()).toEqual([]);
  });
});
