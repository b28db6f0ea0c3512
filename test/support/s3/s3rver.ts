import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver's API we use (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  on(event: 'event', listener: (event: S3rverEvent) => void): void;
  close(): Promise<void>;
  httpServer?: Server;
}
interface S3rverEvent {
  readonly Records: ReadonlyArray<{
    readonly eventName: string;
    readonly s3: { readonly object: { readonly key: string } };
  }>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as S3rverConstructor;

/** s3rver's fixed credentials (it does not verify SigV4 signatures, only their presence and expiry). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly directory: string;
  /** Env for the app: STORAGE_DRIVER=s3 pointed at this server. */
  readonly env: Record<string, string>;
  /** A client of its own, for checking what is stored. */
  readonly client: S3Client;
  /** Object events so far: `ObjectCreated:Put` (single PUT), `ObjectCreated:Post` (multipart completed), `ObjectRemoved:Delete`. */
  readonly events: Array<{ readonly name: string; readonly key: string }>;
  /** Keys in the bucket (completed objects only). */
  keys(): Promise<string[]>;
  /** Stops listening and drops open connections (like a crashed server). */
  stop(): Promise<void>;
  /** Listens again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops and removes the data directory. */
  dispose(): Promise<void>;
}

/** s3rver on a free loopback port with a temporary directory and one bucket. */
export async function startS3rver(bucket = 'portico-test'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'portico-s3rver-'));
  const events: Array<{ name: string; key: string }> = [];
  const create = (port: number): S3rverInstance => {
    const instance = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    instance.on('event', (event) => {
      for (const record of event.Records) events.push({ name: record.eventName, key: record.s3.object.key });
    });
    return instance;
  };
  let server = create(0);
  const { port } = await server.run();
  let running = true;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    const closed = server.close();
    server.httpServer?.closeAllConnections();
    await closed;
  };
  return {
    endpoint,
    bucket,
    directory,
    client,
    events,
    env: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    keys: async () => {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (out.Contents ?? []).map((item) => item.Key ?? '');
    },
    stop,
    restart: async () => {
      if (running) return;
      server = create(port);
      await server.run();
      running = true;
    },
    dispose: async () => {
      await stop();
      client.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
