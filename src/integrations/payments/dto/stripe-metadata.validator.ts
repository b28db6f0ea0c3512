import { type ValidationOptions, registerDecorator } from 'class-validator';
import { PAYMENT_ID_METADATA_KEY } from '../payment-links';

/** Stripe allows 50 keys; Portico keeps one (`portico_payment_id`) to link webhooks to our row. */
export const MAX_METADATA_KEYS = 49;
export const MAX_METADATA_KEY_LENGTH = 40;
export const MAX_METADATA_VALUE_LENGTH = 500;

/** Why `value` is not valid Stripe metadata, or undefined when it is. */
export function metadataProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'metadata must be an object of string values';
  const entries = Object.entries(value);
  if (entries.length > MAX_METADATA_KEYS)
    return `metadata may have at most ${MAX_METADATA_KEYS} keys (Stripe's 50 less one Portico uses)`;
  for (const [key, item] of entries) {
    if (key === '' || key.length > MAX_METADATA_KEY_LENGTH)
      return `metadata keys must be 1 to ${MAX_METADATA_KEY_LENGTH} characters (${JSON.stringify(key.slice(0, 50))})`;
    if (key.includes('[') || key.includes(']'))
      return `metadata keys may not contain square brackets (${JSON.stringify(key)})`;
    if (key === PAYMENT_ID_METADATA_KEY) return `metadata key ${PAYMENT_ID_METADATA_KEY} is reserved`;
    if (typeof item !== 'string') return `metadata.${key} must be a string`;
    if (item.length > MAX_METADATA_VALUE_LENGTH)
      return `metadata.${key} must be at most ${MAX_METADATA_VALUE_LENGTH} characters`;
  }
  return undefined;
}

/** Stripe's metadata limits: ≤ 49 keys here, keys ≤ 40 characters, string values ≤ 500. */
export function IsStripeMetadata(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStripeMetadata',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => metadataProblem(value) === undefined,
        defaultMessage: (args) => metadataProblem(args?.value) ?? 'metadata is invalid',
      },
    });
}
