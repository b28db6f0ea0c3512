import { REDACTED, redactDeep, redactLogObject } from './redact';

describe(redactDeep.name, () => {
  it('hides values of secret-looking fields at any depth', () => {
    const input = {
      user: 'ada',
      password: 'hunter2',
      nested: { stripeSecretKey: 'sk_live_x', accessToken: 't', list: [{ apiKey: 'k', ok: 1 }] },
      headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'x-api-key': 'pk_1' },
    };
    expect(redactDeep(input)).toEqual({
      user: 'ada',
      password: REDACTED,
      nested: { stripeSecretKey: REDACTED, accessToken: REDACTED, list: [{ apiKey: REDACTED, ok: 1 }] },
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED },
    });
  });

  it('leaves the input untouched and copes with cycles', () => {
    const input: Record<string, unknown> = { token: 'a' };
    input.self = input;
    const output = redactDeep(input) as Record<string, unknown>;
    expect(input.token).toBe('a');
    expect(output.token).toBe(REDACTED);
    expect(output.self).toBe('[Truncated]');
  });
});

describe('redactDeep on errors', () => {
  it('logs an error without the fields that carry values: parameters, driver details, request bodies', () => {
    const driverError = Object.assign(new Error('null value in column "kind"'), {
      detail: 'Failing row contains (ada@example.test)',
    });
    const error = Object.assign(new Error('null value in column "kind"', { cause: driverError }), {
      name: 'QueryFailedError',
      query: 'INSERT INTO "emails" ("owner_id") VALUES ($1)',
      parameters: ['ada@example.test'],
      driverError,
      code: '23502',
      response: { body: { html: '<p>secret newsletter</p>' } },
    });
    const logged = redactDeep({ err: error }) as { err: Record<string, unknown> };
    const text = JSON.stringify(logged);
    expect(text).not.toContain('ada@example.test');
    expect(text).not.toContain('secret newsletter');
    expect(logged.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23502',
      query: 'INSERT INTO "emails" ("owner_id") VALUES ($1)',
    });
    expect((logged.err.cause as Record<string, unknown>).message).toBe('null value in column "kind"');
  });

  it('removes URL queries from messages and stacks, and redacts secret-looking detail fields', () => {
    const error = Object.assign(new Error('GET https://api.example.com/v1/x?access_token=abc&sig=1 failed'), {
      details: { apiKey: 'k', upstreamStatus: 401 },
    });
    const logged = redactDeep(error) as Record<string, unknown>;
    expect(logged.message).toBe('GET https://api.example.com/v1/x?[Redacted] failed');
    expect(String(logged.stack)).not.toContain('access_token');
    expect(logged.details).toEqual({ apiKey: REDACTED, upstreamStatus: 401 });
  });
});

describe(redactLogObject.name, () => {
  it('redacts every key and nested field except the serialized ones, which it passes through untouched', () => {
    const req = { headers: { authorization: 'Bearer raw' } };
    const logged = redactLogObject(
      { req, apiKey: 'pk_live_x', job: { clientSecret: 'cs', name: 'sync' }, msg: 'ok' },
      new Set(['req']),
    );
    expect(logged).toEqual({ req, apiKey: REDACTED, job: { clientSecret: REDACTED, name: 'sync' }, msg: 'ok' });
    // Same object: its serializer (which keeps named fields only) decides what of it is written.
    expect(logged.req).toBe(req);
  });
});
