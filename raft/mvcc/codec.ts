import { assert } from '../../core/index.js';
import { EMPTY_BYTES } from './bytes.js';
import type { KeyValue } from './types.js';

/**
 * The store's layout in its Backend (etcd's buckets as one-byte prefixes):
 *
 *   'k' main(8, BE) '_' sub(8, BE) ['t']   →  record: the KeyValue a write left (tombstone: 't')
 *   'l' leaseId(8, BE)                     →  lease: TTL seconds
 *   'm' name                               →  meta: consistent index, revision, compaction marks
 *
 * Revision keys sort by (main, sub), so a scan of 'k' is the history in order. Numbers are below
 * 2^53 (types.ts), written as two big-endian uint32 halves.
 */
export const BUCKET_KEY = 0x6b; // 'k'
export const BUCKET_LEASE = 0x6c; // 'l'
export const BUCKET_META = 0x6d; // 'm'

/** Length of a revision key: bucket byte + main + '_' + sub. A tombstone adds one 't'. */
export const REV_KEY_BYTES = 1 + 8 + 1 + 8;
const TOMBSTONE_MARK = 0x74; // 't'
const SEPARATOR = 0x5f; // '_'

const TWO_32 = 0x1_0000_0000;

function writeU64(out: Uint8Array, at: number, n: number): void {
  assert(Number.isSafeInteger(n) && n >= 0, () => `codec: ${n} is not a non-negative safe integer`);
  const hi = Math.floor(n / TWO_32);
  const lo = n >>> 0;
  out[at] = hi >>> 24;
  out[at + 1] = hi >>> 16;
  out[at + 2] = hi >>> 8;
  out[at + 3] = hi;
  out[at + 4] = lo >>> 24;
  out[at + 5] = lo >>> 16;
  out[at + 6] = lo >>> 8;
  out[at + 7] = lo;
}

function readU64(b: Uint8Array, at: number): number {
  const hi = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}

/**
 * Encoded keys and records only live until the backend copies them (a LevelDB batch), so they
 * come from Node's Buffer pool: far cheaper than an ArrayBuffer each. Every byte is written.
 */
function scratch(bytes: number): Uint8Array {
  return Buffer.allocUnsafe(bytes);
}

export function revKey(main: number, sub: number, tombstone: boolean): Uint8Array {
  const out = scratch(REV_KEY_BYTES + (tombstone ? 1 : 0));
  out[0] = BUCKET_KEY;
  writeU64(out, 1, main);
  out[9] = SEPARATOR;
  writeU64(out, 10, sub);
  if (tombstone) out[REV_KEY_BYTES] = TOMBSTONE_MARK;
  return out;
}

export interface DecodedRevKey {
  readonly main: number;
  readonly sub: number;
  readonly tombstone: boolean;
}

export function decodeRevKey(key: Uint8Array): DecodedRevKey {
  assert(key[0] === BUCKET_KEY && (key.length === REV_KEY_BYTES || (key.length === REV_KEY_BYTES + 1 && key[REV_KEY_BYTES] === TOMBSTONE_MARK)), 'codec: not a revision key');
  return { main: readU64(key, 1), sub: readU64(key, 10), tombstone: key.length === REV_KEY_BYTES + 1 };
}

/** The main revision of a revision key, without decoding the rest. */
export function revKeyMain(key: Uint8Array): number {
  return readU64(key, 1);
}

/** Lowest revision key of revision `main` (sub 0, no mark): scans of [revFloor(a), revFloor(b)) cover mains a..b-1. */
export function revFloor(main: number): Uint8Array {
  return revKey(main, 0, false);
}

/** Record layout: createRevision, modRevision, version, lease (u64 each), key length (u32), key, value. */
const RECORD_HEADER_BYTES = 8 * 4 + 4;

export function encodeRecord(kv: KeyValue): Uint8Array {
  const klen = kv.key.length;
  const out = scratch(RECORD_HEADER_BYTES + klen + kv.value.length);
  writeU64(out, 0, kv.createRevision);
  writeU64(out, 8, kv.modRevision);
  writeU64(out, 16, kv.version);
  writeU64(out, 24, kv.lease);
  out[32] = klen >>> 24;
  out[33] = klen >>> 16;
  out[34] = klen >>> 8;
  out[35] = klen;
  out.set(kv.key, RECORD_HEADER_BYTES);
  out.set(kv.value, RECORD_HEADER_BYTES + klen);
  return out;
}

/** The KeyValue of a record; its key and value are views into `bytes`. */
export function decodeRecord(bytes: Uint8Array): KeyValue {
  assert(bytes.length >= RECORD_HEADER_BYTES, 'codec: record too short');
  const klen = ((bytes[32]! << 24) | (bytes[33]! << 16) | (bytes[34]! << 8) | bytes[35]!) >>> 0;
  assert(bytes.length >= RECORD_HEADER_BYTES + klen, 'codec: record key overruns the record');
  const vstart = RECORD_HEADER_BYTES + klen;
  return {
    key: bytes.subarray(RECORD_HEADER_BYTES, vstart),
    createRevision: readU64(bytes, 0),
    modRevision: readU64(bytes, 8),
    version: readU64(bytes, 16),
    value: vstart === bytes.length ? EMPTY_BYTES : bytes.subarray(vstart),
    lease: readU64(bytes, 24),
  };
}

/** Just the key of a record (a view into `bytes`). */
export function recordKey(bytes: Uint8Array): Uint8Array {
  const klen = ((bytes[32]! << 24) | (bytes[33]! << 16) | (bytes[34]! << 8) | bytes[35]!) >>> 0;
  return bytes.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + klen);
}

export function leaseKey(id: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = BUCKET_LEASE;
  writeU64(out, 1, id);
  return out;
}

export function decodeLeaseKey(key: Uint8Array): number {
  assert(key.length === 9 && key[0] === BUCKET_LEASE, 'codec: not a lease key');
  return readU64(key, 1);
}

export function encodeU64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  writeU64(out, 0, n);
  return out;
}

export function decodeU64(b: Uint8Array): number {
  assert(b.length === 8, 'codec: not a u64');
  return readU64(b, 0);
}

function metaKey(name: string): Uint8Array {
  const out = new Uint8Array(1 + name.length);
  out[0] = BUCKET_META;
  for (let i = 0; i < name.length; i++) out[i + 1] = name.charCodeAt(i);
  return out;
}

/** Meta keys. `scheduledCompact` > `finishedCompact` means a compaction was cut short: redo it at open. */
export const META = {
  consistentIndex: metaKey('consistent_index'),
  revision: metaKey('revision'),
  scheduledCompact: metaKey('scheduledCompactRev'),
  finishedCompact: metaKey('finishedCompactRev'),
} as const;

/** Scan bounds of a bucket. */
export function bucketRange(bucket: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) };
}
