import { Packr, unpack } from 'msgpackr';
import { MSGPACK_ARRAY, MSGPACK_BIN, msgpackHeaderBytes, packOwned, writeMsgpackHeader } from '../../core/index.js';
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

/**
 * encodeSnapshot's bytes (for records as the last field, as beginSnapshot builds it), made
 * without holding the event loop for the whole state: msgpackr packs everything but the
 * records, the records are copied in slices of SNAPSHOT_ENCODE_SLICE_RECORDS with a `pause`
 * between slices, and the CRC follows slice by slice.
 * Packing a 50 MB state in one call held a member's loop (and its API server) for over a second.
 */
export async function encodeSnapshotSliced(s: MvccSnapshot, pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<Uint8Array> {
  const { records, ...meta } = s;
  // The records go last, packed as an empty fixarray (one byte, 0x90) whose header is rewritten below.
  const head = packr.pack({ ...meta, records: [] });
  const n = records.length;
  let size = CRC_BYTES + head.length - 1 + msgpackHeaderBytes(MSGPACK_ARRAY, n);
  for (const r of records) size += msgpackHeaderBytes(MSGPACK_BIN, r.length) + r.length;
  // Every byte is written below: no zero-fill of a buffer the size of the state (a plain
  // Uint8Array over it, so slice() copies as callers expect, unlike Buffer#slice).
  const memory = Buffer.allocUnsafeSlow(size);
  const out = new Uint8Array(memory.buffer, memory.byteOffset, size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(head.subarray(0, head.length - 1), CRC_BYTES);
  let at = writeMsgpackHeader(view, CRC_BYTES + head.length - 1, MSGPACK_ARRAY, n);
  let crc = 0;
  let crcFrom = CRC_BYTES;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    at = writeMsgpackHeader(view, at, MSGPACK_BIN, r.length);
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
