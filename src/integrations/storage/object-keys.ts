import { randomUUID } from 'node:crypto';
import { extensionFor } from './content-types';

/** Characters S3 documents as safe in keys (besides `/`, which we only place ourselves). */
const UNSAFE_KEY_CHARACTERS = /[^0-9A-Za-z!\-_.*'()]/g;
const MAX_OWNER_SEGMENT = 100;

/**
 * Turns an owner id (`key:0192…`, `user:…`) into one safe key segment:
 * unsafe characters become `_`, leading dots are dropped (no `.`/`..`
 * segments), and the length is capped.
 */
export function ownerKeySegment(ownerId: string): string {
  const safe = ownerId.replace(UNSAFE_KEY_CHARACTERS, '_').replace(/^\.+/, '').slice(0, MAX_OWNER_SEGMENT);
  return safe === '' ? '_' : safe;
}

/**
 * A new object key `<owner>/<yyyy>/<mm>/<uuid>.<ext>`. Everything in it comes
 * from the server (owner id, clock, random UUID, the extension of an allowed
 * content type); the user's file name never becomes part of a path.
 *
 * @example objectKeyFor('key:42', 'image/png', new Date('2026-11-27')) // 'key_42/2026/11/<uuid>.png'
 */
export function objectKeyFor(ownerId: string, contentType: string, now: Date = new Date()): string {
  const yyyy = String(now.getUTCFullYear()).padStart(4, '0');
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${ownerKeySegment(ownerId)}/${yyyy}/${mm}/${randomUUID()}.${extensionFor(contentType)}`;
}

const KEY_SHAPE = /^[0-9A-Za-z!\-_*'()][0-9A-Za-z!\-_.*'()]{0,99}\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.[a-z0-9]{1,10}$/;

/** True for keys this module generates; the local driver refuses anything else as a path. */
export function isGeneratedKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}
