import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { once } from 'node:events';
import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import type { TestApp } from '../support/app';

/** A third, non-admin caller. */
export const OTHER_KEY = 'pk_test_other_key_0123456789';
export const OTHER_KEY_ENTRY = apiKeyEntry('other', OTHER_KEY);

export const MiB = 1024 * 1024;
/** Upload limit of the apps under test: room for the 12 MiB multipart case, not for 16 MiB. */
export const MAX_UPLOAD_BYTES = 13 * MiB;
export const PART_SIZE_BYTES = 5 * MiB;
export const PROBLEM = /application\/problem\+json/;

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function png(size: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, randomBytes(Math.max(0, size - PNG_SIGNATURE.length))]);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function fetchBytes(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export function uploadFile(
  t: TestApp,
  bytes: Buffer,
  options: { filename?: string; contentType?: string; key?: string } = {},
): request.Test {
  return request(t.url)
    .post('/files')
    .set('X-Api-Key', options.key ?? TEST_KEY)
    .attach('file', bytes, {
      filename: options.filename ?? 'picture.png',
      contentType: options.contentType ?? 'image/png',
    });
}

export interface StreamedAnswer {
  readonly status: number;
  readonly type: string;
  readonly retryAfter?: string;
  readonly body: Record<string, unknown>;
}

/**
 * POST /files with a chunked multipart body (no Content-Length), so the server
 * only learns the size while streaming. `between` runs after `first` was sent.
 */
export async function postStreamed(
  t: TestApp,
  first: Buffer,
  options: { rest?: Buffer; between?: () => Promise<void>; contentType?: string; key?: string } = {},
): Promise<StreamedAnswer> {
  const boundary = `----portico${randomBytes(8).toString('hex')}`;
  const req = httpRequest(`${t.url}/files`, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'X-Api-Key': options.key ?? TEST_KEY },
  });
  const answered = new Promise<StreamedAnswer>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          retryAfter: res.headers['retry-after'],
          body: JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
  });
  // Like a browser, stop sending once the server has answered (it may answer early: 413, 503);
  // Node's client never emits 'drain' again after the response has ended.
  let early = false;
  void answered.then(
    () => (early = true),
    () => (early = true),
  );
  const send = async (chunk: Buffer | string): Promise<void> => {
    if (!early && !req.write(chunk)) await Promise.race([once(req, 'drain'), answered]);
  };
  await send(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="streamed.bin"\r\nContent-Type: ${options.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  await send(first);
  await options.between?.();
  if (options.rest) await send(options.rest);
  if (early) req.destroy();
  else req.end(`\r\n--${boundary}--\r\n`);
  return answered;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a scenario needs to know about the backend under test. */
export interface Backend {
  readonly app: TestApp;
  /** Keys of complete objects in storage. */
  storedKeys(): Promise<string[]>;
}

/**
 * Behaviour both drivers must show, run against each (see files-local and
 * files-s3 specs). `backend()` is read inside the tests, after beforeAll.
 */
export function fileScenarios(backend: () => Backend): void {
  const app = (): TestApp => backend().app;

  it('round-trips an upload: 201 with id, server key, size and sha256; the download URL serves the same bytes', async () => {
    const bytes = png(70_000);
    const res = await uploadFile(app(), bytes, { filename: 'holiday photo.png' }).expect(201);
    expect(res.body).toMatchObject({
      size: bytes.length,
      contentType: 'image/png',
      sha256: sha256(bytes),
      filename: 'holiday photo.png',
      status: 'ready',
    });
    expect(res.body.key).toMatch(/^key_[A-Za-z0-9_-]+\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.png$/);
    expect(res.headers.location).toBe(`/files/${res.body.id}`);
    expect(await backend().storedKeys()).toContain(res.body.key);

    const fromUploadUrl = await fetchBytes(res.body.url);
    expect(fromUploadUrl.status).toBe(200);
    expect(sha256(fromUploadUrl.body)).toBe(sha256(bytes));

    const meta = await request(app().url).get(`/files/${res.body.id}`).set('X-Api-Key', TEST_KEY).expect(200);
    expect(meta.body).toMatchObject({
      id: res.body.id,
      key: res.body.key,
      size: bytes.length,
      sha256: sha256(bytes),
      status: 'ready',
    });

    const link = await request(app().url)
      .get(`/files/${res.body.id}/download-url?expiresIn=120`)
      .set('X-Api-Key', TEST_KEY)
      .expect(200);
    expect(link.body.method).toBe('GET');
    const expiresInMs = Date.parse(link.body.expiresAt) - Date.now();
    expect(expiresInMs).toBeGreaterThan(100_000);
    expect(expiresInMs).toBeLessThanOrEqual(121_000);
    const download = await fetchBytes(link.body.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.body.equals(bytes)).toBe(true);
  });

  it('serves byte ranges of a download (206), like S3', async () => {
    const bytes = png(10_000);
    const res = await uploadFile(app(), bytes).expect(201);
    const part = await fetchBytes(res.body.url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    const outside = await fetch(res.body.url, { headers: { Range: `bytes=${bytes.length + 10}-` } });
    expect(outside.status).toBe(416);
  });

  it('names the download with RFC 6266 filename* (UTF-8) and an ASCII fallback', async () => {
    // Multipart carries names as raw UTF-8 (quotes would arrive as %22, as browsers encode them).
    const name = 'résumé final 😀.txt';
    const res = await uploadFile(app(), Buffer.from('plain text\n'), {
      filename: name,
      contentType: 'text/plain',
    }).expect(201);
    expect(res.body.filename).toBe(name);
    const download = await fetchBytes(res.body.url);
    const disposition = download.headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(disposition).toMatch(/^attachment; filename="r_sum_ final _.txt"/);
  });

  it('streams files above the part size (12 MiB) intact', async () => {
    const bytes = randomBytes(12 * MiB);
    const res = await uploadFile(app(), bytes, { filename: 'big.bin', contentType: 'application/octet-stream' }).expect(
      201,
    );
    expect(res.body).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    const download = await fetchBytes(res.body.url);
    expect(sha256(download.body)).toBe(sha256(bytes));
  });

  it('answers 413 at once when the declared Content-Length cannot fit', async () => {
    const before = await backend().storedKeys();
    const res = await uploadFile(app(), randomBytes(16 * MiB), {
      filename: 'huge.bin',
      contentType: 'application/octet-stream',
      key: OTHER_KEY,
    });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 413, maxBytes: MAX_UPLOAD_BYTES });
    expect(await backend().storedKeys()).toEqual(before);
  });

  it('answers 413 when a streamed upload passes STORAGE_MAX_UPLOAD_BYTES, removing what was stored and leaving no row', async () => {
    const before = await backend().storedKeys();
    const res = await postStreamed(app(), randomBytes(8 * MiB), { rest: randomBytes(8 * MiB), key: OTHER_KEY });
    expect(res.status).toBe(413);
    expect(res.type).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 413, maxBytes: MAX_UPLOAD_BYTES });
    expect(await backend().storedKeys()).toEqual(before);
    const list = await request(app().url).get('/files').set('X-Api-Key', OTHER_KEY).expect(200);
    expect(list.body.items).toEqual([]);
    // And the service keeps answering on the same app.
    await uploadFile(app(), png(100), { key: OTHER_KEY })
      .expect(201)
      .then((r) => request(app().url).delete(`/files/${r.body.id}`).set('X-Api-Key', OTHER_KEY).expect(204));
  });

  it('answers 415 for a type outside the allow-list and for bytes that contradict the declared type', async () => {
    const before = await backend().storedKeys();
    const exe = await uploadFile(app(), Buffer.from('MZ\x90\x00binary'), {
      filename: 'tool.exe',
      contentType: 'application/x-msdownload',
    });
    expect(exe.status).toBe(415);
    expect(exe.headers['content-type']).toMatch(PROBLEM);
    const fake = await uploadFile(app(), Buffer.from('<html>definitely not a png</html>'), {
      filename: 'x.png',
      contentType: 'image/png',
    });
    expect(fake.status).toBe(415);
    expect(fake.body.detail).toMatch(/does not match its declared type image\/png/);
    const binaryText = await uploadFile(app(), png(1000), { filename: 'notes.txt', contentType: 'text/plain' });
    expect(binaryText.status).toBe(415);
    expect(await backend().storedKeys()).toEqual(before);
  });

  it('keeps only the last segment of path-traversal names and never uses a name in the key', async () => {
    const res = await uploadFile(app(), Buffer.from('a,b\n1,2\n'), {
      filename: '../../../etc/passwd.csv',
      contentType: 'text/csv',
    }).expect(201);
    expect(res.body.filename).toBe('passwd.csv');
    expect(res.body.key).not.toMatch(/etc|passwd|\.\./);
    const direct = await request(app().url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: '..\\..\\windows\\win.ini', contentType: 'text/plain', size: 3 })
      .expect(201);
    expect(direct.body.file.filename).toBe('win.ini');
    expect(direct.body.file.key).not.toMatch(/windows|win\.ini|\.\./);
  });

  it('refuses names with control characters, NUL or over 255 bytes with 400', async () => {
    for (const filename of ['bad\u0000name.txt', 'bell\u0007.txt', 'line\nbreak.txt', `${'é'.repeat(128)}.txt`]) {
      const res = await request(app().url)
        .post('/files/upload-url')
        .set('X-Api-Key', TEST_KEY)
        .send({ filename, contentType: 'text/plain', size: 3 });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    const multipart = await uploadFile(app(), Buffer.from('hi'), {
      filename: 'tab\there.txt',
      contentType: 'text/plain',
    });
    expect(multipart.status).toBe(400);
    expect(multipart.body.detail).toMatch(/control characters/);
  });

  it('uploads directly with a presigned PUT (plain fetch), then completes: HEAD-checked and ready', async () => {
    const bytes = png(50_000);
    const created = await request(app().url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'direct.png', contentType: 'image/png', size: bytes.length })
      .expect(201);
    expect(created.body.file.status).toBe('pending');
    expect(created.body.upload).toMatchObject({
      method: 'PUT',
      headers: { 'Content-Type': 'image/png', 'Content-Length': String(bytes.length), 'If-None-Match': '*' },
    });

    const early = await request(app().url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY);
    expect(early.status).toBe(409);

    // The returned headers, as a browser would send them (fetch sets Content-Length from the body itself).
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png', 'If-None-Match': '*' },
      body: bytes,
    });
    expect(put.status).toBe(200);
    const done = await request(app().url)
      .post(`/files/${created.body.file.id}/complete`)
      .set('X-Api-Key', TEST_KEY)
      .expect(200);
    expect(done.body).toMatchObject({ id: created.body.file.id, status: 'ready', size: bytes.length, sha256: null });
    const download = await fetchBytes(done.body.url);
    expect(download.body.equals(bytes)).toBe(true);
  });

  it('refuses expired download and upload URLs', async () => {
    const uploaded = await uploadFile(app(), png(2000)).expect(201);
    const link = await request(app().url)
      .get(`/files/${uploaded.body.id}/download-url?expiresIn=1`)
      .set('X-Api-Key', TEST_KEY)
      .expect(200);
    const direct = await request(app().url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'late.txt', contentType: 'text/plain', size: 5, expiresIn: 1 })
      .expect(201);
    await sleep(2100);
    expect((await fetch(link.body.url)).status).toBe(403);
    const put = await fetch(direct.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'late!',
    });
    expect(put.status).toBe(403);
  });

  it('refuses download-url lifetimes above the maximum', async () => {
    const uploaded = await uploadFile(app(), png(100)).expect(201);
    const res = await request(app().url)
      .get(`/files/${uploaded.body.id}/download-url?expiresIn=604801`)
      .set('X-Api-Key', TEST_KEY);
    expect(res.status).toBe(400);
  });

  it('answers 413 and 415 for upload-url requests that could never be accepted', async () => {
    const big = await request(app().url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'big.bin', contentType: 'application/octet-stream', size: MAX_UPLOAD_BYTES + 1 });
    expect(big.status).toBe(413);
    const exe = await request(app().url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'tool.exe', contentType: 'application/x-msdownload', size: 10 });
    expect(exe.status).toBe(415);
  });

  it("keeps files to their owner: another key gets 404, the admin sees them, lists show one's own", async () => {
    const mine = await uploadFile(app(), png(300)).expect(201);
    await request(app().url).get(`/files/${mine.body.id}`).set('X-Api-Key', OTHER_KEY).expect(404);
    await request(app().url).get(`/files/${mine.body.id}/download-url`).set('X-Api-Key', OTHER_KEY).expect(404);
    await request(app().url).delete(`/files/${mine.body.id}`).set('X-Api-Key', OTHER_KEY).expect(404);
    await request(app().url).get(`/files/${mine.body.id}`).set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    const theirs = await uploadFile(app(), png(300), { key: OTHER_KEY }).expect(201);
    const list = await request(app().url).get('/files?limit=100').set('X-Api-Key', OTHER_KEY).expect(200);
    expect(list.body.items.map((f: { id: string }) => f.id)).toEqual([theirs.body.id]);
    const all = await request(app().url).get('/files?limit=100').set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    expect(all.body.items.map((f: { id: string }) => f.id)).toEqual(
      expect.arrayContaining([mine.body.id, theirs.body.id]),
    );
    await request(app().url).delete(`/files/${theirs.body.id}`).set('X-Api-Key', OTHER_KEY).expect(204);
  });

  it('pages through files with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadFile(app(), png(100), { key: OTHER_KEY }).expect(201)).body.id);
    const first = await request(app().url).get('/files?limit=2').set('X-Api-Key', OTHER_KEY).expect(200);
    expect(first.body.items.map((f: { id: string }) => f.id)).toEqual(ids.slice(0, 2));
    const second = await request(app().url)
      .get(`/files?limit=2&cursor=${first.body.nextCursor}`)
      .set('X-Api-Key', OTHER_KEY)
      .expect(200);
    expect(second.body.items.map((f: { id: string }) => f.id)).toEqual([ids[2]]);
    expect(second.body.nextCursor).toBeNull();
    for (const id of ids) await request(app().url).delete(`/files/${id}`).set('X-Api-Key', OTHER_KEY).expect(204);
  });

  it('deletes a file: the object is gone, the id answers 404, old URLs stop working', async () => {
    const res = await uploadFile(app(), png(500)).expect(201);
    await request(app().url).delete(`/files/${res.body.id}`).set('X-Api-Key', TEST_KEY).expect(204);
    await request(app().url).get(`/files/${res.body.id}`).set('X-Api-Key', TEST_KEY).expect(404);
    expect(await backend().storedKeys()).not.toContain(res.body.key);
    expect((await fetch(res.body.url)).status).toBe(404);
  });
}
