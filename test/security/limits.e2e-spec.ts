import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { mintUserSession } from '../support/sessions';

/** The JSON body of an answer, typed for the fields these tests read. */
interface Answer {
  readonly type?: string;
  readonly detail?: string;
  readonly id?: string;
  readonly url?: string;
  readonly items?: unknown[];
  readonly upload?: { readonly url: string };
}
const bodyOf = (res: { body: unknown }): Answer => res.body as Answer;

const PROBLEM = /^application\/problem\+json/;
const QUOTA_EXCEEDED = /\/quota-exceeded$/;

function addresses(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => `r${i}.${tag}@example.test`);
}

function mail(to: string[]): Record<string, unknown> {
  return { to, subject: 'Hello', text: 'Hi there' };
}

/** Every stored object file under the local driver's root (temporaries excluded). */
function storedObjects(dataDir: string): string[] {
  const root = join(dataDir, 'files');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('.incoming'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('Inbound rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        RATE_LIMIT_PER_MINUTE: '3',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2',
        TRUST_PROXY: 'loopback',
      },
    });
  });
  afterAll(async () => t?.close());

  it('a caller past RATE_LIMIT_PER_MINUTE gets 429 problem+json with Retry-After and RateLimit headers; others are not affected', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await request(t.url).get('/emails?limit=1').set('X-Api-Key', TEST_KEY));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0].headers['ratelimit-policy']).toBe('"caller";q=3;w=60');
    expect(answers[0].headers.ratelimit).toMatch(/^"caller";r=2;t=\d+$/);

    const refused = answers[3];
    expect(refused.headers['content-type']).toMatch(PROBLEM);
    expect(refused.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(bodyOf(refused).type).toMatch(/\/rate-limited$/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-policy']).toBe('"caller";q=3;w=60');
    expect(refused.headers.ratelimit).toMatch(/^"caller";r=0;t=\d+$/);

    // Budgets are per caller: the admin key still has all of its own.
    await request(t.url).get('/emails?limit=1').set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
  });

  it('unauthenticated routes such as /auth/:provider have a per-IP budget (client IP through TRUST_PROXY)', async () => {
    const from = (ip: string) => request(t.url).get('/auth/google').set('X-Forwarded-For', ip);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await from('203.0.113.7')).status);
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(statuses[2]).toBe(429);
    const refused = await from('203.0.113.7');
    expect(refused.headers['ratelimit-policy']).toBe('"anonymous";q=2;w=60');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    // Another client address has a budget of its own.
    expect((await from('198.51.100.9')).status).not.toBe(429);
  });

  it('signed webhooks and health probes are exempt from the per-IP budget; webhooks stay bounded by the body size limit', async () => {
    const ip = '192.0.2.44';
    for (let i = 0; i < 3; i++) await request(t.url).get('/auth/github').set('X-Forwarded-For', ip);
    expect((await request(t.url).get('/auth/github').set('X-Forwarded-For', ip)).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      const stripe = await request(t.url)
        .post('/webhooks/stripe')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', 't=1,v1=00')
        .send('{"id":"evt_1"}');
      expect(stripe.status).not.toBe(429);
      const sendgrid = await request(t.url)
        .post('/webhooks/sendgrid')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .send('[]');
      expect(sendgrid.status).not.toBe(429);
      await request(t.url).get('/health/live').set('X-Forwarded-For', ip).expect(200);
    }
    const res = await request(t.url)
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', 't=1,v1=00')
      .send(`{"pad":"${'x'.repeat(1_100_000)}"}`);
    expect(res.status).toBe(413);
  });
});

describe('Quotas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        STORAGE_QUOTA_BYTES_PER_OWNER: '1000',
        // Users need emails:send once scopes exist (issue 10 item 1); ignored before.
        AUTH_USER_SCOPES: 'payments:read,payments:write,files:read,files:write,emails:read,emails:send',
      },
    });
  });
  afterAll(async () => t?.close());

  it('a signed-in user may address 1,000 recipients a day by default (past it → 403 quota-exceeded, nothing queued); API keys are unlimited', async () => {
    const session = await mintUserSession(t.app, 'quota-user@example.test');
    // Bearer, not the cookie: a cookie-authenticated POST is a CSRF question, not a quota one.
    const auth = `Bearer ${session.accessToken}`;
    const send = (to: string[]) => request(t.url).post('/emails').set('Authorization', auth).send(mail(to));
    await send(addresses(999, 'a')).expect(202);
    const refused = await send(addresses(2, 'b'));
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(PROBLEM);
    expect(bodyOf(refused).type).toMatch(QUOTA_EXCEEDED);
    expect(refused.body).toMatchObject({ quota: 'email-recipients-per-day', limit: 1000, used: 999 });
    const listed = await request(t.url).get('/emails?limit=100').set('Authorization', auth).expect(200);
    expect(bodyOf(listed).items).toHaveLength(1);
    // One more recipient still fits exactly.
    await send(addresses(1, 'c')).expect(202);

    // API keys are not limited by default.
    for (let i = 0; i < 2; i++) {
      await request(t.url)
        .post('/emails')
        .set('X-Api-Key', TEST_KEY)
        .send(mail(addresses(800, `k${i}`)))
        .expect(202);
    }
  });

  it('an upload past STORAGE_QUOTA_BYTES_PER_OWNER → 403 quota-exceeded; the cut stream leaves no object behind', async () => {
    const upload = (bytes: number) =>
      request(t.url)
        .post('/files')
        .set('X-Api-Key', TEST_KEY)
        .attach('file', Buffer.alloc(bytes, 'a'), { filename: 'notes.txt', contentType: 'text/plain' });
    await upload(600).expect(201);
    expect(storedObjects(t.dataDir)).toHaveLength(1);

    const refused = await upload(600);
    expect(refused.status).toBe(403);
    expect(bodyOf(refused).type).toMatch(QUOTA_EXCEEDED);
    expect(refused.body).toMatchObject({ quota: 'storage-bytes', limit: 1000, used: 600 });
    const files = await request(t.url).get('/files').set('X-Api-Key', TEST_KEY).expect(200);
    expect(bodyOf(files).items).toHaveLength(1);
    expect(storedObjects(t.dataDir)).toHaveLength(1);

    // A direct upload reserves its declared size: 500 more bytes do not fit either.
    const direct = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'more.txt', contentType: 'text/plain', size: 500 });
    expect(direct.status).toBe(403);
    expect(bodyOf(direct).type).toMatch(QUOTA_EXCEEDED);

    // Another owner has a quota of their own.
    await request(t.url)
      .post('/files')
      .set('X-Api-Key', TEST_ADMIN_KEY)
      .attach('file', Buffer.alloc(600, 'b'), { filename: 'notes.txt', contentType: 'text/plain' })
      .expect(201);
  });
});

describe('EMAIL_DAILY_LIMIT_PER_CALLER set: API keys are limited too', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS, EMAIL_DAILY_LIMIT_PER_CALLER: '5' } });
  });
  afterAll(async () => t?.close());

  it('refuses the message that would pass the limit and queues nothing for it', async () => {
    await request(t.url)
      .post('/emails')
      .set('X-Api-Key', TEST_KEY)
      .send(mail(addresses(4, 'x')))
      .expect(202);
    const refused = await request(t.url)
      .post('/emails')
      .set('X-Api-Key', TEST_KEY)
      .send(mail(addresses(2, 'y')));
    expect(refused.status).toBe(403);
    expect(bodyOf(refused).type).toMatch(QUOTA_EXCEEDED);
    const listed = await request(t.url).get('/emails').set('X-Api-Key', TEST_KEY).expect(200);
    expect(bodyOf(listed).items).toHaveLength(1);
    // A repeated idempotency key returns the first message even at the limit.
    const first = await request(t.url)
      .post('/emails')
      .set('X-Api-Key', TEST_KEY)
      .set('Idempotency-Key', 'once')
      .send(mail(addresses(1, 'z')))
      .expect(202);
    const again = await request(t.url)
      .post('/emails')
      .set('X-Api-Key', TEST_KEY)
      .set('Idempotency-Key', 'once')
      .send(mail(addresses(1, 'z')))
      .expect(202);
    expect(bodyOf(again).id).toBe(bodyOf(first).id);
  });
});

describe('Shared request budget across two instances on one Redis', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    if (redisUrl === undefined) return;
    const env = { API_KEYS: TEST_API_KEYS, REDIS_URL: redisUrl, RATE_LIMIT_PER_MINUTE: '4' };
    apps.push(await startTestApp({ env }));
    apps.push(await startTestApp({ env, shareWith: apps[0] }));
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  it('spends one budget whichever instance answers', async () => {
    if (redisUrl === undefined)
      throw new Error('TEST_REDIS_URL is not set: the global setup did not start redis-server');
    const statuses: number[] = [];
    for (const app of [apps[0], apps[1], apps[0], apps[1], apps[0], apps[1]]) {
      statuses.push((await request(app.url).get('/emails?limit=1').set('X-Api-Key', TEST_KEY)).status);
    }
    // Four per minute for the key, not four per instance.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
