// Single-member configuration changes: the entry encoding, their effect, and what is refused.
import t from 'tap';
import type { ConfChange, ConfChangeType, ConfState } from '../../../raft/index.js';
import { ProposalDroppedError, applyChange, decodeConfChange, encodeConfChange, validateChange } from '../../../raft/index.js';
import { caught } from './helpers.js';

const TYPES: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'remove'];

void t.test('encode/decode round-trips every type and the extremes of node ids', (t) => {
  for (const type of TYPES) {
    for (const nodeId of [1, 2, 255, 256, 2 ** 31 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const cc: ConfChange = { type, nodeId };
      const data = encodeConfChange(cc);
      t.equal(data.length, 9);
      t.same(decodeConfChange(data), cc, `${type} ${nodeId}`);
    }
  }
  t.end();
});

void t.test('decode reads a view into a larger buffer (as a decoded message hands it over)', (t) => {
  const data = encodeConfChange({ type: 'add-learner', nodeId: 42 });
  const big = new Uint8Array(32);
  big.set(data, 5);
  t.same(decodeConfChange(big.subarray(5, 14)), { type: 'add-learner', nodeId: 42 });
  t.end();
});

void t.test('decode refuses malformed entries', (t) => {
  const good = encodeConfChange({ type: 'remove', nodeId: 3 });
  t.type(caught(() => decodeConfChange(good.subarray(0, 8))), Error, 'too short');
  const withContext = decodeConfChange(encodeConfChange({ type: 'add-voter', nodeId: 9, context: new Uint8Array([1, 2, 3]) }));
  t.same([withContext.type, withContext.nodeId, [...(withContext.context ?? [])]], ['add-voter', 9, [1, 2, 3]], 'bytes past the id are the context');
  t.type(caught(() => decodeConfChange(new Uint8Array(0))), Error, 'empty');
  const badType = good.slice();
  badType[0] = 7;
  t.type(caught(() => decodeConfChange(badType)), Error, 'unknown type');
  t.end();
});

void t.test('applyChange', (t) => {
  const cs: ConfState = { voters: [1, 2, 3], learners: [4] };
  const cases: [ConfChange, ConfState][] = [
    [{ type: 'add-voter', nodeId: 5 }, { voters: [1, 2, 3, 5], learners: [4] }],
    [{ type: 'add-voter', nodeId: 4 }, { voters: [1, 2, 3, 4], learners: [] }], // promote a learner
    [{ type: 'add-voter', nodeId: 2 }, { voters: [1, 2, 3], learners: [4] }], // already a voter
    [{ type: 'add-learner', nodeId: 2 }, { voters: [1, 3], learners: [2, 4] }], // demote a voter
    [{ type: 'add-learner', nodeId: 6 }, { voters: [1, 2, 3], learners: [4, 6] }],
    [{ type: 'remove', nodeId: 3 }, { voters: [1, 2], learners: [4] }],
    [{ type: 'remove', nodeId: 4 }, { voters: [1, 2, 3], learners: [] }],
    [{ type: 'remove', nodeId: 9 }, { voters: [1, 2, 3], learners: [4] }], // not a member
  ];
  for (const [cc, want] of cases) t.same(applyChange(cs, cc), want, `${cc.type} ${cc.nodeId}`);
  t.same(cs, { voters: [1, 2, 3], learners: [4] }, 'the input is not modified');
  t.same(applyChange({ voters: [10, 2], learners: [] }, { type: 'add-voter', nodeId: 7 }).voters, [2, 7, 10], 'sorted numerically');
  t.end();
});

void t.test('validateChange refuses a change that leaves no voters, and bad ids', (t) => {
  const refused = (cs: ConfState, cc: ConfChange): unknown => caught(() => validateChange(cs, cc));
  const single: ConfState = { voters: [1], learners: [2] };
  for (const [cs, cc, why] of [
    [single, { type: 'remove', nodeId: 1 }, 'removing the last voter'],
    [single, { type: 'add-learner', nodeId: 1 }, 'demoting the last voter'],
    [{ voters: [], learners: [2] }, { type: 'add-learner', nodeId: 3 }, 'no voters to begin with'],
    [single, { type: 'add-voter', nodeId: 0 }, 'node id 0 means none'],
    [single, { type: 'add-voter', nodeId: -3 }, 'negative id'],
    [single, { type: 'add-voter', nodeId: 1.5 }, 'fractional id'],
    [single, { type: 'add-voter', nodeId: Number.NaN }, 'NaN id'],
  ] as [ConfState, ConfChange, string][]) {
    const err = refused(cs, cc);
    t.type(err, ProposalDroppedError, why);
    t.match(err, { reason: 'invalid-conf-change' }, why);
  }
  t.equal(refused(single, { type: 'add-voter', nodeId: 2 }), undefined, 'promoting a learner');
  t.equal(refused(single, { type: 'remove', nodeId: 2 }), undefined, 'removing a learner');
  t.equal(refused({ voters: [1, 2], learners: [] }, { type: 'remove', nodeId: 1 }), undefined, 'removing one of two voters');
  t.end();
});
