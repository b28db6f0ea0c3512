import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { CONTRACT_ENV, CONTRACT_FILE } from '../../scripts/contract-env';
import { type TestApp, startTestApp } from '../support/app';

/**
 * The committed contract must be what the app serves: any change to a route,
 * DTO or decorator that changes the document fails here until
 * `npm run api:export` is run and the new openapi.json is committed (and so
 * shows in review).
 */
describe('API contract: openapi.json equals the served /docs-json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CONTRACT_ENV } });
  });
  afterAll(async () => t?.close());

  it('serves exactly the committed document (run `npm run api:export` after an API change)', async () => {
    const served = await request(t.url).get('/docs-json').expect(200);
    const committed: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', CONTRACT_FILE), 'utf8'));
    expect(served.body).toEqual(committed);
  });

  it('declares the security of every operation: none for public routes, a defined scheme otherwise', async () => {
    const doc = (await request(t.url).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer', 'sessionCookie']);
    const schemesUsed = new Set<string>();
    for (const item of Object.values(doc.paths))
      for (const operation of Object.values(item)) {
        expect(operation.security).toBeDefined();
        for (const requirement of operation.security ?? []) Object.keys(requirement).forEach((s) => schemesUsed.add(s));
      }
    for (const scheme of schemesUsed) expect(doc.components.securitySchemes[scheme]).toBeDefined();
    expect(doc.paths['/health/live'].get.security).toEqual([]);
    expect(doc.paths['/payments/intents'].post.security).toEqual([
      { apiKey: [] },
      { bearer: [] },
      { sessionCookie: [] },
    ]);
  });
});
