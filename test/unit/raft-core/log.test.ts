// RaftLog: the durable prefix in Storage followed by the unstable suffix (etcd/raft's log_test.go, adapted).
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import type { Entry, Snapshot } from '../../../raft/index.js';
import { CompactedError, MemoryStorage, RaftLog, entrySize } from '../../../raft/index.js';
import { caught, ent, ents, ids } from './helpers.js';

const NO_LIMIT = Infinity;

function snap(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) };
}

/** A log over a fresh storage holding `es` as unstable entries, committed up to `commit`. */
function logWith(es: readonly Entry[], commit = 0): RaftLog {
  const l = new RaftLog(new MemoryStorage(), NO_LIMIT);
  l.append(es);
  l.committed = commit;
  return l;
}

/** A log whose storage starts with a snapshot at es[0] (index, term), followed by unstable es[1..]. */
function logAfterSnapshot(es: readonly Entry[]): RaftLog {
  const st = new MemoryStorage();
  const [head, ...rest] = es;
  if (head) st.applySnapshot(snap(head.index, head.term));
  const l = new RaftLog(st, NO_LIMIT);
  l.append(rest);
  return l;
}

void t.test('findConflict: the first entry we lack or whose term differs', (t) => {
  const prev = ents(1, 1, 2, 3);
  const cases: [Entry[], number][] = [
    [[], 0],
    [ents(1, 1, 2, 3), 0],
    [ents(2, 2, 3), 0],
    [ents(3, 3), 0],
    [ents(1, 1, 2, 3, 4, 4), 4],
    [ents(2, 2, 3, 4, 4), 4],
    [ents(3, 3, 4, 4), 4],
    [ents(4, 4, 4), 4],
    [ents(1, 4, 4), 1],
    [ents(2, 1, 4, 4), 2],
    [ents(3, 1, 2, 4, 4), 3],
  ];
  for (const [es, want] of cases) t.equal(logWith(prev).findConflict(es), want, `findConflict(${ids(es)})`);
  t.end();
});

void t.test('findConflictByTerm: the largest index <= index whose term is <= term', (t) => {
  // [log: es[0] is the snapshot, index, term, want]
  const cases: [Entry[], number, number, number][] = [
    // Log starts from index 1.
    [ents(0, 0, 2, 2, 5, 5, 5), 100, 2, 100], // beyond the log: term unknown, assume a match
    [ents(0, 0, 2, 2, 5, 5, 5), 5, 6, 5],
    [ents(0, 0, 2, 2, 5, 5, 5), 5, 5, 5],
    [ents(0, 0, 2, 2, 5, 5, 5), 5, 4, 2],
    [ents(0, 0, 2, 2, 5, 5, 5), 5, 2, 2],
    [ents(0, 0, 2, 2, 5, 5, 5), 5, 1, 0],
    [ents(0, 0, 2, 2, 5, 5, 5), 1, 2, 1],
    [ents(0, 0, 2, 2, 5, 5, 5), 1, 1, 0],
    [ents(0, 0, 2, 2, 5, 5, 5), 0, 0, 0],
    // Log with compacted entries.
    [ents(10, 3, 3, 3, 4, 4, 4), 30, 3, 30], // beyond the log
    [ents(10, 3, 3, 3, 4, 4, 4), 14, 9, 14],
    [ents(10, 3, 3, 3, 4, 4, 4), 14, 4, 14],
    [ents(10, 3, 3, 3, 4, 4, 4), 14, 3, 12],
    [ents(10, 3, 3, 3, 4, 4, 4), 14, 2, 9], // below the snapshot: term unknown
    [ents(10, 3, 3, 3, 4, 4, 4), 11, 5, 11],
    [ents(10, 3, 3, 3, 4, 4, 4), 10, 5, 10],
    [ents(10, 3, 3, 3, 4, 4, 4), 10, 3, 10],
    [ents(10, 3, 3, 3, 4, 4, 4), 10, 2, 9],
    [ents(10, 3, 3, 3, 4, 4, 4), 9, 2, 9],
    [ents(10, 3, 3, 3, 4, 4, 4), 4, 2, 4],
    [ents(10, 3, 3, 3, 4, 4, 4), 0, 0, 0],
  ];
  for (const [es, index, term, want] of cases) {
    const l = logAfterSnapshot(es);
    const got = l.findConflictByTerm(index, term);
    t.same(got, { index: want, term: l.term(want) }, `log ${ids(es)}: findConflictByTerm(${index}, ${term})`);
  }
  t.end();
});

void t.test('isUpToDate compares last term, then last index (§5.4.1)', (t) => {
  const l = logWith(ents(1, 1, 2, 3));
  const last = l.lastIndex();
  const cases: [number, number, boolean][] = [
    [last - 1, 4, true],
    [last, 4, true],
    [last + 1, 4, true],
    [last - 1, 2, false],
    [last, 2, false],
    [last + 1, 2, false],
    [last - 1, 3, false],
    [last, 3, true],
    [last + 1, 3, true],
  ];
  for (const [i, term, want] of cases) t.equal(l.isUpToDate(i, term), want, `isUpToDate(${i}, ${term})`);
  t.end();
});

void t.test('maybeAppend: match, conflicts, and the commit index it implies', (t) => {
  const last = 3;
  const lastTerm = 3;
  const commit = 1;
  // [logTerm, index, committed, entries, want result, want commit, throws]
  const cases: [number, number, number, Entry[], number | undefined, number, boolean][] = [
    // No match: term differs, or index past the end.
    [lastTerm - 1, last, last, [ent(last + 1, 4)], undefined, commit, false],
    [lastTerm, last + 1, last, [ent(last + 2, 4)], undefined, commit, false],
    // Match with the last entry.
    [lastTerm, last, last, [], last, last, false],
    [lastTerm, last, last + 1, [], last, last, false], // commit no higher than the last new entry
    [lastTerm, last, last - 1, [], last, last - 1, false], // commit up to the message's commit
    [lastTerm, last, 0, [], last, commit, false], // commit never decreases
    [0, 0, last, [], 0, commit, false],
    [lastTerm, last, last, [ent(last + 1, 4)], last + 1, last, false],
    [lastTerm, last, last + 1, [ent(last + 1, 4)], last + 1, last + 1, false],
    [lastTerm, last, last + 2, [ent(last + 1, 4)], last + 1, last + 1, false],
    [lastTerm, last, last + 2, [ent(last + 1, 4), ent(last + 2, 4)], last + 2, last + 2, false],
    // Match with an entry in the middle.
    [lastTerm - 1, last - 1, last, [ent(last, 4)], last, last, false],
    [lastTerm - 2, last - 2, last, [ent(last - 1, 4)], last - 1, last - 1, false],
    [lastTerm - 3, last - 3, last, [ent(last - 2, 4)], last - 2, last - 2, true], // conflicts with a committed entry
    [lastTerm - 2, last - 2, last, [ent(last - 1, 4), ent(last, 4)], last, last, false],
  ];
  for (const [logTerm, index, committed, es, want, wantCommit, throws] of cases) {
    const name = `maybeAppend(${index}, ${logTerm}, ${committed}, ${ids(es)})`;
    const l = logWith(ents(1, 1, 2, 3), commit);
    if (throws) {
      t.type(caught(() => l.maybeAppend(index, logTerm, committed, es)), AssertionError, name);
      continue;
    }
    t.equal(l.maybeAppend(index, logTerm, committed, es), want, name);
    t.equal(l.committed, wantCommit, `${name}: committed`);
    if (want !== undefined && es.length > 0) {
      t.same(ids(l.slice(l.lastIndex() - es.length + 1, l.lastIndex() + 1, NO_LIMIT)), ids(es), `${name}: entries`);
    }
  }
  t.end();
});

void t.test('maybeAppend keeps a longer matching suffix (a stale, shorter append truncates nothing)', (t) => {
  const l = logWith(ents(1, 1, 1, 1, 1));
  t.equal(l.maybeAppend(1, 1, 0, ents(2, 1)), 2);
  t.equal(l.lastIndex(), 4, 'entries 3 and 4 survive');
  t.end();
});

void t.test('append: truncates an uncommitted suffix; may not go below commit', (t) => {
  const l = logWith(ents(1, 1, 2));
  t.equal(l.append([]), 2);
  t.equal(l.append(ents(3, 2)), 3);
  t.equal(l.append(ents(2, 3, 3)), 3);
  t.same(ids(l.slice(1, 4, NO_LIMIT)), ['1/1', '2/3', '3/3']);
  l.committed = 2;
  t.type(caught(() => l.append(ents(2, 4))), AssertionError, 'would overwrite a committed entry');
  t.end();
});

void t.test('commitTo never moves backwards and never past the last index', (t) => {
  const l = logWith(ents(1, 1, 2, 3), 2);
  l.commitTo(3);
  t.equal(l.committed, 3);
  l.commitTo(1);
  t.equal(l.committed, 3, 'never decreases');
  t.type(caught(() => l.commitTo(4)), AssertionError);
  t.end();
});

void t.test('maybeCommit commits only entries of the given term (§5.4.2)', (t) => {
  const l = logWith(ents(1, 1, 2, 2));
  t.notOk(l.maybeCommit(2, 1), 'an entry of an older term is not committed by counting replicas');
  t.equal(l.committed, 0);
  t.ok(l.maybeCommit(3, 2));
  t.equal(l.committed, 3, 'committing it commits everything before');
  t.notOk(l.maybeCommit(2, 2), 'not backwards');
  t.end();
});

void t.test('appliedTo stays within [applied, committed]', (t) => {
  const l = logWith(ents(1, 1, 1, 1), 2);
  l.appliedTo(1);
  t.equal(l.applied, 1);
  l.appliedTo(0);
  t.equal(l.applied, 1, '0 is ignored');
  t.type(caught(() => l.appliedTo(3)), AssertionError, 'past commit');
  l.appliedTo(2);
  t.type(caught(() => l.appliedTo(1)), AssertionError, 'backwards');
  t.end();
});

void t.test('term: 0 outside [firstIndex-1, lastIndex]', (t) => {
  const offset = 100;
  const num = 100;
  const st = new MemoryStorage();
  st.applySnapshot(snap(offset, 1));
  const l = new RaftLog(st, NO_LIMIT);
  for (let i = 1; i < num; i++) l.append([ent(offset + i, i)]);
  t.equal(l.term(offset - 1), 0);
  t.equal(l.term(offset), 1);
  t.equal(l.term(offset + num / 2), num / 2);
  t.equal(l.term(offset + num - 1), num - 1);
  t.equal(l.term(offset + num), 0);
  t.end();
});

void t.test('term with an unstable snapshot ahead of storage', (t) => {
  const st = new MemoryStorage();
  st.applySnapshot(snap(100, 1));
  const l = new RaftLog(st, NO_LIMIT);
  l.restore(snap(105, 1));
  t.equal(l.term(100), 0, 'the storage snapshot is superseded');
  t.equal(l.term(101), 0);
  t.equal(l.term(104), 0);
  t.equal(l.term(105), 1);
  t.end();
});

void t.test('slice across the storage/unstable boundary, with byte limits', (t) => {
  const offset = 100;
  const num = 100;
  const last = offset + num;
  const half = offset + num / 2;
  const size = entrySize(ent(half, half));
  const st = new MemoryStorage();
  st.applySnapshot(snap(offset, offset));
  for (let i = 1; i < num / 2; i++) st.append([ent(offset + i, offset + i)]);
  const l = new RaftLog(st, NO_LIMIT);
  for (let i = num / 2; i < num; i++) l.append([ent(offset + i, offset + i)]);
  t.equal(l.unstable.offset, half, 'storage holds [101, 150), unstable [150, 200)');

  const range = (lo: number, hi: number): string[] => ids(ents(lo, ...Array.from({ length: hi - lo }, (_, k) => lo + k)));
  t.type(caught(() => l.slice(offset - 1, offset + 1, NO_LIMIT)), CompactedError);
  t.type(caught(() => l.slice(offset, offset + 1, NO_LIMIT)), CompactedError, 'the snapshot index is compacted');
  t.same(ids(l.slice(half - 1, half + 1, NO_LIMIT)), range(half - 1, half + 1));
  t.same(ids(l.slice(half, half + 1, NO_LIMIT)), range(half, half + 1));
  t.same(ids(l.slice(last - 1, last, NO_LIMIT)), range(last - 1, last));
  t.same(ids(l.slice(offset + 1, last, NO_LIMIT)), range(offset + 1, last), 'the whole log');
  t.type(caught(() => l.slice(last, last + 1, NO_LIMIT)), AssertionError, 'past the end is a bug');
  t.same(l.slice(half, half, NO_LIMIT), []);
  // Byte limits: at least one entry; never more than the budget otherwise.
  t.same(ids(l.slice(half - 1, half + 1, 0)), range(half - 1, half));
  t.same(ids(l.slice(half - 2, half + 1, size + 1)), range(half - 2, half - 1), 'storage cut it short');
  t.same(ids(l.slice(half - 1, half + 1, size * 2)), range(half - 1, half + 1));
  t.same(ids(l.slice(half - 2, half + 1, size * 3)), range(half - 2, half + 1));
  t.same(ids(l.slice(half - 1, half + 2, size * 2)), range(half - 1, half + 1), 'unstable part cut by the total');
  t.same(ids(l.slice(half, half + 2, size)), range(half, half + 1));
  t.same(ids(l.slice(half, half + 3, size * 2)), range(half, half + 2));
  t.end();
});

void t.test('slice: when storage stops short for the byte budget, unstable entries are not appended past the gap', (t) => {
  const st = new MemoryStorage();
  st.append([ent(1, 1), ent(2, 1, new Uint8Array(100))]);
  const l = new RaftLog(st, NO_LIMIT);
  l.append([ent(3, 1)]);
  t.equal(l.unstable.offset, 3);
  // Entry 2 does not fit in 40 bytes, but the (small) unstable entry 3 would: it must not be returned.
  t.same(ids(l.slice(1, 4, 40)), ['1/1']);
  t.same(ids(l.slice(1, 4, 16 + 116)), ['1/1', '2/1']);
  t.same(ids(l.slice(1, 4, NO_LIMIT)), ['1/1', '2/1', '3/1']);
  t.end();
});

void t.test('entriesFrom: empty past the end, CompactedError before the start', (t) => {
  const l = logAfterSnapshot(ents(10, 3, 3, 4));
  t.same(ids(l.entriesFrom(11, NO_LIMIT)), ['11/3', '12/4']);
  t.same(l.entriesFrom(13, NO_LIMIT), []);
  t.type(caught(() => l.entriesFrom(10, NO_LIMIT)), CompactedError);
  t.end();
});

void t.test('stableTo with a snapshot in storage', (t) => {
  const snapi = 5;
  const snapt = 2;
  // [stableTo index, term, appended entries, want unstable offset]
  const cases: [number, number, Entry[], number][] = [
    [snapi + 1, snapt, [], snapi + 1],
    [snapi, snapt + 1, [], snapi + 1],
    [snapi - 1, snapt, [], snapi + 1],
    [snapi + 1, snapt + 1, [], snapi + 1],
    [snapi, snapt + 1, [], snapi + 1],
    [snapi - 1, snapt + 1, [], snapi + 1],
    [snapi + 1, snapt, [ent(snapi + 1, snapt)], snapi + 2],
    [snapi, snapt, [ent(snapi + 1, snapt)], snapi + 1],
    [snapi - 1, snapt, [ent(snapi + 1, snapt)], snapi + 1],
    [snapi + 1, snapt + 1, [ent(snapi + 1, snapt)], snapi + 1],
    [snapi, snapt + 1, [ent(snapi + 1, snapt)], snapi + 1],
    [snapi - 1, snapt + 1, [ent(snapi + 1, snapt)], snapi + 1],
  ];
  for (const [i, term, es, want] of cases) {
    const l = logAfterSnapshot([ent(snapi, snapt), ...es]);
    l.stableTo(i, term);
    t.equal(l.unstable.offset, want, `stableTo(${i}, ${term}) after ${ids(es)}`);
  }
  t.end();
});

void t.test('stableTo: persisted entries leave unstable; a stale ack of an overwritten entry does not', (t) => {
  const l = logWith(ents(1, 1, 2));
  l.stableTo(1, 1);
  t.equal(l.unstable.offset, 2);
  t.same(ids(l.unstableEntries()), ['2/2']);
  l.stableTo(2, 1);
  t.equal(l.unstable.offset, 2, 'term mismatch: ignored');
  l.stableTo(3, 1);
  t.equal(l.unstable.offset, 2, 'past the end: ignored');
  l.stableTo(2, 2);
  t.equal(l.unstable.offset, 3);
  t.same(l.unstableEntries(), []);
  t.end();
});

void t.test('a new log over storage with a snapshot starts at the snapshot', (t) => {
  const st = new MemoryStorage();
  st.applySnapshot(snap(1000, 1000));
  const l = new RaftLog(st, NO_LIMIT);
  t.same(l.unstableEntries(), []);
  t.equal(l.firstIndex(), 1001);
  t.equal(l.lastIndex(), 1000);
  t.equal(l.committed, 1000);
  t.equal(l.applied, 1000);
  t.equal(l.unstable.offset, 1001);
  t.equal(l.term(1000), 1000);
  t.end();
});

void t.test('restore: the log becomes the snapshot, which is applied before any entry', (t) => {
  const l = logAfterSnapshot(ents(0, 0, 1, 1, 1, 2));
  l.committed = 3;
  l.appliedTo(2);
  const s = snap(20, 5);
  l.restore(s);
  t.equal(l.committed, 20);
  t.equal(l.firstIndex(), 21);
  t.equal(l.lastIndex(), 20);
  t.equal(l.lastTerm(), 5);
  t.equal(l.snapshot(), s);
  t.equal(l.applied, 2, 'applied moves only when the application applies the snapshot');
  t.notOk(l.hasNextCommittedEnts(), 'the pending snapshot comes first');
  t.same(l.nextCommittedEnts(), []);
  t.ok(l.matchTerm(20, 5));
  t.notOk(l.matchTerm(19, 1));
  // Entries after the snapshot append normally.
  l.append([ent(21, 5)]);
  t.equal(l.lastIndex(), 21);
  t.end();
});

void t.test('nextCommittedEnts: committed but unapplied, bounded by the applying budget', (t) => {
  const st = new MemoryStorage();
  st.applySnapshot(snap(3, 1));
  st.append(ents(4, 1, 1));
  const size = entrySize(ent(1, 1));
  const make = (budget: number): RaftLog => {
    const l = new RaftLog(st, budget);
    l.append(ents(6, 1, 1));
    l.committed = 6;
    return l;
  };
  t.same(ids(make(NO_LIMIT).nextCommittedEnts()), ['4/1', '5/1', '6/1'], 'across storage and unstable');
  t.same(ids(make(size).nextCommittedEnts()), ['4/1']);
  t.same(ids(make(size * 2).nextCommittedEnts()), ['4/1', '5/1']);
  const l = make(NO_LIMIT);
  l.appliedTo(5);
  t.ok(l.hasNextCommittedEnts());
  t.same(ids(l.nextCommittedEnts()), ['6/1']);
  l.appliedTo(6);
  t.notOk(l.hasNextCommittedEnts());
  t.same(l.nextCommittedEnts(), []);
  t.end();
});
