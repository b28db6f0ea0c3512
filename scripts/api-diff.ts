import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import openapiDiff from 'openapi-diff';
import { buildServedDocument, serialise } from './api-document';
import { CONTRACT_FILE } from './contract-env';

const USAGE = `npm run api:diff [-- [--base <file> | --base-ref <git-ref>] [--head <file | http(s) URL of /docs-json>]]
  base: the committed ${CONTRACT_FILE} (default), a file, or ${CONTRACT_FILE} at a git ref (e.g. main)
  head: the document the current code serves, built without a server (default), a file, or a running server's /docs-json
Exits 1 when a breaking change is found and info.version was not raised accordingly (docs/API.md).`;

interface Contract {
  readonly text: string;
  readonly location: string;
}

/** `npm run api:diff`: what changed between two versions of the contract, breaking changes first. */
async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, '..');
  const base: Contract =
    args['base-ref'] !== undefined
      ? {
          text: execFileSync('git', ['show', `${args['base-ref']}:${CONTRACT_FILE}`], { cwd: root, encoding: 'utf8' }),
          location: `${args['base-ref']}:${CONTRACT_FILE}`,
        }
      : fromFile(resolve(args.base ?? resolve(root, CONTRACT_FILE)));
  const head: Contract =
    args.head === undefined
      ? { text: serialise(await buildServedDocument()), location: 'served document (current code)' }
      : /^https?:\/\//.test(args.head)
        ? { text: await (await fetch(args.head)).text(), location: args.head }
        : fromFile(resolve(args.head));

  const result = await openapiDiff.diffSpecs({
    sourceSpec: { content: base.text, location: base.location, format: 'openapi3' },
    destinationSpec: { content: head.text, location: head.location, format: 'openapi3' },
  });
  const breaking = result.breakingDifferencesFound ? result.breakingDifferences : [];
  const out: string[] = [`API diff: ${base.location} → ${head.location}`];
  out.push(
    `  ${breaking.length} breaking, ${result.nonBreakingDifferences.length} non-breaking, ${result.unclassifiedDifferences.length} unclassified`,
  );
  for (const [label, list] of [
    ['BREAKING', breaking],
    ['non-breaking', result.nonBreakingDifferences],
    ['unclassified', result.unclassifiedDifferences],
  ] as const) {
    for (const difference of list) {
      const where = [...difference.sourceSpecEntityDetails, ...difference.destinationSpecEntityDetails]
        .map((d) => d.location)
        .filter((location, i, all) => all.indexOf(location) === i)
        .join(', ');
      out.push(`  ${label.padEnd(12)} ${difference.code.padEnd(32)} ${where}`);
    }
  }

  const before = versionOf(base.text);
  const after = versionOf(head.text);
  if (breaking.length > 0 && !raisesBreakingPart(before, after)) {
    out.push(
      `FAIL: breaking changes need info.version raised from ${before} (major; minor while 0.x) — API_VERSION in src/api-docs.ts; see docs/API.md`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
    return 1;
  }
  out.push(breaking.length > 0 ? `OK: version raised ${before} → ${after}` : 'OK: no breaking change');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function fromFile(path: string): Contract {
  return { text: readFileSync(path, 'utf8'), location: path };
}

function versionOf(text: string): string {
  const version = (JSON.parse(text) as { info?: { version?: unknown } }).info?.version;
  return typeof version === 'string' ? version : '0.0.0';
}

/** True when `after` raises the part of `before` that signals a break: major, or minor while major is 0. */
function raisesBreakingPart(before: string, after: string): boolean {
  const [bMajor = 0, bMinor = 0] = before.split('.').map(Number);
  const [aMajor = 0, aMinor = 0] = after.split('.').map(Number);
  if (aMajor !== bMajor) return aMajor > bMajor;
  return bMajor === 0 && aMinor > bMinor;
}

function parseArgs(argv: string[]): Partial<Record<'base' | 'base-ref' | 'head', string>> {
  const args: Partial<Record<'base' | 'base-ref' | 'head', string>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if ((name !== 'base' && name !== 'base-ref' && name !== 'head') || value === undefined) {
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
    }
    args[name] = value;
  }
  if (args.base !== undefined && args['base-ref'] !== undefined) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  return args;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
