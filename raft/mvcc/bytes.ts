/**
 * Byte keys for the MVCC store. Keys are arbitrary bytes ordered bytewise (as etcd's); in memory a
 * key is held as its latin1 string (one char per byte), whose JavaScript order is byte order and
 * which works as a Map key.
 */

/** The shared empty byte string (values of deletes, keysOnly results). Never written to. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/** The bytes as a latin1 string: string order is byte order. */
export function bytesToKey(bytes: Uint8Array): string {
  return bytes.length === 0 ? '' : latin1Slice.call(bytes, 0, bytes.length);
}

/** The inverse of bytesToKey; a fresh Uint8Array (not a Buffer). */
export function keyToBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

/** Bytewise comparison: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy that owns its memory, so a cached value never pins a larger buffer it was sliced from. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY_BYTES : bytes.slice();
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The smallest byte string greater than every string with this prefix (etcd's GetPrefixRangeEnd),
 * or undefined when there is none (the prefix is all 0xff).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]!++;
      return end;
    }
  }
  return undefined;
}

/**
 * A key range in latin1 terms, as etcd reads (key, range_end): an empty range_end means the single
 * key; range_end "\0" means every key >= key; otherwise [key, range_end).
 */
export interface KeySpan {
  readonly start: string;
  /** Exclusive upper bound; undefined: unbounded. Unused when `single`. */
  readonly end: string | undefined;
  readonly single: boolean;
}

export function keySpan(key: Uint8Array, rangeEnd?: Uint8Array): KeySpan {
  const start = bytesToKey(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { start, end: undefined, single: true };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { start, end: undefined, single: false };
  return { start, end: bytesToKey(rangeEnd), single: false };
}

export function spanContains(span: KeySpan, key: string): boolean {
  if (span.single) return key === span.start;
  return key >= span.start && (span.end === undefined || key < span.end);
}

/** True when the two spans share at least one key. */
export function spansIntersect(a: KeySpan, b: KeySpan): boolean {
  if (a.single) return spanContains(b, a.start);
  if (b.single) return spanContains(a, b.start);
  const aEmpty = a.end !== undefined && a.end <= a.start;
  const bEmpty = b.end !== undefined && b.end <= b.start;
  if (aEmpty || bEmpty) return false;
  return (a.end === undefined || b.start < a.end) && (b.end === undefined || a.start < b.end);
}

// ---- CRC-32C (Castagnoli), as etcd's hashKV ----

const CRC32C_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** Incremental CRC-32C: `crc = crc32c(crc, bytes)`, starting from 0. */
export function crc32c(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
