import { attachmentDisposition, normalizeFileName } from './file-names';

describe('normalizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\ada\\notes.txt', 'notes.txt'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['cafe\u0301.txt', 'café.txt'],
  ])('keeps %p as %p', (raw, name) => {
    expect(normalizeFileName(raw)).toEqual({ ok: true, name });
  });

  it.each([
    ['nul\u0000.txt', /control/],
    ['bell\u0007.txt', /control/],
    ['new\nline.txt', /control/],
    ['del\u007f.txt', /control/],
    ['c1\u0085.txt', /control/],
    ['invoice\u202egpj.exe', /direction/],
    ['', /name a file/],
    ['../..', /name a file/],
    ['dir/', /name a file/],
    [`${'a'.repeat(252)}.txt`, /255 bytes/],
    [`${'é'.repeat(126)}.txt`, /255 bytes/],
  ])('refuses %p', (raw, problem) => {
    const result = normalizeFileName(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });

  it('accepts exactly 255 bytes', () => {
    expect(normalizeFileName(`${'a'.repeat(251)}.txt`).ok).toBe(true);
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact name in filename* (RFC 6266 / RFC 8187)', () => {
    expect(attachmentDisposition('résumé "v2" 100%.pdf')).toBe(
      `attachment; filename="r_sum_ _v2_ 100_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22%20100%25.pdf`,
    );
  });

  it("encodes the characters RFC 8187 does not allow raw (' ( ) *)", () => {
    expect(attachmentDisposition("it's (a)*.txt")).toContain("filename*=UTF-8''it%27s%20%28a%29%2A.txt");
  });

  it('replaces an emoji by one fallback character', () => {
    expect(attachmentDisposition('😀.png')).toMatch(/^attachment; filename="_\.png"/);
  });
});
