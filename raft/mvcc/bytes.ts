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

/**
 * A copy that owns its memory, so a cached value never pins a larger buffer it was sliced from.
 * Not `bytes.slice()`: on a Node Buffer that is a view, like subarray.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY_BYTES : new Uint8Array(bytes);
}

/**
 * The bytes themselves when they own their whole ArrayBuffer (keeping them pins nothing else),
 * else a copy: a view into a larger buffer (a decoded Raft batch, a pooled Buffer) would keep
 * all of that buffer alive for as long as the value is cached. Allocation dominates the cost of
 * an apply, so owned bytes are taken as they are: the caller hands them over.
 */
export function adoptBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return EMPTY_BYTES;
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

/**
 * The smallest byte string greater than every string with this prefix (etcd's GetPrefixRangeEnd),
 * or undefined when there is none (the prefix is all 0xff).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = new Uint8Array(prefix.subarray(0, i + 1)); // a copy, even of a Buffer
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

/** Slicing-by-8 tables: TABLES[k][b] is the CRC of byte b followed by k zero bytes. */
const CRC32C_TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[i] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    tables.push(t);
  }
  return tables;
})();

/** Incremental CRC-32C: `crc = crc32c(crc, bytes)`, starting from 0. */
export function crc32c(crc: number, bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC32C_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n8 = bytes.length - (bytes.length % 8);
  for (; i < n8; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[bytes[i + 4]!]! ^
      t2[bytes[i + 5]!]! ^
      t1[bytes[i + 6]!]! ^
      t0[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
