import { Transform } from 'class-transformer';
import { ValidationOptions, registerDecorator } from 'class-validator';

/** Empty strings count as "not set" so `FOO=` in `.env` behaves like no `FOO`. */
export const EmptyAsUndefined = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value));

const BOOL = /^(true|false|1|0|yes|no|on|off)$/i;

/** A boolean written as true/false/1/0/yes/no/on/off. */
export function IsBooleanString(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isBooleanString',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be true or false', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && BOOL.test(value) },
    });
}

/** A whole number in [min, max], written as a string. */
export function IsIntString(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIntString',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property must be a whole number from ${min} to ${max}`, ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim())) return false;
          const n = Number(value);
          return Number.isSafeInteger(n) && n >= min && n <= max;
        },
      },
    });
}

/** A http(s) URL (loopback hosts allowed: tests and local stand-ins use them). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isHttpUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an http(s) URL', ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return url.protocol === 'http:' || url.protocol === 'https:';
          } catch {
            return false;
          }
        },
      },
    });
}

/** A comma-separated list whose every item passes `test`. */
export function IsListOf(
  test: (item: string) => boolean,
  what: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isListOf',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property must be a comma-separated list of ${what}`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '')
            .every(test),
      },
    });
}
