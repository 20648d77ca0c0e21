/**
 * Small, total readers over plain JSON objects. Printers run on whatever the store holds, so
 * every reader treats a missing or mistyped field as absent instead of throwing.
 */

/** A JSON object as stored (an API object or any part of one). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `path`, or an empty object when any step is missing or not an object. */
export function objectAt(root: unknown, ...path: string[]): JsonObject {
  let current: unknown = root;
  for (const key of path) {
    if (!isJsonObject(current)) return {};
    current = current[key];
  }
  return isJsonObject(current) ? current : {};
}

/** The string at `key`, or `fallback` when it is absent or not a string. */
export function stringField(obj: JsonObject, key: string, fallback = ''): string {
  const value = obj[key];
  return typeof value === 'string' ? value : fallback;
}

/** The number at `key`, or undefined when absent or not a finite number. */
export function numberField(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The boolean at `key`, or undefined when absent or not a boolean. */
export function booleanField(obj: JsonObject, key: string): boolean | undefined {
  const value = obj[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The objects of the array at `key`; non-object elements are skipped. */
export function objectList(obj: JsonObject, key: string): JsonObject[] {
  const value = obj[key];
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** The strings of the array at `key`; non-string elements are skipped. */
export function stringList(obj: JsonObject, key: string): string[] {
  const value = obj[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The string values of the map at `key` (labels, selectors), non-strings skipped. */
export function stringMap(obj: JsonObject, key: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectAt(obj, key))) {
    if (typeof v === 'string') result[k] = v;
  }
  return result;
}

/** The number of keys of the map at `key` (0 when absent). */
export function mapSize(obj: JsonObject, key: string): number {
  return Object.keys(objectAt(obj, key)).length;
}

/**
 * Milliseconds since the epoch of the RFC 3339 timestamp at `key`, or undefined when absent or
 * unparseable (Kubernetes' zero time).
 */
export function timestampField(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
