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
  writeFileSync(SKIPS_FILE, '');
  const services: NonNullable<typeof globalThis.__porticoServices> = {};
  const skip = (suite: string, why: string): void => {
    process.stdout.write(`\nSKIPPED ${suite}: ${why}\n`);
    appendFileSync(SKIPS_FILE, `${suite}: ${why}\n`);
  };

  const postgres = await startPostgres();
  if (typeof postgres === 'string') skip('e2e-postgres', postgres);
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
