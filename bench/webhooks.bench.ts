/**
 * `npm run bench:webhooks`: signed Stripe events per second and latency
 * through POST /webhooks/stripe (verify + store + 200) on SQLite, side by
 * side with (a) bare node:http and (b) plain Express 5 doing the same
 * verification and the same insert. Each server runs in its own process;
 * autocannon runs here, on the same two cores (as in the issue's figures).
 * Every request carries a distinct, freshly signed event.
 *
 * Settings: BENCH_DURATION_S (10), BENCH_CONNECTIONS (32), BENCH_EVENT_TYPE
 * (payment_intent.succeeded: handled by Portico's built-in handlers in the same
 * process; an unhandled type such as customer.updated measures intake alone),
 * BENCH_ONLY (a substring of the server names to run).
 * One Portico run has OpenTelemetry on, exporting OTLP/HTTP JSON to a local
 * receiver in this process (issue 16's goal: at most 10% fewer events/s than
 * the same run with tracing off).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Stripe from 'stripe';
import { startOtlpReceiver } from '../test/support/otlp-receiver';
import { Database } from './servers/webhook-baseline';

const SECRET = 'whsec_bench_0123456789abcdef';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RATE = 500;
const EVENT_TYPE = process.env.BENCH_EVENT_TYPE ?? 'payment_intent.succeeded';

interface Target {
  readonly name: string;
  readonly entry: string;
  readonly env: Record<string, string>;
  /** SQLite file the server writes, to count stored rows afterwards. */
  readonly database: string;
}

interface Measured {
  readonly name: string;
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly fixedP50: number;
  readonly fixedP99: number;
  readonly fixedAchieved: number;
  readonly errors: number;
  readonly stored: number;
  /**
   * 200 answers. A little above `stored`: autocannon shares the first request
   * object between connections, so a few first requests repeat an event (answered 200 as duplicates).
   */
  readonly answered: number;
}

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  const base = { STRIPE_WEBHOOK_SECRET: SECRET };
  // Stands in for an OpenTelemetry collector for the traced run.
  const receiver = await startOtlpReceiver();
  const portico = (logLevel: string): Omit<Target, 'database'> => ({
    name: `Portico (Nest 12, LOG_LEVEL=${logLevel})`,
    entry: join(root, 'bench', 'servers', 'portico.server.ts'),
    env: {
      ...base,
      STRIPE_SECRET_KEY: 'sk_test_bench_0123456789',
      STRIPE_API_BASE: 'http://127.0.0.1:9',
      LOG_LEVEL: logLevel,
    },
  });
  const targets: Array<Omit<Target, 'database'> & { file: string }> = [
    {
      name: '(a) bare node:http',
      entry: join(root, 'bench', 'servers', 'bare-http.server.ts'),
      env: base,
      file: 'bare.sqlite',
    },
    {
      name: '(b) plain Express 5',
      entry: join(root, 'bench', 'servers', 'express.server.ts'),
      env: base,
      file: 'express.sqlite',
    },
    {
      name: '(c) Express 5 + Portico middleware',
      entry: join(root, 'bench', 'servers', 'express-middleware.server.ts'),
      env: { ...base, LOG_LEVEL: 'warn' },
      file: 'express-mw.sqlite',
    },
    { ...portico('warn'), file: 'portico.sqlite' },
    {
      ...portico('warn'),
      name: 'Portico (Nest 12, LOG_LEVEL=warn, traced)',
      env: {
        ...portico('warn').env,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      file: 'portico.sqlite',
    },
    { ...portico('info'), file: 'portico.sqlite' },
  ];
  const only = process.env.BENCH_ONLY;
  if (only)
    targets.splice(0, targets.length, ...targets.filter((t) => t.name.toLowerCase().includes(only.toLowerCase())));
  process.stdout.write(
    `webhooks bench: ${DURATION_S}s per run, ${CONNECTIONS} connections, event type ${EVENT_TYPE}, fixed-rate run at ${FIXED_RATE} events/s\n`,
  );
  const results: Measured[] = [];
  for (const target of targets) {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
    try {
      results.push(
        await measure(
          { ...target, env: { ...target.env, DATA_DIR: dataDir }, database: join(dataDir, target.file) },
          root,
        ),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  print(results);
  await receiver.close();
  if (receiver.spans().length > 0) process.stdout.write(`traced run: ${receiver.spans().length} spans exported\n`);
  process.stdout.write(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} on ${cpus().length} cores\n`,
  );
  process.stdout.write(
    'BENCH_EVENT_TYPE=customer.updated (no handler) measures intake alone; payment_intent.succeeded adds the processing Portico does in the same process.\n',
  );
}

async function measure(target: Target, root: string): Promise<Measured> {
  const { child, port } = await startServer(target, root);
  try {
    const url = `http://127.0.0.1:${port}`;
    const warm = await run(url, signedEvents(10_000), { connections: CONNECTIONS, duration: 2 }); // warm-up (JIT, statement caches)
    const max = await run(url, signedEvents(12_000 * DURATION_S), { connections: CONNECTIONS, duration: DURATION_S });
    const fixed = await run(url, signedEvents(FIXED_RATE * DURATION_S + 1_000), {
      connections: 16,
      duration: DURATION_S,
      overallRate: FIXED_RATE,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stored = countRows(target.database);
    const answered = warm.answered + max.answered + fixed.answered;
    return {
      name: target.name,
      eventsPerSecond: max.rate,
      p50: max.p50,
      p99: max.p99,
      fixedP50: fixed.p50,
      fixedP99: fixed.p99,
      fixedAchieved: fixed.rate,
      errors: max.errors + fixed.errors,
      stored,
      answered,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function signedEvents(count: number): Array<{ body: string; signature: string }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const events: Array<{ body: string; signature: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const id = randomBytes(12).toString('hex');
    const body = JSON.stringify({
      id: `evt_${id}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: timestamp,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: EVENT_TYPE,
      data: {
        object: {
          id: `pi_${id}`,
          object: 'payment_intent',
          amount: 1999,
          amount_received: 1999,
          currency: 'eur',
          status: 'succeeded',
          capture_method: 'automatic_async',
          description: 'Order 1001',
          metadata: { orderId: `A-${i}` },
          livemode: false,
        },
      },
    });
    events.push({
      body,
      signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp }),
    });
  }
  return events;
}

interface RunResult {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly answered: number;
}

async function run(
  url: string,
  events: Array<{ body: string; signature: string }>,
  options: { connections: number; duration: number; overallRate?: number },
): Promise<RunResult> {
  let next = 0;
  const result = await autocannon({
    url,
    ...options,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/stripe',
        setupRequest: (request) => {
          const event = events[next++ % events.length];
          return {
            ...request,
            body: event.body,
            headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
          };
        },
      },
    ],
  });
  if (next > events.length)
    process.stderr.write(`warning: ${next - events.length} requests reused an event (duplicates)\n`);
  return {
    rate: result.requests.total / options.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    answered: result['2xx'],
  };
}

function startServer(target: Target, root: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', target.entry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(root, 'tsconfig.json'), ...target.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${target.name} did not start`)), 60_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
    child.once('exit', (code) => reject(new Error(`${target.name} exited with ${code}`)));
  });
}

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM stripe_events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function print(results: Measured[]): void {
  const express = results.find((r) => r.name.includes('Express'));
  const bare = results.find((r) => r.name.includes('node:http'));
  const rows = results.map((r) => [
    r.name,
    r.eventsPerSecond.toFixed(0),
    `${r.p50} ms`,
    `${r.p99} ms`,
    express ? (r.eventsPerSecond / express.eventsPerSecond).toFixed(2) : '-',
    bare ? (r.eventsPerSecond / bare.eventsPerSecond).toFixed(2) : '-',
    `${r.fixedAchieved.toFixed(0)}/s: p50 ${r.fixedP50} ms, p99 ${r.fixedP99} ms`,
    String(r.errors),
    `${r.stored}/${r.answered}`,
  ]);
  const header = [
    'server',
    'events/s',
    'p50',
    'p99',
    '× Express',
    '× node:http',
    `at ${FIXED_RATE} events/s`,
    'errors',
    'rows/200s',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
