// The key index: SortedStringMap (ordered map of byte keys) against a sorted array, and each
// key's generations (etcd's key_index_test.go, adapted: one write per key per main revision).
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { bytesToKey, KeyHistory, KeyIndex, keySpan, SortedStringMap } from '../../../raft/index.js';
import { ALL_FROM, enc } from './helpers.js';

function randomKey(r: SeededRandom): string {
  // Bytes over the whole 0..255 range, lengths 0..5: exercises byte order, not just ASCII.
  const n = r.int(6);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.5) ? 0x61 + r.int(4) : r.int(256));
  return s;
}

void t.test('SortedStringMap matches a sorted array under random inserts, deletes and range scans', (t) => {
  for (const seed of [1, 2, 3]) {
    const r = new SeededRandom(seed);
    const m = new SortedStringMap<number>();
    const ref = new Map<string, number>();
    const wrongDeletes: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const k = randomKey(r);
      if (r.chance(0.65)) {
        m.set(k, step);
        ref.set(k, step);
      } else if (m.delete(k) !== ref.delete(k)) {
        wrongDeletes.push(step);
      }
      if (step % 1000 === 0) m.checkInvariants();
    }
    t.same(wrongDeletes, [], `seed ${seed}: delete reports whether the key was there`);
    m.checkInvariants();
    const sorted = [...ref.keys()].sort();
    t.ok(m.keys().join('\n') === sorted.join('\n'), `seed ${seed}: key order is byte order`);
    t.equal(m.size, ref.size);
    const wrongScans: string[] = [];
    for (let q = 0; q < 150; q++) {
      const a = randomKey(r);
      const b = r.chance(0.2) ? undefined : randomKey(r);
      const got: string[] = [];
      m.forEachInRange(a, b, (k, v) => {
        got.push(v === ref.get(k) ? k : `${k} (wrong value)`);
      });
      const want = sorted.filter((k) => k >= a && (b === undefined || k < b));
      if (got.join('\n') !== want.join('\n')) wrongScans.push(`[${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    }
    t.same(wrongScans, [], `seed ${seed}: every range scan matches the sorted array`);
  }
  t.end();
});

void t.test('SortedStringMap: scans stop when the callback returns false; heavy deletes merge chunks', (t) => {
  const m = new SortedStringMap<number>();
  for (let i = 0; i < 5000; i++) m.set(String(i).padStart(5, '0'), i);
  const first: string[] = [];
  m.forEachInRange('00100', undefined, (k) => {
    first.push(k);
    return first.length < 3;
  });
  t.same(first, ['00100', '00101', '00102']);
  for (let i = 0; i < 5000; i++) if (i % 50 !== 0) m.delete(String(i).padStart(5, '0'));
  m.checkInvariants();
  t.equal(m.size, 100);
  for (let i = 0; i < 5000; i += 50) m.delete(String(i).padStart(5, '0'));
  m.checkInvariants();
  t.equal(m.size, 0);
  t.same(m.keys(), []);
  m.set('x', 1);
  t.same(m.keys(), ['x']);
  t.end();
});

/** etcd's newTestKeyIndex, with one write per main revision: put 2, 4; del 6; put 8, 10; del 12; put 14, 15; del 16. */
function testHistory(): KeyHistory {
  const h = new KeyHistory('foo');
  h.put(2, 0);
  h.put(4, 0);
  h.tombstone(6, 0);
  h.put(8, 0);
  h.put(10, 0);
  h.tombstone(12, 0);
  h.put(14, 0);
  h.put(15, 0);
  h.tombstone(16, 0);
  return h;
}

const mains = (h: KeyHistory): number[][] => h.gens.map((g) => g.filter((_, i) => i % 2 === 0));

void t.test('KeyHistory.get: the revision holding the value at each revision, none in the gaps between generations', (t) => {
  const h = testHistory();
  const expect: [number, number | undefined][] = [
    [17, undefined],
    [16, undefined],
    [15, 15],
    [14, 14],
    [13, undefined],
    [12, undefined],
    [11, 10],
    [10, 10],
    [9, 8],
    [8, 8],
    [7, undefined],
    [6, undefined],
    [5, 4],
    [4, 4],
    [3, 2],
    [2, 2],
    [1, undefined],
    [0, undefined],
  ];
  for (const [rev, want] of expect) t.equal(h.get(rev)?.main, want, `get(${rev})`);
  t.end();
});

void t.test('KeyHistory.compact and keptAt follow etcd (TestKeyIndexCompactAndKeep)', (t) => {
  // [compact at, generations left (mains), revision kept]
  const table: [number, number[][], number | undefined][] = [
    [1, [[2, 4, 6], [8, 10, 12], [14, 15, 16], []], undefined],
    [2, [[2, 4, 6], [8, 10, 12], [14, 15, 16], []], 2],
    [3, [[2, 4, 6], [8, 10, 12], [14, 15, 16], []], 2],
    [4, [[4, 6], [8, 10, 12], [14, 15, 16], []], 4],
    [5, [[4, 6], [8, 10, 12], [14, 15, 16], []], 4],
    [6, [[8, 10, 12], [14, 15, 16], []], undefined],
    [7, [[8, 10, 12], [14, 15, 16], []], undefined],
    [8, [[8, 10, 12], [14, 15, 16], []], 8],
    [9, [[8, 10, 12], [14, 15, 16], []], 8],
    [10, [[10, 12], [14, 15, 16], []], 10],
    [11, [[10, 12], [14, 15, 16], []], 10],
    [12, [[14, 15, 16], []], undefined],
    [13, [[14, 15, 16], []], undefined],
    [14, [[14, 15, 16], []], 14],
    [15, [[15, 16], []], 15],
    [16, [[]], undefined],
    [17, [[]], undefined],
  ];
  for (const [at, gens, kept] of table) {
    const fresh = testHistory();
    t.equal(fresh.keptAt(at)?.main, kept, `keptAt(${at}) on the full history`);
    fresh.compact(at);
    t.same(mains(fresh), gens, `compact(${at}) from the full history`);
    t.equal(fresh.keptAt(at)?.main, kept, `keptAt(${at}) after compact(${at})`);
    t.equal(fresh.isEmpty(), gens.length === 1 && gens[0]!.length === 0, `isEmpty after compact(${at})`);
    const again = mains(fresh);
    fresh.compact(at);
    t.same(mains(fresh), again, `compact(${at}) is idempotent`);
  }
  // Compacting step by step ends where compacting at once does.
  const stepwise = testHistory();
  for (const [at, gens] of table) {
    stepwise.compact(at);
    t.same(mains(stepwise), gens, `compact(1..${at}) step by step`);
  }
  t.end();
});

void t.test('KeyHistory: reads at or after a compaction are unchanged by it', (t) => {
  for (let at = 1; at <= 17; at++) {
    const h = testHistory();
    const before = Array.from({ length: 20 }, (_, rev) => h.get(rev)?.main);
    h.compact(at);
    for (let rev = at; rev < 20; rev++) t.equal(h.get(rev)?.main, before[rev], `compact(${at}) then get(${rev})`);
  }
  t.end();
});

void t.test('KeyHistory: has, last, and writes must move forward', (t) => {
  const h = testHistory();
  t.ok(h.has(8, 0));
  t.notOk(h.has(8, 1));
  t.notOk(h.has(9, 0));
  t.same(h.last(), { main: 16, sub: 0 });
  t.throws(() => h.put(16, 1), /not after its last revision/);
  t.throws(() => new KeyHistory('x').tombstone(3, 0), /does not exist/);
  t.end();
});

void t.test('KeyIndex scans spans as etcd reads key/range_end', (t) => {
  const idx = new KeyIndex();
  for (const k of ['a', 'ab', 'abc', 'b', 'b\u0000', 'c', '\u00ff']) idx.getOrCreate(k).put(1, 0);
  const scan = (key: Uint8Array, end?: Uint8Array): string[] => {
    const out: string[] = [];
    idx.forEachInSpan(keySpan(key, end), (h) => {
      out.push(h.key);
    });
    return out;
  };
  t.same(scan(enc('ab')), ['ab'], 'no range end: the key alone');
  t.same(scan(enc('zz')), [], 'a missing key');
  t.same(scan(enc('ab'), enc('b')), ['ab', 'abc'], '[key, end)');
  t.same(scan(enc('a'), enc('b')), ['a', 'ab', 'abc'], 'prefix "a" (end = "b")');
  t.same(scan(enc('b'), ALL_FROM), ['b', 'b\u0000', 'c', '\u00ff'], 'end "\\0": every key >= key');
  t.same(scan(ALL_FROM, ALL_FROM), ['a', 'ab', 'abc', 'b', 'b\u0000', 'c', '\u00ff'], 'key "\\0", end "\\0": every key');
  t.same(scan(enc('c'), enc('a')), [], 'end before key: nothing');
  t.same(scan(Uint8Array.of(0xff), Uint8Array.of(0xff, 0)), ['\u00ff'], 'bytes compare unsigned');
  t.equal(bytesToKey(Uint8Array.of(0xff, 0x00, 0x41)), '\u00ff\u0000A');
  idx.checkInvariants();
  t.end();
});
