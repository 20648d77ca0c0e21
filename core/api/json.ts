// Small helpers over plain JSON values. Objects in core/api are JSON trees as decoded from a
// request body or the store; these helpers never assume more about them than JSON.

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `value`, or undefined when it is absent or not an object. */
export function asJsonObject(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** The array at `value`, or an empty array when it is absent or not an array. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The string at `value`, or '' when it is absent or not a string (Go's zero value). */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Structural equality of two JSON values. Like apimachinery's semantic equality for decoded
 * objects: key order does not matter, and an absent key equals an explicit null.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) {
    return (a ?? null) === (b ?? null);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (!jsonEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/** The child object at `key`, created (as {}) when absent or not an object. */
export function ensureJsonObject(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** Sets `parent[key]` to `value` when the key is absent or null (Kubernetes' "if unset" defaulting). */
export function setDefault(parent: JsonObject, key: string, value: unknown): void {
  if (parent[key] === undefined || parent[key] === null) parent[key] = value;
}

/** Sets `parent[key]` when it is absent, null or '' (defaulting of Go string fields, whose zero value is ''). */
export function setDefaultString(parent: JsonObject, key: string, value: string): void {
  const current = parent[key];
  if (current === undefined || current === null || current === '') parent[key] = value;
}
