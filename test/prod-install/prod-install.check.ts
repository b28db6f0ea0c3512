/**
 * Checks a production install (`.ci/prod-install.sh` prepares it): a folder holding only package.json,
 * package-lock.json, dist/ and the `npm ci --omit=dev` node_modules. Run from the repository with the
 * test tooling (`node -r @swc-node/register test/prod-install/prod-install.check.ts <folder> <node>`);
 * the app itself runs from <folder> on <node>, with the Node flags of <folder>'s `npm start`.
 *
 * - SQLite: one instance serves /health/ready, exits 0 on SIGTERM.
 * - PostgreSQL: two instances started together both serve /health/ready, the migrations ran once
 *   (one row per migration, no start-up errors), both exit 0 on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { startFlags } from '../support/node-flags';
import { freePort, startPostgres } from '../support/services';

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

const [folder, nodeBinary = process.execPath] = process.argv.slice(2);

/** What an operator must set in production (docs/DEPLOY.md), freshly generated. */
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
  AUTH_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  STORAGE_URL_SECRET: randomBytes(32).toString('base64url'),
  CORS_ORIGINS: 'https://app.example.test',
  PUBLIC_URL: 'https://api.example.test',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

async function start(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  // Only PATH from the outer environment: nothing from the CI shell or the test tooling leaks in.
  const child = spawn(nodeBinary, [...startFlags(folder), 'dist/main.js'], {
    cwd: folder,
    env: { PATH: process.env.PATH ?? '', ...PRODUCTION_ENV, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url: `http://127.0.0.1:${port}`, child, exited, output: () => output };
}

async function ready(instance: Instance, timeoutMs = 180_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let running = true;
  void instance.exited.then(() => (running = false));
  while (running && Date.now() < deadline) {
    try {
      const res = await fetch(`${instance.url}/health/ready`);
      if (res.status === 200) return (await res.json()) as Record<string, unknown>;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const state = running ? `still starting after ${timeoutMs} ms` : `exited with ${String(instance.child.exitCode)}`;
  throw new Error(`${instance.url}/health/ready never answered 200 (${state}):\n${instance.output()}`);
}

async function stop(instance: Instance): Promise<void> {
  instance.child.kill('SIGTERM');
  const code = await instance.exited;
  if (code !== 0) throw new Error(`exit code ${String(code)} after SIGTERM (expected 0):\n${instance.output()}`);
}

/** Log lines at error level or above (pino: 50 = error, 60 = fatal). */
function errorLines(instance: Instance): string[] {
  return instance
    .output()
    .split('\n')
    .filter((line) => /"level":(5|6)\d/.test(line) || /^(Error|Portico failed)/.test(line));
}

async function checkSqlite(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-prod-'));
  try {
    const instance = await start({ DATA_DIR: dataDir });
    const body = await ready(instance);
    if (body.status !== 'ok') throw new Error(`SQLite readiness: ${JSON.stringify(body)}`);
    await stop(instance);
    report('SQLite: /health/ready 200, exit 0 on SIGTERM');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function checkPostgres(): Promise<void> {
  const postgres = await startPostgres();
  if (typeof postgres === 'string') throw new Error(postgres);
  const dataDirs = [mkdtempSync(join(tmpdir(), 'portico-prod-')), mkdtempSync(join(tmpdir(), 'portico-prod-'))];
  try {
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE portico_prod');
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = '/portico_prod';
    const databaseUrl = url.toString();

    // Both start at the same moment against an empty database: each finds every migration pending.
    const instances = await Promise.all(dataDirs.map((dir) => start({ DATABASE_URL: databaseUrl, DATA_DIR: dir })));
    await Promise.all(instances.map((instance) => ready(instance)));

    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ name: string; runs: string }>(
      'SELECT name, count(*) AS runs FROM migrations GROUP BY name ORDER BY name',
    );
    await client.end();
    const expected = MIGRATIONS.map((migration) => migration.name).sort();
    const applied = rows.map((row) => row.name);
    if (JSON.stringify(applied) !== JSON.stringify(expected) || rows.some((row) => row.runs !== '1')) {
      throw new Error(`migrations table after two concurrent starts: ${JSON.stringify(rows)}`);
    }
    const errors = instances.flatMap(errorLines);
    if (errors.length > 0) throw new Error(`errors while two instances started together:\n${errors.join('\n')}`);
    await Promise.all(instances.map(stop));
    report(`PostgreSQL: two instances ready, ${applied.length} migrations applied once each, exit 0 on SIGTERM`);
  } finally {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    postgres.stop();
  }
}

function report(line: string): void {
  process.stdout.write(`  ok  ${line}\n`);
}

async function main(): Promise<void> {
  if (!folder) throw new Error('usage: prod-install.check.ts <install-folder> [node-binary]');
  await checkSqlite();
  await checkPostgres();
}

main().catch((error: unknown) => {
  process.stderr.write(`production install check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
