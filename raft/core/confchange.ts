import { ProposalDroppedError } from './errors.js';
import type { ConfChange, ConfChangeType, ConfState } from './types.js';

const TYPES: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'remove'];

/**
 * Encodes a ConfChange as the data of a conf-change entry: one type byte, the id as a float64
 * (ids are integers below 2^53), then the context bytes, if any.
 */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const ctx = cc.context ?? new Uint8Array(0);
  const buf = new Uint8Array(9 + ctx.length);
  buf[0] = TYPES.indexOf(cc.type);
  new DataView(buf.buffer).setFloat64(1, cc.nodeId);
  buf.set(ctx, 9);
  return buf;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const type = TYPES[data[0] ?? 255];
  if (type === undefined || data.length < 9) throw new Error(`malformed conf change entry (${data.length} bytes)`);
  const nodeId = new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(1);
  return data.length > 9 ? { type, nodeId, context: data.subarray(9) } : { type, nodeId };
}

/**
 * The configuration that results from applying cc to cs. Every change moves at most one voter,
 * so any majority of the old voters overlaps any majority of the new ones (§4.1).
 */
export function applyChange(cs: ConfState, cc: ConfChange): ConfState {
  const voters = new Set(cs.voters);
  const learners = new Set(cs.learners);
  switch (cc.type) {
    case 'add-voter':
      learners.delete(cc.nodeId);
      voters.add(cc.nodeId);
      break;
    case 'add-learner':
      voters.delete(cc.nodeId);
      learners.add(cc.nodeId);
      break;
    case 'remove':
      voters.delete(cc.nodeId);
      learners.delete(cc.nodeId);
      break;
  }
  return { voters: [...voters].sort((a, b) => a - b), learners: [...learners].sort((a, b) => a - b) };
}

/** Rejects changes that would leave the cluster without voters. */
export function validateChange(cs: ConfState, cc: ConfChange): void {
  if (!Number.isInteger(cc.nodeId) || cc.nodeId <= 0) {
    throw new ProposalDroppedError('invalid-conf-change', `node id must be a positive integer, got ${cc.nodeId}`);
  }
  if (applyChange(cs, cc).voters.length === 0) {
    throw new ProposalDroppedError('invalid-conf-change', `removing node ${cc.nodeId} would leave no voters`);
  }
}
