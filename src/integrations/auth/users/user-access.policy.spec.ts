import type { ConfigType } from '@nestjs/config';
import type { authConfig } from '../../../config/auth.config';
import { DEFAULT_USER_SCOPES } from '../../../core/security/scopes';
import { UserAccessPolicy } from './user-access.policy';

type AuthConfig = ConfigType<typeof authConfig>;

function policy(overrides: Partial<AuthConfig>): UserAccessPolicy {
  const config = {
    signup: 'open',
    allowedEmails: [],
    allowedEmailDomains: [],
    userScopes: [...DEFAULT_USER_SCOPES],
    adminEmails: [],
    ...overrides,
  } as unknown as AuthConfig;
  return new UserAccessPolicy(config);
}

describe(UserAccessPolicy.name, () => {
  const verified = (email: string) => ({ email, emailVerified: true });

  it('open lets anyone sign up; closed lets nobody', () => {
    expect(policy({ signup: 'open' }).maySignUp({ email: null, emailVerified: false })).toBe(true);
    expect(policy({ signup: 'closed' }).maySignUp(verified('ada@corp.test'))).toBe(false);
  });

  it('allowlist admits listed verified addresses and domains only', () => {
    const sut = policy({
      signup: 'allowlist',
      allowedEmails: ['ada@example.test'],
      allowedEmailDomains: ['corp.test'],
    });
    expect(sut.maySignUp(verified('ada@example.test'))).toBe(true);
    expect(sut.maySignUp(verified('Grace@Corp.test'))).toBe(true);
    expect(sut.maySignUp(verified('erin@example.test'))).toBe(false);
    expect(sut.maySignUp(verified('eve@evilcorp.test'))).toBe(false);
    expect(sut.maySignUp({ email: 'mallory@corp.test', emailVerified: false })).toBe(false);
    expect(sut.maySignUp({ email: null, emailVerified: false })).toBe(false);
  });

  it('gives users AUTH_USER_SCOPES, and admin only for a verified listed address', () => {
    const sut = policy({ adminEmails: ['root@corp.test'] });
    expect(sut.scopesOf(verified('ada@example.test'))).toEqual([
      'payments:read',
      'payments:write',
      'emails:read',
      'files:read',
      'files:write',
    ]);
    expect(sut.scopesOf(verified('root@corp.test'))).toContain('admin');
    expect(sut.scopesOf({ email: 'root@corp.test', emailVerified: false })).not.toContain('admin');
  });
});
