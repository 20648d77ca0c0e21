import { Packr, unpack } from 'msgpackr';
import { packOwned } from '../../core/index.js';
import { crc32c } from './bytes.js';
import { decodeRecord } from './codec.js';
import { MvccCorruptionError } from './corruption.js';

/** Tag of the snapshot layout; a change of layout changes the tag (2: framed records, payload CRC). */
export const SNAPSHOT_FORMAT = 'flotilla-mvcc/2';

/**
 * A consistent copy of the whole state machine: every live revision record (compaction garbage
 * left out), the leases, and the meta a member needs to resume. Records are the backend's own
 * bytes (codec.ts, checksums included), so a restored member hashes (hashKV) exactly like the
 * one that took it.
 *
 * Encoded as  u32 CRC-32C (of the rest) | msgpack of this.
 */
export interface MvccSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly revision: number;
  readonly compactRevision: number;
  readonly consistentIndex: number;
  /** [id, ttlSeconds] pairs. */
  readonly leases: [number, number][];
  /** Revision keys and records, alternating: key0, record0, key1, record1, … in key order. */
  readonly records: Uint8Array[];
}

const CRC_BYTES = 4;
/** msgpackr's default `pack`, as an instance for packOwned. */
const packr = new Packr({ useRecords: false });

export function encodeSnapshot(s: MvccSnapshot): Uint8Array {
  const out = packOwned(packr, s, CRC_BYTES);
  new DataView(out.buffer).setUint32(0, crc32c(0, out.subarray(CRC_BYTES)));
  return out;
}

/** Records copied between two yields of encodeSnapshotSliced. */
export const SNAPSHOT_ENCODE_SLICE_RECORDS = 4096;

/** Bytes of msgpack's array header for `n` items (fixarray, array16, array32). */
function arrayHeaderBytes(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5;
}

function writeArrayHeader(out: Uint8Array, at: number, n: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (n < 16) {
    out[at] = 0x90 | n;
    return at + 1;
  }
  if (n < 0x10000) {
    out[at] = 0xdc;
    view.setUint16(at + 1, n);
    return at + 3;
  }
  out[at] = 0xdd;
  view.setUint32(at + 1, n);
  return at + 5;
}

/** Bytes of msgpack's bin header for `n` bytes (bin8, bin16, bin32). */
function binHeaderBytes(n: number): number {
  return n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeBinHeader(out: Uint8Array, view: DataView, at: number, n: number): number {
  if (n < 0x100) {
    out[at] = 0xc4;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0xc5;
    view.setUint16(at + 1, n);
    return at + 3;
  }
  out[at] = 0xc6;
  view.setUint32(at + 1, n);
  return at + 5;
}

/**
 * encodeSnapshot's bytes, made without holding the event loop for the whole state: msgpackr
 * packs everything but the records (which come last), the records are copied in slices of
 * SNAPSHOT_ENCODE_SLICE_RECORDS with a `pause` between slices, and the CRC follows slice by slice.
 * Packing a 50 MB state in one call held a member's loop (and its API server) for over a second.
 */
export async function encodeSnapshotSliced(s: MvccSnapshot, pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<Uint8Array> {
  const head = packr.pack({ ...s, records: [] });
  // The records key is the last one and packs as an empty fixarray: its header is rewritten below.
  if (head[head.length - 1] !== 0x90 || Object.keys(s).at(-1) !== 'records') return encodeSnapshot(s);
  const n = s.records.length;
  let size = CRC_BYTES + head.length - 1 + arrayHeaderBytes(n);
  for (const r of s.records) size += binHeaderBytes(r.length) + r.length;
  // Every byte is written below: no zero-fill of a buffer the size of the state (a plain
  // Uint8Array over it, so slice() copies as callers expect, unlike Buffer#slice).
  const memory = Buffer.allocUnsafeSlow(size);
  const out = new Uint8Array(memory.buffer, memory.byteOffset, size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(head.subarray(0, head.length - 1), CRC_BYTES);
  let at = writeArrayHeader(out, CRC_BYTES + head.length - 1, n);
  let crc = 0;
  let crcFrom = CRC_BYTES;
  for (let i = 0; i < n; i++) {
    const r = s.records[i]!;
    at = writeBinHeader(out, view, at, r.length);
    out.set(r, at);
    at += r.length;
    if ((i + 1) % SNAPSHOT_ENCODE_SLICE_RECORDS === 0 && i + 1 < n) {
      crc = crc32c(crc, out.subarray(crcFrom, at));
      crcFrom = at;
      await pause();
    }
  }
  crc = crc32c(crc, out.subarray(crcFrom, at));
  view.setUint32(0, crc);
  return out;
}

/**
 * Decodes and checks a snapshot: the payload's checksum, its shape, and every record's frame
 * (codec.ts), so that nothing damaged reaches the backend. Throws MvccCorruptionError naming
 * `location` (what the snapshot is, for the error).
 */
export function decodeSnapshot(data: Uint8Array, location = 'an MVCC snapshot'): MvccSnapshot {
  const corrupt = (detail: string): MvccCorruptionError => new MvccCorruptionError(location, `MVCC snapshot ${detail}`);
  if (data.length < CRC_BYTES) throw corrupt(`truncated (${data.length} bytes)`);
  const body = data.subarray(CRC_BYTES);
  if (crc32c(0, body) !== new DataView(data.buffer, data.byteOffset, CRC_BYTES).getUint32(0)) throw corrupt('checksum mismatch');
  const s = unpack(body) as Partial<MvccSnapshot> | null | undefined;
  if (s === undefined || s === null || s.format !== SNAPSHOT_FORMAT) throw corrupt(`of unknown format ${JSON.stringify((s as { format?: unknown } | null | undefined)?.format)}`);
  const count = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!count(s.revision) || !count(s.compactRevision) || !count(s.consistentIndex) || !Array.isArray(s.leases) || !Array.isArray(s.records)) throw corrupt('malformed');
  if (!s.leases.every((l) => Array.isArray(l) && l.length === 2 && count(l[0]) && count(l[1]))) throw corrupt('has malformed leases');
  if (s.records.length % 2 !== 0 || !s.records.every((r) => r instanceof Uint8Array)) throw corrupt('records are not key/value pairs');
  for (let i = 0; i < s.records.length; i += 2) decodeRecord(s.records[i]!, s.records[i + 1]!, location);
  return s as MvccSnapshot;
}
