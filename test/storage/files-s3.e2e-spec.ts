import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { type LocalS3, startS3rver } from '../support/s3/s3rver';
import {
  MAX_UPLOAD_BYTES,
  MiB,
  OTHER_KEY_ENTRY,
  PART_SIZE_BYTES,
  PROBLEM,
  fileScenarios,
  png,
  postStreamed,
  sleep,
  uploadFile,
} from './file-scenarios';

const BREAKER_COOLDOWN_MS = 1000;

describe('Files on the S3 driver (s3rver)', () => {
  let s3: LocalS3;
  let t: TestApp;

  beforeAll(async () => {
    s3 = await startS3rver();
    t = await startTestApp({
      env: {
        ...s3.env,
        API_KEYS: `${TEST_API_KEYS},${OTHER_KEY_ENTRY}`,
        STORAGE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
        S3_PART_SIZE_BYTES: String(PART_SIZE_BYTES),
        S3_QUEUE_SIZE: '2',
        // A short breaker pause and quick retries keep the S3-down cases fast.
        RESILIENCE_S3_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
        RESILIENCE_S3_BACKOFF_BASE_MS: '10',
        RESILIENCE_S3_BACKOFF_CAP_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.dispose();
  });

  fileScenarios(() => ({ app: t, storedKeys: () => s3.keys() }));

  it('reports the s3 provider up in readiness', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body.providers.s3).toMatchObject({ status: 'up', bucket: s3.bucket });
  });

  it("does not hold clients' mistakes against S3: many refused uploads leave it up and uploads working", async () => {
    for (let i = 0; i < 30; i++) {
      const refused = await uploadFile(t, Buffer.from(`<html>${i}</html>`), {
        filename: 'fake.png',
        contentType: 'image/png',
      });
      expect(refused.status).toBe(415);
    }
    const health = await request(t.url).get('/health/ready').expect(200);
    expect(health.body.providers.s3.status).toBe('up');
    await uploadFile(t, png(500)).expect(201);
  });

  it('uploads small files with one PUT and files above the part size as a multipart upload', async () => {
    const small = await uploadFile(t, png(1000)).expect(201);
    const large = await uploadFile(t, randomBytes(PART_SIZE_BYTES * 2 + MiB), {
      contentType: 'application/octet-stream',
      filename: 'large.bin',
    }).expect(201);
    expect(s3.events).toEqual(
      expect.arrayContaining([
        { name: 'ObjectCreated:Put', key: small.body.key },
        { name: 'ObjectCreated:Post', key: large.body.key },
      ]),
    );
  });

  it('signs Content-Type and Content-Length into the presigned PUT (what S3 enforces)', async () => {
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'a.png', contentType: 'image/png', size: 1234, expiresIn: 600 })
      .expect(201);
    const url = new URL(created.body.upload.url);
    // s3rver does not check SigV4 signatures, so these bindings are asserted on the URL (real S3 refuses a mismatch with 403, and a replacement with 412).
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host', 'if-none-match']),
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    // CRC32 checksums off (WHEN_REQUIRED): nothing a plain HTTP client would have to compute.
    expect([...url.searchParams.keys()].some((name) => /checksum/i.test(name))).toBe(false);
  });

  it('wrong content type on a presigned PUT: s3rver stores it (it does not verify SigV4), complete refuses it with 415 and removes it', async () => {
    const html = Buffer.from('<html>not a png</html>');
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'x.png', contentType: 'image/png', size: html.length })
      .expect(201);
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/html' },
      body: html,
    });
    expect(put.status).toBe(200); // real S3 answers 403 SignatureDoesNotMatch here
    const done = await request(t.url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY);
    expect(done.status).toBe(415);
    expect(await s3.keys()).not.toContain(created.body.file.key);
    const meta = await request(t.url).get(`/files/${created.body.file.id}`).set('X-Api-Key', TEST_KEY).expect(200);
    expect(meta.body.status).toBe('pending');
  });

  it('complete refuses an object of another size than declared (422) and removes it', async () => {
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'x.png', contentType: 'image/png', size: 500 })
      .expect(201);
    await fetch(created.body.upload.url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: png(400) });
    const done = await request(t.url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY);
    expect(done.status).toBe(422);
    expect(await s3.keys()).not.toContain(created.body.file.key);
  });

  it('S3 stopped: uploads and completes answer 503 problem+json, nothing is marked ready; it recovers when S3 is back', async () => {
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'later.png', contentType: 'image/png', size: 100 })
      .expect(201);
    const before = await request(t.url).get('/files?limit=100').set('X-Api-Key', TEST_KEY).expect(200);
    await s3.stop();
    try {
      const small = await uploadFile(t, png(2000), { filename: 'while-down.png' });
      expect(small.status).toBe(503);
      expect(small.headers['content-type']).toMatch(PROBLEM);
      expect(small.body).toMatchObject({ status: 503, provider: 's3', title: 'Provider unavailable' });
      expect(JSON.stringify(small.body)).not.toMatch(/S3RVER|127\.0\.0\.1/);

      const large = await uploadFile(t, randomBytes(PART_SIZE_BYTES + MiB), {
        filename: 'while-down.bin',
        contentType: 'application/octet-stream',
      });
      expect(large.status).toBe(503);

      const done = await request(t.url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY);
      expect(done.status).toBe(503);

      const health = await request(t.url).get('/health/ready');
      expect(health.body.providers.s3.status).toBe('degraded');

      const after = await request(t.url).get('/files?limit=100').set('X-Api-Key', TEST_KEY).expect(200);
      expect(after.body.items).toEqual(before.body.items);
      expect(after.body.items.every((f: { status: string }) => f.status === 'ready')).toBe(true);
    } finally {
      await s3.restart();
    }
    // The breaker let nothing through while S3 was down; after its pause, one probe call closes it again.
    await sleep(BREAKER_COOLDOWN_MS + 200);
    const again = await uploadFile(t, png(2000)).expect(201);
    expect(await s3.keys()).toContain(again.body.key);
  });

  it('breaker open: a streamed upload is refused at once with 503 and Retry-After, the body drained', async () => {
    await s3.stop();
    try {
      for (let i = 0; i < 6; i++) expect((await uploadFile(t, png(100))).status).toBe(503);
    } finally {
      await s3.restart();
    }
    const res = await postStreamed(t, randomBytes(2 * MiB), {
      rest: randomBytes(2 * MiB),
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ provider: 's3', detail: expect.stringMatching(/circuit is open/) });
    expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
    await sleep(BREAKER_COOLDOWN_MS + 200);
    await uploadFile(t, png(100)).expect(201);
  });

  describe('multipart uploads that fail', () => {
    let sent: unknown[];
    let spy: jest.SpyInstance;
    beforeEach(() => {
      sent = [];
      const send = S3Client.prototype.send;
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- jest's mock type wants void; `send` returns its promise as the real one does
      spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (
        this: S3Client,
        command: unknown,
        ...rest: unknown[]
      ) {
        sent.push(command);
        return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
      } as typeof send);
    });
    afterEach(() => spy.mockRestore());

    const uploadIds = (type: new (...args: never[]) => { input: { UploadId?: string } }): Array<string | undefined> =>
      sent.filter((command) => command instanceof type).map((command) => command.input.UploadId);

    it('aborts the multipart upload when the size limit stops it (413), never completing it', async () => {
      const res = await postStreamed(t, randomBytes(8 * MiB), { rest: randomBytes(8 * MiB) });
      expect(res.status).toBe(413);
      expect(sent.some((command) => command instanceof CreateMultipartUploadCommand)).toBe(true);
      expect(sent.some((command) => command instanceof UploadPartCommand)).toBe(true);
      const started = uploadIds(UploadPartCommand)[0];
      expect(uploadIds(AbortMultipartUploadCommand)).toEqual([started]);
      expect(sent.some((command) => command instanceof CompleteMultipartUploadCommand)).toBe(false);
    });

    it('S3 stopped mid-upload: 503 problem, abort attempted, nothing stored or marked ready', async () => {
      const before = await request(t.url).get('/files?limit=100').set('X-Api-Key', TEST_KEY).expect(200);
      const keysBefore = await s3.keys();
      const answer = postStreamed(t, randomBytes(PART_SIZE_BYTES + MiB), {
        rest: randomBytes(PART_SIZE_BYTES),
        between: async () => {
          for (let i = 0; i < 100 && !sent.some((command) => command instanceof UploadPartCommand); i++)
            await sleep(50);
          expect(sent.some((command) => command instanceof UploadPartCommand)).toBe(true);
          await s3.stop();
        },
      });
      try {
        const res = await answer;
        expect(res.status).toBe(503);
        expect(res.type).toMatch(PROBLEM);
        expect(res.body).toMatchObject({ status: 503, provider: 's3' });
        expect(uploadIds(AbortMultipartUploadCommand)).toEqual([uploadIds(UploadPartCommand)[0]]);
        expect(sent.some((command) => command instanceof CompleteMultipartUploadCommand)).toBe(false);
      } finally {
        await s3.restart();
      }
      const after = await request(t.url).get('/files?limit=100').set('X-Api-Key', TEST_KEY).expect(200);
      expect(after.body.items).toEqual(before.body.items);
      expect(await s3.keys()).toEqual(keysBefore);
    });
  });
});
