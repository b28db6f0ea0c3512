import { join, resolve } from 'node:path';
import type { ConfigType } from '@nestjs/config';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { bool, int, list, str } from '../../config/env.parse';
import { isSet } from '../../config/env-rules';
import { EmptyAsUndefined, IsBooleanString, IsHttpUrl, IsIntString } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';

class StorageEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['local', 's3'])
  STORAGE_DRIVER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'STORAGE_URL_SECRET must be at least 32 characters' })
  STORAGE_URL_SECRET?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 5 * 1024 ** 4)
  STORAGE_MAX_UPLOAD_BYTES?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  STORAGE_ALLOWED_TYPES?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 604_800)
  STORAGE_URL_MAX_EXPIRES_SECONDS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(60, 86_400)
  STORAGE_SWEEP_INTERVAL_SECONDS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  S3_BUCKET?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  S3_REGION?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  S3_ENDPOINT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  S3_FORCE_PATH_STYLE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  // S3 refuses multipart parts under 5 MiB (except the last); 512 MiB keeps memory sane.
  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(5 * 1024 ** 2, 512 * 1024 ** 2)
  S3_PART_SIZE_BYTES?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 16)
  S3_QUEUE_SIZE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(100, 24 * 60 * 60 * 1000)
  S3_UPLOAD_TIMEOUT_MS?: string;
}

/**
 * Storage: its variables, the S3 group (set S3_BUCKET and S3 is used), the
 * static-credentials pair, its secrets and defaults. The local driver needs
 * nothing, so `configured`/`missing` speak of S3 only.
 */
export const storageConfig = defineProviderConfig({
  namespace: 'storage',
  label: 'S3 storage',
  schema: StorageEnv,
  required: ['S3_BUCKET'],
  optional: ['S3_REGION', 'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  groups: [{ label: 'S3 static credentials', required: ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] }],
  secrets: ['STORAGE_URL_SECRET', 'S3_SECRET_ACCESS_KEY'],
  load: (env) => {
    const dataDir = resolve(str(env.DATA_DIR, './data'));
    return {
      driver: (str(env.STORAGE_DRIVER) ?? (isSet(env.S3_BUCKET) ? 's3' : 'local')) as 'local' | 's3',
      /** Signs local-driver URLs. Unset in development: a random per-process secret (URLs die with the process). */
      urlSecret: str(env.STORAGE_URL_SECRET),
      localRoot: join(dataDir, 'files'),
      maxUploadBytes: int(env.STORAGE_MAX_UPLOAD_BYTES, 100 * 1024 * 1024),
      allowedTypes: list(env.STORAGE_ALLOWED_TYPES, [
        'image/png',
        'image/jpeg',
        'image/gif',
        'image/webp',
        'application/pdf',
        'text/plain',
        'text/csv',
        'application/json',
        'application/zip',
        'application/octet-stream',
      ]),
      urlMaxExpiresSeconds: int(env.STORAGE_URL_MAX_EXPIRES_SECONDS, 604_800),
      /** How often expired, never-confirmed uploads are looked for and removed. */
      sweepIntervalSeconds: int(env.STORAGE_SWEEP_INTERVAL_SECONDS, 300),
      s3: {
        configured: isSet(env.S3_BUCKET),
        bucket: str(env.S3_BUCKET),
        region: str(env.S3_REGION, 'us-east-1'),
        endpoint: str(env.S3_ENDPOINT),
        forcePathStyle: bool(env.S3_FORCE_PATH_STYLE, isSet(env.S3_ENDPOINT)),
        accessKeyId: str(env.S3_ACCESS_KEY_ID),
        secretAccessKey: str(env.S3_SECRET_ACCESS_KEY),
        /** Multipart part size; one upload holds about partSize × (queueSize + 1) in memory. */
        partSizeBytes: int(env.S3_PART_SIZE_BYTES, 5 * 1024 ** 2),
        queueSize: int(env.S3_QUEUE_SIZE, 4),
        /** The whole streamed upload (the s3 policy's `upload` operation): it lasts as long as the client sends. */
        uploadTimeoutMs: int(env.S3_UPLOAD_TIMEOUT_MS, 6 * 60 * 60 * 1000),
      },
    };
  },
  rules: (env) =>
    env.STORAGE_DRIVER === 's3' && !isSet(env.S3_BUCKET) ? ['S3_BUCKET: required when STORAGE_DRIVER=s3'] : [],
  production: (env) =>
    (env.STORAGE_DRIVER ?? 'local') === 'local' && !isSet(env.STORAGE_URL_SECRET)
      ? ['STORAGE_URL_SECRET: must be set in production (signs local download/upload URLs)']
      : [],
});

export type StorageConfig = ConfigType<typeof storageConfig>;
