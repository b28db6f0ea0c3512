/**
 * JSON objects as stored in `simple-json` columns. Deliberately shallow
 * (nested values are `object`): TypeORM's partial-entity types cannot
 * expand a recursive JSON type.
 */
export type JsonField = string | number | boolean | null | object;
export type JsonObject = { [key: string]: JsonField };

/** A parsed-JSON object (a request body field) as a JsonObject. */
export function asJsonObject(value: object): JsonObject {
  return value as JsonObject;
}
