import request from 'supertest';
import { ApiKeysService } from '../../src/core/security/api-keys/api-keys.service';
import { type TestApp, startTestApp } from '../support/app';
import { TEST_ADMIN_KEY, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import { eventually } from '../support/eventually';

const PROBLEM = /application\/problem\+json/;
const BILLING_KEY = 'pk_test_billing_key_0123456789';
const GONE_KEY = 'pk_test_removed_key_0123456789';
const ENV_KEYS = [
  apiKeyEntry('tester', TEST_KEY),
  apiKeyEntry('admin', TEST_ADMIN_KEY, true),
  apiKeyEntry('billing', BILLING_KEY, 'payments:read+payments:write+payments:manage'),
  apiKeyEntry('gone', GONE_KEY, 'payments:read'),
];

interface KeyRow {
  name: string;
  scopes: string[];
  scopesListed: boolean;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Keys can be listed, expire, and be revoked; a key taken out of API_KEYS stops working at the next start. */
describe('API-key lifecycle: scopes, list, revoke, expiry, removal from API_KEYS', () => {
  let a: TestApp;
  let b: TestApp;
  const keys = async (app: TestApp): Promise<KeyRow[]> =>
    (await request(app.url).get('/admin/api-keys').set('X-Api-Key', TEST_ADMIN_KEY).expect(200)).body.items as KeyRow[];

  beforeAll(async () => {
    a = await startTestApp({ env: { API_KEYS: ENV_KEYS.join(',') } });
    b = await startTestApp({ env: { API_KEYS: ENV_KEYS.join(',') }, shareWith: a });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('lists every key with its scopes and never the key or its hash', async () => {
    const rows = await keys(a);
    expect(rows.map((k) => k.name).sort()).toEqual(['admin', 'billing', 'gone', 'tester']);
    expect(rows.find((k) => k.name === 'billing')).toMatchObject({
      scopes: ['payments:read', 'payments:write', 'payments:manage'],
      scopesListed: true,
      revokedAt: null,
    });
    // A key without a list keeps its old meaning: everything but admin.
    expect(rows.find((k) => k.name === 'tester')).toMatchObject({ scopesListed: false });
    expect(rows.find((k) => k.name === 'tester')?.scopes).not.toContain('admin');
    expect(JSON.stringify(rows)).not.toMatch(/[0-9a-f]{64}|pk_/);
  });

  it('pages through the keys newest first, each exactly once, within the limit bounds', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await request(a.url)
        .get(`/admin/api-keys?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)
        .set('X-Api-Key', TEST_ADMIN_KEY)
        .expect(200);
      pages.push((page.body.items as KeyRow[]).map((k) => k.name));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(pages.map((page) => page.length)).toEqual([3, 1]);
    // Loaded from API_KEYS within a few milliseconds, so their relative order is not asserted here.
    expect(pages.flat().sort()).toEqual(['admin', 'billing', 'gone', 'tester']);
    const tooMany = await request(a.url).get('/admin/api-keys?limit=101').set('X-Api-Key', TEST_ADMIN_KEY);
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers['content-type']).toMatch(PROBLEM);
  });

  it('records last use without a write per request', async () => {
    for (let i = 0; i < 5; i += 1) await request(a.url).get('/payments').set('X-Api-Key', BILLING_KEY).expect(200);
    const used = await eventually(async () => (await keys(a)).find((k) => k.name === 'billing' && k.lastUsedAt));
    expect(Date.parse(used.lastUsedAt as string)).toBeLessThanOrEqual(Date.now());
  });

  it('a revoked key is refused at once on the revoking instance and within the cache window on another', async () => {
    await request(b.url).get('/payments').set('X-Api-Key', BILLING_KEY).expect(200); // cached on b
    const revoked = await request(a.url).post('/admin/api-keys/billing/revoke').set('X-Api-Key', TEST_ADMIN_KEY);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const refused = await request(a.url).get('/payments').set('X-Api-Key', BILLING_KEY);
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toMatch(PROBLEM);
    // The other instance remembers accepted keys for at most 5 s.
    await eventually(
      async () =>
        (await request(b.url).get('/payments').set('X-Api-Key', BILLING_KEY)).status === 401 ? true : undefined,
      10_000,
      'revocation seen by the second instance',
    );
    const unknown = await request(a.url).post('/admin/api-keys/nobody/revoke').set('X-Api-Key', TEST_ADMIN_KEY);
    expect(unknown.status).toBe(404);
  });

  it('an expired key is refused with 401', async () => {
    const service = a.app.get(ApiKeysService);
    const { key } = await service.create('short-lived', {
      scopes: ['payments:read'],
      expiresAt: new Date(Date.now() - 1_000),
    });
    const res = await request(a.url).get('/payments').set('X-Api-Key', key);
    expect(res.status).toBe(401);
    expect((await keys(a)).find((k) => k.name === 'short-lived')?.expiresAt).toEqual(expect.any(String));
  });

  it('a key removed from API_KEYS is revoked at the next start, and listing its hash again does not revive a revoked key', async () => {
    await request(a.url).get('/payments').set('X-Api-Key', GONE_KEY).expect(200);
    await b.close();
    const kept = ENV_KEYS.filter((entry) => !entry.startsWith('gone:') && !entry.startsWith('billing:'));
    b = await startTestApp({ env: { API_KEYS: kept.join(',') }, shareWith: a });
    await request(b.url).get('/payments').set('X-Api-Key', GONE_KEY).expect(401);
    expect((await keys(b)).find((k) => k.name === 'gone')?.revokedAt).toEqual(expect.any(String));
    // billing was revoked by an operator; putting it back in API_KEYS with the same hash keeps it revoked.
    await b.close();
    b = await startTestApp({ env: { API_KEYS: ENV_KEYS.join(',') }, shareWith: a });
    await request(b.url).get('/payments').set('X-Api-Key', BILLING_KEY).expect(401);
    await request(b.url).get('/payments').set('X-Api-Key', TEST_KEY).expect(200);
  });
});
