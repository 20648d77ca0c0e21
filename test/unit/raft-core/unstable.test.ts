// Unstable: entries and a snapshot not yet persisted (etcd/raft's log_unstable_test.go, adapted).
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import type { Entry, Snapshot } from '../../../raft/index.js';
import { Unstable } from '../../../raft/index.js';
import { caught, ent, ids } from './helpers.js';

function snap(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) };
}

function unstable(entries: Entry[], offset: number, snapshot?: Snapshot): Unstable {
  const u = new Unstable(offset);
  u.entries = entries.slice();
  u.snapshot = snapshot;
  return u;
}

void t.test('maybeFirstIndex is known only from a pending snapshot', (t) => {
  t.equal(unstable([ent(5, 1)], 5).maybeFirstIndex(), undefined);
  t.equal(unstable([], 0).maybeFirstIndex(), undefined);
  t.equal(unstable([ent(5, 1)], 5, snap(4, 1)).maybeFirstIndex(), 5);
  t.equal(unstable([], 5, snap(4, 1)).maybeFirstIndex(), 5);
  t.end();
});

void t.test('maybeLastIndex: last entry, else the snapshot', (t) => {
  t.equal(unstable([ent(5, 1)], 5).maybeLastIndex(), 5);
  t.equal(unstable([ent(5, 1)], 5, snap(4, 1)).maybeLastIndex(), 5);
  t.equal(unstable([], 5, snap(4, 1)).maybeLastIndex(), 4);
  t.equal(unstable([], 0).maybeLastIndex(), undefined);
  t.end();
});

void t.test('maybeTerm: from entries or from the snapshot', (t) => {
  const cases: [Entry[], number, Snapshot | undefined, number, number | undefined][] = [
    [[ent(5, 1)], 5, undefined, 5, 1],
    [[ent(5, 1)], 5, undefined, 6, undefined],
    [[ent(5, 1)], 5, undefined, 4, undefined],
    [[ent(5, 1)], 5, snap(4, 1), 5, 1],
    [[ent(5, 1)], 5, snap(4, 1), 6, undefined],
    [[ent(5, 1)], 5, snap(4, 1), 4, 1],
    [[ent(5, 1)], 5, snap(4, 1), 3, undefined],
    [[], 5, snap(4, 1), 5, undefined],
    [[], 5, snap(4, 1), 4, 1],
    [[], 0, undefined, 5, undefined],
  ];
  for (const [es, offset, s, i, want] of cases) {
    t.equal(unstable(es, offset, s).maybeTerm(i), want, `entries ${ids(es)} offset ${offset} snap ${s?.metadata.index} term(${i})`);
  }
  t.end();
});

void t.test('restore drops the entries and holds the snapshot', (t) => {
  const u = unstable([ent(5, 1)], 5, snap(4, 1));
  const s = snap(6, 2);
  u.restore(s);
  t.equal(u.offset, 7);
  t.same(u.entries, []);
  t.equal(u.snapshot, s);
  t.end();
});

void t.test('stableTo drops persisted entries, unless the entry was overwritten', (t) => {
  // [entries, offset, snapshot, stableTo index, term, want offset, want length]
  const cases: [Entry[], number, Snapshot | undefined, number, number, number, number][] = [
    [[], 0, undefined, 5, 1, 0, 0],
    [[ent(5, 1)], 5, undefined, 5, 1, 6, 0],
    [[ent(5, 1), ent(6, 1)], 5, undefined, 5, 1, 6, 1],
    [[ent(6, 2)], 6, undefined, 6, 1, 6, 1], // term mismatch: a newer leader overwrote it
    [[ent(5, 1)], 5, undefined, 4, 1, 5, 1], // older than the unstable entries
    [[ent(5, 1)], 5, undefined, 4, 2, 5, 1],
    [[ent(5, 1)], 5, snap(4, 1), 5, 1, 6, 0],
    [[ent(5, 1), ent(6, 1)], 5, snap(4, 1), 5, 1, 6, 1],
    [[ent(6, 2)], 6, snap(5, 1), 6, 1, 6, 1],
    [[ent(5, 1)], 5, snap(4, 1), 4, 1, 5, 1], // the snapshot's index: not an entry
    [[ent(5, 2)], 5, snap(4, 2), 4, 1, 5, 1],
  ];
  for (const [es, offset, s, i, term, wOffset, wLen] of cases) {
    const u = unstable(es, offset, s);
    u.stableTo(i, term);
    t.same([u.offset, u.entries.length], [wOffset, wLen], `entries ${ids(es)} offset ${offset} snap ${s?.metadata.index}: stableTo(${i}, ${term})`);
  }
  t.end();
});

void t.test('stableSnapTo clears only the matching snapshot', (t) => {
  const u = unstable([], 5, snap(4, 1));
  u.stableSnapTo(3);
  t.ok(u.snapshot);
  u.stableSnapTo(4);
  t.equal(u.snapshot, undefined);
  t.end();
});

void t.test('truncateAndAppend: append, replace, truncate', (t) => {
  // [entries, offset, appended, want offset, want entries]
  const cases: [Entry[], number, Entry[], number, string[]][] = [
    [[ent(5, 1)], 5, [ent(6, 1), ent(7, 1)], 5, ['5/1', '6/1', '7/1']],
    [[ent(5, 1)], 5, [ent(5, 2), ent(6, 2)], 5, ['5/2', '6/2']],
    [[ent(5, 1)], 5, [ent(4, 2), ent(5, 2), ent(6, 2)], 4, ['4/2', '5/2', '6/2']],
    [[ent(5, 1), ent(6, 1), ent(7, 1)], 5, [ent(6, 2)], 5, ['5/1', '6/2']],
    [[ent(5, 1), ent(6, 1), ent(7, 1)], 5, [ent(7, 2), ent(8, 2)], 5, ['5/1', '6/1', '7/2', '8/2']],
  ];
  for (const [es, offset, appended, wOffset, want] of cases) {
    const u = unstable(es, offset);
    u.truncateAndAppend(appended);
    t.same([u.offset, ids(u.entries)], [wOffset, want], `${ids(es)} + ${ids(appended)}`);
  }
  t.end();
});

void t.test('truncateAndAppend does not alias the caller\'s array', (t) => {
  const u = new Unstable(7);
  const given = [ent(5, 1)]; // starts before the offset: taken wholesale
  u.truncateAndAppend(given);
  u.truncateAndAppend([ent(6, 1)]);
  t.equal(given.length, 1, 'the caller\'s array was not extended');
  t.end();
});

void t.test('slice within bounds; out of bounds is a bug', (t) => {
  const u = unstable([ent(5, 1), ent(6, 1), ent(7, 2)], 5);
  t.same(ids(u.slice(5, 8)), ['5/1', '6/1', '7/2']);
  t.same(ids(u.slice(6, 7)), ['6/1']);
  t.same(u.slice(6, 6), []);
  t.type(caught(() => u.slice(4, 6)), AssertionError);
  t.type(caught(() => u.slice(6, 9)), AssertionError);
  t.type(caught(() => u.slice(7, 6)), AssertionError);
  t.end();
});
