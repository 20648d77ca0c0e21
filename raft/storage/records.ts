/**
 * The on-disk layout of the Raft state inside the member's LevelDB: keys and record codecs.
 * Pure byte work, no I/O, so that open-time verification and tests can share it.
 *
 * Keys, under a prefix P (default "r/"), all other bytes big-endian:
 *   P f             format record: magic "flotilla-raft" + u32 version; written once, at first open
 *   P h             hard state: u64 term, u64 vote, u64 commit
 *   P c             compaction point (etcd's truncated state): u64 index, u64 term of the last
 *                   entry discarded; the log holds exactly the entries after it
 *   P e/ <u64 i>    log entry i: u64 index, u64 term, u8 type (0 normal, 1 conf-change), data
 *   P s             snapshot metadata: u64 index, u64 term, u64 data bytes, u32 data CRC32,
 *                   u32 chunk count, u32 voter count, u64 voters…, u32 learner count, u64 learners…
 *   P x/ <u64 s> <u32 n>
 *                   chunk n of snapshot s's data: u64 snapshot index s, u32 n, bytes
 *                   (SNAPSHOT_CHUNK_BYTES per chunk, the last one shorter). Each snapshot's chunks
 *                   have keys of their own, so a new snapshot's can be written, in small batches,
 *                   while the stored one stays whole; the metadata record then switches to it.
 *                   Chunks of any other snapshot are leftovers (a staging cut short by a crash),
 *                   deleted with the next snapshot.
 *   P s/ <u32 n>    the same, written before chunks were keyed by snapshot (read, never written)
 *
 * Every value is framed as  u32 CRC32 (of all the bytes after it) | u8 record type | body,
 * so a flipped bit, a truncated value or a value of one kind stored under another's key is
 * caught. Entry and chunk bodies repeat their index, so a value under the wrong key is too.
 */
import type { ConfState, Entry, EntryType, HardState, SnapshotMetadata } from '../core/index.js';
import { crc32 } from './crc32.js';

export const FORMAT_MAGIC = 'flotilla-raft';
export const FORMAT_VERSION = 1;
/** Snapshot data is split into chunks of this size so no single LevelDB value is huge. */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

export const RecordType = {
  format: 1,
  hardState: 2,
  compaction: 3,
  entry: 4,
  snapshotMeta: 5,
  snapshotChunk: 6,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const HEADER_BYTES = 5;
const ENTRY_HEADER_BYTES = HEADER_BYTES + 17;
const CHUNK_HEADER_BYTES = HEADER_BYTES + 12;
const TWO_32 = 0x1_0000_0000;
/** A u64 whose high word is this or more is not a safe JavaScript integer. */
const MAX_SAFE_HIGH_WORD = 0x20_0000;

/** A record that does not decode; the loader adds which record and where. */
export class BadRecordError extends Error {
  override readonly name = 'BadRecordError';
}

/** Index and term of the last entry compacted away (0/0 for a log never compacted). */
export interface CompactionPoint {
  readonly index: number;
  readonly term: number;
}

/** The snapshot metadata record: what to expect of the chunks. */
export interface SnapshotRecord {
  readonly metadata: SnapshotMetadata;
  readonly dataBytes: number;
  readonly dataCrc: number;
  readonly chunkCount: number;
}

// ---- Keys ----

/** The keys of one prefix, precomputed: key building is on the hot path of every save. */
export class RaftKeys {
  readonly format: Uint8Array;
  readonly hardState: Uint8Array;
  readonly compaction: Uint8Array;
  readonly snapshotMeta: Uint8Array;
  /** [lo, hi) of everything under the prefix. */
  readonly allLo: Uint8Array;
  readonly allHi: Uint8Array;
  private readonly entryStem: Uint8Array;
  private readonly chunkStem: Uint8Array;
  private readonly snapshotChunkStem: Uint8Array;

  constructor(prefix: string) {
    const p = new TextEncoder().encode(prefix);
    if (p.length === 0) throw new RangeError('the Raft key prefix must not be empty');
    const key = (s: string): Uint8Array => concat(p, new TextEncoder().encode(s));
    this.format = key('f');
    this.hardState = key('h');
    this.compaction = key('c');
    this.snapshotMeta = key('s');
    this.entryStem = key('e/');
    this.chunkStem = key('s/');
    this.snapshotChunkStem = key('x/');
    this.allLo = p;
    this.allHi = successor(p);
  }

  entry(index: number): Uint8Array {
    const k = new Uint8Array(this.entryStem.length + 8);
    k.set(this.entryStem, 0);
    writeU64(k, this.entryStem.length, index);
    return k;
  }

  /** Keys of entries first, first+1, …, first+count-1, in one buffer. */
  entries(first: number, count: number): Uint8Array[] {
    const stem = this.entryStem;
    const size = stem.length + 8;
    const arena = new Uint8Array(size * count);
    const out = new Array<Uint8Array>(count);
    for (let k = 0; k < count; k++) {
      const o = k * size;
      arena.set(stem, o);
      writeU64(arena, o + stem.length, first + k);
      out[k] = arena.subarray(o, o + size);
    }
    return out;
  }

  chunk(n: number): Uint8Array {
    const k = new Uint8Array(this.chunkStem.length + 4);
    k.set(this.chunkStem, 0);
    writeU32(k, this.chunkStem.length, n);
    return k;
  }

  /** The key of chunk n of snapshot `snapshotIndex`'s data. */
  snapshotChunk(snapshotIndex: number, n: number): Uint8Array {
    const o = this.snapshotChunkStem.length;
    const k = new Uint8Array(o + 12);
    k.set(this.snapshotChunkStem, 0);
    writeU64(k, o, snapshotIndex);
    writeU32(k, o + 8, n);
    return k;
  }

  /** The snapshot and chunk number a chunk key names, or undefined if it is not one. */
  snapshotChunkOf(key: Uint8Array): { snapshotIndex: number; n: number } | undefined {
    const o = this.snapshotChunkStem.length;
    if (key.length !== o + 12 || !startsWith(key, this.snapshotChunkStem) || readU32(key, o) >= MAX_SAFE_HIGH_WORD) return undefined;
    return { snapshotIndex: readU64(key, o), n: readU32(key, o + 8) };
  }

  /** The entry index a key names, or undefined if it is not an entry key (or the index is not a safe integer). */
  entryIndex(key: Uint8Array): number | undefined {
    const o = this.entryStem.length;
    if (key.length !== o + 8 || !startsWith(key, this.entryStem) || readU32(key, o) >= MAX_SAFE_HIGH_WORD) return undefined;
    return readU64(key, o);
  }

  /** The chunk number a key names, or undefined if it is not a chunk key. */
  chunkNumber(key: Uint8Array): number | undefined {
    return key.length === this.chunkStem.length + 4 && startsWith(key, this.chunkStem) ? readU32(key, this.chunkStem.length) : undefined;
  }

  /** A key under the prefix as text, for error messages ("r/e/<42>"). */
  describe(key: Uint8Array): string {
    const i = this.entryIndex(key);
    if (i !== undefined) return `${new TextDecoder().decode(this.entryStem)}<${i}>`;
    const n = this.chunkNumber(key);
    if (n !== undefined) return `${new TextDecoder().decode(this.chunkStem)}<${n}>`;
    const c = this.snapshotChunkOf(key);
    if (c !== undefined) return `${new TextDecoder().decode(this.snapshotChunkStem)}<${c.snapshotIndex}><${c.n}>`;
    let out = '';
    for (const b of key) out += b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
  }
}

// ---- Records ----

export function encodeFormat(): Uint8Array {
  const magic = new TextEncoder().encode(FORMAT_MAGIC);
  const v = frame(RecordType.format, magic.length + 4);
  v.set(magic, HEADER_BYTES);
  writeU32(v, HEADER_BYTES + magic.length, FORMAT_VERSION);
  return seal(v);
}

/** Throws BadRecordError unless the value is this format's record (magic and version). */
export function checkFormat(value: Uint8Array): void {
  const magic = new TextEncoder().encode(FORMAT_MAGIC);
  const r = open(value, RecordType.format, magic.length + 4);
  if (!startsWith(r.bytes(magic.length), magic)) throw new BadRecordError(`has the wrong magic (not a ${FORMAT_MAGIC} store)`);
  const version = r.u32();
  if (version !== FORMAT_VERSION) throw new BadRecordError(`has version ${version}; this build reads version ${FORMAT_VERSION} only`);
  r.end();
}

export function encodeHardState(hs: HardState): Uint8Array {
  const v = frame(RecordType.hardState, 24);
  writeU64(v, HEADER_BYTES, hs.term);
  writeU64(v, HEADER_BYTES + 8, hs.vote);
  writeU64(v, HEADER_BYTES + 16, hs.commit);
  return seal(v);
}

export function decodeHardState(value: Uint8Array): HardState {
  const r = open(value, RecordType.hardState, 24);
  const hs = { term: r.u64(), vote: r.u64(), commit: r.u64() };
  r.end();
  return hs;
}

export function encodeCompaction(c: CompactionPoint): Uint8Array {
  const v = frame(RecordType.compaction, 16);
  writeU64(v, HEADER_BYTES, c.index);
  writeU64(v, HEADER_BYTES + 8, c.term);
  return seal(v);
}

export function decodeCompaction(value: Uint8Array): CompactionPoint {
  const r = open(value, RecordType.compaction, 16);
  const c = { index: r.u64(), term: r.u64() };
  r.end();
  return c;
}

/**
 * Encodes a save's entries into one buffer, one view per entry: one allocation per save
 * instead of one per entry keeps the garbage collector off the hot path.
 */
export function encodeEntries(ents: readonly Entry[]): Uint8Array[] {
  let total = 0;
  for (const e of ents) total += ENTRY_HEADER_BYTES + e.data.length;
  const arena = new Uint8Array(total);
  const out = new Array<Uint8Array>(ents.length);
  let o = 0;
  for (let k = 0; k < ents.length; k++) {
    const e = ents[k]!;
    const n = ENTRY_HEADER_BYTES + e.data.length;
    out[k] = encodeEntryInto(arena.subarray(o, o + n), e);
    o += n;
  }
  return out;
}

function encodeEntryInto(v: Uint8Array, e: Entry): Uint8Array {
  v[4] = RecordType.entry;
  writeU64(v, 5, e.index);
  writeU64(v, 13, e.term);
  v[21] = e.type === 'normal' ? 0 : 1;
  v.set(e.data, ENTRY_HEADER_BYTES);
  return seal(v);
}

/** The entry's data is a view into `value`, not a copy. */
export function decodeEntry(value: Uint8Array): Entry {
  const r = open(value, RecordType.entry, 17);
  const index = r.u64();
  const term = r.u64();
  const type = entryType(r.u8());
  return { index, term, type, data: r.rest() };
}

export function encodeSnapshotRecord(s: SnapshotRecord): Uint8Array {
  const { voters, learners } = s.metadata.confState;
  const v = frame(RecordType.snapshotMeta, 32 + 4 + 8 * voters.length + 4 + 8 * learners.length);
  let o = HEADER_BYTES;
  o = writeU64(v, o, s.metadata.index);
  o = writeU64(v, o, s.metadata.term);
  o = writeU64(v, o, s.dataBytes);
  o = writeU32(v, o, s.dataCrc);
  o = writeU32(v, o, s.chunkCount);
  o = writeU32(v, o, voters.length);
  for (const id of voters) o = writeU64(v, o, id);
  o = writeU32(v, o, learners.length);
  for (const id of learners) o = writeU64(v, o, id);
  return seal(v);
}

export function decodeSnapshotRecord(value: Uint8Array): SnapshotRecord {
  const r = open(value, RecordType.snapshotMeta, 36);
  const index = r.u64();
  const term = r.u64();
  const dataBytes = r.u64();
  const dataCrc = r.u32();
  const chunkCount = r.u32();
  const voters = r.ids();
  const learners = r.ids();
  r.end();
  const confState: ConfState = { voters, learners };
  return { metadata: { index, term, confState }, dataBytes, dataCrc, chunkCount };
}

export function encodeChunk(snapshotIndex: number, n: number, data: Uint8Array): Uint8Array {
  const v = new Uint8Array(CHUNK_HEADER_BYTES + data.length);
  v[4] = RecordType.snapshotChunk;
  writeU64(v, 5, snapshotIndex);
  writeU32(v, 13, n);
  v.set(data, CHUNK_HEADER_BYTES);
  return seal(v);
}

export function decodeChunk(value: Uint8Array): { snapshotIndex: number; n: number; data: Uint8Array } {
  const r = open(value, RecordType.snapshotChunk, 12);
  return { snapshotIndex: r.u64(), n: r.u32(), data: r.rest() };
}

/** Number of chunks `bytes` of snapshot data are stored in. */
export function chunkCount(bytes: number): number {
  return Math.ceil(bytes / SNAPSHOT_CHUNK_BYTES);
}

/** CRC-32 of `data`; pass the CRC of the bytes before it as `previous` to continue it. */
export function checksum(data: Uint8Array, previous = 0): number {
  return crc32(data, previous);
}

// ---- Framing ----

function frame(type: RecordType, bodyBytes: number): Uint8Array {
  const v = new Uint8Array(HEADER_BYTES + bodyBytes);
  v[4] = type;
  return v;
}

/** Writes the CRC of everything after it into the first four bytes. */
function seal(v: Uint8Array): Uint8Array {
  writeU32(v, 0, crc32(v.subarray(4)));
  return v;
}

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(RecordType).map(([k, t]) => [t, k]));

/** Checks the frame (length, CRC, type) and returns a reader positioned on the body. */
function open(value: Uint8Array, type: RecordType, minBodyBytes: number): Reader {
  if (value.length < HEADER_BYTES) throw new BadRecordError(`is truncated (${value.length} bytes)`);
  if (readU32(value, 0) !== crc32(value.subarray(4))) throw new BadRecordError('checksum mismatch');
  const got = value[4]!;
  if (got !== type) throw new BadRecordError(`has record type ${TYPE_NAMES[got] ?? got} where ${TYPE_NAMES[type]} was expected`);
  if (value.length < HEADER_BYTES + minBodyBytes) throw new BadRecordError(`is truncated (${value.length} bytes)`);
  return new Reader(value, HEADER_BYTES);
}

class Reader {
  constructor(
    private readonly v: Uint8Array,
    private o: number,
  ) {}

  private need(n: number): void {
    if (this.o + n > this.v.length) throw new BadRecordError(`is truncated (${this.v.length} bytes)`);
  }

  u8(): number {
    this.need(1);
    return this.v[this.o++]!;
  }

  u32(): number {
    this.need(4);
    const x = readU32(this.v, this.o);
    this.o += 4;
    return x;
  }

  u64(): number {
    this.need(8);
    const x = readU64(this.v, this.o);
    this.o += 8;
    return x;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    this.o += n;
    return this.v.subarray(this.o - n, this.o);
  }

  ids(): number[] {
    const n = this.u32();
    this.need(8 * n);
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(this.u64());
    return out;
  }

  /** The remaining bytes as a plain Uint8Array view (not a Buffer, so it compares as the original did). */
  rest(): Uint8Array {
    const v = this.v;
    const out = new Uint8Array(v.buffer, v.byteOffset + this.o, v.length - this.o);
    this.o = v.length;
    return out;
  }

  end(): void {
    if (this.o !== this.v.length) throw new BadRecordError(`has ${this.v.length - this.o} trailing bytes`);
  }
}

function entryType(b: number): EntryType {
  if (b === 0) return 'normal';
  if (b === 1) return 'conf-change';
  throw new BadRecordError(`has unknown entry type ${b}`);
}

// ---- Bytes ----

function writeU32(b: Uint8Array, o: number, x: number): number {
  b[o] = x >>> 24;
  b[o + 1] = (x >>> 16) & 0xff;
  b[o + 2] = (x >>> 8) & 0xff;
  b[o + 3] = x & 0xff;
  return o + 4;
}

/** Requires 0 <= x <= Number.MAX_SAFE_INTEGER (indexes, terms and ids are). */
function writeU64(b: Uint8Array, o: number, x: number): number {
  writeU32(b, o, Math.floor(x / TWO_32));
  return writeU32(b, o + 4, x >>> 0);
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function readU64(b: Uint8Array, o: number): number {
  const hi = readU32(b, o);
  if (hi >= MAX_SAFE_HIGH_WORD) throw new BadRecordError('holds an integer beyond 2^53');
  return hi * TWO_32 + readU32(b, o + 4);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function startsWith(b: Uint8Array, stem: Uint8Array): boolean {
  if (b.length < stem.length) return false;
  for (let k = 0; k < stem.length; k++) if (b[k] !== stem[k]) return false;
  return true;
}

/** The smallest key greater than every key that starts with p. */
function successor(p: Uint8Array): Uint8Array {
  const out = new Uint8Array(p); // a copy, even of a Buffer (whose slice() is a view)
  for (let k = out.length - 1; k >= 0; k--) {
    if (out[k]! < 0xff) {
      out[k] = out[k]! + 1;
      return out.subarray(0, k + 1);
    }
  }
  throw new RangeError('a key prefix of only 0xff bytes has no successor');
}
