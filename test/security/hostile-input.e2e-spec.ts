import { request as httpRequest, type IncomingMessage } from 'node:http';
import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { EventWebhookSigner } from '../support/sendgrid/event-signer';
import { WEBHOOK_SECRET, signedHeaders } from '../support/stripe/stripe-fixtures';

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
const SOME_ID = '0192d3c4-0000-7000-8000-000000000001';
const MAIL = { to: ['ada@example.test'], subject: 'Hello', text: 'Hi' };

function nested(depth: number, inner = '1'): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

describe('Hostile input', () => {
  const sendgrid = new EventWebhookSigner();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        // Stripe configured against a closed port: a body that slipped through validation would answer 503, never reach anything.
        STRIPE_SECRET_KEY: 'sk_test_hostile_input_0123456789',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_BASE: 'http://127.0.0.1:9',
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKeyBase64,
      },
    });
  });
  afterAll(async () => t?.close());

  const postJson = (path: string, body: string, key = TEST_KEY) =>
    request(t.url).post(path).set('X-Api-Key', key).set('Content-Type', 'application/json').send(body);

  describe('deep JSON', () => {
    it('a 4 KB body of nested [ → 400 problem json-too-deep, not 500', async () => {
      const res = await postJson('/emails', nested(2048));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(bodyOf(res).type).toMatch(/\/json-too-deep$/);
      expect(bodyOf(res).detail).toMatch(/deeper than 32/);
    });

    it('depth 33 is refused and depth 32 passes the scan (then validation judges it); brackets in strings do not count', async () => {
      const deep = await postJson('/emails', `{"to":${nested(32, '"a@example.test"')}}`);
      expect(bodyOf(deep).type).toMatch(/\/json-too-deep$/);
      const ok = await postJson('/emails', `{"to":${nested(31, '"a@example.test"')}}`);
      expect(ok.status).toBe(400);
      expect(bodyOf(ok).type).toMatch(/\/validation$/);
      await postJson('/emails', JSON.stringify({ ...MAIL, text: '['.repeat(5000) + '{'.repeat(5000) })).expect(202);
    });

    it('six parallel 1 MB nested bodies: /health/live answers while they are in flight, then each gets 400', async () => {
      const url = new URL(t.url);
      const body = Buffer.alloc(1024 * 1024, '[');
      const answers: Array<Promise<{ status: number; type: string }>> = [];
      const holds: Array<() => void> = [];
      for (let i = 0; i < 6; i++) {
        const req = httpRequest({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/emails',
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-Api-Key': TEST_KEY },
        });
        answers.push(
          new Promise((resolve, reject) => {
            req.on('response', (res: IncomingMessage) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, type: String((JSON.parse(text) as Answer).type) }),
              );
            });
            req.on('error', reject);
          }),
        );
        // Everything but the last byte: the request is in flight.
        req.write(body.subarray(0, body.length - 1));
        holds.push(() => req.end(body.subarray(body.length - 1)));
      }
      const settled: string[] = [];
      answers.forEach((answer, i) => void answer.then(() => settled.push(`deep-${i}`)));

      await request(t.url).get('/health/live').expect(200);
      settled.push('live');
      for (const release of holds) release();
      const results = await Promise.all(answers);
      expect(settled[0]).toBe('live');
      for (const result of results) {
        expect(result.status).toBe(400);
        expect(result.type).toMatch(/\/json-too-deep$/);
      }
      await request(t.url).get('/health/live').expect(200);
    });
  });

  describe('prototype keys', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('a "%s" key anywhere → 400 forbidden-json-key', async (key) => {
      for (const body of [
        `{"${key}":{"admin":true},"to":["a@example.test"],"subject":"s","text":"t"}`,
        `{"to":["a@example.test"],"subject":"s","text":"t","categories":[{"${key}" :1}]}`,
      ]) {
        const res = await postJson('/emails', body);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(bodyOf(res).type).toMatch(/\/forbidden-json-key$/);
        expect(bodyOf(res).detail).toContain(key);
      }
    });

    it('an escaped spelling is refused too; the same words as values are fine', async () => {
      const escaped = await postJson(
        '/emails',
        '{"\\u005f_proto__":{},"to":["a@example.test"],"subject":"s","text":"t"}',
      );
      expect(bodyOf(escaped).type).toMatch(/\/forbidden-json-key$/);
      await postJson('/emails', JSON.stringify({ ...MAIL, subject: 'constructor', text: '__proto__' })).expect(202);
    });

    it('signed webhooks get the same scan', async () => {
      const payload = '{"id":"evt_1","object":"event","__proto__":{"polluted":true}}';
      const res = await request(t.url).post('/webhooks/stripe').set(signedHeaders(payload)).send(payload);
      expect(res.status).toBe(400);
      expect(bodyOf(res).type).toMatch(/\/forbidden-json-key$/);
    });
  });

  describe('no 500 by shape alone', () => {
    const JSON_BODIES = [
      '',
      '[]',
      '[1,2]',
      'null',
      '"text"',
      '123',
      '1e999',
      '-0',
      'true',
      '{}',
      '{"a":',
      '\ufeff{}',
      '{"to":null,"subject":null,"text":null}',
      '{"to":{},"subject":[],"text":{}}',
      '{"to":[{}],"subject":1,"html":false}',
      '{"to":["a@example.test"],"subject":"s","text":"t","sendAt":"9999-99-99T99:99:99Z"}',
      '{"to":["a@example.test"],"subject":"s","text":"t","cc":"b@example.test","bcc":[null]}',
      '{"templateId":{"x":1},"dynamicTemplateData":[1,2]}',
      '{"templateId":"d-0123456789abcdef0123456789abcdef","to":["a@example.test"],"dynamicTemplateData":"x"}',
      '{"amount":1e308,"currency":"usd"}',
      '{"amount":123456789012345678901234567890,"currency":"usd"}',
      '{"amount":-1,"currency":"usd"}',
      '{"amount":"100","currency":["usd"],"metadata":[]}',
      '{"amount":100,"currency":"usd","metadata":{"a":{"b":{"c":1}}}}',
      '{"amount":100,"currency":"usd","metadata":{"k":"\\ud800"}}',
      '{"filename":{},"contentType":[],"size":1e400}',
      '{"filename":"a.txt","contentType":"text/plain","size":-1e21,"expiresIn":"NaN"}',
      '{"refreshToken":123}',
      '{"refreshToken":["a","b"]}',
      '{"reason":{"$gt":""}}',
    ];
    const OTHER_BODIES: Array<[string, string]> = [
      ['text/plain', 'hello'],
      ['application/xml', '<a><b/></a>'],
      [
        'application/x-www-form-urlencoded',
        'a[b][c][d][e][f][g][h]=1&to[]=x&to[__proto__]=1&constructor[prototype][x]=1',
      ],
      ['multipart/form-data', 'no boundary here'],
      ['application/json; charset=utf-16', '{}'],
      ['application/octet-stream', '\u0000\u0001\u0002'],
    ];
    const ROUTES = [
      '/emails',
      '/emails/template',
      '/payments/intents',
      `/payments/${SOME_ID}/capture`,
      `/payments/${SOME_ID}/cancel`,
      `/payments/${SOME_ID}/refunds`,
      '/files/upload-url',
      `/files/${SOME_ID}/complete`,
      '/auth/refresh',
      '/auth/logout',
      `/admin/emails/${SOME_ID}/retry`,
      `/admin/webhooks/stripe/events/${SOME_ID}/replay`,
    ];

    it('odd JSON, odd content types, odd queries and oddly shaped signed webhooks never answer 5xx', async () => {
      const failures: string[] = [];
      for (const route of ROUTES) {
        const key = route.startsWith('/admin') ? TEST_ADMIN_KEY : TEST_KEY;
        for (const body of JSON_BODIES) {
          const res = await postJson(route, body, key);
          if (res.status < 400 || res.status >= 500 || !PROBLEM.test(String(res.headers['content-type'])))
            failures.push(`${route} ${JSON.stringify(body)} → ${res.status}`);
        }
        for (const [type, body] of OTHER_BODIES) {
          const res = await request(t.url).post(route).set('X-Api-Key', key).set('Content-Type', type).send(body);
          if (res.status < 400 || res.status >= 500) failures.push(`${route} ${type} → ${res.status}`);
        }
      }

      // Read routes with odd query strings and ids.
      for (const path of [
        '/payments?limit=abc',
        '/payments?limit=1e999',
        '/payments?limit[]=1&limit[]=2',
        '/payments?cursor[a]=1',
        '/emails?limit=-1&cursor=%00',
        '/emails?to[]=a&to[]=b',
        '/emails?status[$ne]=x',
        '/files?cursor=%ff%fe',
        '/files?limit=99999999999999999999',
        '/payments/not-a-uuid',
        '/emails/%00',
        '/files/..%2F..%2Fetc%2Fpasswd',
        `/files/${SOME_ID}/download-url?expiresIn=1e999`,
      ]) {
        const res = await request(t.url).get(path).set('X-Api-Key', TEST_KEY);
        if (res.status < 400 || res.status >= 500) failures.push(`${path} → ${res.status}`);
      }

      // Signed webhooks with odd shapes: 4xx, or 200 for what is stored; never 5xx.
      for (const payload of ['[]', 'null', '{}', '{"id":5}', '{"id":"evt_1","type":{},"data":[]}', '"x"', '1e999']) {
        const stripe = await request(t.url).post('/webhooks/stripe').set(signedHeaders(payload)).send(payload);
        if (stripe.status >= 500) failures.push(`stripe ${payload} → ${stripe.status}`);
        const sg = await request(t.url).post('/webhooks/sendgrid').set(sendgrid.headers(payload)).send(payload);
        if (sg.status >= 500) failures.push(`sendgrid ${payload} → ${sg.status}`);
      }
      for (const payload of ['[null]', '[1,"a"]', '[{"sg_event_id":{},"event":[]}]', '[{"sg_message_id":5}]']) {
        const sg = await request(t.url).post('/webhooks/sendgrid').set(sendgrid.headers(payload)).send(payload);
        if (sg.status >= 500) failures.push(`sendgrid ${payload} → ${sg.status}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });
});
