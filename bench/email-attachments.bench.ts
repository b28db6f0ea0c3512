/**
 * `npm run bench:email-attachments`: attachments from stored files at full
 * size, against the local SendGrid stand-in (the e2e suite uses small files):
 *   - a 20 MB stored file attached and sent (the stand-in checks its SHA-256),
 *   - a 40 MB one refused at accept (413: over 30 MB after base64),
 *   - 50 messages each with a 5 MB attachment drained, the app's peak RSS
 *     sampled from /proc (messages with attachments are sent one at a time
 *     per instance, so the peak should stay near one message's worth).
 * The app runs as its own process (SQLite, local storage under a temporary DATA_DIR).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_API_KEYS, TEST_KEY } from '../test/support/api-keys';
import { type AppProcess, spawnApp } from '../test/support/app-process';
import { FakeSendGrid } from '../test/support/sendgrid/sendgrid-fake';
import { rssBytes } from './support/proc';

const MB = 1024 * 1024;
const MESSAGES = Number(process.env.BENCH_ATTACHMENT_MESSAGES ?? 50);

function rssMb(pid: number): number {
  return rssBytes(pid) / MB;
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function upload(url: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'data.bin');
  const res = await fetch(`${url}/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_KEY}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function sendWith(url: string, fileId: string, i = 0): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${url}/emails`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      to: [`reader${i}@example.com`],
      subject: 'Your report',
      text: 'Attached.',
      attachments: [{ fileId }],
    }),
  });
  const body = (await res.json()) as { id?: string };
  return { status: res.status, id: body.id };
}

async function main(): Promise<void> {
  const fake = await new FakeSendGrid().start();
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-attach-'));
  let app: AppProcess | undefined;
  const rows: Array<Record<string, string | number>> = [];
  try {
    app = await spawnApp({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_KEYS: TEST_API_KEYS,
      RATE_LIMIT_PER_MINUTE: '1000000',
      SENDGRID_API_KEY: fake.apiKey,
      SENDGRID_API_BASE: fake.url,
      EMAIL_FROM: 'bench@example.com',
      RESILIENCE_SENDGRID_RATE_PER_SEC: '0',
      RESILIENCE_SENDGRID_TIMEOUT_MS: '60000',
    });
    const pid = app.child.pid ?? 0;

    const big = randomBytes(20 * MB);
    const bigId = await upload(app.url, big);
    let started = Date.now();
    const sent = await sendWith(app.url, bigId);
    await waitFor(() => fake.timesSent(sent.id ?? '') === 1, 120_000);
    const [request] = fake.requestsFor(sent.id ?? '');
    const intact = request.attachments[0]?.sha256 === createHash('sha256').update(big).digest('hex');
    rows.push({
      case: '20 MB attachment',
      result: intact ? 'sent, bytes intact' : 'sent, BYTES DIFFER',
      seconds: (Date.now() - started) / 1000,
      'app RSS MB': Math.round(rssMb(pid)),
    });

    const huge = await upload(app.url, randomBytes(40 * MB));
    const refused = await sendWith(app.url, huge);
    rows.push({
      case: '40 MB attachment',
      result: `refused at accept: ${refused.status}`,
      seconds: 0,
      'app RSS MB': Math.round(rssMb(pid)),
    });

    const fileId = await upload(app.url, randomBytes(5 * MB));
    fake.reset();
    const before = rssMb(pid);
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    started = Date.now();
    for (let i = 0; i < MESSAGES; i += 1) {
      const accepted = await sendWith(app.url, fileId, i);
      if (accepted.status !== 202) throw new Error(`message ${i} answered ${accepted.status}`);
    }
    await waitFor(() => fake.accepted.size >= MESSAGES, 600_000);
    clearInterval(timer);
    rows.push({
      case: `${MESSAGES} × 5 MB attachments`,
      result: `all sent (RSS before ${Math.round(before)} MB)`,
      seconds: (Date.now() - started) / 1000,
      'app RSS MB': `peak ${Math.round(peak)}`,
    });
  } finally {
    app?.kill('SIGKILL');
    await app?.exited;
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(
    `load average (1/5/15 min): ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')} — a shared machine: figures are indicative`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
