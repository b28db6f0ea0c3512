import { type TestApp, type TestAppOptions, startTestApp } from '../app';
import { TEST_API_KEYS } from '../api-keys';
import { freePort } from '../services';
import { type FakeProvider, type FakeUser, startFakeProvider } from './fake-provider';

/** The front end a login may return to in these tests. */
export const FRONT_END = 'http://front.test:8080';
export const JWT_SECRET = 'test-jwt-secret-0123456789-abcdefghijklmnop';

/** Google accounts of the stand-in. */
export const GOOGLE_USERS: FakeUser[] = [
  { id: 'g-ada', name: 'Ada Lovelace', email: 'ada@example.test', emailVerified: true },
  { id: 'g-carol', name: 'Carol Verified', email: 'carol@example.test', emailVerified: true },
  { id: 'g-dave', name: 'Dave Unverified', email: 'dave@example.test', emailVerified: false },
  { id: 'g-erin', name: 'Erin', email: 'erin@example.test', emailVerified: true },
  { id: 'g-outage', name: 'Outage', email: 'outage@example.test', emailVerified: true, profileDown: true },
  // On another domain, for the sign-up allowlist (test/security/signup).
  { id: 'g-grace', name: 'Grace at Corp', email: 'grace@corp.test', emailVerified: true },
  { id: 'g-mallory', name: 'Mallory Unverified', email: 'mallory@corp.test', emailVerified: false },
];

/** GitHub accounts of the stand-in. */
export const GITHUB_USERS: FakeUser[] = [
  // Private address: /user says null, /user/emails has it primary and verified.
  {
    id: '1001',
    login: 'ada-gh',
    name: 'Ada on GitHub',
    email: 'ada@example.test',
    emailVerified: true,
    publicEmail: null,
    emails: [
      { email: 'ada@example.test', primary: true, verified: true, visibility: 'private' },
      { email: 'ada@old.test', primary: false, verified: true, visibility: null },
    ],
  },
  // Claims Carol's address without having verified it: must not get Carol's account.
  {
    id: '1002',
    login: 'not-carol',
    name: 'Not Carol',
    email: 'carol@example.test',
    emailVerified: false,
    publicEmail: 'carol@example.test',
    emails: [{ email: 'carol@example.test', primary: true, verified: false, visibility: 'public' }],
  },
  { id: '1003', login: 'frank', name: 'Frank', email: 'frank@example.test', emailVerified: true },
];

export interface AuthTestEnv {
  readonly app: TestApp;
  readonly google: FakeProvider;
  readonly github: FakeProvider;
  /** Starts another app instance on the same database and secrets. */
  another(options?: Partial<TestAppOptions>): Promise<TestApp>;
  close(): Promise<void>;
}

/**
 * The app with both providers pointed at stand-in servers (own processes).
 * The app's port is chosen first because the redirect URIs are registered
 * with the providers exactly.
 */
export async function startAuthTestEnv(
  env: Record<string, string> = {},
  extra: Partial<TestAppOptions> = {},
  /** Starts a further provider once the app's base URL is known (redirect URIs are registered exactly). */
  further?: (base: string) => Promise<{ env: Record<string, string>; stop(): Promise<void> }>,
): Promise<AuthTestEnv> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const more = further === undefined ? undefined : await further(base);
  const [google, github] = await Promise.all([
    startFakeProvider(
      {
        flavor: 'google',
        clients: [{ id: 'google-client', secret: 'google-secret', redirectUris: [`${base}/auth/google/callback`] }],
        users: GOOGLE_USERS,
      },
      `${base}/auth/google/callback`,
    ),
    startFakeProvider(
      {
        flavor: 'github',
        clients: [{ id: 'github-client', secret: 'github-secret', redirectUris: [`${base}/auth/github/callback`] }],
        users: GITHUB_USERS,
      },
      `${base}/auth/github/callback`,
    ),
  ]);
  const appEnv = {
    API_KEYS: TEST_API_KEYS,
    PUBLIC_URL: base,
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
    AUTH_REDIRECT_ALLOWLIST: FRONT_END,
    ...google.env,
    ...github.env,
    ...more?.env,
    ...env,
  };
  let app: TestApp;
  try {
    app = await startTestApp({ ...extra, env: appEnv, port });
  } catch (error) {
    await Promise.all([google.stop(), github.stop(), more?.stop()]);
    throw error;
  }
  const others: TestApp[] = [];
  return {
    app,
    google,
    github,
    another: async (options = {}) => {
      const other = await startTestApp({ ...options, env: { ...appEnv, ...options.env }, shareWith: app });
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of others) await other.close();
      await app.close();
      await Promise.all([google.stop(), github.stop(), more?.stop()]);
    },
  };
}
