// Progress: the leader's view of one follower (etcd/raft's tracker/progress_test.go, adapted).
import t from 'tap';
import type { ProgressState, Snapshot } from '../../../raft/index.js';
import { Progress } from '../../../raft/index.js';

function snap(index: number): Snapshot {
  return { metadata: { index, term: 1, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) };
}

function progress(state: ProgressState, match: number, next: number, maxInflight = 256): Progress {
  const pr = new Progress(next, false, maxInflight, 0);
  if (state === 'replicate') pr.becomeReplicate();
  if (state === 'snapshot') pr.becomeSnapshot(snap(match));
  pr.match = match;
  pr.next = next;
  return pr;
}

void t.test('a new Progress probes from next, not paused', (t) => {
  const pr = new Progress(5, true, 4, 0);
  t.equal(pr.state, 'probe');
  t.equal(pr.match, 0);
  t.equal(pr.next, 5);
  t.ok(pr.isLearner);
  t.notOk(pr.isPaused());
  t.end();
});

void t.test('isPaused per state', (t) => {
  const probe = progress('probe', 0, 1);
  t.notOk(probe.isPaused());
  probe.msgAppFlowPaused = true;
  t.ok(probe.isPaused(), 'probe: paused after one MsgApp until a reply');

  const replicate = progress('replicate', 0, 1, 2);
  t.notOk(replicate.isPaused());
  replicate.sentEntries(1, 0);
  t.notOk(replicate.isPaused(), 'replicate: room in the window');
  replicate.sentEntries(2, 0);
  t.ok(replicate.isPaused(), 'replicate: paused once the window is full');
  t.ok(replicate.maybeUpdate(1));
  replicate.inflights.freeLE(1);
  t.notOk(replicate.isPaused(), 'an ack resumes it');
  replicate.msgAppFlowPaused = true;
  t.ok(replicate.isPaused(), 'a heartbeat response clears the flag (raft.ts); until then it holds');

  const bytesLimited = new Progress(1, false, 100, 10);
  bytesLimited.becomeReplicate();
  bytesLimited.sentEntries(1, 6);
  t.notOk(bytesLimited.isPaused(), '6 of 10 bytes');
  bytesLimited.sentEntries(2, 6);
  t.ok(bytesLimited.isPaused(), '12 of 10 bytes: the byte budget pauses too');

  t.ok(progress('snapshot', 0, 1).isPaused(), 'snapshot: always paused');
  t.end();
});

void t.test('sentEntries: probe pauses; replicate advances next optimistically', (t) => {
  const probe = progress('probe', 3, 4);
  probe.sentEntries(6, 10);
  t.ok(probe.msgAppFlowPaused);
  t.equal(probe.next, 4, 'probe does not move next');

  const rep = progress('replicate', 3, 4);
  rep.sentEntries(6, 10);
  t.equal(rep.next, 7);
  t.equal(rep.inflights.size(), 1);
  rep.sentEntries(5, 10);
  t.equal(rep.next, 7, 'an older send does not move next back');
  t.equal(rep.inflights.size(), 1, 'nor takes a slot');
  t.end();
});

void t.test('maybeUpdate: match only grows; next stays past it', (t) => {
  const prevMatch = 3;
  const prevNext = 5;
  const cases: [number, number, number, boolean][] = [
    [prevMatch - 1, prevMatch, prevNext, false], // stale
    [prevMatch, prevMatch, prevNext, false], // duplicate
    [prevMatch + 1, prevMatch + 1, prevNext, true], // increase match, next unchanged
    [prevMatch + 2, prevMatch + 2, prevNext + 1, true], // increase match and next
  ];
  for (const [update, wantMatch, wantNext, wantOk] of cases) {
    const pr = progress('probe', prevMatch, prevNext);
    pr.msgAppFlowPaused = true;
    t.equal(pr.maybeUpdate(update), wantOk, `maybeUpdate(${update})`);
    t.same([pr.match, pr.next], [wantMatch, wantNext], `maybeUpdate(${update}): match, next`);
    t.equal(pr.msgAppFlowPaused, !wantOk, 'an update resumes a paused probe');
  }
  t.end();
});

void t.test('maybeDecrTo: replicate falls back to match+1; probe follows the hint', (t) => {
  // [state, match, next, rejected, hint, want ok, want next]
  const cases: [ProgressState, number, number, number, number, boolean, number][] = [
    ['replicate', 5, 10, 5, 5, false, 10], // stale: rejected <= match
    ['replicate', 5, 10, 4, 4, false, 10],
    ['replicate', 5, 10, 9, 9, true, 6], // next = match + 1
    ['probe', 0, 0, 0, 0, false, 0], // next-1 != rejected: stale
    ['probe', 0, 10, 5, 5, false, 10],
    ['probe', 0, 10, 9, 9, true, 9], // next decreases
    ['probe', 0, 2, 1, 1, true, 1],
    ['probe', 0, 1, 0, 0, true, 1], // next stays at least match + 1
    ['probe', 0, 10, 9, 2, true, 3], // the hint jumps further back
    ['probe', 0, 10, 9, 0, true, 1],
    ['probe', 4, 10, 9, 2, true, 5], // never below match + 1, whatever the hint
  ];
  for (const [state, match, next, rejected, hint, wantOk, wantNext] of cases) {
    const pr = progress(state, match, next);
    if (state === 'probe') pr.msgAppFlowPaused = true;
    const name = `${state} match=${match} next=${next}: maybeDecrTo(${rejected}, ${hint})`;
    t.equal(pr.maybeDecrTo(rejected, hint), wantOk, name);
    t.equal(pr.match, match, `${name}: match unchanged`);
    t.equal(pr.next, wantNext, `${name}: next`);
    if (state === 'probe' && wantOk) t.notOk(pr.msgAppFlowPaused, `${name}: resumes the probe`);
  }
  t.end();
});

void t.test('becomeProbe: from snapshot, next goes past the snapshot', (t) => {
  const cases: [Progress, number][] = [
    [progress('replicate', 1, 5), 2],
    [(() => { const p = progress('snapshot', 1, 5); p.pendingSnapshot = snap(10); return p; })(), 11],
    [(() => { const p = progress('snapshot', 1, 5); p.pendingSnapshot = snap(0); return p; })(), 2],
  ];
  for (const [pr, wantNext] of cases) {
    const from = pr.state;
    pr.becomeProbe();
    t.equal(pr.state, 'probe', `from ${from}`);
    t.equal(pr.match, 1);
    t.equal(pr.next, wantNext, `from ${from}: next`);
    t.equal(pr.pendingSnapshot, undefined);
  }
  t.end();
});

void t.test('becomeReplicate and becomeSnapshot reset the flow state', (t) => {
  const pr = progress('probe', 1, 5, 4);
  pr.msgAppFlowPaused = true;
  pr.becomeReplicate();
  t.equal(pr.state, 'replicate');
  t.equal(pr.next, 2);
  t.notOk(pr.msgAppFlowPaused);
  pr.sentEntries(3, 1);
  t.equal(pr.inflights.size(), 1);

  const s = snap(10);
  pr.becomeSnapshot(s);
  t.equal(pr.state, 'snapshot');
  t.equal(pr.match, 1);
  t.equal(pr.pendingSnapshot, s);
  t.equal(pr.inflights.size(), 0, 'in-flight appends are forgotten');
  pr.snapshotAcked = 100;
  pr.becomeProbe();
  t.equal(pr.snapshotAcked, 0);
  t.equal(pr.next, 11);
  t.end();
});

void t.test('describe names the state and what matters about it', (t) => {
  const pr = progress('replicate', 3, 4, 1);
  pr.isLearner = true;
  pr.sentEntries(5, 1);
  t.equal(pr.describe(), 'replicate match=3 next=6 learner paused inflight=1');
  t.end();
});
