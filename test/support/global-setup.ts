import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningPostgres, type RunningRedis, startPostgres, startRedis } from './services';

declare global {
  // Handles kept for global-teardown (same process).
  var __porticoServices: { postgres?: RunningPostgres; redis?: RunningRedis } | undefined;
}

export const SKIPS_FILE = join(__dirname, '..', '..', 'test-results', 'skipped.txt');

/**
 * Starts the real servers the suites talk to (PostgreSQL, Redis) once for
 * the whole run; test files read their URLs from the environment. A missing
 * binary is reported in one line and recorded, and `.ci/run` fails on it.
 */
export default async function globalSetup(): Promise<void> {
  mkdirSync(join(SKIPS_FILE, '..'), { recursive: true });
  // `npm run test:cov` runs jest twice; its second run keeps what the first recorded (PORTICO_TEST_KEEP_SKIPS=1).
  if (process.env.PORTICO_TEST_KEEP_SKIPS !== '1') writeFileSync(SKIPS_FILE, '');
  const services: NonNullable<typeof globalThis.__porticoServices> = {};
  const skip = (suite: string, why: string): void => {
    process.stdout.write(`\nSKIPPED ${suite}: ${why}\n`);
    appendFileSync(SKIPS_FILE, `${suite}: ${why}\n`);
  };

  // `--selectProjects unit` or `e2e-sqlite` alone does not need a PostgreSQL cluster: don't start one.
  const selected = selectedProjects(process.argv);
  const postgres = selected === undefined || selected.includes('e2e-postgres') ? await startPostgres() : 'not selected';
  if (postgres === 'not selected') process.stdout.write('\nPostgreSQL not started: e2e-postgres is not selected\n');
  else if (typeof postgres === 'string') skip('e2e-postgres', postgres);
  else {
    services.postgres = postgres;
    process.env.TEST_POSTGRES_URL = postgres.url;
  }
  const redis = await startRedis();
  if (typeof redis === 'string') skip('redis suites', redis);
  else {
    services.redis = redis;
    process.env.TEST_REDIS_URL = redis.url;
  }
  globalThis.__porticoServices = services;
}

/**
 * The projects named by `--selectProjects` (jest does not hand them to global setup), or undefined
 * when every project runs. Names follow the flag until the next option.
 */
function selectedProjects(argv: string[]): string[] | undefined {
  const at = argv.findIndex((arg) => arg === '--selectProjects' || arg.startsWith('--selectProjects='));
  if (at < 0) return undefined;
  const inline = argv[at].split('=')[1];
  if (inline !== undefined) return inline.split(',');
  const names: string[] = [];
  for (const arg of argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names;
}
