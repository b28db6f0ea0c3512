import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FakeProviderConfig, ProviderEvent } from './fake-provider.types';

export type { FakeProviderConfig, FakeUser, ProviderEvent } from './fake-provider.types';

export interface FakeProvider {
  readonly url: string;
  /** Environment pointing the app's strategy at this server. */
  readonly env: Record<string, string>;
  log(): Promise<ProviderEvent[]>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..', '..');

/** Starts the stand-in provider in its own process (a real server on loopback). */
export async function startFakeProvider(config: FakeProviderConfig, callbackUrl: string): Promise<FakeProvider> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'fake-provider.server.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, FAKE_OAUTH_CONFIG: JSON.stringify(config), SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fake ${config.flavor} provider did not start:\n${output}`)),
      20_000,
    );
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
      reject(new Error(`fake ${config.flavor} provider exited with ${code}:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const client = config.clients[0];
  const env: Record<string, string> =
    config.flavor === 'google'
      ? {
          GOOGLE_CLIENT_ID: client.id,
          GOOGLE_CLIENT_SECRET: client.secret,
          GOOGLE_CALLBACK_URL: callbackUrl,
          GOOGLE_ISSUER: url,
        }
      : {
          GITHUB_CLIENT_ID: client.id,
          GITHUB_CLIENT_SECRET: client.secret,
          GITHUB_CALLBACK_URL: callbackUrl,
          GITHUB_AUTHORIZATION_URL: `${url}/login/oauth/authorize`,
          GITHUB_TOKEN_URL: `${url}/login/oauth/access_token`,
          GITHUB_API_URL: `${url}/api`,
        };
  return {
    url,
    env,
    log: async () => (await (await fetch(`${url}/__log`)).json()) as ProviderEvent[],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
