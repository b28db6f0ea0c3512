import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
  existsSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../config/app.config';
import type { StorageConfig } from '../storage.config';
import { objectKeyFor } from '../object-keys';
import { ObjectExistsError } from '../storage-driver';
import { LocalStorageDriver } from './local-storage.adapter';

describe(LocalStorageDriver.name, () => {
  let dataDir: string;
  let sut: LocalStorageDriver;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portico-local-driver-'));
    const storage = {
      localRoot: join(dataDir, 'files'),
      urlSecret: 'a-test-secret-of-at-least-32-characters!',
    } as StorageConfig;
    sut = new LocalStorageDriver(storage, {
      publicUrl: 'https://files.example.com',
      publicUrlConfigured: true,
    } as AppConfig);
    await sut.onModuleInit();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stores under <root>/<key> and reads it back, whole or a range', async () => {
    const key = objectKeyFor('key:1', 'text/plain');
    await expect(
      sut.put({ key, body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), contentType: 'text/plain' }),
    ).resolves.toEqual({ size: 11 });
    expect(readFileSync(join(dataDir, 'files', key), 'utf8')).toBe('hello world');
    expect(await sut.head(key)).toEqual({ size: 11 });
    const chunks: Buffer[] = [];
    for await (const chunk of await sut.openReadStream(key, { start: 6, end: 10 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('world');
  });

  it('leaves nothing behind when the source fails, and reports the source error', async () => {
    const key = objectKeyFor('key:1', 'text/plain');
    const failing = new Readable({ read() {} });
    const stored = sut.put({ key, body: failing, contentType: 'text/plain' });
    failing.push('partial');
    const reason = new Error('too large');
    setImmediate(() => failing.destroy(reason));
    await expect(stored).rejects.toBe(reason);
    expect(existsSync(join(dataDir, 'files', key))).toBe(false);
    expect(readdirSync(join(dataDir, 'files', '.incoming'))).toEqual([]);
  });

  it('refuses to replace an object when asked to create only', async () => {
    const key = objectKeyFor('key:1', 'text/plain');
    await sut.put({ key, body: Readable.from([Buffer.from('first')]), contentType: 'text/plain' });
    await expect(
      sut.put({ key, body: Readable.from([Buffer.from('second')]), contentType: 'text/plain', ifAbsent: true }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
    expect(readFileSync(join(dataDir, 'files', key), 'utf8')).toBe('first');
  });

  it('refuses keys it did not generate as paths', () => {
    for (const key of ['../../etc/passwd', '/etc/passwd', 'key_1/2026/11/../../../x.png', '']) {
      expect(() => sut.pathOf(key)).toThrow(RangeError);
    }
  });

  it('builds every signed URL on PUBLIC_URL', async () => {
    const key = objectKeyFor('key:1', 'image/png');
    const own = await sut.getDownloadUrl({
      key,
      expiresInSeconds: 60,
      contentType: 'image/png',
      contentDisposition: 'attachment',
    });
    expect(own.url).toMatch(/^https:\/\/files\.example\.com\/storage\/local\/objects\?key=/);
    const viaRequest = await sut.createUploadUrl({
      key,
      expiresInSeconds: 60,
      contentType: 'image/png',
      size: 3,
    });
    expect(viaRequest.url).toMatch(/^https:\/\/files\.example\.com\/storage\/local\/objects\?/);
    expect(viaRequest.headers).toEqual({ 'Content-Type': 'image/png', 'Content-Length': '3', 'If-None-Match': '*' });
  });

  it('removes temporary files older than a day at start-up, keeping recent ones', async () => {
    const incoming = join(dataDir, 'files', '.incoming');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(join(incoming, 'old.part'), 'x');
    writeFileSync(join(incoming, 'new.part'), 'y');
    const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000;
    utimesSync(join(incoming, 'old.part'), twoDaysAgo, twoDaysAgo);
    await sut.removeStaleTemporaries(Date.now() - 86_400_000);
    expect(readdirSync(incoming)).toEqual(['new.part']);
  });

  it('without STORAGE_URL_SECRET signs with a random per-process secret and warns', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const config = { localRoot: join(dataDir, 'files'), urlSecret: undefined } as StorageConfig;
      const one = new LocalStorageDriver(config, { publicUrl: 'http://localhost' } as AppConfig);
      const other = new LocalStorageDriver(config, { publicUrl: 'http://localhost' } as AppConfig);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/STORAGE_URL_SECRET is not set/));
      const url = await one.getDownloadUrl({
        key: objectKeyFor('key:1', 'image/png'),
        expiresInSeconds: 60,
        contentType: 'image/png',
        contentDisposition: 'attachment',
      });
      const query = Object.fromEntries(new URL(url.url).searchParams);
      expect(one.signer.verify('GET', query).ok).toBe(true);
      expect(other.signer.verify('GET', query)).toEqual({ ok: false, reason: 'signature' });
    } finally {
      warn.mockRestore();
    }
  });
});
