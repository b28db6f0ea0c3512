import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startFlags } from './node-flags';
import { freePort } from './services';

export interface AppProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const ENTRY = join(__dirname, 'process-entry.ts');

/**
 * Runs the app as a real separate process (TypeScript via @swc-node/register, with `npm start`'s Node flags),
 * for what an in-process app cannot show: signals, crashes, several instances.
 * `fixtures` are module files (exporting `default`) mounted beside the app.
 */
export async function spawnApp(
  env: Readonly<Record<string, string>>,
  fixtures: readonly string[] = [],
): Promise<AppProcess> {
  const port = env.PORT && env.PORT !== '0' ? Number(env.PORT) : await freePort();
  let output = '';
  const child = spawn(process.execPath, [...startFlags(), '-r', '@swc-node/register', ENTRY], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TEST_FIXTURE_MODULES: fixtures.join(','),
      SWC_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = await Promise.race([waitForReady(url, 90_000), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`app process did not become ready:\n${output}`);
  }
  return { url, child, output: () => output, exited, kill: (signal = 'SIGTERM') => void child.kill(signal) };
}

/** Runs the app entry to completion (for start-up failures); resolves with exit code and output. */
export async function runAppToExit(
  env: Readonly<Record<string, string>>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [...startFlags(), '-r', '@swc-node/register', join(__dirname, '..', '..', 'src', 'main.ts')],
    {
      cwd: join(__dirname, '..', '..'),
      env: { ...env, PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
