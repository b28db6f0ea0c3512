/**
 * `npm run bench:email`: accept 10,000 messages through POST /emails, then
 * drain them to the local SendGrid stand-in (no rate limit, no failures),
 * unbatched and with EMAIL_BATCH=true. The app runs as its own process
 * (SQLite under a temporary DATA_DIR); its RSS is sampled from /proc.
 *
 * Accepting and draining are measured apart: while accepting, the stand-in
 * holds every request unanswered (EMAIL_CONCURRENCY=1, so one message is in
 * flight and the rest wait in the outbox); the app is then killed and
 * restarted against an answering stand-in, and the drain is timed from the
 * restart's readiness until SendGrid has seen every message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TEST_API_KEYS, TEST_KEY } from '../test/support/api-keys';
import { type AppProcess, spawnApp } from '../test/support/app-process';
import { FakeSendGrid } from '../test/support/sendgrid/sendgrid-fake';
import { rssBytes } from './support/proc';
import { markdownTable } from './support/table';

const MESSAGES = Number(process.env.BENCH_EMAIL_MESSAGES ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_EMAIL_CONNECTIONS ?? 32);
/** Optional V8 old-space cap for the app (MB): a leak then fails the run instead of growing RSS. */
const HEAP_MB = process.env.BENCH_EMAIL_HEAP_MB;

interface Run {
  readonly label: string;
  /** GET /health/live on the same app just before: what this machine's HTTP stack does with no work at all. */
  readonly baselinePerSecond: number;
  readonly acceptedPerSecond: number;
  readonly sentPerSecond: number;
  readonly requests: number;
  readonly acceptRssMb: number;
  readonly drainRssStartMb: number;
  readonly drainRssPeakMb: number;
  readonly drainRssEndMb: number;
  readonly non2xx: number;
}

/** Samples a process's resident set size every 100 ms. */
function sampleRss(pid: number): { stop(): number[] } {
  const samples: number[] = [];
  const read = (): void => {
    const bytes = rssBytes(pid);
    if (!Number.isNaN(bytes)) samples.push(bytes / 1024 / 1024);
  };
  read();
  const timer = setInterval(read, 100);
  return { stop: () => (clearInterval(timer), read(), samples) };
}

async function accept(url: string): Promise<{ perSecond: number; non2xx: number }> {
  let n = 0;
  const started = Date.now();
  const result = await autocannon({
    url: `${url}/emails`,
    method: 'POST',
    connections: CONNECTIONS,
    amount: MESSAGES,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}` },
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          return {
            ...request,
            body: JSON.stringify({
              to: [`user${n}@example.com`],
              subject: 'Your weekly digest',
              text: 'Hello! Here is what happened this week.',
              html: '<p>Hello! Here is what happened this week.</p>',
            }),
          };
        },
      },
    ],
  });
  const seconds = (Date.now() - started) / 1000;
  return { perSecond: result['2xx'] / seconds, non2xx: result.non2xx + result.errors };
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(label: string, batch: boolean): Promise<Run> {
  const fake = await new FakeSendGrid().start();
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    API_KEYS: TEST_API_KEYS,
    // One key sends thousands a second here: measure the outbox, not the inbound budget.
    RATE_LIMIT_PER_MINUTE: '1000000',
    SENDGRID_API_KEY: fake.apiKey,
    SENDGRID_API_BASE: fake.url,
    EMAIL_FROM: 'bench@example.com',
    EMAIL_BATCH: String(batch),
    EMAIL_LEASE_MS: '1000',
    // "No rate limit": the stand-in has none, so neither does our side.
    RESILIENCE_SENDGRID_RATE_PER_SEC: '0',
    ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
  };
  let app: AppProcess | undefined;
  try {
    // Phase 1: accept, with SendGrid holding its answers (one send in flight).
    fake.hold(true);
    app = await spawnApp({
      ...env,
      EMAIL_CONCURRENCY: '1',
      RESILIENCE_SENDGRID_TIMEOUT_MS: '120000',
    });
    const baseline = await autocannon({ url: `${app.url}/health/live`, connections: CONNECTIONS, amount: MESSAGES });
    const acceptRss = sampleRss(app.child.pid ?? 0);
    const accepted = await accept(app.url);
    const acceptRssMb = Math.max(...acceptRss.stop());
    app.kill('SIGKILL');
    await app.exited;

    // Phase 2: drain to an answering SendGrid.
    fake.hold(false);
    fake.reset();
    app = await spawnApp(env);
    const drainRss = sampleRss(app.child.pid ?? 0);
    await waitFor(() => fake.accepted.size >= MESSAGES, 600_000);
    // From SendGrid's first request to its last: the drain itself, without the restart.
    const seconds = Math.max(0.001, (fake.requests[fake.requests.length - 1].at - fake.requests[0].at) / 1000);
    const rss = drainRss.stop();
    return {
      label,
      baselinePerSecond: baseline['2xx'] / (baseline.duration || 1),
      acceptedPerSecond: accepted.perSecond,
      sentPerSecond: MESSAGES / seconds,
      requests: fake.requests.filter((r) => r.status === 202).length,
      acceptRssMb,
      drainRssStartMb: rss[0] ?? 0,
      drainRssPeakMb: Math.max(...rss),
      drainRssEndMb: rss[rss.length - 1] ?? 0,
      non2xx: accepted.non2xx,
    };
  } finally {
    app?.kill('SIGKILL');
    await app?.exited;
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `email benchmark: ${MESSAGES} messages, ${CONNECTIONS} connections, SQLite, local SendGrid stand-in${HEAP_MB ? `, app heap capped at ${HEAP_MB} MB` : ''}\n`,
  );
  const runs = [await run('unbatched', false), await run('EMAIL_BATCH=true', true)];
  const fmt = (n: number, d = 0): string => n.toFixed(d);
  const header = [
    'run',
    'GET /health/live/s',
    'accepted/s',
    'sent/s',
    'SendGrid requests',
    'RSS accept peak MB',
    'RSS drain start/peak/end MB',
    'non-2xx',
  ];
  const rows = runs.map((r) => [
    r.label,
    fmt(r.baselinePerSecond),
    fmt(r.acceptedPerSecond),
    fmt(r.sentPerSecond),
    String(r.requests),
    fmt(r.acceptRssMb),
    `${fmt(r.drainRssStartMb)} / ${fmt(r.drainRssPeakMb)} / ${fmt(r.drainRssEndMb)}`,
    String(r.non2xx),
  ]);
  process.stdout.write(markdownTable(header, rows));
  process.stdout.write('Goals: >= 1,000 accepted/s, >= 500 sent/s unbatched, memory flat while draining.\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
