import { REDACTED, redactDeep } from './redact';

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
