import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProblemException } from '../../../core/errors';
import { UploadInspector } from './upload-inspector';

async function run(sut: UploadInspector, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    sut,
    new Writable({ write: (chunk: Buffer, _e, cb) => (out.push(chunk), cb()) }),
  );
  return Buffer.concat(out);
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe(UploadInspector.name, () => {
  it('passes bytes through unchanged and reports size and sha256', async () => {
    const data = Buffer.concat([PNG, randomBytes(100_000)]);
    const sut = new UploadInspector(1_000_000, 'image/png');
    const out = await run(sut, [data.subarray(0, 3), data.subarray(3, 5000), data.subarray(5000)]);
    expect(out.equals(data)).toBe(true);
    expect(sut.size).toBe(data.length);
    expect(sut.sha256()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('fails with 413 as soon as the limit is passed, without passing on the excess', async () => {
    const sut = new UploadInspector(10_000, 'application/octet-stream');
    const error = await run(sut, [randomBytes(8000), randomBytes(8000)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).getStatus()).toBe(413);
  });

  it('accepts exactly the limit', async () => {
    const sut = new UploadInspector(10_000, 'application/octet-stream');
    await run(sut, [randomBytes(10_000)]);
    expect(sut.size).toBe(10_000);
  });

  it('fails with 415 before passing on any byte when the first bytes contradict the type', async () => {
    const sut = new UploadInspector(1_000_000, 'image/png');
    const passed: Buffer[] = [];
    sut.on('data', (chunk: Buffer) => passed.push(chunk));
    const error = await pipeline(Readable.from([Buffer.from('<html>'.repeat(1000))]), sut).catch((e: unknown) => e);
    expect((error as ProblemException).getStatus()).toBe(415);
    expect(passed).toEqual([]);
  });

  it('sniffs small files at their end', async () => {
    const sut = new UploadInspector(1_000, 'image/png');
    await expect(run(sut, [Buffer.from([0x89, 0x50])])).rejects.toBeInstanceOf(ProblemException);
    const ok = new UploadInspector(1_000, 'text/plain');
    expect((await run(ok, [Buffer.from('hi')])).toString()).toBe('hi');
  });
});
