import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { MAX_UPLOAD_BYTES, OTHER_KEY_ENTRY, PROBLEM, fileScenarios, png, uploadFile } from './file-scenarios';

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe('Files on the local driver (default)', () => {
  let t: TestApp;
  const root = (): string => join(t.dataDir, 'files');

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        API_KEYS: `${TEST_API_KEYS},${OTHER_KEY_ENTRY}`,
        STORAGE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
        STORAGE_URL_SECRET: 'a-test-secret-of-at-least-32-characters!',
      },
    });
  });
  afterAll(async () => t.close());

  fileScenarios(() => ({ app: t, storedKeys: async () => filesUnder(root()) }));

  it('describes the file endpoints and their problems in the OpenAPI document', async () => {
    const doc = await request(t.url).get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/files',
        '/files/{id}',
        '/files/{id}/download-url',
        '/files/upload-url',
        '/files/{id}/complete',
        '/storage/local/objects',
      ]),
    );
    expect(doc.body.paths['/files'].post.requestBody.content['multipart/form-data']).toBeDefined();
    expect(Object.keys(doc.body.paths['/files'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '413', '415', '503']),
    );
  });

  it('stores files under DATA_DIR/files/<key> and leaves no temporary files', async () => {
    const res = await uploadFile(t, png(1000)).expect(201);
    expect(existsSync(join(root(), res.body.key))).toBe(true);
    expect(filesUnder(join(root(), '.incoming'))).toEqual([]);
  });

  it('refuses a presigned PUT with another content type or length than signed (403), storing nothing', async () => {
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'a.png', contentType: 'image/png', size: 100 })
      .expect(201);
    const wrongType = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/html' },
      body: png(100),
    });
    expect(wrongType.status).toBe(403);
    expect(wrongType.headers.get('content-type')).toMatch(PROBLEM);
    const wrongLength = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: png(101),
    });
    expect(wrongLength.status).toBe(403);
    expect(existsSync(join(root(), created.body.file.key))).toBe(false);
  });

  it('never lets a still-valid upload URL replace a confirmed file (412)', async () => {
    const bytes = png(300);
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'once.png', contentType: 'image/png', size: bytes.length })
      .expect(201);
    expect(
      (await fetch(created.body.upload.url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: bytes }))
        .status,
    ).toBe(200);
    await request(t.url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY).expect(200);
    const again = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: png(300),
    });
    expect(again.status).toBe(412);
    expect(readFileSync(join(root(), created.body.file.key)).equals(bytes)).toBe(true);
  });

  it('refuses a tampered signed URL (other key, longer expiry, other method)', async () => {
    const res = await uploadFile(t, png(100)).expect(201);
    const url = new URL(res.body.url);
    const longer = new URL(url);
    longer.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    expect((await fetch(longer)).status).toBe(403);
    const other = new URL(url);
    other.searchParams.set('key', res.body.key.replace(/\.png$/, '.txt'));
    expect((await fetch(other)).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: png(100) })).status).toBe(
      403,
    );
    expect((await fetch(url)).status).toBe(200);
  });

  it('accepts a presigned PUT of a JSON file untouched by the JSON body parser', async () => {
    const json = Buffer.from(JSON.stringify({ hello: 'world', list: [1, 2, 3] }));
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'data.json', contentType: 'application/json', size: json.length })
      .expect(201);
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: json,
    });
    expect(put.status).toBe(200);
    const done = await request(t.url)
      .post(`/files/${created.body.file.id}/complete`)
      .set('X-Api-Key', TEST_KEY)
      .expect(200);
    const download = await fetch(done.body.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(json)).toBe(true);
  });

  it('refuses at complete a direct upload whose bytes contradict the declared type, and removes it', async () => {
    const html = Buffer.from('<html><body>not a png</body></html>');
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'fake.png', contentType: 'image/png', size: html.length })
      .expect(201);
    expect(
      (await fetch(created.body.upload.url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: html }))
        .status,
    ).toBe(200);
    const done = await request(t.url).post(`/files/${created.body.file.id}/complete`).set('X-Api-Key', TEST_KEY);
    expect(done.status).toBe(415);
    expect(existsSync(join(root(), created.body.file.key))).toBe(false);
  });

  it('sweeps unconfirmed direct uploads once expired', async () => {
    const { DirectUploadsService } = await import('../../src/integrations/storage/files/direct-uploads.service');
    const bytes = Buffer.from('abandoned');
    const created = await request(t.url)
      .post('/files/upload-url')
      .set('X-Api-Key', TEST_KEY)
      .send({ filename: 'x.txt', contentType: 'text/plain', size: bytes.length, expiresIn: 60 })
      .expect(201);
    await fetch(created.body.upload.url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: bytes });
    const service = t.app.get(DirectUploadsService);
    expect(await service.sweepExpired(new Date())).toBe(0);
    expect(await service.sweepExpired(new Date(Date.now() + 2 * 3600 * 1000))).toBeGreaterThanOrEqual(1);
    await request(t.url).get(`/files/${created.body.file.id}`).set('X-Api-Key', TEST_KEY).expect(404);
    expect(existsSync(join(root(), created.body.file.key))).toBe(false);
  });
});
