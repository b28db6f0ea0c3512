import { findEnvProblems } from './env.validation';

describe('auth environment: scopes and sign-up', () => {
  it('refuses an unknown scope in AUTH_USER_SCOPES or API_KEYS', () => {
    expect(findEnvProblems({ AUTH_USER_SCOPES: 'payments:read,payments:everything' })).toEqual([
      expect.stringMatching(/^AUTH_USER_SCOPES: must be a comma-separated list of scopes/),
    ]);
    expect(findEnvProblems({ API_KEYS: `ci:${'a'.repeat(64)}:payments:read+root` })).toEqual([
      expect.stringMatching(/^API_KEYS: must be a comma-separated list of name:sha256hex\[:scope\+scope\]/),
    ]);
  });

  it('accepts API_KEYS with a scope list, admin, or no list', () => {
    const hash = 'b'.repeat(64);
    expect(findEnvProblems({ API_KEYS: `a:${hash}:payments:write+payments:manage,b:${hash}:admin,c:${hash}` })).toEqual(
      [],
    );
  });

  it('in production refuses AUTH_SIGNUP=open unless AUTH_SIGNUP_OPEN_CONFIRMED=true', () => {
    const base = {
      NODE_ENV: 'production',
      CORS_ORIGINS: 'https://app.example.com',
      AUTH_JWT_SECRET: 'x'.repeat(40),
      AUTH_TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
      STORAGE_URL_SECRET: 'y'.repeat(40),
    };
    const open = findEnvProblems({ ...base, AUTH_SIGNUP: 'open' });
    expect(open).toContainEqual(expect.stringMatching(/^AUTH_SIGNUP: open lets anyone/));
    expect(findEnvProblems({ ...base, AUTH_SIGNUP: 'open', AUTH_SIGNUP_OPEN_CONFIRMED: 'true' })).not.toContainEqual(
      expect.stringMatching(/^AUTH_SIGNUP/),
    );
    expect(findEnvProblems({ ...base, AUTH_SIGNUP: 'allowlist' })).not.toContainEqual(
      expect.stringMatching(/^AUTH_SIGNUP/),
    );
  });

  it('refuses a bad sign-up policy or allowlist entry', () => {
    expect(findEnvProblems({ AUTH_SIGNUP: 'maybe', AUTH_ALLOWED_EMAIL_DOMAINS: 'not a domain' })).toEqual([
      expect.stringMatching(/^AUTH_SIGNUP: /),
      expect.stringMatching(/^AUTH_ALLOWED_EMAIL_DOMAINS: /),
    ]);
  });
});
