/**
 * npm run bench:storage — upload throughput and memory of POST /files.
 *
 * For each backend (s3rver, local disk) the same generated stream
 * (BENCH_STORAGE_BYTES, default 1 GiB) is uploaded (a) through the app's
 * POST /files (multipart, streamed; the app runs in a child process) and
 * (b) directly, without the app (lib-storage `Upload` to s3rver; a file write
 * for the local disk). Prints throughput of both (best of BENCH_RUNS
 * alternating runs, default 2), their ratio, and the app's peak RSS growth
 * over idle while uploading (VmRSS sampled from /proc every 20 ms).
 * s3rver runs in its own process too. Temporary directories are removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type AppProcess, spawnApp } from '../test/support/app-process';
import { apiKeyEntry } from '../test/support/api-keys';
import { cpuSeconds, rssBytes } from './support/proc';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_STORAGE_BYTES ?? 1024 * MiB);
const PART_SIZE = Number(process.env.BENCH_S3_PART_SIZE_BYTES ?? 5 * MiB);
/** Runs per path, alternating app and direct; the best of each is reported (the machine is shared and noisy). */
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const QUEUE_SIZE = Number(process.env.BENCH_S3_QUEUE_SIZE ?? 4);
const KEY = 'pk_bench_storage_key_0123456789';
const BUCKET = 'portico-bench';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** 16 MiB of random bytes, cycled in 1 MiB chunks: incompressible, cheap to produce. */
const POOL = randomBytes(16 * MiB);
function* generated(size: number): Generator<Buffer> {
  for (let sent = 0, i = 0; sent < size; i++) {
    const length = Math.min(MiB, size - sent);
    const offset = (i % 16) * MiB;
    yield POOL.subarray(offset, offset + length);
    sent += length;
  }
}

/** Samples a process's RSS every 20 ms until stopped; returns the peak. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}

async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(rssBytes(pid));
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

/** POST /files with a streamed multipart body (chunked, honouring backpressure). */
async function postFile(url: string, size: number): Promise<{ status: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const req = request(`${url}/files`, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'X-Api-Key': KEY },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  for (const chunk of generated(size)) if (!req.write(chunk)) await once(req, 'drain');
  req.end(`\r\n--${boundary}--\r\n`);
  return answered;
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

/** Runs a bench/support server in its own process; resolves once it printed its port. */
async function startHelper(script: string, args: string[]): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'support', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/** PUT of the raw generated stream (chunked) to the bare upload server. */
async function putRaw(endpoint: string, size: number): Promise<void> {
  const req = request(`${endpoint}/bench.bin`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  const answered = new Promise<void>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      res
        .resume()
        .on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`raw upload failed: ${res.statusCode}`)),
        );
    });
  });
  for (const chunk of generated(size)) if (!req.write(chunk)) await once(req, 'drain');
  req.end();
  return answered;
}

interface Row {
  backend: string;
  viaApp: number;
  direct: number;
  idle: number;
  peak: number;
  appCpu: number;
}

async function warmUp(app: AppProcess): Promise<number> {
  // Lazy initialisation (SDK multipart code, database) happens before the idle baseline: a warm-up upload of a few parts.
  const warm = await postFile(app.url, 3 * PART_SIZE + MiB);
  if (warm.status !== 201) throw new Error(`warm-up upload failed: ${warm.status} ${warm.body}`);
  return idleRss(app.child.pid!);
}

interface AppRun {
  seconds: number;
  peak: number;
  cpu: number;
  id: string;
}

async function uploadThroughApp(app: AppProcess): Promise<AppRun> {
  const pid = app.child.pid!;
  const sampler = sampleRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const { seconds, result } = await timed(() => postFile(app.url, SIZE));
  const peak = sampler.stop();
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (result.status !== 201) throw new Error(`upload through the app failed: ${result.status} ${result.body}`);
  const file = JSON.parse(result.body) as { size: number; id: string };
  if (file.size !== SIZE) throw new Error(`the app stored ${file.size} bytes, not ${SIZE}`);
  return { seconds, peak, cpu, id: file.id };
}

async function deleteThroughApp(app: AppProcess, id: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = request(`${app.url}/files/${id}`, { method: 'DELETE', headers: { 'X-Api-Key': KEY } }, (res) =>
      res.resume().on('end', resolve),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Alternates app and direct uploads RUNS times; best time of each path, highest RSS peak. */
async function compare(app: AppProcess, idle: number, direct: () => Promise<unknown>, backend: string): Promise<Row> {
  let best: AppRun | undefined;
  let peak = 0;
  let bestDirect = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const viaApp = await uploadThroughApp(app);
    await deleteThroughApp(app, viaApp.id);
    peak = Math.max(peak, viaApp.peak);
    if (best === undefined || viaApp.seconds < best.seconds) best = viaApp;
    bestDirect = Math.min(bestDirect, (await timed(direct)).seconds);
  }
  return { backend, viaApp: best!.seconds, direct: bestDirect, idle, peak, appCpu: best!.cpu };
}

function appEnv(dataDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    API_KEYS: apiKeyEntry('bench', KEY),
    RATE_LIMIT_PER_MINUTE: '1000000',
    STORAGE_URL_SECRET: 'bench-secret-of-at-least-32-characters-long',
    STORAGE_MAX_UPLOAD_BYTES: String(Math.max(SIZE, 3 * PART_SIZE) + MiB),
    ...extra,
  };
}

async function benchS3(): Promise<Row> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'portico-bench-s3rver-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-app-'));
  const s3 = await startHelper('s3rver-process.ts', [s3Dir, BUCKET]);
  let app: AppProcess | undefined;
  try {
    app = await spawnApp(
      appEnv(dataDir, {
        STORAGE_DRIVER: 's3',
        S3_BUCKET: BUCKET,
        S3_ENDPOINT: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        S3_PART_SIZE_BYTES: String(PART_SIZE),
        S3_QUEUE_SIZE: String(QUEUE_SIZE),
      }),
    );
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const direct = async (): Promise<void> => {
      await new Upload({
        client,
        params: {
          Bucket: BUCKET,
          Key: 'direct/bench.bin',
          Body: Readable.from(generated(SIZE)),
          ContentType: 'application/octet-stream',
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
      }).done();
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'direct/bench.bin' }));
    };
    try {
      return await compare(app, await warmUp(app), direct, 's3 (s3rver)');
    } finally {
      client.destroy();
    }
  } finally {
    app?.kill('SIGTERM');
    if (app) await app.exited;
    s3.child.kill('SIGTERM');
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchLocal(): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-app-'));
  const directDir = mkdtempSync(join(tmpdir(), 'portico-bench-direct-'));
  const raw = await startHelper('raw-upload-server.ts', [directDir]);
  let app: AppProcess | undefined;
  try {
    app = await spawnApp(appEnv(dataDir, { STORAGE_DRIVER: 'local' }));
    const target = join(directDir, 'bench.bin');
    const fileWrite = async (): Promise<void> => {
      await pipeline(Readable.from(generated(SIZE)), createWriteStream(target));
      rmSync(target);
    };
    const idle = await warmUp(app);
    return [
      await compare(app, idle, () => putRaw(raw.endpoint, SIZE), 'local disk vs bare HTTP→file server'),
      await compare(app, idle, fileWrite, 'local disk vs in-process file write'),
    ];
  } finally {
    app?.kill('SIGTERM');
    if (app) await app.exited;
    raw.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(directDir, { recursive: true, force: true });
  }
}

function print(rows: Row[]): void {
  const mibs = (seconds: number): string => (SIZE / MiB / seconds).toFixed(1);
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
  console.log(
    `\nStorage upload benchmark: ${(SIZE / MiB).toFixed(0)} MiB generated stream, best of ${RUNS} alternating runs per path`,
  );
  console.log(
    `S3 partSize ${PART_SIZE / MiB} MiB × queueSize ${QUEUE_SIZE}: the app holds about partSize × (queueSize + 1) = ${(PART_SIZE * (QUEUE_SIZE + 1)) / MiB} MiB per upload (parts in flight and the part being filled) plus two 1 MiB stream buffers\n`,
  );
  console.log(
    '| backend | via POST /files (MiB/s) | direct (MiB/s) | ratio | app RSS idle (MB) | app RSS peak (MB) | peak growth (MB) | app CPU (% of one core) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.backend} | ${mibs(row.viaApp)} | ${mibs(row.direct)} | ${(row.direct / row.viaApp).toFixed(2)} | ${mb(row.idle)} | ${mb(row.peak)} | ${mb(row.peak - row.idle)} | ${((row.appCpu / row.viaApp) * 100).toFixed(0)} |`,
    );
  }
  console.log(
    `\nMachine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    'Goals: ratio ≥ 0.7, peak growth ≤ 100 MB. "direct": lib-storage Upload straight to s3rver; for local disk a bare Node HTTP server piping the body to a file, and a plain in-process file write (no HTTP at all).',
  );
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY; // s3 | local
  const rows: Row[] = [];
  if (only !== 'local') rows.push(await benchS3());
  if (only !== 's3') rows.push(...(await benchLocal()));
  print(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
