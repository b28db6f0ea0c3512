import { serverTimeouts } from './server-timeouts';

describe(serverTimeouts.name, () => {
  it('gives the largest upload at the slowest accepted speed its time after the headers', () => {
    const timeouts = serverTimeouts(
      { headersTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, minUploadBytesPerSecond: 128 * 1024 },
      100 * 1024 * 1024,
    );
    expect(timeouts).toEqual({ headersTimeout: 30_000, requestTimeout: 830_000, keepAliveTimeout: 65_000 });
    // Node's default 300 s would cut that upload.
    expect(timeouts.requestTimeout).toBeGreaterThan(300_000);
  });
});
