import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, drawn from the system 4 KiB at a time (as Node's own
 * `randomUUID` does): one `getrandom` call per id cost more than the rest of
 * an id, and a handled webhook makes several.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits.
 * Ids sort by creation time, so `ORDER BY id` doubles as the cursor order
 * for pagination and indexes stay append-mostly. Node 20 has no built-in v7.
 */
export function uuidv7(now: number = Date.now()): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The smallest UUIDv7 of millisecond `ms`: `id >= uuidv7Floor(t)` selects rows created at or after `t`. */
export function uuidv7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
