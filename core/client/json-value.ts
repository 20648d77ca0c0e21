// Copy and compare for API objects, which are JSON values: the in-memory client copies every
// object it stores, returns and sends to each watch, and compares whole objects on every update,
// so these replace structuredClone and JSON.stringify equality (several times slower) there.

/** Nesting beyond which cloneJsonValue hands a value to structuredClone (which also survives cycles, never seen in API objects). */
const CLONE_JSON_MAX_DEPTH = 100;

/**
 * A deep copy, as structuredClone makes it for plain objects, arrays and primitives (key order
 * kept, undefined values kept); anything else (Date, Map, class instances) and anything nested
 * deeper than CLONE_JSON_MAX_DEPTH is copied by structuredClone itself, which also throws for
 * functions and symbols as before.
 */
export function cloneJsonValue<T>(value: T): T {
  return cloneAt(value, 0) as T;
}

function cloneAt(value: unknown, depth: number): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return structuredClone(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > CLONE_JSON_MAX_DEPTH) return structuredClone(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return structuredClone(value);
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneAt(value[i], depth + 1);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) out[key] = cloneAt(source[key], depth + 1);
  return out;
}

/**
 * `JSON.stringify(a) === JSON.stringify(b)` without building either string, stopping at the first
 * difference: key order counts, properties whose value is undefined (or a function) are skipped,
 * and in arrays those and non-finite numbers read as null, as in the JSON text. Objects with
 * toJSON (none in API objects) are compared by their JSON text.
 */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = jsonKind(a);
  if (ta !== jsonKind(b)) return false;
  switch (ta) {
    case 'null':
      return true;
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!sameJsonValue(asArrayElement(x[i]), asArrayElement(y[i]))) return false;
      return true;
    }
    case 'object': {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      if (typeof x['toJSON'] === 'function' || typeof y['toJSON'] === 'function') return JSON.stringify(x) === JSON.stringify(y);
      const keysX = jsonKeys(x);
      const keysY = jsonKeys(y);
      if (keysX.length !== keysY.length) return false;
      for (let i = 0; i < keysX.length; i++) {
        const k = keysX[i]!;
        if (k !== keysY[i] || !sameJsonValue(x[k], y[k])) return false;
      }
      return true;
    }
    default:
      // Primitives that differ by identity: only equal JSON if both are strings/numbers/booleans with the same text.
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

function jsonKind(v: unknown): 'null' | 'array' | 'object' | 'primitive' {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : 'primitive';
}

/** What JSON.stringify writes for an array element: undefined, functions and symbols become null. */
function asArrayElement(v: unknown): unknown {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v;
}

/** The keys JSON.stringify writes, in its order (own enumerable string keys whose value it can write). */
function jsonKeys(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') out.push(k);
  }
  return out;
}

