// Builders and waits shared by the peer transport tests.
import type { Message, NodeId, SnapshotChunk } from '../../../raft/index.js';
import { message } from '../../../raft/index.js';

/** A MsgApp carrying one entry whose payload encodes `seq` (so order and bytes can be checked). */
export function app(from: NodeId, to: NodeId, seq: number, payloadBytes = 16): Message {
  const data = new Uint8Array(payloadBytes);
  new DataView(data.buffer).setUint32(0, seq);
  for (let i = 4; i < payloadBytes; i++) data[i] = (seq + i) & 0xff;
  return message({ type: 'MsgApp', from, to, term: 3, logTerm: 3, index: seq, commit: seq, entries: [{ term: 3, index: seq + 1, type: 'normal', data }] });
}

/** The sequence number app() put in a message. */
export function seqOf(m: Message): number {
  const data = m.entries[0]?.data;
  if (data === undefined) throw new Error(`${m.type} carries no entry`);
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

/** The chunks of a snapshot of `totalBytes` random-looking bytes, `chunkBytes` each. */
export function snapshotChunks(from: NodeId, to: NodeId, totalBytes: number, chunkBytes: number): Message[] {
  const image = new Uint8Array(totalBytes);
  for (let i = 0; i < totalBytes; i++) image[i] = (i * 131 + 7) & 0xff;
  const out: Message[] = [];
  for (let offset = 0; offset < totalBytes; offset += chunkBytes) {
    const snapshot: SnapshotChunk = {
      metadata: { index: 100, term: 4, confState: { voters: [1, 2, 3], learners: [4] } },
      offset,
      totalBytes,
      data: image.subarray(offset, Math.min(totalBytes, offset + chunkBytes)),
    };
    out.push(message({ type: 'MsgSnap', from, to, term: 4, snapshot }));
  }
  return out;
}

/** Polls until cond() holds; rejects after timeoutMs with `what`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
