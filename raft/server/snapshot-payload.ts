import { Packr } from 'msgpackr';
import { packBounded } from '../../core/index.js';
import type { AlarmMember, Member } from '../mvcc/index.js';

/** What a Raft snapshot of the store carries: the state machine's image and the cluster state. */
export interface SnapshotPayload {
  readonly sm: Uint8Array;
  readonly members: Member[];
  /** Raised alarms (absent in snapshots taken before alarms were kept). */
  readonly alarms?: AlarmMember[];
}

const packr = new Packr({ useRecords: false });

export function encodeSnapshotPayload(p: SnapshotPayload): Uint8Array {
  return packBounded(packr, p);
}

export function decodeSnapshotPayload(data: Uint8Array): SnapshotPayload {
  const p = packr.unpack(data) as SnapshotPayload;
  if (!p || !(p.sm instanceof Uint8Array) || !Array.isArray(p.members)) throw new Error('malformed store snapshot payload');
  return p;
}
