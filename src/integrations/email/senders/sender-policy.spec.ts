import type { ConfigType } from '@nestjs/config';
import type { emailConfig } from '../../../config/email.config';
import type { ApiKeyPrincipal, UserPrincipal } from '../../../core/security';
import { deliverabilityConfig } from '../deliverability.config';
import { SenderPolicy } from './sender-policy';

describe(SenderPolicy.name, () => {
  const sut = new SenderPolicy({ from: 'no-reply@example.com' } as ConfigType<typeof emailConfig>, {
    configured: true,
    missing: undefined,
    ...deliverabilityConfig.declaration.load({
      EMAIL_SENDERS: 'Billing <billing@example.com>, Support <support@example.com>, news@example.com',
      EMAIL_SENDER_GRANTS: 'key:ci=billing@example.com; user:ada@example.com=support@example.com; *=news@example.com',
    }),
  });
  const key = (name: string, admin = false): ApiKeyPrincipal => ({
    kind: 'api_key',
    id: `id-${name}`,
    name,
    admin,
    scopes: [],
  });
  const user = (email: string): UserPrincipal => ({ kind: 'user', id: 'u1', email, admin: false, scopes: [] });
  const status = (fn: () => unknown): number | undefined => {
    try {
      fn();
      return undefined;
    } catch (error: unknown) {
      return (error as { getStatus(): number }).getStatus();
    }
  };

  it('leaves the default sender (EMAIL_FROM) to everyone', () => {
    expect(sut.resolve(key('anyone'), undefined)).toBeUndefined();
    expect(sut.resolve(key('anyone'), 'No-Reply@example.com')).toBeUndefined();
  });

  it('gives a sender to the keys and users granted it, by key name or user email, and to everyone with *', () => {
    expect(sut.resolve(key('ci'), 'Billing@Example.com')).toEqual({ email: 'billing@example.com', name: 'Billing' });
    expect(sut.resolve(user('Ada@example.com'), 'support@example.com')).toMatchObject({ email: 'support@example.com' });
    expect(sut.resolve(key('anyone'), 'news@example.com')).toEqual({ email: 'news@example.com' });
  });

  it('refuses an ungranted sender with 403 (admins excepted) and an unknown one with 400', () => {
    expect(status(() => sut.resolve(key('ci'), 'support@example.com'))).toBe(403);
    expect(status(() => sut.resolve(user('bob@example.com'), 'billing@example.com'))).toBe(403);
    expect(sut.resolve(key('ops', true), 'support@example.com')).toMatchObject({ email: 'support@example.com' });
    expect(status(() => sut.resolve(key('ops', true), 'ceo@example.com'))).toBe(400);
  });
});
