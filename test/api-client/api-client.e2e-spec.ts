import { createHash } from 'node:crypto';
import {
  type PorticoClient,
  PorticoProblemError,
  createPorticoClient,
  formData,
  idempotencyKey,
  unwrap,
} from '../../clients/typescript/src';
import { TEST_KEY } from '../support/api-keys';
import { eventually } from '../support/eventually';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

const REFRESH_COOKIE = 'portico_refresh';

/**
 * One flow per area driven through the published client (clients/typescript),
 * not supertest: what another backend would write against the contract.
 */
describe('The TypeScript client against the real app', () => {
  const stripe = new StripeContractServer();
  let t: AuthTestEnv;
  let api: PorticoClient;

  beforeAll(async () => {
    await stripe.start();
    t = await startAuthTestEnv(stripeTestEnv(stripe));
    api = createPorticoClient({ baseUrl: t.app.url, auth: { apiKey: TEST_KEY } });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  describe('payments', () => {
    it('creates an intent under an Idempotency-Key, replays it for the same key, and reads it back', async () => {
      const key = idempotencyKey();
      const body = { amount: 1999, currency: 'eur', description: 'Order C-1' };
      const first = await api.POST('/payments/intents', { body, params: { header: key } });
      expect(first.response.status).toBe(201);
      expect(first.response.headers.get('idempotency-key')).toBe(key['Idempotency-Key']);
      const created = first.data;
      expect(created).toMatchObject({ amount: 1999, currency: 'eur', status: 'requires_payment_method' });
      expect(created?.clientSecret).toMatch(/^pi_\w+_secret_/);

      const again = await api.POST('/payments/intents', { body, params: { header: key } });
      expect(again.response.headers.get('idempotent-replayed')).toBe('true');
      expect(again.data?.id).toBe(created?.id);
      expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);

      const payment = await unwrap(api.GET('/payments/{id}', { params: { path: { id: created?.id ?? '' } } }));
      expect(payment).toMatchObject({ id: created?.id, amount: 1999, currency: 'eur', description: 'Order C-1' });
    });

    it('turns problem+json answers into a typed PorticoProblemError (field errors, status, request id)', async () => {
      const invalid = await unwrap(api.POST('/payments/intents', { body: { amount: 0, currency: 'eur' } })).catch(
        (error: unknown) => error,
      );
      expect(invalid).toBeInstanceOf(PorticoProblemError);
      const problem = invalid as PorticoProblemError;
      expect(problem.status).toBe(400);
      expect(problem.errors.map((e) => e.field)).toContain('amount');
      expect(problem.requestId).toEqual(expect.any(String));

      const anonymous = createPorticoClient({ baseUrl: t.app.url });
      await expect(unwrap(anonymous.GET('/payments'))).rejects.toMatchObject({ status: 401 });
    });
  });

  describe('email', () => {
    it('queues a message and reads its status until the (log) transport has sent it', async () => {
      const accepted = await unwrap(
        api.POST('/emails', {
          body: { to: ['ada@example.com'], subject: 'Hello', text: 'Hi Ada' },
          params: { header: idempotencyKey() },
        }),
      );
      expect(accepted.status).toBe('queued');
      const sent = await eventually(async () => {
        const email = await unwrap(api.GET('/emails/{id}', { params: { path: { id: accepted.id } } }));
        return email.status === 'sent' ? email : undefined;
      });
      expect(sent).toMatchObject({ id: accepted.id, subject: 'Hello', to: ['ada@example.com'] });
    });
  });

  describe('files', () => {
    it('uploads a file (multipart) and downloads it through its presigned URL', async () => {
      const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('portico client upload')]);
      const uploaded = await unwrap(
        api.POST('/files', {
          body: { file: new File([bytes], 'client.png', { type: 'image/png' }) },
          bodySerializer: formData,
        }),
      );
      expect([uploaded.filename, uploaded.contentType, uploaded.size]).toEqual([
        'client.png',
        'image/png',
        bytes.length,
      ]);
      expect(uploaded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

      const signed = await unwrap(
        api.GET('/files/{id}/download-url', { params: { path: { id: uploaded.id }, query: { expiresIn: 60 } } }),
      );
      const download = await fetch(signed.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    });
  });

  describe('auth', () => {
    it('reads /auth/me with a Bearer session token obtained through the client (refresh)', async () => {
      const browser = new LoginBrowser(t.app.url);
      await browser.login('google', 'g-ada');
      const refreshToken = browser.jar.get(REFRESH_COOKIE) ?? '';
      const tokens = await unwrap(
        createPorticoClient({ baseUrl: t.app.url }).POST('/auth/refresh', { body: { refreshToken } }),
      );
      expect(tokens.tokenType).toBe('Bearer');

      const user = createPorticoClient({ baseUrl: t.app.url, auth: { bearerToken: () => tokens.accessToken } });
      const me = await unwrap(user.GET('/auth/me'));
      expect(me).toMatchObject({ email: 'ada@example.test', name: 'Ada Lovelace', providers: ['google'] });

      // An API key is a machine, not a signed-in user.
      await expect(unwrap(api.GET('/auth/me'))).rejects.toMatchObject({ status: 403 });
    });
  });
});
