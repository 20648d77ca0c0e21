import { assert } from '../../core/index.js';
import type { BackendEntry } from './backend.js';
import { bytesToKey, crc32c, EMPTY_BYTES } from './bytes.js';
import { MvccCorruptionError } from './corruption.js';
import type { KeyValue } from './types.js';

/**
 * The store's layout in its Backend (etcd's buckets as one-byte prefixes):
 *
 *   'k' main(8, BE) '_' sub(8, BE) ['t']   →  record: the KeyValue a write left (tombstone: 't')
 *   'l' leaseId(8, BE)                     →  lease: TTL seconds
 *   'm' name                               →  meta: consistent index, revision, compaction marks,
 *                                             and the format record ("flotilla-mvcc" + u32 version)
 *
 * Revision keys sort by (main, sub), so a scan of 'k' is the history in order. Numbers are below
 * 2^53 (types.ts), written as two big-endian uint32 halves.
 *
 * Every value is framed as  u32 CRC-32C (of the key, then of every value byte after the CRC) |
 * u8 value type | body,  and every decode checks the frame (MvccCorruptionError), so a flipped
 * bit in a key or value, a truncated value, or a value of one kind under another's key is caught
 * (LevelDB's own block checksums are off in classic-level).
 */
export const BUCKET_KEY = 0x6b; // 'k'
export const BUCKET_LEASE = 0x6c; // 'l'
export const BUCKET_META = 0x6d; // 'm'

/** Length of a revision key: bucket byte + main + '_' + sub. A tombstone adds one 't'. */
export const REV_KEY_BYTES = 1 + 8 + 1 + 8;
const TOMBSTONE_MARK = 0x74; // 't'
const SEPARATOR = 0x5f; // '_'

const TWO_32 = 0x1_0000_0000;

/** The on-disk format this code reads and writes. 1 was the layout without value frames. */
export const MVCC_FORMAT_VERSION = 2;
const FORMAT_MAGIC = 'flotilla-mvcc';

/** The frame's type byte, one per kind of value. */
const ValueType = { record: 1, lease: 2, meta: 3, format: 4 } as const;
type ValueType = (typeof ValueType)[keyof typeof ValueType];
/** u32 CRC-32C | u8 type. */
const FRAME_BYTES = 5;

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

function writeU32(out: Uint8Array, at: number, n: number): void {
  out[at] = n >>> 24;
  out[at + 1] = n >>> 16;
  out[at + 2] = n >>> 8;
  out[at + 3] = n;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** A frame of `bodyBytes` whose type is set; the caller writes the body at FRAME_BYTES, then seals. */
function frame(type: ValueType, bodyBytes: number, pooled: boolean): Uint8Array {
  const out = pooled ? scratch(FRAME_BYTES + bodyBytes) : new Uint8Array(FRAME_BYTES + bodyBytes);
  out[4] = type;
  return out;
}

/** Writes the CRC of a complete frame stored under `key`. */
function seal(key: Uint8Array, out: Uint8Array): Uint8Array {
  writeU32(out, 0, crc32c(crc32c(0, key), out.subarray(4)));
  return out;
}

/** A backend key as error messages name it: k<main>_<sub>[t], l<id>, m<name>, else hex. */
export function describeKey(key: Uint8Array): string {
  const bucket = key[0];
  if (bucket === BUCKET_KEY && (key.length === REV_KEY_BYTES || key.length === REV_KEY_BYTES + 1) && key[9] === SEPARATOR) {
    return `k${readU64(key, 1)}_${readU64(key, 10)}${key.length > REV_KEY_BYTES ? (key[REV_KEY_BYTES] === TOMBSTONE_MARK ? 't' : '?') : ''}`;
  }
  if (bucket === BUCKET_LEASE && key.length === 9) return `l${readU64(key, 1)}`;
  if (bucket === BUCKET_META && key.subarray(1).every((c) => c >= 0x20 && c < 0x7f)) return `m${bytesToKey(key.subarray(1))}`;
  return `0x${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')}`;
}

function corrupt(location: string, key: Uint8Array, what: string): MvccCorruptionError {
  return new MvccCorruptionError(location, `MVCC record ${describeKey(key)} ${what}`);
}

/**
 * Checks the frame of a value read from under `key`: its length, CRC and type. Returns the body
 * length. Throws MvccCorruptionError naming the record and `location`.
 */
function checkFrame(key: Uint8Array, value: Uint8Array, type: ValueType, location: string): number {
  if (value.length < FRAME_BYTES) throw corrupt(location, key, `truncated (${value.length} bytes)`);
  if (crc32c(crc32c(0, key), value.subarray(4)) !== readU32(value, 0)) throw corrupt(location, key, 'checksum mismatch');
  if (value[4] !== type) throw corrupt(location, key, `has value type ${value[4]!}, expected ${type}`);
  return value.length - FRAME_BYTES;
}

/** Checks a value whose kind is unknown (under a key of no known bucket or meta name): only its CRC. */
export function checkAnyValue(key: Uint8Array, value: Uint8Array, location: string): void {
  if (value.length < FRAME_BYTES || crc32c(crc32c(0, key), value.subarray(4)) !== readU32(value, 0)) throw corrupt(location, key, 'checksum mismatch');
}

/** A valid frame under a key the store does not know: written by something else, or a newer format. */
export function unknownRecord(key: Uint8Array, location: string): MvccCorruptionError {
  return corrupt(location, key, 'is not a key of this MVCC format');
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

function isRevKey(key: Uint8Array): boolean {
  return key[0] === BUCKET_KEY && key[9] === SEPARATOR && (key.length === REV_KEY_BYTES || (key.length === REV_KEY_BYTES + 1 && key[REV_KEY_BYTES] === TOMBSTONE_MARK));
}

export function decodeRevKey(key: Uint8Array): DecodedRevKey {
  assert(isRevKey(key), 'codec: not a revision key');
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

/** Record body: createRevision, modRevision, version, lease (u64 each), key length (u32), key, value. */
const RECORD_HEADER_BYTES = 8 * 4 + 4;

/** The framed record of `kv`, to be stored under revision key `key`. */
export function encodeRecord(key: Uint8Array, kv: KeyValue): Uint8Array {
  const klen = kv.key.length;
  const out = frame(ValueType.record, RECORD_HEADER_BYTES + klen + kv.value.length, true);
  const at = FRAME_BYTES;
  writeU64(out, at, kv.createRevision);
  writeU64(out, at + 8, kv.modRevision);
  writeU64(out, at + 16, kv.version);
  writeU64(out, at + 24, kv.lease);
  writeU32(out, at + 32, klen);
  out.set(kv.key, at + RECORD_HEADER_BYTES);
  out.set(kv.value, at + RECORD_HEADER_BYTES + klen);
  return seal(key, out);
}

/** A revision record as read from the backend, checked. */
export interface DecodedRecord extends DecodedRevKey {
  /** Its key and value are views into the stored bytes. */
  readonly kv: KeyValue;
}

/**
 * Checks and decodes a revision key and its record (the frame, the key's shape, the body's
 * lengths, and that the record's modRevision is the key's). Throws MvccCorruptionError.
 */
export function decodeRecord(key: Uint8Array, bytes: Uint8Array, location: string): DecodedRecord {
  const bodyBytes = checkFrame(key, bytes, ValueType.record, location);
  if (!isRevKey(key)) throw corrupt(location, key, 'is not a revision key');
  const rev = decodeRevKey(key);
  const at = FRAME_BYTES;
  if (bodyBytes < RECORD_HEADER_BYTES) throw corrupt(location, key, 'is shorter than a record header');
  const klen = readU32(bytes, at + 32);
  if (bodyBytes < RECORD_HEADER_BYTES + klen) throw corrupt(location, key, 'has a key that overruns the record');
  const modRevision = readU64(bytes, at + 8);
  if (modRevision !== rev.main) throw corrupt(location, key, `holds modRevision ${modRevision}`);
  const kstart = at + RECORD_HEADER_BYTES;
  const vstart = kstart + klen;
  const kv: KeyValue = {
    key: bytes.subarray(kstart, vstart),
    createRevision: readU64(bytes, at),
    modRevision,
    version: readU64(bytes, at + 16),
    value: vstart === bytes.length ? EMPTY_BYTES : bytes.subarray(vstart),
    lease: readU64(bytes, at + 24),
  };
  return { main: rev.main, sub: rev.sub, tombstone: rev.tombstone, kv };
}

export function leaseKey(id: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = BUCKET_LEASE;
  writeU64(out, 1, id);
  return out;
}

/** Bytes of a stored lease value: the frame and the TTL. */
export const LEASE_VALUE_BYTES = FRAME_BYTES + 8;

/** The framed lease value: TTL seconds. */
export function encodeLease(id: number, ttlSeconds: number): BackendEntry {
  const key = leaseKey(id);
  return [key, encodeU64Value(key, ValueType.lease, ttlSeconds)];
}

/** Checks and decodes a lease record: [id, ttlSeconds]. Throws MvccCorruptionError. */
export function decodeLease(key: Uint8Array, value: Uint8Array, location: string): [number, number] {
  const bodyBytes = checkFrame(key, value, ValueType.lease, location);
  if (key.length !== 9 || key[0] !== BUCKET_LEASE) throw corrupt(location, key, 'is not a lease key');
  if (bodyBytes !== 8) throw corrupt(location, key, `has a ${bodyBytes}-byte TTL`);
  return [readU64(key, 1), readU64(value, FRAME_BYTES)];
}

/** The framed value of a numeric meta record. */
export function encodeMeta(key: Uint8Array, n: number): Uint8Array {
  return encodeU64Value(key, ValueType.meta, n);
}

/** Checks and decodes a numeric meta record. Throws MvccCorruptionError. */
export function decodeMeta(key: Uint8Array, value: Uint8Array, location: string): number {
  const bodyBytes = checkFrame(key, value, ValueType.meta, location);
  if (bodyBytes !== 8) throw corrupt(location, key, `has a ${bodyBytes}-byte number`);
  return readU64(value, FRAME_BYTES);
}

function encodeU64Value(key: Uint8Array, type: ValueType, n: number): Uint8Array {
  const out = frame(type, 8, false);
  writeU64(out, FRAME_BYTES, n);
  return seal(key, out);
}

function metaKey(name: string): Uint8Array {
  const out = new Uint8Array(1 + name.length);
  out[0] = BUCKET_META;
  for (let i = 0; i < name.length; i++) out[i + 1] = name.charCodeAt(i);
  return out;
}

/** Meta keys. `scheduledCompact` > `finishedCompact` means a compaction was cut short: redo it at open. */
export const META = {
  format: metaKey('format'),
  consistentIndex: metaKey('consistent_index'),
  revision: metaKey('revision'),
  scheduledCompact: metaKey('scheduledCompactRev'),
  finishedCompact: metaKey('finishedCompactRev'),
} as const;

/** The format record's value: what this code writes. */
export function encodeFormat(): Uint8Array {
  const out = frame(ValueType.format, FORMAT_MAGIC.length + 4, false);
  for (let i = 0; i < FORMAT_MAGIC.length; i++) out[FRAME_BYTES + i] = FORMAT_MAGIC.charCodeAt(i);
  writeU32(out, FRAME_BYTES + FORMAT_MAGIC.length, MVCC_FORMAT_VERSION);
  return seal(META.format, out);
}

/**
 * Checks the format record (undefined: the store has none, which only a store written before
 * format 2 lacks). Throws MvccCorruptionError: "unsupported MVCC format" for another format.
 */
export function checkFormat(value: Uint8Array | undefined, location: string): void {
  const unsupported = (why: string): MvccCorruptionError => new MvccCorruptionError(location, `unsupported MVCC format (${why}; this build reads format ${MVCC_FORMAT_VERSION} only)`);
  if (value === undefined) throw unsupported('no format record: written before format 2');
  const bodyBytes = checkFrame(META.format, value, ValueType.format, location);
  const magic = bytesToKey(value.subarray(FRAME_BYTES, FRAME_BYTES + FORMAT_MAGIC.length));
  if (bodyBytes !== FORMAT_MAGIC.length + 4 || magic !== FORMAT_MAGIC) throw unsupported('not a flotilla-mvcc format record');
  const version = readU32(value, FRAME_BYTES + FORMAT_MAGIC.length);
  if (version !== MVCC_FORMAT_VERSION) throw unsupported(`format version ${version}`);
}

/** Scan bounds of a bucket. */
export function bucketRange(bucket: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) };
}
