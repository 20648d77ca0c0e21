import { pack, unpack } from 'msgpackr';
import { assert } from '../../core/index.js';

/** Tag of the snapshot layout; a change of layout changes the tag. */
export const SNAPSHOT_FORMAT = 'flotilla-mvcc/1';

/**
 * A consistent copy of the whole state machine: every live revision record (compaction garbage
 * left out), the leases, and the meta a member needs to resume. Records are the backend's own
 * bytes (codec.ts), so a restored member hashes (hashKV) exactly like the one that took it.
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

export function encodeSnapshot(s: MvccSnapshot): Uint8Array {
  return pack(s);
}

export function decodeSnapshot(data: Uint8Array): MvccSnapshot {
  const s = unpack(data) as Partial<MvccSnapshot> | undefined;
  assert(s !== undefined && s !== null && s.format === SNAPSHOT_FORMAT, () => `mvcc snapshot: unknown format ${JSON.stringify((s as { format?: unknown } | undefined)?.format)}`);
  assert(
    typeof s.revision === 'number' && typeof s.compactRevision === 'number' && typeof s.consistentIndex === 'number' && Array.isArray(s.leases) && Array.isArray(s.records),
    'mvcc snapshot: malformed',
  );
  assert(s.records.length % 2 === 0, 'mvcc snapshot: records are not key/value pairs');
  return s as MvccSnapshot;
}
