import { findEnvProblems } from './env.validation';
import { storageConfig } from './storage.config';

describe('storage config', () => {
  const original = { ...process.env };
  afterEach(() => {
    process.env = { ...original };
  });

  it.each([
    ['S3_PART_SIZE_BYTES', String(5 * 1024 ** 2 - 1)],
    ['S3_PART_SIZE_BYTES', 'big'],
    ['S3_QUEUE_SIZE', '0'],
    ['S3_QUEUE_SIZE', '17'],
    ['STORAGE_SWEEP_INTERVAL_SECONDS', '5'],
  ])('refuses %s=%s', (name, value) => {
    expect(findEnvProblems({ [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}`))]);
  });

  it('accepts the smallest part size S3 allows without turning the S3 group on', () => {
    expect(findEnvProblems({ S3_PART_SIZE_BYTES: String(5 * 1024 ** 2), S3_QUEUE_SIZE: '8' })).toEqual([]);
  });

  it('defaults to the local driver with 5 MiB parts, 4 in flight, a 5-minute sweep', () => {
    process.env = { DATA_DIR: '/srv/portico' };
    const config = storageConfig();
    expect(config).toMatchObject({
      driver: 'local',
      localRoot: '/srv/portico/files',
      sweepIntervalSeconds: 300,
      s3: { partSizeBytes: 5 * 1024 ** 2, queueSize: 4 },
    });
  });

  it('chooses the s3 driver when a bucket is set', () => {
    process.env = { S3_BUCKET: 'b', S3_PART_SIZE_BYTES: String(16 * 1024 ** 2) };
    expect(storageConfig()).toMatchObject({ driver: 's3', s3: { bucket: 'b', partSizeBytes: 16 * 1024 ** 2 } });
  });
});
