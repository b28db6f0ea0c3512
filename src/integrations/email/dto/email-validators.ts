import { isEmail, registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Most recipients one message may have (to + cc + bcc), SendGrid's per-request limit. */
export const MAX_RECIPIENTS = 1000;
/** SendGrid schedules at most 72 hours ahead. */
export const MAX_SEND_AHEAD_MS = 72 * 60 * 60 * 1000;

/** A deliverable-looking address: local@domain.tld, no display name, at most 320 characters. */
export function isEmailAddress(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 320 &&
    isEmail(value, { require_tld: true, allow_display_name: false, allow_ip_domain: false })
  );
}

function decorate(
  name: string,
  validate: (value: unknown, args: ValidationArguments) => boolean,
  message: (args: ValidationArguments) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message, ...options },
      validator: { validate },
    });
}

/** Which entries of an address list are not addresses, as `to[1] "bob@"`. */
function badAddresses(property: string, value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) =>
    isEmailAddress(item) ? [] : [`${property}[${index}] ${JSON.stringify(item)}`],
  );
}

/** An array of email addresses; the message names every bad entry. */
export function IsEmailAddressList(options?: ValidationOptions): PropertyDecorator {
  return decorate(
    'isEmailAddressList',
    (value, args) => Array.isArray(value) && badAddresses(args.property, value).length === 0,
    (args) => {
      if (!Array.isArray(args.value)) return `${args.property} must be an array of email addresses`;
      const bad = badAddresses(args.property, args.value);
      return `${args.property} has ${bad.length === 1 ? 'an invalid address' : `${bad.length} invalid addresses`}: ${bad.join(', ')}`;
    },
    options,
  );
}

interface RecipientLists {
  to?: unknown;
  cc?: unknown;
  bcc?: unknown;
}

function allRecipients(object: RecipientLists): string[] {
  return [object.to, object.cc, object.bcc].flatMap((list) =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [],
  );
}

/** to + cc + bcc together between 1 and MAX_RECIPIENTS (put on `to`). */
export function HasRecipientCount(options?: ValidationOptions): PropertyDecorator {
  return decorate(
    'hasRecipientCount',
    (_value, args) => {
      const count = allRecipients(args.object).length;
      return count >= 1 && count <= MAX_RECIPIENTS;
    },
    (args) =>
      `to, cc and bcc together must have 1 to ${MAX_RECIPIENTS} recipients (got ${allRecipients(args.object).length})`,
    options,
  );
}

/** No address twice across to, cc and bcc (SendGrid refuses the request otherwise). */
export function HasNoDuplicateRecipients(options?: ValidationOptions): PropertyDecorator {
  const duplicates = (object: RecipientLists): string[] => {
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const address of allRecipients(object).map((a) => a.toLowerCase()))
      (seen.has(address) ? repeated : seen).add(address);
    return [...repeated];
  };
  return decorate(
    'hasNoDuplicateRecipients',
    (_value, args) => duplicates(args.object).length === 0,
    (args) =>
      `each address may appear once across to, cc and bcc: ${duplicates(args.object as RecipientLists)
        .map((a) => JSON.stringify(a))
        .join(', ')} repeated`,
    options,
  );
}

/** `text` and `html` are optional strings, but one of them is required (put on `text`). */
export function IsTextOrHtml(options?: ValidationOptions): PropertyDecorator {
  return decorate(
    'isTextOrHtml',
    (value, args) =>
      value === undefined ? typeof (args.object as { html?: unknown }).html === 'string' : typeof value === 'string',
    (args) => (args.value === undefined ? 'text or html is required (at least one)' : 'text must be a string'),
    options,
  );
}

/** An ISO 8601 time no more than 72 hours ahead (SendGrid's scheduling limit). */
export function IsSendAt(options?: ValidationOptions): PropertyDecorator {
  return decorate(
    'isSendAt',
    (value) => {
      if (
        typeof value !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      )
        return false;
      const at = Date.parse(value);
      return !Number.isNaN(at) && at - Date.now() <= MAX_SEND_AHEAD_MS;
    },
    (args) =>
      typeof args.value === 'string' && !Number.isNaN(Date.parse(args.value)) && /T/.test(args.value)
        ? 'sendAt must be at most 72 hours ahead'
        : 'sendAt must be an ISO 8601 date-time with a time zone (e.g. 2026-01-31T09:00:00Z)',
    options,
  );
}

/** A JSON object whose serialisation is at most `maxBytes` bytes (UTF-8). */
export function IsJsonObjectUpTo(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  return decorate(
    'isJsonObjectUpTo',
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && size(value) <= maxBytes,
    (args) =>
      typeof args.value === 'object' && args.value !== null && !Array.isArray(args.value)
        ? `${args.property} must be at most ${maxBytes} bytes as JSON (got ${size(args.value)})`
        : `${args.property} must be a JSON object`,
    options,
  );
}

/** One email address; the message quotes the bad value. */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return decorate(
    'isEmailAddress',
    (value) => isEmailAddress(value),
    (args) => `${args.property} ${JSON.stringify(args.value)} is not a valid email address`,
    options,
  );
}
