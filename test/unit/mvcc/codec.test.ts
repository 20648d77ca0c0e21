// Bytes and codecs: CRC-32C, prefix ends, key spans, the backend layout, and the Backend contract
// on both implementations.
import t from 'tap';
import type { Backend } from '../../../raft/index.js';
import { compareBytes, crc32c, keySpan, MemoryBackend, MvccStore, prefixEnd, spanContains } from '../../../raft/index.js';
import { ALL_FROM, BackendHost, enc, onEachBackend, recordCount, settle, Applier } from './helpers.js';

void t.test('crc32c: the Castagnoli check value, and incremental use', (t) => {
  t.equal(crc32c(0, enc('123456789')), 0xe3069283, 'CRC-32C("123456789")');
  t.equal(crc32c(0, new Uint8Array(0)), 0);
  const data = enc('the quick brown fox jumps over the lazy dog, twice over: the quick brown fox');
  for (const cut of [0, 1, 7, 8, 9, 33, data.length]) t.equal(crc32c(crc32c(0, data.subarray(0, cut)), data.subarray(cut)), crc32c(0, data), `split at ${cut}`);
  t.end();
});

void t.test('prefixEnd and key spans follow etcd', (t) => {
  t.same(prefixEnd(enc('a/')), enc('a0'));
  t.same(prefixEnd(Uint8Array.of(0x61, 0xff)), Uint8Array.of(0x62));
  t.equal(prefixEnd(Uint8Array.of(0xff, 0xff)), undefined);
  t.ok(spanContains(keySpan(enc('a')), 'a'));
  t.notOk(spanContains(keySpan(enc('a')), 'ab'));
  t.ok(spanContains(keySpan(enc('a'), new Uint8Array(0)), 'a'), 'an empty range end is the single key');
  t.ok(spanContains(keySpan(enc('a'), ALL_FROM), '\u00ff\u00ff'));
  t.notOk(spanContains(keySpan(enc('b'), ALL_FROM), 'a'));
  t.ok(spanContains(keySpan(enc('a'), enc('c')), 'b'));
  t.notOk(spanContains(keySpan(enc('a'), enc('c')), 'c'));
  t.ok(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)) < 0);
  t.ok(compareBytes(Uint8Array.of(0xff), Uint8Array.of(0x7f)) > 0, 'unsigned');
  t.end();
});

void t.test('prefixEnd copies a Node Buffer view instead of changing the caller\'s bytes', (t) => {
  // Buffer#slice is a view (unlike Uint8Array#slice): prefixEnd once incremented the request's key in place.
  const frame = Buffer.from('xxa/yy');
  const key = frame.subarray(2, 4);
  t.same(prefixEnd(key), enc('a0'));
  t.equal(frame.toString(), 'xxa/yy', 'the frame is unchanged');
  t.end();
});

void t.test('a stored key or value never pins the larger buffer it was decoded from', async (t) => {
  const store = await MvccStore.open(new MemoryBackend());
  const frame = Buffer.alloc(64 * 1024, 0x61);
  frame.write('key1', 100);
  frame.write('val1', 200);
  store.applyPut({ key: frame.subarray(100, 104), value: frame.subarray(200, 204) }, 1);
  const kv = (await store.range({ key: enc('key1') })).kvs[0]!;
  t.equal(Buffer.from(kv.key).toString(), 'key1');
  t.equal(kv.key.buffer.byteLength, 4, 'the key owns 4 bytes, not the 64 KiB frame');
  t.equal(kv.value.buffer.byteLength, 4, 'the value owns 4 bytes, not the 64 KiB frame');
  frame.fill(0);
  t.equal(Buffer.from(kv.value).toString(), 'val1', 'and does not change with the frame');
});

/** The Backend contract, on both implementations. */
onEachBackend(t, 'Backend: atomic batches (deletes then puts), ordered consistent scans, bounds', async (t, kind) => {
  const host = await BackendHost.create(t, kind);
  const b: Backend = host.backend;
  await b.batch(
    ['a', 'b', 'c', 'd', 'e'].map((k) => [enc(k), enc(k.toUpperCase())] as const),
    [],
  );
  await b.batch([[enc('b'), enc('B2')]], [enc('b'), enc('c')]);
  t.equal(new TextDecoder().decode((await b.get(enc('b')))!), 'B2', 'a key deleted and put in one batch ends up put');
  t.equal(await b.get(enc('c')), undefined);
  const keys = async (range: object, chunk = 2): Promise<string[]> => {
    const out: string[] = [];
    for await (const entries of b.iterate(range, chunk)) {
      t.ok(entries.length <= chunk, 'chunks are bounded');
      for (const [k] of entries) out.push(new TextDecoder().decode(k));
    }
    return out;
  };
  t.same(await keys({}), ['a', 'b', 'd', 'e']);
  t.same(await keys({ gte: enc('b'), lt: enc('e') }), ['b', 'd']);
  t.same(await keys({ gt: enc('b'), lte: enc('e') }), ['d', 'e']);
  // A scan's view is fixed when it starts.
  const seen: string[] = [];
  for await (const entries of b.iterate({}, 1)) {
    for (const [k] of entries) seen.push(new TextDecoder().decode(k));
    if (seen.length === 1) await b.batch([[enc('c'), enc('new')]], [enc('e')]);
  }
  t.same(seen, ['a', 'b', 'd', 'e'], 'writes during a scan are not seen by it');
  t.ok((await b.approximateSize()) >= 0);
  t.end();
});

void t.test('memory is bounded when the caller seldom flushes: the store flushes by itself', async (t) => {
  const backend = new MemoryBackend();
  const a = new Applier(await MvccStore.open(backend, { limits: { maxUnflushedRecords: 100 } }));
  for (let i = 0; i < 250; i++) a.put(`k${i}`, 'v');
  await settle();
  t.ok((await recordCount(backend)) >= 200, 'records reached the backend without a flush call');
  t.ok(a.store.flushedConsistentIndex() >= 200);
  t.end();
});
