// MemoryStorage: the in-memory Storage (etcd/raft's storage_test.go, adapted).
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import type { ConfState, Entry } from '../../../raft/index.js';
import { CompactedError, MemoryStorage, SnapshotOutOfDateError, UnavailableError, entrySize, limitSize } from '../../../raft/index.js';
import { caught, ent, ents, ids } from './helpers.js';

const CS: ConfState = { voters: [1, 2, 3], learners: [] };

/** Storage whose dummy entry is (first[0]) — as after a snapshot — followed by the rest. */
function storageWith(es: readonly Entry[]): MemoryStorage {
  const s = new MemoryStorage();
  const [head, ...rest] = es;
  if (head) s.applySnapshot({ metadata: { index: head.index, term: head.term, confState: CS }, data: new Uint8Array(0) });
  s.append(rest);
  return s;
}

/** Everything the storage holds, dummy included: [firstIndex-1, lastIndex] as index/term. */
function contents(s: MemoryStorage): string[] {
  const out: string[] = [];
  for (let i = s.firstIndex() - 1; i <= s.lastIndex(); i++) out.push(`${i}/${s.term(i)}`);
  return out;
}

void t.test('a fresh storage is empty: first 1, last 0, term(0) = 0', (t) => {
  const s = new MemoryStorage();
  t.equal(s.firstIndex(), 1);
  t.equal(s.lastIndex(), 0);
  t.equal(s.term(0), 0);
  t.same(s.entries(1, 1, Infinity), []);
  t.type(caught(() => s.term(1)), UnavailableError);
  t.end();
});

void t.test('term: compacted below the dummy, unavailable past the end', (t) => {
  const s = storageWith(ents(3, 3, 4, 5));
  const e2 = caught(() => s.term(2));
  t.type(e2, CompactedError);
  t.match(e2, { index: 2, firstIndex: 4 });
  t.equal(s.term(3), 3, 'the dummy still answers its term');
  t.equal(s.term(4), 4);
  t.equal(s.term(5), 5);
  const e6 = caught(() => s.term(6));
  t.type(e6, UnavailableError);
  t.match(e6, { index: 6, lastIndex: 5 });
  t.end();
});

void t.test('entries: bounds and byte limits', (t) => {
  const s = storageWith(ents(3, 3, 4, 5, 6));
  const size = entrySize(ent(4, 4));
  t.type(caught(() => s.entries(2, 6, Infinity)), CompactedError);
  t.type(caught(() => s.entries(3, 4, Infinity)), CompactedError, 'the dummy is not an entry');
  t.same(ids(s.entries(4, 5, Infinity)), ['4/4']);
  t.same(ids(s.entries(4, 6, Infinity)), ['4/4', '5/5']);
  t.same(ids(s.entries(4, 7, Infinity)), ['4/4', '5/5', '6/6']);
  t.same(ids(s.entries(4, 7, 0)), ['4/4'], 'at least one entry, even over the limit');
  t.same(ids(s.entries(4, 7, 2 * size)), ['4/4', '5/5']);
  t.same(ids(s.entries(4, 7, 2 * size + size / 2)), ['4/4', '5/5']);
  t.same(ids(s.entries(4, 7, 3 * size - 1)), ['4/4', '5/5']);
  t.same(ids(s.entries(4, 7, 3 * size)), ['4/4', '5/5', '6/6']);
  t.type(caught(() => s.entries(4, 8, Infinity)), UnavailableError);
  t.end();
});

void t.test('entries returns a copy: mutating it does not change the log', (t) => {
  const s = storageWith(ents(3, 3, 4, 5));
  const got = s.entries(4, 6, Infinity);
  got.push(ent(6, 9));
  got.length = 0;
  t.same(contents(s), ['3/3', '4/4', '5/5']);
  t.end();
});

void t.test('entrySize and limitSize count payload bytes', (t) => {
  const big = { ...ent(1, 1), data: new Uint8Array(100) };
  t.equal(entrySize(big), 116);
  const es = [big, { ...big, index: 2 }, { ...big, index: 3 }];
  t.equal(limitSize(es, 231).length, 1);
  t.equal(limitSize(es, 232).length, 2);
  t.equal(limitSize(es, Infinity), es, 'no copy when nothing is cut');
  t.same(limitSize([], 0), []);
  t.end();
});

void t.test('first and last index follow appends and compaction', (t) => {
  const s = storageWith(ents(3, 3, 4, 5));
  t.equal(s.firstIndex(), 4);
  t.equal(s.lastIndex(), 5);
  s.append([ent(6, 5)]);
  t.equal(s.lastIndex(), 6);
  s.compact(4);
  t.equal(s.firstIndex(), 5);
  t.equal(s.lastIndex(), 6);
  t.end();
});

void t.test('compact', async (t) => {
  const cases: { i: number; compacted: boolean; dummy: number; term: number; len: number }[] = [
    { i: 2, compacted: true, dummy: 3, term: 3, len: 3 },
    { i: 3, compacted: true, dummy: 3, term: 3, len: 3 },
    { i: 4, compacted: false, dummy: 4, term: 4, len: 2 },
    { i: 5, compacted: false, dummy: 5, term: 5, len: 1 },
  ];
  for (const c of cases) {
    const s = storageWith(ents(3, 3, 4, 5));
    const err = caught(() => s.compact(c.i));
    if (c.compacted) t.type(err, CompactedError, `compact(${c.i})`);
    else t.equal(err, undefined, `compact(${c.i})`);
    t.equal(s.firstIndex() - 1, c.dummy, `dummy after compact(${c.i})`);
    t.equal(s.term(c.dummy), c.term);
    t.equal(contents(s).length, c.len);
  }
  const s = storageWith(ents(3, 3, 4, 5));
  t.type(caught(() => s.compact(6)), AssertionError, 'compacting past the last index is a bug');
});

void t.test('createSnapshot', (t) => {
  const data = new TextEncoder().encode('data');
  const s = storageWith(ents(3, 3, 4, 5));
  t.type(caught(() => s.createSnapshot(3, CS, data)), SnapshotOutOfDateError, 'not newer than the current snapshot');
  const snap4 = s.createSnapshot(4, CS, data);
  t.same(snap4, { metadata: { index: 4, term: 4, confState: CS }, data });
  t.equal(s.snapshot(), snap4);
  t.same(contents(s), ['3/3', '4/4', '5/5'], 'creating a snapshot does not compact');
  t.type(caught(() => s.createSnapshot(4, CS, data)), SnapshotOutOfDateError, 'the same index twice');
  t.same(s.createSnapshot(5, CS, data).metadata, { index: 5, term: 5, confState: CS });
  t.type(caught(() => s.createSnapshot(6, CS, data)), AssertionError, 'beyond the log');
  t.end();
});

void t.test('append: overlap, truncation, compacted prefixes', (t) => {
  const cases: { name: string; append: Entry[]; want: string[] }[] = [
    { name: 'entirely compacted', append: ents(1, 1, 2), want: ['3/3', '4/4', '5/5'] },
    { name: 'identical', append: ents(3, 3, 4, 5), want: ['3/3', '4/4', '5/5'] },
    { name: 'conflicting suffix', append: [ent(3, 3), ent(4, 6), ent(5, 6)], want: ['3/3', '4/6', '5/6'] },
    { name: 'overlap and extend', append: ents(3, 3, 4, 5, 5), want: ['3/3', '4/4', '5/5', '6/5'] },
    { name: 'compacted head cut, existing tail truncated', append: [ent(2, 3), ent(3, 3), ent(4, 5)], want: ['3/3', '4/5'] },
    { name: 'truncate then append', append: [ent(4, 5)], want: ['3/3', '4/5'] },
    { name: 'direct append', append: [ent(6, 5)], want: ['3/3', '4/4', '5/5', '6/5'] },
    { name: 'nothing', append: [], want: ['3/3', '4/4', '5/5'] },
  ];
  for (const c of cases) {
    const s = storageWith(ents(3, 3, 4, 5));
    s.append(c.append);
    t.same(contents(s), c.want, c.name);
  }
  const s = storageWith(ents(3, 3, 4, 5));
  t.type(caught(() => s.append([ent(7, 5)])), AssertionError, 'a gap is a bug');
  t.end();
});

void t.test('applySnapshot replaces the log; an older snapshot is refused', (t) => {
  const s = storageWith(ents(3, 3, 4, 5, 6));
  const snap = (index: number, term: number) => ({ metadata: { index, term, confState: { voters: [1, 2], learners: [3] } }, data: new Uint8Array([index]) });
  s.applySnapshot(snap(4, 4));
  t.equal(s.firstIndex(), 5);
  t.equal(s.lastIndex(), 4, 'entries after the snapshot are dropped with the rest');
  t.equal(s.term(4), 4);
  t.same(s.initialState().confState, { voters: [1, 2], learners: [3] });
  t.same(s.snapshot().data, new Uint8Array([4]));
  const err = caught(() => s.applySnapshot(snap(3, 3)));
  t.type(err, SnapshotOutOfDateError);
  t.match(err, { index: 3, currentIndex: 4 });
  t.equal(s.firstIndex(), 5, 'unchanged by the refused snapshot');
  t.end();
});

void t.test('initialState returns the hard state last set', (t) => {
  const s = new MemoryStorage();
  t.same(s.initialState().hardState, { term: 0, vote: 0, commit: 0 });
  s.setHardState({ term: 3, vote: 2, commit: 0 });
  t.same(s.initialState().hardState, { term: 3, vote: 2, commit: 0 });
  t.end();
});
