// The peer wire format (transport/peer/wire.ts): every message shape survives a frame intact.
import t from 'tap';
import { Packr } from 'msgpackr';
import type { Message, MessageType } from '../../../raft/index.js';
import { CAMPAIGN_TRANSFER, message } from '../../../raft/index.js';
import { decodePeerFrame, encodePeerFrame, estimatePeerMessageBytes, PeerWireFormatError } from '../../../transport/index.js';
import { app, snapshotChunks } from './helpers.js';

const ALL_TYPES: readonly MessageType[] = [
  'MsgHup', 'MsgBeat', 'MsgCheckQuorum', 'MsgProp', 'MsgApp', 'MsgAppResp', 'MsgSnap', 'MsgSnapResp', 'MsgHeartbeat',
  'MsgHeartbeatResp', 'MsgVote', 'MsgVoteResp', 'MsgPreVote', 'MsgPreVoteResp', 'MsgTransferLeader', 'MsgTimeoutNow',
  'MsgReadIndex', 'MsgReadIndexResp',
];

void t.test('every message type and field round-trips', (t) => {
  const sent: Message[] = ALL_TYPES.map((type, i) =>
    message({ type, from: 1, to: 2, term: 7 + i, logTerm: 6, index: 2 ** 40 + i, commit: 2 ** 33, reject: i % 2 === 0, rejectHint: i }),
  );
  sent.push(message({ type: 'MsgReadIndex', from: 2, to: 1, context: 'read-42', entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array([9]) }] }));
  sent.push(message({ type: 'MsgVote', from: 2, to: 1, term: 9, context: CAMPAIGN_TRANSFER }));
  sent.push(message({ type: 'MsgApp', from: 1, to: 3, entries: [{ term: 2, index: 5, type: 'conf-change', data: new Uint8Array([1, 2, 3]) }, { term: 2, index: 6, type: 'normal', data: new Uint8Array(0) }] }));
  sent.push(...snapshotChunks(1, 2, 1000, 300));
  sent.push(message({ type: 'MsgSnapResp', from: 2, to: 1, snapshot: { metadata: { index: 100, term: 4, confState: { voters: [1], learners: [] } }, offset: 600, totalBytes: 1000, data: new Uint8Array(0) }, context: 'x' }));
  const got = decodePeerFrame(encodePeerFrame(sent));
  t.strictSame(got, sent.map(plain), 'decoded messages equal the sent ones, field for field');
  t.end();
});

void t.test('byte fields decode as plain Uint8Arrays that own their memory', (t) => {
  const chunk = snapshotChunks(1, 2, 64, 64)[0]!;
  const frame = encodePeerFrame([app(1, 2, 5, 32), chunk]);
  const [m, snap] = decodePeerFrame(frame);
  const entryData = m!.entries[0]!.data;
  t.equal(Object.getPrototypeOf(entryData), Uint8Array.prototype, 'entry data is a Uint8Array, not a Buffer');
  t.equal(entryData.byteLength, 32);
  t.equal(entryData.buffer.byteLength, 32, 'entry data does not pin the frame');
  t.equal(Object.getPrototypeOf(snap!.snapshot!.data), Uint8Array.prototype, 'chunk data is a Uint8Array');
  t.strictSame(snap!.snapshot!.data, new Uint8Array(chunk.snapshot!.data), 'chunk bytes intact');
  frame.fill(0);
  t.equal(entryData[4], (5 + 4) & 0xff, 'decoded bytes are a copy');
  t.end();
});

void t.test('a slice of messages encodes only that slice', (t) => {
  const ms = [app(1, 2, 1), app(1, 2, 2), app(1, 2, 3)];
  t.strictSame(decodePeerFrame(encodePeerFrame(ms, 1, 3)).map((m) => m.index), [2, 3]);
  t.strictSame(decodePeerFrame(encodePeerFrame([])), []);
  t.end();
});

void t.test('the size estimate is an upper bound of the encoded size', (t) => {
  const samples: Message[] = [app(1, 2, 1, 4), app(1, 2, 2, 4096), ...snapshotChunks(1, 2, 5000, 2048), message({ type: 'MsgHeartbeat', from: 1, to: 2, term: 2 ** 40, commit: 2 ** 50, context: 'héllo' })];
  for (const m of samples) t.ok(encodePeerFrame([m]).byteLength <= estimatePeerMessageBytes(m) + 5, `${m.type} estimate holds`);
  t.end();
});

void t.test('malformed frames throw PeerWireFormatError', (t) => {
  const packr = new Packr({ useRecords: false });
  const good = encodePeerFrame([app(1, 2, 1)]);
  const cases: [string, Uint8Array][] = [
    ['not msgpack', new Uint8Array([0xc1])],
    ['not an array', packr.pack({ a: 1 })],
    ['a message that is not a tuple', packr.pack([5])],
    ['an unknown type code', packr.pack([[99, 2, 1, 0, 0, 0, 0, false, 0, []]])],
    ['a string where a number goes', packr.pack([[4, '2', 1, 0, 0, 0, 0, false, 0, []]])],
    ['an entry without bytes', packr.pack([[4, 2, 1, 0, 0, 0, 0, false, 0, [[1, 1, 0, 'x']]]])],
    ['a short snapshot', packr.pack([[6, 2, 1, 0, 0, 0, 0, false, 0, [], [1, 2]]])],
    ['a truncated frame', good.subarray(0, good.byteLength - 3)],
  ];
  for (const [name, bytes] of cases) t.throws(() => decodePeerFrame(bytes), PeerWireFormatError, name);
  t.end();
});

/** The decoder's view of a message: byte fields as plain Uint8Arrays (subarrays are copied). */
function plain(m: Message): Message {
  const out = { ...m, entries: m.entries.map((e) => ({ ...e, data: new Uint8Array(e.data) })) };
  if (m.snapshot) out.snapshot = { ...m.snapshot, data: new Uint8Array(m.snapshot.data) };
  return out;
}
