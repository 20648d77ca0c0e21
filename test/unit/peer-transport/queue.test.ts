// PeerQueue: the bounded send queue of one peer.
import t from 'tap';
import { message } from '../../../raft/index.js';
import { PeerQueue } from '../../../transport/index.js';
import { app, seqOf, snapshotChunks } from './helpers.js';

void t.test('take returns messages in order, cut by bytes, at least one', (t) => {
  const q = new PeerQueue({ maxMessages: 100, maxBytes: 10_000 });
  for (let i = 0; i < 10; i++) q.push(app(1, 2, i), 100);
  t.equal(q.length, 10);
  t.equal(q.bytes, 1000);
  t.strictSame(q.take(350).map(seqOf), [0, 1, 2]);
  t.strictSame(q.take(50).map(seqOf), [3], 'one message even over the budget');
  t.strictSame(q.take(10_000).map(seqOf), [4, 5, 6, 7, 8, 9]);
  t.equal(q.length, 0);
  t.equal(q.bytes, 0);
  t.strictSame(q.take(100), []);
  t.end();
});

void t.test('a full queue drops its oldest messages, and counts them', (t) => {
  const q = new PeerQueue({ maxMessages: 3, maxBytes: 10_000 });
  let dropped = 0;
  for (let i = 0; i < 5; i++) dropped += q.push(app(1, 2, i), 10);
  t.equal(dropped, 2);
  t.strictSame(q.take(1000).map(seqOf), [2, 3, 4]);
  t.end();
});

void t.test('the byte bound drops too, but a lone oversized message is kept', (t) => {
  const q = new PeerQueue({ maxMessages: 100, maxBytes: 250 });
  t.equal(q.push(app(1, 2, 0), 100), 0);
  t.equal(q.push(app(1, 2, 1), 100), 0);
  t.equal(q.push(app(1, 2, 2), 100), 1, 'the oldest goes to make room');
  t.equal(q.push(app(1, 2, 3), 1000), 2, 'everything goes for an oversized one');
  t.strictSame(q.take(10_000).map(seqOf), [3]);
  t.end();
});

void t.test('snapshot chunks are kept over appends and heartbeats', (t) => {
  const q = new PeerQueue({ maxMessages: 3, maxBytes: 1_000_000 });
  const [c0, c1] = snapshotChunks(1, 2, 200, 100);
  q.push(c0!, 10);
  q.push(app(1, 2, 1), 10);
  q.push(message({ type: 'MsgHeartbeat', from: 1, to: 2 }), 10);
  t.equal(q.push(c1!, 10), 1);
  t.strictSame(q.take(1000).map((m) => m.type), ['MsgSnap', 'MsgHeartbeat', 'MsgSnap'], 'the append went, both chunks stayed');
  t.end();
});

void t.test('a queue of only chunks drops the oldest chunk', (t) => {
  const q = new PeerQueue({ maxMessages: 2, maxBytes: 1_000_000 });
  const chunks = snapshotChunks(1, 2, 300, 100);
  for (const c of chunks) q.push(c, 10);
  t.strictSame(q.take(1000).map((m) => m.snapshot!.offset), [100, 200]);
  t.end();
});

void t.test('long runs agree with a plain array, across compaction', (t) => {
  const bound = 5000;
  const q = new PeerQueue({ maxMessages: bound, maxBytes: 1_000_000_000 });
  const model: number[] = [];
  let next = 0;
  let dropped = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 3000; i++) {
      dropped += q.push(app(1, 2, next), 1);
      model.push(next++);
      if (model.length > bound) model.shift();
    }
    const take = 2500 + round;
    t.strictSame(q.take(take).map(seqOf), model.splice(0, take), `round ${round}`);
    t.equal(q.length, model.length);
  }
  t.equal(dropped, next - 50 * 2500 - 50 * 49 / 2 - q.length, 'every message was taken, dropped or is queued');
  t.end();
});

void t.test('clear empties and reports the count', (t) => {
  const q = new PeerQueue({ maxMessages: 10, maxBytes: 100 });
  q.push(app(1, 2, 1), 5);
  q.push(app(1, 2, 2), 5);
  t.equal(q.clear(), 2);
  t.equal(q.length, 0);
  t.equal(q.bytes, 0);
  t.end();
});
