/**
 * s3rver in a process of its own, so the benchmark's client side and the
 * storage server do not share one event loop. Prints `{"port":N}` once listening.
 * Usage: node -r @swc-node/register bench/support/s3rver-process.ts <directory> <bucket>
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }> };

const [directory, bucket] = process.argv.slice(2);
new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
})
  .run()
  .then(({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`))
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
