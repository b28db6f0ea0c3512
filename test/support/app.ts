import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { createApp } from '../../src/bootstrap';
import { uuidv7 } from '../../src/core/database/ids';

export interface TestApp {
  readonly app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` of the listening app. */
  readonly url: string;
  readonly dataDir: string;
  /** The environment the app was started with. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Variables on top of the test defaults (set a value to '' to unset one). */
  readonly env?: Readonly<Record<string, string>>;
  readonly extraModules?: ReadonlyArray<Type | DynamicModule>;
  /** Reuse this DATA_DIR / DATABASE_URL (e.g. a second instance on the same database). */
  readonly shareWith?: TestApp;
  /** Listen on this port instead of a random one (OAuth callback URLs must be known before start). */
  readonly port?: number;
}

const BASELINE_ENV = { ...process.env };

/** The engine this jest project runs the e2e suite on (see jest.config.js). */
export function testEngine(): 'sqlite' | 'postgres' {
  return process.env.TEST_DB_ENGINE === 'postgres' && process.env.TEST_POSTGRES_URL ? 'postgres' : 'sqlite';
}

/** A fresh, empty PostgreSQL database on the test cluster; returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('TEST_POSTGRES_URL is not set (global setup did not start PostgreSQL)');
  const name = `portico_${uuidv7().replace(/-/g, '')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Environment for an app under test: a temporary DATA_DIR, a fresh database
 * on this project's engine, quiet logs, and the caller's overrides.
 */
export async function testEnv(options: TestAppOptions = {}): Promise<Record<string, string>> {
  const dataDir = options.shareWith?.dataDir ?? mkdtempSync(join(tmpdir(), 'portico-test-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    // Load tests send thousands of requests with one key from one address; the budgets
    // have their own suite (test/security/limits.e2e-spec.ts), which sets them explicitly.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
  };
  if (options.shareWith?.env.DATABASE_URL) env.DATABASE_URL = options.shareWith.env.DATABASE_URL;
  else if (!options.shareWith && testEngine() === 'postgres') env.DATABASE_URL = await createPostgresDatabase();
  return { ...env, ...options.env };
}

/** Replaces process.env with the baseline plus `env` ('' unsets a variable). */
export function applyEnv(env: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(process.env)) if (!(key in BASELINE_ENV)) delete process.env[key];
  Object.assign(process.env, BASELINE_ENV);
  for (const [key, value] of Object.entries(env)) {
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
}

/** Boots the real application in this process, listening on a free loopback port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env = await testEnv(options);
  applyEnv(env);
  const app = await createApp({ extraModules: options.extraModules });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir: env.DATA_DIR,
    env,
    close: async () => {
      await app.close();
      if (!options.shareWith) rmSync(env.DATA_DIR, { recursive: true, force: true });
    },
  };
}
