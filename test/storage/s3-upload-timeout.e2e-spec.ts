import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { StallingS3 } from '../support/s3/stalling-s3.server';
import { MiB, PROBLEM, png } from './file-scenarios';

describe('S3 upload timeout (a stand-in that never answers the PUT)', () => {
  let s3: StallingS3;
  let t: TestApp;

  beforeAll(async () => {
    s3 = await new StallingS3().start();
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'stalled',
        S3_ENDPOINT: s3.url,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'test-access-key',
        S3_SECRET_ACCESS_KEY: 'test-secret-key',
        S3_UPLOAD_TIMEOUT_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('answers 504 at the upload timeout and aborts the request to S3, which then receives nothing more', async () => {
    const body = png(3 * MiB);
    const res = await request(t.url)
      .post('/files')
      .set('X-Api-Key', TEST_KEY)
      .attach('file', body, { filename: 'big.png', contentType: 'image/png' });
    expect(res.status).toBe(504);
    expect(res.type).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ provider: 's3' });
    const put = s3.puts[0];
    expect(put).toBeDefined();
    await eventually(
      () => Promise.resolve(put.aborted ? true : undefined),
      5_000,
      'the stand-in to see the PUT aborted',
    );
    // The connection is gone, so nothing more can arrive.
    const received = put.bytes;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(put.bytes).toBe(received);
  });
});
