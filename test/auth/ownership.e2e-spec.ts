import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_KEY } from '../support/api-keys';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

const PROBLEM = /application\/problem\+json/;

/**
 * Signed-in users own what they create: another user (or API key) gets 404
 * for its ids, never 403, so ids do not reveal that something exists.
 */
describe('Ownership between signed-in users: files, emails, payments (404 for another owner’s ids)', () => {
  let t: AuthTestEnv;
  let ada: LoginBrowser;
  let frank: LoginBrowser;
  const session = (b: LoginBrowser): Record<string, string> => ({
    Authorization: `Bearer ${b.jar.get('portico_session')}`,
  });

  const stripe = new StripeContractServer();

  beforeAll(async () => {
    await stripe.start();
    t = await startAuthTestEnv({
      ...stripeTestEnv(stripe),
      STORAGE_URL_SECRET: 'a-test-secret-of-at-least-32-characters!',
      // Ownership, not scopes, is under test: these users may do everything a user can be given.
      AUTH_USER_SCOPES: 'payments:read,payments:write,payments:manage,emails:read,emails:send,files:read,files:write',
    });
    ada = new LoginBrowser(t.app.url);
    await ada.login('google', 'g-ada');
    frank = new LoginBrowser(t.app.url);
    await frank.login('github', '1003');
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  describe('files', () => {
    let fileId: string;

    beforeAll(async () => {
      // Uploaded with the session cookie from the app's own origin, as the page does.
      const res = await request(t.app.url)
        .post('/files')
        .set('Cookie', ada.jar.header('/files'))
        .set('Origin', t.app.url)
        .attach('file', Buffer.from('ada’s notes\n'), { filename: 'notes.txt', contentType: 'text/plain' });
      expect(res.status).toBe(201);
      fileId = res.body.id as string;
    });

    it('the owner reads metadata and a download link', async () => {
      await request(t.app.url).get(`/files/${fileId}`).set(session(ada)).expect(200);
      const link = await request(t.app.url).get(`/files/${fileId}/download-url`).set(session(ada)).expect(200);
      const download = await fetch(link.body.url as string);
      expect(await download.text()).toBe('ada’s notes\n');
    });

    it('another user gets 404 problem for read, link and delete, and does not see it listed', async () => {
      for (const call of [
        request(t.app.url).get(`/files/${fileId}`),
        request(t.app.url).get(`/files/${fileId}/download-url`),
        request(t.app.url).delete(`/files/${fileId}`),
      ]) {
        const res = await call.set(session(frank));
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(PROBLEM);
      }
      const list = await request(t.app.url).get('/files').set(session(frank)).expect(200);
      expect(list.body.items.map((f: { id: string }) => f.id)).not.toContain(fileId);
      // Still there for its owner.
      await request(t.app.url).get(`/files/${fileId}`).set(session(ada)).expect(200);
    });

    it('an ordinary API key is another owner too; an admin key sees it', async () => {
      await request(t.app.url).get(`/files/${fileId}`).set('X-Api-Key', TEST_KEY).expect(404);
      await request(t.app.url).get(`/files/${fileId}`).set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    });

    it('a user does not see an API key’s files either', async () => {
      const byKey = await request(t.app.url)
        .post('/files')
        .set('X-Api-Key', TEST_KEY)
        .attach('file', Buffer.from('key data'), { filename: 'k.txt', contentType: 'text/plain' })
        .expect(201);
      await request(t.app.url).get(`/files/${byKey.body.id}`).set(session(ada)).expect(404);
    });
  });
  describe('emails', () => {
    let emailId: string;

    beforeAll(async () => {
      // Queued with the session cookie from the app's own origin, as the page does.
      const res = await request(t.app.url)
        .post('/emails')
        .set('Cookie', ada.jar.header('/emails'))
        .set('Origin', t.app.url)
        .send({ to: ['someone@example.test'], subject: 'Hello', text: 'From Ada' });
      expect(res.status).toBe(202);
      emailId = res.body.id as string;
    });

    it('the owner reads it and sees it listed', async () => {
      await request(t.app.url).get(`/emails/${emailId}`).set(session(ada)).expect(200);
      const list = await request(t.app.url).get('/emails').set(session(ada)).expect(200);
      expect(JSON.stringify(list.body)).toContain(emailId);
    });

    it('another user and an ordinary API key get 404 problem, and do not see it listed', async () => {
      const res = await request(t.app.url).get(`/emails/${emailId}`).set(session(frank));
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      await request(t.app.url).get(`/emails/${emailId}`).set('X-Api-Key', TEST_KEY).expect(404);
      const list = await request(t.app.url).get('/emails').set(session(frank)).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(emailId);
      await request(t.app.url).get(`/emails/${emailId}`).set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    });
  });
  describe('payments', () => {
    let paymentId: string;

    beforeAll(async () => {
      const res = await request(t.app.url)
        .post('/payments/intents')
        .set(session(ada))
        .send({ amount: 1999, currency: 'eur' });
      expect(res.status).toBe(201);
      paymentId = res.body.id as string;
    });

    it('the owner reads it and sees it listed', async () => {
      await request(t.app.url).get(`/payments/${paymentId}`).set(session(ada)).expect(200);
      const list = await request(t.app.url).get('/payments').set(session(ada)).expect(200);
      expect(JSON.stringify(list.body)).toContain(paymentId);
    });

    it('another user gets 404 problem for read, capture, cancel and refund, and does not see it listed', async () => {
      const calls: Array<[string, () => request.Test]> = [
        ['read', () => request(t.app.url).get(`/payments/${paymentId}`)],
        ['capture', () => request(t.app.url).post(`/payments/${paymentId}/capture`)],
        ['cancel', () => request(t.app.url).post(`/payments/${paymentId}/cancel`)],
        ['refund', () => request(t.app.url).post(`/payments/${paymentId}/refunds`).send({ amount: 100 })],
      ];
      for (const [what, call] of calls) {
        const res = await call().set(session(frank));
        expect([what, res.status]).toEqual([what, 404]);
        expect(res.headers['content-type']).toMatch(PROBLEM);
      }
      const list = await request(t.app.url).get('/payments').set(session(frank)).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(paymentId);
      // Nothing reached Stripe on the other user's behalf.
      expect(stripe.received('POST', '/v1/refunds')).toEqual([]);
      expect(stripe.received('POST', '/v1/payment_intents/').filter((r) => /\/(capture|cancel)$/.test(r.path))).toEqual(
        [],
      );
    });

    it('an ordinary API key is another owner; an admin key sees it', async () => {
      await request(t.app.url).get(`/payments/${paymentId}`).set('X-Api-Key', TEST_KEY).expect(404);
      await request(t.app.url).get(`/payments/${paymentId}`).set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    });
  });
});
