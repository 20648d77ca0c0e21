// JSON value helpers shared by the three patch implementations (internal to core/patch).

export type JsonMap = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value (patches work on copies; the caller's documents are never mutated). */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => copyJson(item)) as T;
  if (isJsonMap(value)) {
    const out: JsonMap = {};
    for (const [key, item] of Object.entries(value)) out[key] = copyJson(item);
    return out as T;
  }
  return value;
}

/** Structural equality of two JSON values (objects compared without regard to key order). */
export function jsonValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonValuesEqual(item, b[i]));
  }
  if (isJsonMap(a) && isJsonMap(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonValuesEqual(a[key], b[key]));
  }
  return false;
}

/** The kinds a decoded JSON value can have; Go's reflect.Type of the same value, coarsened. */
export type JsonKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

export function jsonKindOf(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  return 'boolean';
}

/** The Go type name fmt prints for a decoded JSON value (`map[string]interface {}`...). */
export function goTypeName(value: unknown): string {
  switch (jsonKindOf(value)) {
    case 'map':
      return 'map[string]interface {}';
    case 'list':
      return '[]interface {}';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    case 'null':
      return '%!s(<nil>)';
  }
}

/** A decoded JSON value as Go's `%v` prints it: `map[a:1 b:[x y]]`, keys sorted, nil as `<nil>`. */
export function goValueText(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValueText).join(' ')}]`;
  if (isJsonMap(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((key) => `${key}:${goValueText(value[key])}`).join(' ')}]`;
  }
  return String(value);
}
