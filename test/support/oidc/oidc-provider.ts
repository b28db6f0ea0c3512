import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface OidcTestClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uris: readonly string[];
}

export interface OidcTestAccount {
  readonly email: string;
  readonly email_verified: boolean;
  readonly name: string;
}

export interface OidcProviderEvent {
  readonly type: 'grant' | 'revoked' | 'access_token.destroyed';
  readonly grantType?: string;
}

export interface OidcTestProvider {
  /** The issuer (`http://127.0.0.1:<port>`). */
  readonly issuer: string;
  log(): Promise<OidcProviderEvent[]>;
  /** Makes an account unknown: its refresh tokens now answer `invalid_grant`. */
  disable(accountId: string): Promise<void>;
  enable(accountId: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts panva/oidc-provider in its own process (see oidc-provider.server.mjs). */
export async function startOidcProvider(config: {
  readonly clients: readonly OidcTestClient[];
  readonly accounts: Readonly<Record<string, OidcTestAccount>>;
}): Promise<OidcTestProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.server.mjs')], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, NODE_ENV: 'test', OIDC_TEST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited with ${code}:\n${output}`));
    });
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    log: async () => (await (await fetch(`${issuer}/__log`)).json()) as OidcProviderEvent[],
    disable: async (accountId) => {
      await fetch(`${issuer}/__disable?account=${encodeURIComponent(accountId)}`, { method: 'POST' });
    },
    enable: async (accountId) => {
      await fetch(`${issuer}/__enable?account=${encodeURIComponent(accountId)}`, { method: 'POST' });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Goes through the provider's interactions as `accountId` (sent as
 * `login_hint`, which the test provider signs in) with a cookie jar of its
 * own, and returns where it finally redirects: the app's callback URL.
 */
export async function authorizeAt(authorize: URL, accountId: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = new URL(authorize);
  next.searchParams.set('login_hint', accountId);
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (location === null)
      throw new Error(`oidc-provider answered ${res.status} at ${next.pathname}: ${await res.text()}`);
    await res.body?.cancel();
    const target = new URL(location, next);
    if (target.origin !== authorize.origin) return target;
    next = target;
  }
  throw new Error('oidc-provider redirected too often');
}
