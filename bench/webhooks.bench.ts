/**
 * `npm run bench:webhooks`: signed Stripe events per second and latency
 * through POST /webhooks/stripe (verify + store + 200), side by side:
 *   (a) bare node:http, verify + insert;  (b) plain Express 5, verify + insert;
 *   (c) Portico, intake only (customer.updated: no handler, stored as done);
 *   (d) Portico handling payment_intent.succeeded in the same process;
 *   (e) (d) split: PORTICO_ROLE=api takes the load, one PORTICO_ROLE=worker process drains;
 *   (d) again on PostgreSQL (a throwaway cluster, as the e2e tests start).
 * Portico rows run at LOG_LEVEL=info (the default) and with the Node flags of
 * `npm start` (package.json), as deployed. Each server runs in its own
 * process; autocannon runs here, on the same cores. Every request carries a
 * distinct, freshly signed event. For the handling rows the table shows the
 * drain rate during the run, the backlog left when the load stops, and CPU
 * (server processes, user + system) per handled event. In (d) the backlog is
 * bounded by STRIPE_EVENT_BACKLOG_LIMIT (500): past it, the answers wait for
 * the handlers, so intake runs at the pace of handling instead of ahead of it.
 * "handling CPU" is what handling adds to intake: the worker process alone in
 * (e), and (d) less (c) in one process. For (e) it is also measured with the
 * worker draining a backlog while nothing else runs (`drainAlone`). For the
 * SQLite rows it prints the WAL file's peak size during the steady run.
 * Latency at 500 events/s is measured twice: steady (one request every 2 ms,
 * open loop, latency from when each was due: `support/paced-load.ts`), the
 * goal's figure; and with autocannon's `overallRate`, which sends each
 * second's 500 back to back and then idles, as earlier runs reported it.
 *
 * Settings: BENCH_DURATION_S (10), BENCH_CONNECTIONS (32), BENCH_ONLY (a
 * substring of the row names to run, or several separated by |), BENCH_POSTGRES=false to skip PostgreSQL.
 * Then "ratios": the ratio goals again, in alternating rounds with all
 * servers up at once ((b), (c), (d), and three references: (b1) Express 5
 * with Portico's middleware and (b2) bare Nest 12, which split (c)'s cost,
 * and (b3) Express 5 whose server creates requests and responses on
 * Express's prototypes, as Portico's does), since
 * the machine's speed drifts between sequential rows. `BENCH_ONLY=ratios`
 * runs only that; `BENCH_ONLY=middleware` instead splits (b1) into its
 * pieces, alternating the same way.
 * Then "tracing off vs on": (d) three times: without tracing, with OpenTelemetry
 * exporting OTLP/HTTP (protobuf, the default) every trace to a local sink in this
 * process that only counts what arrives, and the same with a tenth of new traces
 * sampled (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.1). All three servers are
 * up at once and measured in alternating max-rate runs (BENCH_ROUNDS, 3, each
 * BENCH_DURATION_S long), so a change in the machine's load hits each alike; printed
 * side by side (issue 16's goal: at most 10% fewer events/s with tracing on).
 * `BENCH_ONLY=tracing` runs only that comparison.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import Stripe from 'stripe';
import { startFlags } from '../test/support/node-flags';
import { startPostgres } from '../test/support/services';
import { Database } from './servers/webhook-baseline';
import { startOtlpSink } from './support/otlp-sink';
import { type PacedRequest, type PacedResult, pacedLoad } from './support/paced-load';
import { cpuSeconds } from './support/proc';
import { markdownTable } from './support/table';

const SECRET = 'whsec_bench_0123456789abcdef';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RATE = 500;
/** The issue's latency goal at FIXED_RATE: p99 at most this. */
const P99_GOAL_MS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HANDLED = 'payment_intent.succeeded';

interface Target {
  readonly name: string;
  readonly entry: string;
  /** Node flags for the server process: Portico's rows run with `npm start`'s, as deployed. */
  readonly nodeFlags?: readonly string[];
  readonly env: Record<string, string>;
  readonly eventType: string;
  /** SQLite file (or PostgreSQL URL) the server writes, to count rows. */
  readonly database: string;
  /** Portico rows that process events: report drain and backlog. */
  readonly handles: boolean;
  /** Extra env for a second, worker-only process on the same database (row e). */
  readonly worker?: Record<string, string>;
}

interface Counts {
  readonly rows: number;
  readonly done: number;
  readonly backlog: number;
}

interface Measured {
  readonly name: string;
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Steady 500 events/s, open loop (`pacedLoad`): the latency goal's figure. */
  readonly steady: PacedResult;
  /** autocannon's `overallRate` 500: each second's 500 sent back to back, then idle. */
  readonly fixedP50: number;
  readonly fixedP99: number;
  readonly fixedAchieved: number;
  readonly errors: number;
  /** Events handled per second during the max-rate run (stored, for intake-only rows). */
  readonly drainPerSecond: number;
  /** Pending or processing rows when the max-rate run stopped. */
  readonly backlog: number | undefined;
  /** Server CPU (all its processes) per handled event, µs. */
  readonly cpuMicros: number;
  /** CPU of the worker process alone per handled event (row e), µs: what handling costs without intake. */
  readonly workerCpuMicros?: number;
  /** Row e: the worker draining a backlog while nothing else runs (see `drainAlone`). */
  readonly alone?: DrainAlone;
  /** CPU of the server process(es) per event at a steady FIXED_RATE, until every event is stored (and handled). */
  readonly steadyCpuMicros: number;
  /** SQLite rows: the WAL file at its largest during the steady run (`SqliteCheckpointer` restarts it past ~40 MB). */
  readonly walPeakBytes?: number;
}

interface DrainAlone {
  readonly events: number;
  readonly perSecond: number;
  readonly cpuMicros: number;
}

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  const server = (name: string): string => join(root, 'bench', 'servers', `${name}.server.ts`);
  // Portico as `npm start` runs it (its Node flags included); the other servers with Node's defaults.
  const porticoServer = { entry: server('portico'), nodeFlags: startFlags(root) };
  const base = { STRIPE_WEBHOOK_SECRET: SECRET };
  // Stands in for an OpenTelemetry collector for the traced run.
  const receiver = await startOtlpSink();
  const portico = {
    ...base,
    STRIPE_SECRET_KEY: 'sk_test_bench_0123456789',
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    LOG_LEVEL: 'info',
  };
  const usePostgres = process.env.BENCH_POSTGRES !== 'false';
  const targets: Array<Omit<Target, 'database'> & { file: string; postgres?: boolean }> = [
    {
      name: '(a) bare node:http',
      entry: server('bare-http'),
      env: base,
      eventType: HANDLED,
      handles: false,
      file: 'bare.sqlite',
    },
    {
      name: '(b) Express 5',
      entry: server('express'),
      env: base,
      eventType: HANDLED,
      handles: false,
      file: 'express.sqlite',
    },
    {
      name: '(c) Portico intake only',
      ...porticoServer,
      env: portico,
      eventType: 'customer.updated',
      handles: false,
      file: 'portico.sqlite',
    },
    {
      name: '(d) Portico handling',
      ...porticoServer,
      env: portico,
      eventType: HANDLED,
      handles: true,
      file: 'portico.sqlite',
    },
    {
      name: '(e) Portico api + worker',
      ...porticoServer,
      env: { ...portico, PORTICO_ROLE: 'api' },
      worker: { ...portico, PORTICO_ROLE: 'worker' },
      eventType: HANDLED,
      handles: true,
      file: 'portico.sqlite',
    },
    ...(usePostgres
      ? [
          {
            name: '(d) on PostgreSQL',
            ...porticoServer,
            env: portico,
            eventType: HANDLED,
            handles: true,
            file: '',
            postgres: true,
          },
        ]
      : []),
  ];
  // References for the ratios: two split (c)'s cost (Portico's middleware on plain Express, and Nest with none); (b3)
  // is (b) with Portico's server (requests built on Express's prototypes), the same change measured on Express alone.
  const references: Array<Omit<Target, 'database'> & { file: string }> = [
    {
      name: '(b1) Express 5 + middleware',
      entry: server('express-middleware'),
      env: { ...base, LOG_LEVEL: 'info' },
      eventType: HANDLED,
      handles: false,
      file: 'express-mw.sqlite',
    },
    {
      // (b) with the one change Portico makes to how Express serves (see src/core/http/express.adapter.ts).
      name: '(b3) Express 5 on its own prototypes',
      entry: server('express'),
      env: { ...base, BENCH_EXPRESS_PROTOTYPES: '1' },
      eventType: HANDLED,
      handles: false,
      file: 'express.sqlite',
    },
    {
      name: '(b2) bare Nest 12',
      entry: server('nest'),
      env: base,
      eventType: HANDLED,
      handles: false,
      file: 'nest.sqlite',
    },
  ];
  // BENCH_ONLY: the rows and sections whose names contain one of its |-separated parts.
  const parts = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.toLowerCase().split('|') : undefined;
  const selected = (name: string): boolean =>
    parts === undefined || parts.some((part) => name.toLowerCase().includes(part));
  const all = [...targets];
  targets.splice(0, targets.length, ...all.filter((t) => selected(t.name)));
  process.stdout.write(
    `webhooks bench: ${DURATION_S}s per run, ${CONNECTIONS} connections, fixed-rate run at ${FIXED_RATE} events/s; Portico with \`npm start\`'s Node flags (${porticoServer.nodeFlags.join(' ')}); load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}\n`,
  );
  const results: Measured[] = [];
  for (const target of targets) {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
    const pg = target.postgres ? await startPostgres() : undefined;
    if (typeof pg === 'string') {
      process.stdout.write(`skipping ${target.name}: ${pg}\n`);
      continue;
    }
    const env = { ...target.env, DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url } : {}) };
    try {
      results.push(
        await measure(
          {
            ...target,
            env,
            worker: target.worker ? { ...target.worker, DATA_DIR: dataDir } : undefined,
            database: pg ? pg.url : join(dataDir, target.file),
          },
          root,
        ),
      );
    } finally {
      pg?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (results.length > 0) print(results);
  const row = (name: string): Omit<Target, 'database'> & { file: string } => {
    const target = all.find((t) => t.name === name) ?? references.find((t) => t.name === name);
    if (target === undefined) throw new Error(`no bench row ${name}`);
    return target;
  };
  // Only when asked for by name: it is not part of the default run.
  if (parts?.includes('middleware') === true) {
    // What each piece of (b1)'s middleware costs on its own (the request id is in all of them).
    const withMiddleware = row('(b1) Express 5 + middleware');
    const subset = (name: string, mounted: string): Omit<Target, 'database'> & { file: string } => ({
      ...withMiddleware,
      name,
      env: { ...withMiddleware.env, BENCH_MIDDLEWARE: mounted },
    });
    printRatios(
      await alternate(
        [
          row('(b) Express 5'),
          subset('request id only', 'none'),
          subset('request log', 'log'),
          subset('helmet', 'helmet'),
          subset('cookies + CORS', 'cookies,cors'),
          withMiddleware,
        ],
        root,
      ),
    );
  }
  if (selected('ratios')) {
    printRatios(
      await alternate(
        [
          '(b) Express 5',
          '(b1) Express 5 + middleware',
          '(b2) bare Nest 12',
          '(b3) Express 5 on its own prototypes',
          '(c) Portico intake only',
          '(d) Portico handling',
        ].map(row),
        root,
      ),
    );
  }
  if (selected('tracing off vs on')) {
    const handling = { ...porticoServer, eventType: HANDLED, handles: true, file: 'portico.sqlite' };
    printTracingCost(
      await alternate(
        [
          { ...handling, name: 'tracing off', env: portico },
          {
            ...handling,
            name: 'tracing on',
            // The default protocol (http/protobuf), export interval and sampler (every trace): what an operator gets.
            env: { ...portico, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
          },
          {
            ...handling,
            name: 'on, 10% sampled',
            // What an operator sets to export less: a tenth of new traces (callers' decisions are followed).
            env: {
              ...portico,
              OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
              OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
              OTEL_TRACES_SAMPLER_ARG: '0.1',
            },
          },
        ],
        root,
      ),
    );
  }
  await receiver.close();
  const { exports, bytes } = receiver.received();
  if (exports > 0) process.stdout.write(`traced server: ${exports} OTLP exports, ${(bytes / 1e6).toFixed(1)} MB\n`);
  process.stdout.write(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} on ${cpus().length} cores (shared with other work: figures are indicative)\n`,
  );
}

async function measure(target: Target, root: string): Promise<Measured> {
  const main = await startServer(target, target.env, root);
  const worker = target.worker
    ? await startServer({ ...target, name: `${target.name} worker` }, target.worker, root)
    : undefined;
  const pids = [main.child.pid, worker?.child.pid].filter((pid): pid is number => pid !== undefined);
  try {
    const url = `http://127.0.0.1:${main.port}`;
    await run(url, signedEvents(10_000, target.eventType), { connections: CONNECTIONS, duration: 2 }); // warm-up (JIT, statement caches)
    await waitForIdle(target);
    const before = await countRows(target);
    const cpuBefore = cpuSeconds(...pids);
    const workerCpuBefore = worker?.child.pid === undefined ? 0 : cpuSeconds(worker.child.pid);
    const max = await run(url, signedEvents(12_000 * DURATION_S, target.eventType), {
      connections: CONNECTIONS,
      duration: DURATION_S,
    });
    const after = await countRows(target);
    const cpu = (cpuSeconds(...pids) - cpuBefore) * 1e6;
    const workerCpu = worker?.child.pid === undefined ? 0 : (cpuSeconds(worker.child.pid) - workerCpuBefore) * 1e6;
    const handled = target.handles ? after.done - before.done : after.rows - before.rows;
    await waitForIdle(target);
    const wal = target.database.startsWith('postgres') ? undefined : watchWal(target.database);
    const steadyCpuBefore = cpuSeconds(...pids);
    const steady = await pacedLoad(
      url,
      FIXED_RATE,
      DURATION_S,
      signedRequests(FIXED_RATE * DURATION_S, target.eventType),
      undefined,
      P99_GOAL_MS,
    ).finally(() => wal?.stop());
    await waitForIdle(target);
    // Until every event of the steady run is stored and (rows d, e) handled: the same work at the same rate in each row.
    const steadyCpuMicros = ((cpuSeconds(...pids) - steadyCpuBefore) * 1e6) / (FIXED_RATE * DURATION_S);
    const fixed = await run(url, signedEvents(FIXED_RATE * DURATION_S + 1_000, target.eventType), {
      connections: 16,
      duration: DURATION_S,
      overallRate: FIXED_RATE,
    });
    await waitForIdle(target);
    const alone = worker === undefined ? undefined : await drainAlone(target, url, worker.child);
    return {
      name: target.name,
      eventsPerSecond: max.rate,
      p50: max.p50,
      p99: max.p99,
      steady,
      fixedP50: fixed.p50,
      fixedP99: fixed.p99,
      fixedAchieved: fixed.rate,
      errors: max.errors + steady.errors + fixed.errors,
      drainPerSecond: handled / DURATION_S,
      backlog: target.handles ? after.backlog : undefined,
      cpuMicros: handled > 0 ? cpu / handled : 0,
      workerCpuMicros: worker !== undefined && handled > 0 ? workerCpu / handled : undefined,
      alone,
      steadyCpuMicros,
      walPeakBytes: wal?.peak(),
    };
  } finally {
    for (const child of [main.child, worker?.child]) {
      if (!child) continue;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

/**
 * Row e's worker handling a backlog with the machine to itself. The worker
 * is stopped (SIGSTOP) while the api process stores events at full speed,
 * then resumed; its CPU and the time until the backlog is gone count only
 * handling. In the max-rate run the same work shares two cores with intake
 * and the load generator, and costs more per event: this separates what the
 * handling code costs from what the sharing adds.
 */
async function drainAlone(target: Target, url: string, worker: ChildProcess): Promise<DrainAlone> {
  worker.kill('SIGSTOP');
  let resumed = false;
  try {
    await run(url, signedEvents(12_000 * DURATION_S, target.eventType), {
      connections: CONNECTIONS,
      duration: Math.max(1, Math.floor(DURATION_S / 2)),
    });
    const before = await countRows(target);
    const cpuBefore = cpuSeconds(worker.pid);
    const started = Date.now();
    worker.kill('SIGCONT');
    resumed = true;
    const now = await waitForIdle(target, 20);
    const seconds = (Date.now() - started) / 1000;
    const events = (now?.done ?? before.done) - before.done;
    return {
      events,
      perSecond: events / seconds,
      cpuMicros: events > 0 ? ((cpuSeconds(worker.pid) - cpuBefore) * 1e6) / events : 0,
    };
  } finally {
    if (!resumed) worker.kill('SIGCONT');
  }
}

/**
 * Samples the size of a SQLite file's WAL every 100 ms. Under a steady
 * stream of commits SQLite alone never starts the WAL over, and it grew by
 * about 20 MB a second at 500 events/s; this shows that it stays bounded.
 */
function watchWal(database: string): { stop: () => void; peak: () => number } {
  let peak = 0;
  const sample = (): void => {
    try {
      peak = Math.max(peak, statSync(`${database}-wal`).size);
    } catch {
      // No WAL file at this moment (not created yet, or the database is not in WAL mode).
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
    },
    peak: () => peak,
  };
}

/**
 * Lets the previous run's backlog drain (at most 60 s) so runs do not overlap,
 * checking every `pollMs`; the counts it last read.
 */
async function waitForIdle(target: Target, pollMs = 200): Promise<Counts | undefined> {
  if (!target.handles) return undefined;
  const deadline = Date.now() + 60_000;
  let counts = await countRows(target);
  while (counts.backlog > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    counts = await countRows(target);
  }
  return counts;
}

/** The same events as `signedEvents`, handed out one at a time as requests for `pacedLoad`. */
function signedRequests(count: number, eventType: string): () => PacedRequest {
  const events = signedEvents(count, eventType);
  let next = 0;
  return () => {
    const event = events[next++ % events.length];
    return {
      path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
      body: event.body,
    };
  };
}

function signedEvents(count: number, eventType: string): Array<{ body: string; signature: string }> {
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
      type: eventType,
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

function startServer(
  { name, entry, nodeFlags = [] }: Pick<Target, 'name' | 'entry' | 'nodeFlags'>,
  env: Record<string, string>,
  root: string,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', entry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 120_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

const COUNT_SQL =
  "SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, " +
  "SUM(CASE WHEN status IN ('pending', 'processing') THEN 1 ELSE 0 END) AS backlog FROM stripe_events";

async function countRows(target: Target): Promise<Counts> {
  let row: { n: unknown; done: unknown; backlog: unknown };
  if (target.database.startsWith('postgres')) {
    const client = new Client({ connectionString: target.database });
    await client.connect();
    try {
      row = (await client.query<{ n: unknown; done: unknown; backlog: unknown }>(COUNT_SQL)).rows[0];
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(target.database, { readonly: true });
    try {
      row = db.prepare(COUNT_SQL).get() as { n: unknown; done: unknown; backlog: unknown };
    } finally {
      db.close();
    }
  }
  return { rows: Number(row.n ?? 0), done: Number(row.done ?? 0), backlog: Number(row.backlog ?? 0) };
}

function print(results: Measured[]): void {
  const express = results.find((r) => r.name.startsWith('(b)'));
  const intake = results.find((r) => r.name.startsWith('(c)'));
  /**
   * What handling adds per event: the worker process alone where there is one (e); in one process,
   * the row's CPU per event less intake's (c) (same server, same store).
   */
  const handlingCpu = (r: Measured): string => {
    if (r.workerCpuMicros !== undefined) return r.workerCpuMicros.toFixed(0);
    if (r.backlog === undefined || intake === undefined || r.name.includes('PostgreSQL')) return '-';
    return (r.cpuMicros - intake.cpuMicros).toFixed(0);
  };
  const rows = results.map((r) => [
    r.name,
    r.eventsPerSecond.toFixed(0),
    `${r.p50} ms`,
    `${r.p99} ms`,
    express ? (r.eventsPerSecond / express.eventsPerSecond).toFixed(2) : '-',
    r.backlog === undefined ? '-' : r.drainPerSecond.toFixed(0),
    r.backlog === undefined ? '-' : String(r.backlog),
    r.cpuMicros.toFixed(0),
    handlingCpu(r),
    `${r.steady.achieved.toFixed(0)}/s: p50 ${r.steady.p50} ms, p99 ${r.steady.p99} ms, max ${r.steady.max} ms, ${r.steady.slow} over ${P99_GOAL_MS} ms`,
    `p50 ${r.fixedP50} ms, p99 ${r.fixedP99} ms`,
    String(r.errors),
  ]);
  const header = [
    'server',
    'events/s',
    'p50',
    'p99',
    '× Express',
    'drained/s',
    'backlog at stop',
    'CPU µs/event',
    'handling CPU µs/event',
    `at ${FIXED_RATE} events/s, steady`,
    `${FIXED_RATE} a second in bursts (autocannon)`,
    'errors',
  ];
  process.stdout.write(markdownTable(header, rows));
  process.stdout.write(
    'CPU µs/event: server process(es) CPU during the max-rate run ÷ events handled in it (stored, for (a)–(c)).\n' +
      'handling CPU µs/event: (e) the worker process alone ÷ events it handled; (d) its CPU µs/event less (c)’s.\n' +
      `at ${FIXED_RATE} events/s, steady: one request every ${1000 / FIXED_RATE} ms, open loop, latency from when it was due (the goal's figure);\n` +
      `  max and over ${P99_GOAL_MS} ms: its slowest answer, and how many answers took longer than the goal's ${P99_GOAL_MS} ms (1% of them is p99).\n` +
      `in bursts: autocannon overallRate ${FIXED_RATE}, which sends each second's ${FIXED_RATE} back to back on 16 connections, then idles.\n`,
  );
  const walPeaks = results.filter((r) => r.walPeakBytes !== undefined);
  if (walPeaks.length > 0)
    process.stdout.write(
      `SQLite WAL file at its largest during the steady run: ${walPeaks
        .map((r) => `${r.name.slice(0, 3)} ${((r.walPeakBytes ?? 0) / 1e6).toFixed(0)} MB`)
        .join(', ')}.\n`,
    );
  // Intake costs less per event the faster it runs (bigger group commits), so (d) less (c) at their own maximum
  // rates mixes two loads; at the same steady rate the difference is what handling adds.
  const handling = results.find((r) => r.name.startsWith('(d) Portico'));
  process.stdout.write(
    `CPU µs per event at a steady ${FIXED_RATE}/s, until all were stored and handled: ${results
      .map(
        (r) =>
          `${r.name.slice(0, 3)}${r.name.includes('PostgreSQL') ? ' on PostgreSQL' : ''} ${r.steadyCpuMicros.toFixed(0)}`,
      )
      .join(', ')}` +
      (intake && handling
        ? `; handling in one process, (d) less (c): ${(handling.steadyCpuMicros - intake.steadyCpuMicros).toFixed(0)} µs.\n`
        : '.\n'),
  );
  for (const r of results) {
    if (r.alone === undefined) continue;
    process.stdout.write(
      `${r.name}, the worker alone (stopped while the api stored ${r.alone.events} events, then resumed): ` +
        `${r.alone.cpuMicros.toFixed(0)} µs CPU per handled event, ${r.alone.perSecond.toFixed(0)} events/s drained ` +
        `(in the max-rate run, sharing the cores with intake: ${r.workerCpuMicros?.toFixed(0) ?? '-'} µs).\n`,
    );
  }
}

interface Side {
  readonly name: string;
  readonly perRound: number[];
  requests: number;
  handled: number;
  cpuSeconds: number;
  seconds: number;
  readonly p99: number[];
}

/**
 * Several servers up at once (fresh databases), measured in alternating
 * max-rate runs: A, B, …, A, B, … (BENCH_ROUNDS rounds). A drift in the
 * machine's speed then hits all alike, where one run after another it moves
 * a ratio by a third. Each side's figures are totals over its runs;
 * per-round rates show the spread.
 */
async function alternate(
  list: ReadonlyArray<Omit<Target, 'database'> & { file: string }>,
  root: string,
): Promise<Side[]> {
  const dirs = list.map(() => mkdtempSync(join(tmpdir(), 'portico-bench-')));
  const targets = list.map((t, i) => ({
    ...t,
    env: { ...t.env, DATA_DIR: dirs[i] },
    database: join(dirs[i], t.file),
  }));
  const servers: Array<{ child: ChildProcess; port: number }> = [];
  try {
    for (const target of targets) servers.push(await startServer(target, target.env, root));
    const sides: Side[] = targets.map((t) => ({
      name: t.name,
      perRound: [],
      requests: 0,
      handled: 0,
      cpuSeconds: 0,
      seconds: 0,
      p99: [],
    }));
    for (const [i, target] of targets.entries()) {
      await run(`http://127.0.0.1:${servers[i].port}`, signedEvents(10_000, target.eventType), {
        connections: CONNECTIONS,
        duration: 2,
      });
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, target] of targets.entries()) {
        // All idle: another server's backlog must not drain during this run.
        for (const each of targets) await waitForIdle(each);
        const before = await countRows(target);
        const cpuBefore = cpuSeconds(servers[i].child.pid);
        const result = await run(
          `http://127.0.0.1:${servers[i].port}`,
          signedEvents(12_000 * DURATION_S, target.eventType),
          { connections: CONNECTIONS, duration: DURATION_S },
        );
        const side = sides[i];
        side.cpuSeconds += cpuSeconds(servers[i].child.pid) - cpuBefore;
        const after = await countRows(target);
        side.handled += target.handles ? after.done - before.done : after.rows - before.rows;
        side.requests += result.rate * DURATION_S;
        side.seconds += DURATION_S;
        side.perRound.push(result.rate);
        side.p99.push(result.p99);
      }
    }
    return sides;
  } finally {
    for (const { child } of servers) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** A side's CPU per event over its rounds, µs. */
function cpuPerEvent(side: Side): number {
  return side.handled > 0 ? (side.cpuSeconds * 1e6) / side.handled : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The ratio goals measured in alternating rounds: each Portico run is next
 * in time to an Express run, and the ratio is taken within each round
 * (median over rounds). (b1) and (b2) split what stands between Express and
 * (c): Portico's middleware without Nest, and Nest without middleware.
 */
function printRatios(sides: Side[]): void {
  const [express] = sides;
  const ratios = (side: Side): number[] => side.perRound.map((rate, i) => rate / express.perRound[i]);
  const cells = sides.map((side) => [
    side.name,
    side.perRound.map((r) => r.toFixed(0)).join(', '),
    ratios(side)
      .map((r) => r.toFixed(2))
      .join(', '),
    median(ratios(side)).toFixed(2),
    cpuPerEvent(side).toFixed(0),
    (cpuPerEvent(side) / cpuPerEvent(express)).toFixed(2),
  ]);
  const header = [
    `${express.perRound.length} alternating rounds`,
    'events/s per round',
    '× Express per round',
    '× Express (median)',
    'CPU µs/event',
    'CPU × Express',
  ];
  const goal = (name: string, target: number): string => {
    const side = sides.find((s) => s.name.startsWith(name));
    if (side === undefined) return '';
    const value = median(ratios(side));
    return `${name} ≥ ${target}× Express (median of rounds): ${value.toFixed(2)}, ${value >= target ? 'met' : 'NOT met'}\n`;
  };
  process.stdout.write(
    markdownTable(header, cells) +
      'CPU µs/event: the server process over its rounds ÷ events it stored ((b)–(c)) or handled ((d)).\n' +
      goal('(c)', 0.75) +
      goal('(d)', 0.5),
  );
}

/** Tracing off, on, and on with a tenth sampled, side by side: the cost of OpenTelemetry on the webhook path. */
function printTracingCost(sides: Side[]): void {
  const [off, on, sampled] = sides;
  const perSecond = (side: Side): number => side.requests / side.seconds;
  const drained = (side: Side): number => side.handled / side.seconds;
  const change = (a: number, b: number): string =>
    a > 0 ? `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%` : '-';
  const labels = ['events/s (max rate)', 'drained/s', 'CPU µs/event', 'p99 ms (median of rounds)'];
  const of = (side: Side): number[] => [perSecond(side), drained(side), cpuPerEvent(side), median(side.p99)];
  const [a, b, c] = [of(off), of(on), of(sampled)];
  const cells = labels.map((label, i) => [
    label,
    a[i].toFixed(0),
    b[i].toFixed(0),
    change(a[i], b[i]),
    c[i].toFixed(0),
    change(a[i], c[i]),
  ]);
  const rounds = (side: Side): string => side.perRound.map((r) => r.toFixed(0)).join(', ');
  cells.push(['events/s per round', rounds(off), rounds(on), '', rounds(sampled), '']);
  const header = [
    `(d) handling, ${off.perRound.length} alternating rounds`,
    'tracing off',
    'tracing on',
    'change',
    'on, 10% sampled',
    'change',
  ];
  const lost = (side: Side): number => (1 - perSecond(side) / perSecond(off)) * 100;
  process.stdout.write(
    markdownTable(header, cells) +
      `tracing on: ${lost(on).toFixed(1)}% fewer events/s than off (goal ≤ 10%): ${lost(on) <= 10 ? 'met' : 'NOT met'}; ` +
      `with 10% of traces sampled: ${lost(sampled).toFixed(1)}% fewer\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
