import { Packr } from 'msgpackr';
import { MSGPACK_BIN, msgpackHeaderBytes, packBounded, writeMsgpackHeader } from '../../core/index.js';
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

/** Bytes of the state machine's image copied between two pauses of encodeSnapshotPayloadSliced. */
export const PAYLOAD_COPY_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The same payload as encodeSnapshotPayload (any msgpack decoder reads one as the other), made
 * without holding the event loop for the whole image: the image goes last, behind its bin
 * header, copied in slices with a `pause` between them. Packing a 66 MB image in one call held a
 * member's loop for 0.25-0.8 s, on every member at once, since all take their snapshot at the
 * same index.
 */
export async function encodeSnapshotPayloadSliced(p: SnapshotPayload, pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<Uint8Array> {
  // sm last: its empty bin (0xc4 0x00, two bytes) is replaced by the image's bin header and the image.
  const head = packr.pack({ members: p.members, ...(p.alarms !== undefined ? { alarms: p.alarms } : {}), sm: new Uint8Array(0) });
  if (head[head.length - 2] !== MSGPACK_BIN.u8 || head[head.length - 1] !== 0) throw new Error('msgpack did not end the payload head with an empty bin');
  const headEnd = head.length - 2;
  const at = headEnd + msgpackHeaderBytes(MSGPACK_BIN, p.sm.length);
  const out = new Uint8Array(at + p.sm.length);
  out.set(head.subarray(0, headEnd), 0);
  writeMsgpackHeader(new DataView(out.buffer, out.byteOffset, out.byteLength), headEnd, MSGPACK_BIN, p.sm.length);
  for (let from = 0; from < p.sm.length; from += PAYLOAD_COPY_SLICE_BYTES) {
    if (from > 0) await pause();
    out.set(p.sm.subarray(from, from + PAYLOAD_COPY_SLICE_BYTES), at + from);
  }
  return out;
}

export function decodeSnapshotPayload(data: Uint8Array): SnapshotPayload {
  const p = packr.unpack(data) as SnapshotPayload;
  if (!p || !(p.sm instanceof Uint8Array) || !Array.isArray(p.members)) throw new Error('malformed store snapshot payload');
  return p;
}
