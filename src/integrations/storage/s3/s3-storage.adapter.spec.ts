import type { StorageConfig } from '../storage.config';
import { S3StorageDriver } from './s3-storage.adapter';

const MiB = 1024 * 1024;

interface Overrides {
  readonly partSizeBytes?: number;
  readonly queueSize?: number;
  readonly maxUploadBytes?: number;
}

function driverFor(overrides: Overrides = {}): S3StorageDriver {
  const config: StorageConfig = {
    configured: true,
    missing: undefined,
    driver: 's3',
    urlSecret: undefined,
    localRoot: '/tmp/unused',
    maxUploadBytes: overrides.maxUploadBytes ?? 100 * MiB,
    allowedTypes: ['image/png'],
    urlMaxExpiresSeconds: 604_800,
    sweepIntervalSeconds: 300,
    s3: {
      configured: true,
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      partSizeBytes: overrides.partSizeBytes ?? 5 * MiB,
      queueSize: overrides.queueSize ?? 4,
      uploadTimeoutMs: 60_000,
    },
  };
  return new S3StorageDriver(config);
}

describe(S3StorageDriver.name, () => {
  it('uploads in parts of S3_PART_SIZE_BYTES with S3_QUEUE_SIZE in flight', () => {
    expect(driverFor({ partSizeBytes: 16 * MiB, queueSize: 2 }).uploadWindow()).toEqual({
      partSize: 16 * MiB,
      queueSize: 2,
    });
  });

  it('raises the part size so the largest accepted upload fits in 10,000 parts', () => {
    const sut = driverFor({ maxUploadBytes: 100 * 1024 * MiB });
    expect(sut.uploadWindow().partSize).toBe(Math.ceil((100 * 1024 * MiB) / 10_000));
  });

  it('presigns a create-only PUT bound to content type and length, without checksum parameters', async () => {
    const sut = driverFor();
    const signed = await sut.createUploadUrl({
      key: 'k/2026/11/x.png',
      contentType: 'image/png',
      size: 10,
      expiresInSeconds: 300,
    });
    const url = new URL(signed.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(signed.headers).toEqual({ 'Content-Type': 'image/png', 'Content-Length': '10', 'If-None-Match': '*' });
    expect(signed.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    sut.onModuleDestroy();
  });
});
