import { providerModules } from '../app.module';
import type { RawEnv } from './env-rules';
import {
  ENV_SPECS,
  InvalidEnvironmentError,
  findEnvProblems as findAll,
  validateEnv as validateAll,
} from './env.validation';
import { declaredProviderConfigs } from './provider-config';

/** What start-up validates: the app-level namespaces and every provider module's own declaration. */
const SPECS = [...ENV_SPECS, ...declaredProviderConfigs(providerModules()).map((config) => config.env)];
const findEnvProblems = (env: RawEnv): string[] => findAll(env, SPECS);
const validateEnv = (env: Record<string, unknown>): Record<string, unknown> => validateAll(env, SPECS);

const WEBHOOK = 'whsec_test_secret';

describe('findEnvProblems', () => {
  it('accepts an empty environment (embedded defaults)', () => {
    expect(findEnvProblems({})).toEqual([]);
  });

  it('treats empty values as unset', () => {
    expect(findEnvProblems({ PORT: '', STRIPE_SECRET_KEY: '', DATABASE_URL: ' ' })).toEqual([]);
  });

  describe('provider groups are all-or-nothing', () => {
    it('asks for STRIPE_WEBHOOK_SECRET when only STRIPE_SECRET_KEY is set', () => {
      const problems = findEnvProblems({ STRIPE_SECRET_KEY: 'sk_test_x' });
      expect(problems).toEqual([
        expect.stringMatching(
          /^STRIPE_WEBHOOK_SECRET: required for payments \(Stripe\) because STRIPE_SECRET_KEY is set/,
        ),
      ]);
    });

    it('asks for STRIPE_SECRET_KEY when only the webhook secret is set', () => {
      expect(findEnvProblems({ STRIPE_WEBHOOK_SECRET: WEBHOOK })).toEqual([
        expect.stringMatching(/^STRIPE_SECRET_KEY: required/),
      ]);
    });

    it('accepts a complete Stripe group with rotated webhook secrets', () => {
      expect(
        findEnvProblems({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: `${WEBHOOK},whsec_old` }),
      ).toEqual([]);
    });

    it.each([
      [{ GOOGLE_CLIENT_ID: 'id' }, 'GOOGLE_CLIENT_SECRET'],
      [{ GITHUB_CLIENT_SECRET: 'secret' }, 'GITHUB_CLIENT_ID'],
      [{ S3_ACCESS_KEY_ID: 'AK', S3_BUCKET: 'b' }, 'S3_SECRET_ACCESS_KEY'],
      [{ S3_ENDPOINT: 'http://127.0.0.1:9000' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET'],
      [{ SENDGRID_API_BASE: 'http://127.0.0.1:1' }, 'SENDGRID_API_KEY'],
    ])('%j needs %s', (env, missing) => {
      expect(findEnvProblems(env).some((p) => p.startsWith(`${missing}:`))).toBe(true);
    });
  });

  describe('formats', () => {
    it.each([
      ['PORT', 'abc', /PORT: .*whole number/],
      ['PORT', '70000', /PORT: .*whole number from 0 to 65535/],
      ['DATABASE_URL', 'mysql://x', /DATABASE_URL: must be a postgres/],
      ['REDIS_URL', 'http://x', /REDIS_URL: must be a redis/],
      ['STRIPE_API_BASE', 'not a url', /STRIPE_API_BASE: .*http\(s\) URL/],
      ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
      ['NODE_ENV', 'staging', /NODE_ENV/],
      ['DATABASE_MIGRATE', 'maybe', /DATABASE_MIGRATE: .*true or false/],
      ['HTTP_BODY_LIMIT', 'huge', /HTTP_BODY_LIMIT/],
      ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS: .*origins/],
      ['API_KEYS', 'ci:not-a-hash', /API_KEYS: .*name:sha256hex/],
      ['AUTH_JWT_SECRET', 'short', /AUTH_JWT_SECRET: must be at least 32/],
      ['AUTH_TOKEN_ENCRYPTION_KEY', 'abc', /AUTH_TOKEN_ENCRYPTION_KEY: must be 32 bytes/],
      ['AUTH_JWT_ISSUER', 'has spaces', /AUTH_JWT_ISSUER: must be 1-200 characters/],
      ['AUTH_JWT_AUDIENCE', 'a b', /AUTH_JWT_AUDIENCE: must be 1-200 characters/],
      ['AUTH_REDIRECT_ALLOWLIST', 'https://app.test/path', /AUTH_REDIRECT_ALLOWLIST: .*origins/],
      ['STORAGE_DRIVER', 'ftp', /STORAGE_DRIVER/],
      ['STORAGE_MAX_UPLOAD_BYTES', '-1', /STORAGE_MAX_UPLOAD_BYTES/],
    ])('%s=%s is refused', (name, value, message) => {
      const problems = findEnvProblems({ [name]: value });
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });

    it('accepts well-formed values', () => {
      expect(
        findEnvProblems({
          PORT: '8080',
          DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
          REDIS_URL: 'redis://127.0.0.1:6379',
          CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
          API_KEYS: `ci:${'a'.repeat(64)}:admin,web:${'b'.repeat(64)}`,
          HTTP_BODY_LIMIT: '512kb',
          TRUST_PROXY: '1',
        }),
      ).toEqual([]);
    });
  });

  describe('production refuses insecure defaults', () => {
    it('names every missing secret and the open CORS default', () => {
      const problems = findEnvProblems({ NODE_ENV: 'production' });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^CORS_ORIGINS: must list/),
          expect.stringMatching(/^AUTH_JWT_SECRET: must be set in production/),
          expect.stringMatching(/^AUTH_TOKEN_ENCRYPTION_KEY: must be set in production/),
          expect.stringMatching(/^STORAGE_URL_SECRET: must be set in production/),
        ]),
      );
    });

    it('refuses CORS * even when listed explicitly', () => {
      expect(findEnvProblems({ NODE_ENV: 'production', CORS_ORIGINS: '*' })).toEqual(
        expect.arrayContaining([expect.stringMatching(/^CORS_ORIGINS/)]),
      );
    });

    it('accepts a production environment with its secrets set', () => {
      expect(
        findEnvProblems({
          NODE_ENV: 'production',
          CORS_ORIGINS: 'https://app.example.com',
          AUTH_JWT_SECRET: 'x'.repeat(40),
          AUTH_TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
          STORAGE_URL_SECRET: 'y'.repeat(40),
          PUBLIC_URL: 'https://api.example.com',
        }),
      ).toEqual([]);
    });
  });
});

describe('validateEnv', () => {
  it('lists every problem in one error and never echoes a value', () => {
    const secret = 'sk_test_SUPERSECRETVALUE';
    let thrown: unknown;
    try {
      validateEnv({ STRIPE_SECRET_KEY: secret, PORT: 'eighty', AUTH_JWT_SECRET: 'tiny-secret-value' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEnvironmentError);
    const message = (thrown as Error).message;
    expect(message).toMatch(/3 problems/);
    expect(message).toMatch(/STRIPE_WEBHOOK_SECRET/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/AUTH_JWT_SECRET/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('tiny-secret-value');
  });

  it('returns the environment unchanged when valid', () => {
    const env = { PORT: '3001' };
    expect(validateEnv(env)).toBe(env);
  });
});
