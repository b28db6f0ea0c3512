import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const DOC = 'docs/EXTENDING.md';

/** Each `<!-- file: path -->` marker and the fenced block right after it. */
function blocks(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)\n```\n/g))
    result.set(match[1], match[2]);
  return result;
}

describe(`${DOC} cannot drift from examples/`, () => {
  const shown = blocks(readFileSync(join(ROOT, DOC), 'utf8'));

  it('shows each named file exactly as it is', () => {
    expect(shown.size).toBeGreaterThan(0);
    for (const [path, code] of shown)
      expect({ path, code }).toEqual({ path, code: readFileSync(join(ROOT, path), 'utf8').trimEnd() });
  });

  it('shows every source file of the tutorial provider (tests aside)', () => {
    const sources = readdirSync(join(ROOT, 'examples/forecast'))
      .filter((name) => name.endsWith('.ts') && !/spec\.ts$/.test(name))
      .map((name) => `examples/forecast/${name}`);
    expect([...shown.keys()].sort()).toEqual(sources.sort());
  });
});
