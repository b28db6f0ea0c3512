import { ProviderRejectedError } from '../../src/core/errors/integration.error';
import { uuidv7 } from '../../src/core/database/ids';
import { SendGridTransport } from '../../src/integrations/email/transports/sendgrid-email.adapter';

/**
 * Runs our SendGrid transport against the real API in sandbox mode (validated, never delivered):
 * `SENDGRID_TEST_API_KEY=SG.… SENDGRID_TEST_FROM=verified@yourdomain npm run test:live`.
 * Checks what the local stand-in only imitates: request shape accepted, errors[] mapped.
 */
const key = process.env.SENDGRID_TEST_API_KEY;
const from = process.env.SENDGRID_TEST_FROM ?? 'test@example.com';
if (!key)
  process.stdout.write('sendgrid.live-spec: SENDGRID_TEST_API_KEY is not set; skipping the live SendGrid test\n');
const describeLive = key ? describe : describe.skip;

describeLive('SendGridTransport against SendGrid (sandbox mode)', () => {
  const config = {
    configured: true,
    missing: undefined,
    apiKey: key,
    apiBase: 'https://api.sendgrid.com',
    webhookPublicKey: undefined,
    webhookToleranceSeconds: 600,
    timeoutMs: 20_000,
    sandboxMode: true,
  };
  let sut: SendGridTransport;
  beforeAll(() => {
    sut = new SendGridTransport(config, 10_000);
  });
  const message = (overrides: object = {}) => ({
    from: { email: from, name: 'Portico live test' },
    subject: 'Portico live test',
    text: 'sandbox',
    personalizations: [{ messageId: uuidv7(), to: ['portico-live@example.com'], cc: [], bcc: [] }],
    ...overrides,
  });

  it('accepts a plain message with our id in custom_args', async () => {
    await expect(sut.send(message())).resolves.toEqual({ providerMessageId: expect.any(String) });
  });

  it('maps a refused template id to a non-retryable rejection listing the field', async () => {
    const error: unknown = await sut
      .send(message({ text: undefined, subject: undefined, templateId: 'd-00000000000000000000000000000000' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).retryable).toBe(false);
  });

  it('maps a wrong API key to a non-retryable rejection', async () => {
    const wrong = new SendGridTransport({ ...config, apiKey: 'SG.not-a-key.not-a-key' }, 10_000);
    await expect(wrong.send(message())).rejects.toMatchObject({ upstreamStatus: 401, retryable: false });
  });
});
