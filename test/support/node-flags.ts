import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * The Node flags `npm start` gives Portico (package.json's `start` script, or `script`:
 * `node [flags] dist/main.js`). Tests, benchmarks and the production install check start the app with
 * them, so they measure and check the app as it is deployed (docs/DEPLOY.md says why each flag is there).
 */
export function startFlags(folder = ROOT, script: 'start' | 'start:prod' = 'start'): string[] {
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return nodeFlagsOf(manifest.scripts[script]);
}

/** The flags of a `node [--flag=value ...] dist/main.js` command line; throws on any other shape. */
export function nodeFlagsOf(command: string): string[] {
  const match = /(?:^|[\s/])node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/main\.js$/.exec(command.trim());
  if (match === null) throw new Error(`not a "node [flags] dist/main.js" command: ${command}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}
