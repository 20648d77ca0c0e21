/**
 * A canonical JSON encoding: two JSON values are deeply equal exactly when their encodings are
 * equal strings. Object keys are sorted; `undefined` encodes as `null`, because a history
 * treats a missing value and `null` alike.
 *
 * Throws TypeError for values JSON cannot represent (bigint, functions, symbols, cycles are
 * not detected and overflow the stack), since a history must survive a round trip through
 * its JSON-lines file.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const fields = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
      return `{${fields.join(',')}}`;
    }
    default:
      throw new TypeError(`not a JSON value: ${typeof value}`);
  }
}
