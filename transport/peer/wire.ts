/**
 * The peer wire format, v1: one gRPC message (a "frame") is a msgpack array of Raft messages,
 * each a positional tuple, so a frame carries no field names and no msgpackr extensions and any
 * msgpack implementation can read it.
 *
 *   frame    = [message, …]
 *   message  = [type, to, from, term, logTerm, index, commit, reject, rejectHint, entries,
 *               snapshot?, context?]      trailing absent fields are left out; an absent
 *                                         snapshot before a context is nil
 *   entry    = [term, index, entryType, data]
 *   snapshot = [metaIndex, metaTerm, voters, learners, offset, totalBytes, data]
 *
 * `type` and `entryType` are the codes below; they are append-only. Byte fields are msgpack bin
 * and decode to plain Uint8Arrays that own their memory (a retained entry never pins a frame).
 */
import { Packr, Unpackr } from 'msgpackr';
import { assert, packBounded } from '../../core/index.js';
import type { Entry, EntryType, Message, MessageType, SnapshotChunk } from '../../raft/index.js';
import { PeerWireFormatError } from './errors.js';

/** Wire codes of message types. Append only: a code, once used, keeps its meaning. */
const MESSAGE_TYPE_CODES: Readonly<Record<MessageType, number>> = {
  MsgHup: 0,
  MsgBeat: 1,
  MsgCheckQuorum: 2,
  MsgProp: 3,
  MsgApp: 4,
  MsgAppResp: 5,
  MsgSnap: 6,
  MsgSnapResp: 7,
  MsgHeartbeat: 8,
  MsgHeartbeatResp: 9,
  MsgVote: 10,
  MsgVoteResp: 11,
  MsgPreVote: 12,
  MsgPreVoteResp: 13,
  MsgTransferLeader: 14,
  MsgTimeoutNow: 15,
  MsgReadIndex: 16,
  MsgReadIndexResp: 17,
};
const MESSAGE_TYPES: readonly MessageType[] = invert(MESSAGE_TYPE_CODES);

const ENTRY_TYPE_CODES: Readonly<Record<EntryType, number>> = { normal: 0, 'conf-change': 1 };
const ENTRY_TYPES: readonly EntryType[] = invert(ENTRY_TYPE_CODES);

/** Fields of a message tuple before the optional snapshot and context. */
const MESSAGE_FIXED_FIELDS = 10;
const ENTRY_FIELDS = 4;
const SNAPSHOT_FIELDS = 7;

/** Per-message and per-entry bytes beyond payloads, for sizing frames before encoding them. */
const MESSAGE_OVERHEAD_BYTES = 48;
const ENTRY_OVERHEAD_BYTES = 24;
const SNAPSHOT_OVERHEAD_BYTES = 48;

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

type WireEntry = [number, number, number, Uint8Array];
type WireSnapshot = [number, number, number[], number[], number, number, Uint8Array];
type WireMessage = (number | boolean | WireEntry[] | WireSnapshot | string | null)[];

/** An upper estimate of a message's encoded size: frames are cut by it without encoding twice. */
export function estimatePeerMessageBytes(m: Message): number {
  let bytes = MESSAGE_OVERHEAD_BYTES;
  for (const e of m.entries) bytes += ENTRY_OVERHEAD_BYTES + e.data.byteLength;
  if (m.snapshot) {
    const meta = m.snapshot.metadata;
    bytes += SNAPSHOT_OVERHEAD_BYTES + 9 * (meta.confState.voters.length + meta.confState.learners.length) + m.snapshot.data.byteLength;
  }
  if (m.context !== undefined) bytes += 5 + 3 * m.context.length;
  return bytes;
}

/** Encodes messages[start, end) as one frame. */
export function encodePeerFrame(messages: readonly Message[], start = 0, end = messages.length): Buffer {
  const wire: WireMessage[] = new Array<WireMessage>(end - start);
  for (let i = start; i < end; i++) wire[i - start] = toWire(messages[i]!);
  return packBounded(packr, wire);
}

/**
 * Decodes a frame. Throws PeerWireFormatError when the bytes are not a v1 frame; a frame is
 * rejected whole, never delivered in part.
 */
export function decodePeerFrame(frame: Uint8Array): Message[] {
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(frame);
  } catch (err) {
    throw new PeerWireFormatError(`not msgpack: ${(err as Error).message}`);
  }
  if (!Array.isArray(decoded)) throw new PeerWireFormatError('frame is not an array');
  const out = new Array<Message>(decoded.length);
  for (let i = 0; i < decoded.length; i++) out[i] = fromWire(decoded[i]);
  return out;
}

function toWire(m: Message): WireMessage {
  const entries = new Array<WireEntry>(m.entries.length);
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i]!;
    entries[i] = [e.term, e.index, ENTRY_TYPE_CODES[e.type], e.data];
  }
  const wire: WireMessage = [MESSAGE_TYPE_CODES[m.type], m.to, m.from, m.term, m.logTerm, m.index, m.commit, m.reject, m.rejectHint, entries];
  if (m.snapshot !== undefined || m.context !== undefined) wire.push(m.snapshot ? snapshotToWire(m.snapshot) : null);
  if (m.context !== undefined) wire.push(m.context);
  return wire;
}

function snapshotToWire(c: SnapshotChunk): WireSnapshot {
  const { index, term, confState } = c.metadata;
  return [index, term, [...confState.voters], [...confState.learners], c.offset, c.totalBytes, c.data];
}

function fromWire(w: unknown): Message {
  if (!Array.isArray(w) || w.length < MESSAGE_FIXED_FIELDS || w.length > MESSAGE_FIXED_FIELDS + 2) throw new PeerWireFormatError('message is not a tuple of 10 to 12 fields');
  const type = MESSAGE_TYPES[w[0] as number];
  if (type === undefined) throw new PeerWireFormatError(`unknown message type code ${String(w[0])}`);
  const wireEntries: unknown = w[9];
  if (!Array.isArray(wireEntries)) throw new PeerWireFormatError('entries is not an array');
  const entries = new Array<Entry>(wireEntries.length);
  for (let i = 0; i < wireEntries.length; i++) entries[i] = entryFromWire(wireEntries[i]);
  const m: { -readonly [K in keyof Message]: Message[K] } = {
    type,
    to: num(w[1]),
    from: num(w[2]),
    term: num(w[3]),
    logTerm: num(w[4]),
    index: num(w[5]),
    entries,
    commit: num(w[6]),
    reject: bool(w[7]),
    rejectHint: num(w[8]),
  };
  const snapshot: unknown = w[10];
  if (snapshot !== undefined && snapshot !== null) m.snapshot = snapshotFromWire(snapshot);
  const context: unknown = w[11];
  if (context !== undefined) {
    if (typeof context !== 'string') throw new PeerWireFormatError('context is not a string');
    m.context = context;
  }
  return m;
}

function entryFromWire(w: unknown): Entry {
  if (!Array.isArray(w) || w.length !== ENTRY_FIELDS) throw new PeerWireFormatError('entry is not a tuple of 4 fields');
  const type = ENTRY_TYPES[w[2] as number];
  if (type === undefined) throw new PeerWireFormatError(`unknown entry type code ${String(w[2])}`);
  return { term: num(w[0]), index: num(w[1]), type, data: bytes(w[3]) };
}

function snapshotFromWire(w: unknown): SnapshotChunk {
  if (!Array.isArray(w) || w.length !== SNAPSHOT_FIELDS) throw new PeerWireFormatError('snapshot is not a tuple of 7 fields');
  return {
    metadata: { index: num(w[0]), term: num(w[1]), confState: { voters: ids(w[2]), learners: ids(w[3]) } },
    offset: num(w[4]),
    totalBytes: num(w[5]),
    data: bytes(w[6]),
  };
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new PeerWireFormatError(`expected a number, got ${typeof v}`);
  return v;
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new PeerWireFormatError(`expected a boolean, got ${typeof v}`);
  return v;
}

function ids(v: unknown): number[] {
  if (!Array.isArray(v)) throw new PeerWireFormatError('expected an array of node ids');
  for (const id of v) num(id);
  return v as number[];
}

/** A copy as a plain Uint8Array: msgpackr yields Buffers that are views into the whole frame. */
function bytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new PeerWireFormatError('expected bytes');
  const copy = new Uint8Array(v.byteLength);
  copy.set(v);
  return copy;
}

function invert<T extends string>(codes: Readonly<Record<T, number>>): T[] {
  const out: T[] = [];
  for (const [name, code] of Object.entries(codes) as [T, number][]) {
    assert(out[code] === undefined, () => `wire code ${code} used twice`);
    out[code] = name;
  }
  return out;
}
