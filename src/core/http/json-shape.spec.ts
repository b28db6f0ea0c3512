import { findJsonShapeViolation } from './json-shape';

const scan = (text: string, maxDepth = 32) => findJsonShapeViolation(Buffer.from(text), maxDepth);

describe(findJsonShapeViolation.name, () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(scan(`${'['.repeat(3)}1${']'.repeat(3)}`, 3)).toBeUndefined();
    expect(scan(`{"a":{"b":[1]}}`, 3)).toBeUndefined();
    expect(scan(`{"a":{"b":[[1]]}}`, 3)).toEqual({ kind: 'depth', maxDepth: 3 });
  });

  it('stops at the first level past the limit, whatever follows', () => {
    expect(scan('['.repeat(1_000_000))).toEqual({ kind: 'depth', maxDepth: 32 });
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(scan(JSON.stringify({ text: '[[[[{{{{"\\"[[[' }), 2)).toBeUndefined();
    expect(scan('["\\\\", [[1]]]', 2)).toEqual({ kind: 'depth', maxDepth: 2 });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as a key at any depth', (key) => {
    expect(scan(`{"${key}":1}`)).toEqual({ kind: 'key', key });
    expect(scan(`{"a":[{"b":{"${key}"\n :{}}}]}`)).toEqual({ kind: 'key', key });
  });

  it('refuses escaped spellings of the keys', () => {
    expect(scan('{"\\u005f_proto__":{}}')).toEqual({ kind: 'key', key: '__proto__' });
    expect(scan('{"construct\\u006fr":{}}')).toEqual({ kind: 'key', key: 'constructor' });
  });

  it('accepts the same words as values and as parts of longer keys', () => {
    expect(scan('{"a":"__proto__","b":["constructor"],"prototypes":1,"my_constructor":2}')).toBeUndefined();
  });

  it('refuses escapes of lone surrogates, accepts pairs and escaped backslashes', () => {
    expect(scan('{"k":"\\ud800"}')).toEqual({ kind: 'surrogate' });
    expect(scan('{"k":"a\\udc00b"}')).toEqual({ kind: 'surrogate' });
    expect(scan('{"k":"\\ud83d\\ude00"}')).toBeUndefined();
    expect(scan('{"k":"\\\\ud800"}')).toBeUndefined();
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(scan('{"a":"unterminated')).toBeUndefined();
    expect(scan(']]]')).toBeUndefined();
  });
});
