import type { ConfigType } from '@nestjs/config';
import { closeOnSignals, createApp } from './bootstrap';
import { appConfig } from './config/app.config';
import { InvalidEnvironmentError } from './config/env.validation';
import { UnknownProviderSettingsError } from './core/resilience/policy-registry';

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  closeOnSignals(app, config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
  const url = (await app.getUrl())
    .replace('[::1]', 'localhost')
    .replace('0.0.0.0', 'localhost')
    .replace('127.0.0.1', 'localhost');
  process.stdout.write(`Portico listening on ${url}\n  API docs:  ${url}/docs\n  Readiness: ${url}/health/ready\n`);
}

main().catch((error: unknown) => {
  // A bad environment is the operator's to fix: say what is wrong, no stack.
  const environmentError = findCause(error, InvalidEnvironmentError) ?? findCause(error, UnknownProviderSettingsError);
  if (environmentError) {
    process.stderr.write(`${environmentError.message}\nSee .env.example for every variable.\n`);
  } else {
    process.stderr.write(
      `Portico failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});

function findCause<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof type) return current;
    current = current.cause;
  }
  return undefined;
}
