import { ENV_SPECS, findEnvProblems as findAll } from '../../config/env.validation';
import type { RawEnv } from '../../config/env-rules';
import { declaredProviderConfigs } from '../../config/provider-config';
import { storageConfig } from './storage.config';
import { StorageModule } from './storage.module';

const findEnvProblems = (env: RawEnv): string[] => findAll(env, [...ENV_SPECS, storageConfig.env]);

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
    expect(storageConfig()).toMatchObject({
      driver: 's3',
      configured: true,
      missing: undefined,
      s3: { bucket: 'b', partSizeBytes: 16 * 1024 ** 2 },
    });
  });

  it('names S3_BUCKET while S3 is not set up, and wants both static credentials or neither', () => {
    process.env = {};
    expect(storageConfig.read()).toMatchObject({ driver: 'local', configured: false, missing: ['S3_BUCKET'] });
    expect(findEnvProblems({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'AK' })).toEqual([
      'S3_SECRET_ACCESS_KEY: required for S3 static credentials because S3_ACCESS_KEY_ID is set',
    ]);
    expect(findEnvProblems({ STORAGE_DRIVER: 's3' })).toEqual(['S3_BUCKET: required when STORAGE_DRIVER=s3']);
  });

  it('is declared by the storage module, so start-up finds and validates it', () => {
    expect(declaredProviderConfigs([StorageModule.forRoot()])).toEqual([storageConfig]);
  });
});
