import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { CONTRACT_ENV } from './contract-env';

/** Variables kept from the caller's environment: how to run, never what to configure. */
const KEPT = new Set(['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'NODE_OPTIONS']);

/**
 * The document the app serves, built in this process without listening:
 * the environment is replaced by CONTRACT_ENV (plus a throwaway DATA_DIR),
 * the app is created, its document built and the app closed.
 */
export async function buildServedDocument(): Promise<OpenAPIObject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-contract-'));
  for (const key of Object.keys(process.env)) if (!KEPT.has(key)) delete process.env[key];
  Object.assign(process.env, CONTRACT_ENV, { DATA_DIR: dataDir });
  // Loaded only now: modules read their configuration when the app is created.
  const { createApp } = await import('../src/bootstrap');
  const { createApiDocument } = await import('../src/api-docs');
  const app = await createApp();
  try {
    return createApiDocument(app);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The stored form: two-space JSON, final newline (key order is fixed by the document builder). */
export function serialise(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
