// Majority quorums, checked against brute-force reference implementations (etcd/raft's quorum
// tests compare against a "dumb" implementation the same way).
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { NodeId, VoteResult } from '../../../raft/index.js';
import { majorityCommittedIndex, majorityVoteResult } from '../../../raft/index.js';

/** The largest x such that a strict majority of voters have match >= x (0 when none). */
function referenceCommitted(voters: readonly NodeId[], matchOf: (id: NodeId) => number | undefined): number {
  if (voters.length === 0) return Infinity;
  const matches = voters.map((id) => matchOf(id) ?? 0);
  let best = 0;
  for (const x of matches) {
    const acked = matches.filter((m) => m >= x).length;
    if (acked * 2 > voters.length && x > best) best = x;
  }
  return best;
}

function referenceVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  const yes = voters.filter((id) => votes.get(id) === true).length;
  const missing = voters.filter((id) => !votes.has(id)).length;
  if (yes * 2 > voters.length) return 'won';
  if ((yes + missing) * 2 > voters.length) return 'pending';
  return 'lost';
}

void t.test('committed index: examples', (t) => {
  const committed = (matches: number[]): number => {
    const voters = new Set(matches.map((_, k) => k + 1));
    return majorityCommittedIndex(voters, (id) => matches[id - 1]);
  };
  t.equal(majorityCommittedIndex(new Set(), () => 0), Infinity, 'no voters: no constraint');
  t.equal(committed([7]), 7);
  t.equal(committed([7, 3]), 3, 'two voters need both');
  t.equal(committed([5, 4, 1]), 4);
  t.equal(committed([5, 4, 3, 1]), 3, 'four voters need three');
  t.equal(committed([1, 1, 1, 9, 9]), 1);
  t.equal(committed([2, 9, 2, 9, 9]), 9);
  const ids = new Set([1, 2, 3]);
  t.equal(majorityCommittedIndex(ids, (id) => (id === 1 ? 10 : undefined)), 0, 'unknown matches count as 0');
  t.end();
});

void t.test('committed index agrees with the reference for 1..7 voters over random matches', (t) => {
  const seed = 20240611;
  const rnd = new SeededRandom(seed);
  let mismatches = 0;
  for (let round = 0; round < 3000; round++) {
    const n = 1 + (round % 7);
    // Voter ids are arbitrary, not 1..n: the function must not assume dense ids.
    const voters = Array.from({ length: n }, (_, k) => 1 + k * 7 + rnd.int(7));
    const match = new Map<NodeId, number | undefined>();
    for (const id of voters) match.set(id, rnd.chance(0.1) ? undefined : rnd.int(round % 3 === 0 ? 3 : 1000));
    const got = majorityCommittedIndex(new Set(voters), (id) => match.get(id));
    const want = referenceCommitted(voters, (id) => match.get(id));
    if (got !== want && mismatches++ < 5) t.fail(`seed ${seed} round ${round}: voters ${JSON.stringify([...match])}: got ${got}, want ${want}`);
  }
  t.equal(mismatches, 0, `seed ${seed}`);
  t.end();
});

void t.test('vote result agrees with the reference on every assignment, 0..7 voters', (t) => {
  let checked = 0;
  let mismatches = 0;
  for (let n = 0; n <= 7; n++) {
    const voters = Array.from({ length: n }, (_, k) => 10 + k);
    // Every assignment of yes / no / missing to the voters (3^n), plus a stray non-voter vote.
    for (let code = 0; code < 3 ** n; code++) {
      const votes = new Map<NodeId, boolean>([[99, true]]);
      let c = code;
      for (const id of voters) {
        const v = c % 3;
        c = Math.floor(c / 3);
        if (v === 1) votes.set(id, true);
        else if (v === 2) votes.set(id, false);
      }
      const got = majorityVoteResult(new Set(voters), votes);
      const want = referenceVote(voters, votes);
      checked++;
      if (got !== want && mismatches++ < 5) t.fail(`${n} voters, votes ${JSON.stringify([...votes])}: got ${got}, want ${want}`);
    }
  }
  t.equal(mismatches, 0, `${checked} assignments`);
  t.end();
});

void t.test('vote result: examples', (t) => {
  const v = (n: number, yes: number, no: number): VoteResult => {
    const voters = new Set(Array.from({ length: n }, (_, k) => k + 1));
    const votes = new Map<NodeId, boolean>();
    for (let k = 1; k <= yes; k++) votes.set(k, true);
    for (let k = yes + 1; k <= yes + no; k++) votes.set(k, false);
    return majorityVoteResult(voters, votes);
  };
  t.equal(v(0, 0, 0), 'won', 'an empty configuration wins (joint-consensus convention)');
  t.equal(v(1, 1, 0), 'won');
  t.equal(v(1, 0, 0), 'pending');
  t.equal(v(1, 0, 1), 'lost');
  t.equal(v(3, 1, 0), 'pending');
  t.equal(v(3, 2, 0), 'won');
  t.equal(v(3, 1, 1), 'pending');
  t.equal(v(3, 0, 2), 'lost');
  t.equal(v(4, 2, 0), 'pending', 'half is not a majority');
  t.equal(v(4, 2, 2), 'lost');
  t.equal(v(4, 3, 1), 'won');
  t.equal(v(5, 2, 2), 'pending');
  t.equal(v(5, 2, 3), 'lost');
  t.end();
});
