/**
 * `npm run bench:http`: requests per second for an authenticated
 * `GET /payments?limit=1` (API key, then session cookie) with the inbound
 * checks on, against the same build with them switched off, in one run.
 * Goal: at most 5% lost. Each configuration runs in its own process;
 * rounds alternate on/off so drift from other load hits both alike.
 *
 * Also: the JSON shape scan against JSON.parse of a flat body of the same
 * size, and /health/live latency while six 1 MB nested bodies arrive.
 *
 * Besides requests per second it prints the server's CPU time per request
 * (from Linux's /proc): the server is one saturated Node thread, so its
 * capacity is the inverse of that figure, and CPU time counts only the
 * server's own work, not the load generator's or other processes' share of
 * the cores. On a busy machine it is the steadier of the two measures.
 *
 * Settings: BENCH_DURATION_S (8 per run), BENCH_CONNECTIONS (16), BENCH_ROUNDS (2).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { findJsonShapeViolation } from '../src/core/http/json-shape';
import { cpuSeconds } from './support/proc';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const API_KEY = 'pk_bench_http_key_0123456789';

/**
 * The inbound checks the bench switches, each by its own environment.
 * Add a row here for every new check (e.g. the scope check) so "on" and
 * "off" keep meaning "all of them".
 */
const SWITCHES: ReadonlyArray<{ name: string; on: Record<string, string>; off: Record<string, string> }> = [
  {
    name: 'scope and origin checks',
    // Off: the guard authenticates and nothing more, as before the trust boundary (see portico-http.server.ts).
    on: { BENCH_AUTHORIZATION: 'on' },
    off: { BENCH_AUTHORIZATION: 'off' },
  },
  {
    name: 'rate limiter',
    // A budget no run can spend, so every request takes the full path and none is refused.
    on: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: '1000000' },
    off: { RATE_LIMIT_ENABLED: 'false' },
  },
];

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly cookie: string;
  readonly dataDir: string;
}

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  process.stdout.write(
    `http bench: ${DURATION_S}s per run, ${CONNECTIONS} connections, ${ROUNDS} rounds; switched: ${SWITCHES.map((s) => s.name).join(', ')}\n`,
  );
  const totals: Record<string, number[]> = {};
  const cpuPerRequest: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const env = Object.assign({}, ...SWITCHES.map((s) => s[mode])) as Record<string, string>;
      const server = await start(root, env);
      try {
        for (const auth of ['api key', 'session cookie'] as const) {
          const headers: Record<string, string> =
            auth === 'api key' ? { 'x-api-key': API_KEY } : { cookie: server.cookie };
          await load(server.url, headers, 2); // warm-up: JIT, statement caches
          const cpuBefore = cpuSeconds(server.child.pid);
          const { rate, requests } = await load(server.url, headers, DURATION_S);
          (totals[`${auth}|${mode}`] ??= []).push(rate);
          (cpuPerRequest[`${auth}|${mode}`] ??= []).push(((cpuSeconds(server.child.pid) - cpuBefore) / requests) * 1e6);
        }
      } finally {
        await stop(server);
      }
    }
  }
  const rows = (['api key', 'session cookie'] as const).map((auth) => {
    const on = mean(totals[`${auth}|on`]);
    const off = mean(totals[`${auth}|off`]);
    const cpuOn = mean(cpuPerRequest[`${auth}|on`]);
    const cpuOff = mean(cpuPerRequest[`${auth}|off`]);
    return [
      auth,
      off.toFixed(0),
      on.toFixed(0),
      `${(((off - on) / off) * 100).toFixed(1)}%`,
      cpuOff.toFixed(0),
      cpuOn.toFixed(0),
      `${((1 - cpuOff / cpuOn) * 100).toFixed(1)}%`,
    ];
  });
  table(
    [
      'GET /payments?limit=1',
      'checks off (req/s)',
      'checks on (req/s)',
      'lost',
      'CPU/req off (µs)',
      'CPU/req on (µs)',
      'capacity lost (from CPU)',
    ],
    rows,
  );
  process.stdout.write(
    `per-round req/s and CPU µs/req: ${JSON.stringify(
      Object.fromEntries(
        Object.keys(totals).map((k) => [
          k,
          totals[k].map((r, i) => `${r.toFixed(0)}/${(cpuPerRequest[k]?.[i] ?? 0).toFixed(0)}`),
        ]),
      ),
    )}\n`,
  );

  table(['JSON body (1 MiB)', 'scan (ms)', 'JSON.parse (ms)'], scanRows());

  const server = await start(
    root,
    SWITCHES.reduce((env, s) => ({ ...env, ...s.on }), {}),
  );
  try {
    table(['/health/live', 'p50 (ms)', 'max (ms)'], await liveUnderDeepBodies(server.url));
  } finally {
    await stop(server);
  }
  process.stdout.write(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} on ${cpus().length} cores (shared with other work: compare columns, not absolute figures)\n`,
  );
}

async function load(
  url: string,
  headers: Record<string, string>,
  duration: number,
): Promise<{ rate: number; requests: number }> {
  const result = await autocannon({
    url: `${url}/payments?limit=1`,
    connections: CONNECTIONS,
    duration,
    headers,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors: the bench would measure refusals`);
  return { rate: result.requests.total / duration, requests: result.requests.total };
}

/** Median of several timings of `fn`, ms. */
function time(fn: () => unknown, repeat = 30): number {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(repeat / 2)];
}

function scanRows(): string[][] {
  const item = JSON.stringify({ id: 'evt_0123456789', to: ['ada@example.test'], text: 'Hello [world] {x}', n: 12.5 });
  const flat = Buffer.from(
    `[${Array.from({ length: Math.floor((1024 * 1024) / (item.length + 1)) }, () => item).join(',')}]`,
  );
  const longStrings = Buffer.from(JSON.stringify({ text: 'x'.repeat(1024 * 1024 - 20) }));
  const deep = Buffer.alloc(1024 * 1024, '[');
  const fmt = (ms: number): string => ms.toFixed(3);
  return [
    ['flat objects', fmt(time(() => findJsonShapeViolation(flat, 32))), fmt(time(() => JSON.parse(flat.toString())))],
    [
      'one long string',
      fmt(time(() => findJsonShapeViolation(longStrings, 32))),
      fmt(time(() => JSON.parse(longStrings.toString()))),
    ],
    ['1 MiB of [ (refused at depth 33)', fmt(time(() => findJsonShapeViolation(deep, 32))), 'not parsed'],
  ];
}

/** /health/live latencies while six 1 MiB nested bodies are posted in parallel, again and again. */
async function liveUnderDeepBodies(url: string): Promise<string[][]> {
  const target = new URL(url);
  const body = Buffer.alloc(1024 * 1024, '[');
  let running = true;
  const flood = async (): Promise<void> => {
    while (running) {
      await new Promise<void>((resolve) => {
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: 'POST',
            path: '/emails',
            headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': API_KEY },
          },
          (res) => res.resume().once('end', resolve),
        );
        req.once('error', () => resolve());
        req.end(body);
      });
    }
  };
  const floods = Array.from({ length: 6 }, flood);
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    await fetch(`${url}/health/live`).then((res) => res.arrayBuffer());
    samples.push(performance.now() - started);
  }
  running = false;
  await Promise.all(floods);
  samples.sort((a, b) => a - b);
  return [['during 6 × 1 MiB nested bodies', samples[20].toFixed(1), samples[samples.length - 1].toFixed(1)]];
}

function start(root: string, env: Record<string, string>): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-http-'));
  const keyHash = createHash('sha256').update(API_KEY).digest('hex');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'bench/servers/portico-http.server.ts')],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          API_KEYS: `bench:${keyHash}`,
          AUTH_JWT_SECRET: 'bench-http-jwt-secret-0123456789-abcdefgh',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    const timer = setTimeout(() => reject(new Error('the app did not start')), 60_000);
    child.once('message', (message: { port: number; cookie: string }) => {
      clearTimeout(timer);
      resolve({ child, url: `http://127.0.0.1:${message.port}`, cookie: message.cookie, dataDir });
    });
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)));
  });
}

async function stop(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  rmSync(server.dataDir, { recursive: true, force: true });
}

function mean(values: number[] = []): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
