import type { ValueTransformer } from 'typeorm';

/**
 * node-postgres returns BIGINT as a string (it may not fit a JS number);
 * amounts and byte sizes here stay below 2^53, so read them as numbers.
 */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
