// Txn: compares, branches, nesting, validation (duplicates, op limits), and reads inside a txn.
import t from 'tap';
import type { Compare, RequestOp, TxnRequest } from '../../../raft/index.js';
import {
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseNotFoundError,
  RevisionCompactedError,
  TooManyOpsError,
  validateTxnRequest,
} from '../../../raft/index.js';
import { ALL_FROM, caught, dec, enc, kvPairs, onEachBackend, openStore, rejected } from './helpers.js';

const put = (key: string, value: string): RequestOp => ({ requestPut: { key: enc(key), value: enc(value) } });
const get = (key: string, extra: object = {}): RequestOp => ({ requestRange: { key: enc(key), ...extra } });
const del = (key: string, rangeEnd?: string | Uint8Array): RequestOp => ({
  requestDeleteRange: { key: enc(key), ...(rangeEnd !== undefined ? { rangeEnd: typeof rangeEnd === 'string' ? enc(rangeEnd) : rangeEnd } : {}) },
});
const txn = (compare: Compare[], success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare, success, failure });
const nested = (r: TxnRequest): RequestOp => ({ requestTxn: r });

onEachBackend(t, 'compares: every target and result, missing keys, and ranges', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'v1');
  a.put('k', 'v2'); // k: create 1, mod 2, version 2, value v2, lease 0
  a.put('a1', '1');
  a.put('a2', '2');
  const k = enc('k');
  const cases: [string, Compare, boolean][] = [
    ['version = 2', { key: k, target: 'VERSION', result: 'EQUAL', version: 2 }, true],
    ['version > 1', { key: k, target: 'VERSION', result: 'GREATER', version: 1 }, true],
    ['version < 2', { key: k, target: 'VERSION', result: 'LESS', version: 2 }, false],
    ['version != 2', { key: k, target: 'VERSION', result: 'NOT_EQUAL', version: 2 }, false],
    ['create = 1', { key: k, target: 'CREATE', result: 'EQUAL', createRevision: 1 }, true],
    ['mod = 2', { key: k, target: 'MOD', result: 'EQUAL', modRevision: 2 }, true],
    ['mod < 3', { key: k, target: 'MOD', result: 'LESS', modRevision: 3 }, true],
    ['mod > 2', { key: k, target: 'MOD', result: 'GREATER', modRevision: 2 }, false],
    ['value = v2', { key: k, target: 'VALUE', result: 'EQUAL', value: enc('v2') }, true],
    ['value > v1', { key: k, target: 'VALUE', result: 'GREATER', value: enc('v1') }, true],
    ['value < v3', { key: k, target: 'VALUE', result: 'LESS', value: enc('v3') }, true],
    ['value < v2', { key: k, target: 'VALUE', result: 'LESS', value: enc('v2') }, false],
    ['value != v2', { key: k, target: 'VALUE', result: 'NOT_EQUAL', value: enc('v2') }, false],
    ['lease = 0', { key: k, target: 'LEASE', result: 'EQUAL', lease: 0 }, true],
    ['absent operand is zero: version > (0)', { key: k, target: 'VERSION', result: 'GREATER' }, true],
    ['missing key: version = 0', { key: enc('nope'), target: 'VERSION', result: 'EQUAL', version: 0 }, true],
    ['missing key: create = 0', { key: enc('nope'), target: 'CREATE', result: 'EQUAL', createRevision: 0 }, true],
    ['missing key: mod > 0', { key: enc('nope'), target: 'MOD', result: 'GREATER', modRevision: 0 }, false],
    ['missing key: value = "" fails (no value to compare)', { key: enc('nope'), target: 'VALUE', result: 'EQUAL', value: new Uint8Array(0) }, false],
    ['missing key: value != x fails too', { key: enc('nope'), target: 'VALUE', result: 'NOT_EQUAL', value: enc('x') }, false],
    ['range: every value > 0', { key: enc('a'), rangeEnd: enc('b'), target: 'VALUE', result: 'GREATER', value: enc('0') }, true],
    ['range: every value = 1 (a2 is 2)', { key: enc('a'), rangeEnd: enc('b'), target: 'VALUE', result: 'EQUAL', value: enc('1') }, false],
    ['range: every version = 1', { key: enc('a'), rangeEnd: enc('b'), target: 'VERSION', result: 'EQUAL', version: 1 }, true],
    ['range "\\0": every mod < 5', { key: enc('a'), rangeEnd: ALL_FROM, target: 'MOD', result: 'LESS', modRevision: 5 }, true],
    ['empty range: compares against zero', { key: enc('x'), rangeEnd: enc('y'), target: 'VERSION', result: 'EQUAL', version: 0 }, true],
  ];
  for (const [name, c, want] of cases) {
    const r = await a.txn(txn([c], [], []));
    t.equal(r.succeeded, want, name);
  }
  const both = await a.txn(txn([cases[0]![1], cases[3]![1]], []));
  t.notOk(both.succeeded, 'every compare must hold');
  t.equal(a.store.revision, 4, 'compare-only txns write nothing');
  t.end();
});

onEachBackend(t, 'branches: success or failure ops run, one revision for all writes, ranges see earlier writes', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'old');
  const cmp: Compare = { key: enc('k'), target: 'VALUE', result: 'EQUAL', value: enc('old') };
  const ok = await a.txn(txn([cmp], [put('k', 'new'), put('x', '1'), get('k'), del('missing'), get('x', { revision: 1 })], [put('failure', 'ran')]));
  t.ok(ok.succeeded);
  t.equal(ok.header.revision, 2, 'one revision for the whole txn');
  t.equal(ok.responses.length, 5);
  t.equal(ok.responses[0]!.responsePut!.header.revision, 2);
  t.same(kvPairs(ok.responses[2]!.responseRange!.kvs), ['k=new'], 'a range sees the txn\'s earlier put');
  t.equal(ok.responses[2]!.responseRange!.header.revision, 2);
  t.equal(ok.responses[3]!.responseDeleteRange!.deleted, 0);
  t.equal(ok.responses[3]!.responseDeleteRange!.header.revision, 2, 'after earlier changes a no-op delete reports the txn revision (etcd)');
  t.same(ok.responses[4]!.responseRange!.kvs, [], 'a range at the pre-txn revision does not see the txn');
  const [k, x] = [(await a.get('k')).kvs[0]!, (await a.get('x')).kvs[0]!];
  t.same([k.modRevision, x.modRevision], [2, 2]);
  t.same(await a.all(), ['k=new', 'x=1']);
  const failed = await a.txn(txn([cmp], [put('success', 'ran')], [put('failure', 'ran'), get('k')]));
  t.notOk(failed.succeeded);
  t.same(kvPairs(failed.responses[1]!.responseRange!.kvs), ['k=new']);
  t.same(await a.all(), ['failure=ran', 'k=new', 'x=1']);
  t.equal(a.store.revision, 3);
  t.end();
});

onEachBackend(t, 'nested txns: compares read the state before the outer txn; responses nest', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'old');
  const inner = txn([{ key: enc('k'), target: 'VALUE', result: 'EQUAL', value: enc('old') }], [put('inner', 'saw-old'), get('k')], [put('inner', 'saw-new')]);
  const r = await a.txn(txn([], [put('k', 'new'), nested(inner), nested(txn([{ key: enc('k'), target: 'VERSION', result: 'EQUAL', version: 5 }], [put('deep', 'yes')], [put('deep', 'no')]))]));
  t.ok(r.succeeded);
  const innerResp = r.responses[1]!.responseTxn!;
  t.ok(innerResp.succeeded, 'the nested compare saw k=old (the pre-txn state), as etcd');
  t.same(kvPairs(innerResp.responses[1]!.responseRange!.kvs), ['k=new'], 'the nested range sees the outer put');
  t.notOk(r.responses[2]!.responseTxn!.succeeded);
  t.same(await a.all(), ['deep=no', 'inner=saw-old', 'k=new']);
  t.equal(a.store.revision, 2);
  t.equal(innerResp.header.revision, 2);
  t.end();
});

void t.test('validation: duplicate keys, op limits, empty ops and keys (etcd checkTxnRequest/checkIntervals)', (t) => {
  const v = (r: TxnRequest, max = 128): unknown => caught(() => validateTxnRequest(r, max));
  t.type(v(txn([], [put('a', '1'), put('a', '2')])), DuplicateKeyError, 'put twice');
  t.type(v(txn([], [del('a', 'c'), put('b', '1')])), DuplicateKeyError, 'put inside a delete range');
  t.type(v(txn([], [put('b', '1'), del('b')])), DuplicateKeyError, 'put and delete of one key');
  t.type(v(txn([], [del('a', ALL_FROM), put('z', '1')])), DuplicateKeyError, 'a "\\0" delete covers every key after its key');
  t.equal(v(txn([], [del('a', 'c'), put('c', '1')])), undefined, 'the range end is exclusive');
  t.equal(v(txn([], [del('a', 'c'), del('b', 'd')])), undefined, 'overlapping deletes are fine');
  t.equal(v(txn([], [nested(txn([], [put('x', '1')], [put('x', '2')]))])), undefined, 'both branches of a nested txn may put one key');
  t.type(v(txn([], [put('x', '0'), nested(txn([], [put('x', '1')]))])), DuplicateKeyError, 'outer and nested put');
  t.type(v(txn([], [nested(txn([], [put('x', '1')])), nested(txn([], [], [put('x', '2')]))])), DuplicateKeyError, 'two nested txns may both run');
  t.type(v(txn([], [del('w', 'y'), nested(txn([], [], [put('x', '1')]))])), DuplicateKeyError, 'nested put inside an outer delete');
  t.type(v(txn([], [put('x', '1'), nested(txn([], [del('x')]))])), DuplicateKeyError, 'outer put inside a nested delete');
  t.equal(v(txn([], [put('a', '1')], [put('a', '2')])), undefined, 'the two top-level branches are checked apart');
  const many = (n: number): RequestOp[] => Array.from({ length: n }, (_, i) => put(`k${i}`, 'v'));
  t.equal(v(txn([], many(128))), undefined, '128 ops');
  t.type(v(txn([], many(129))), TooManyOpsError, '129 ops');
  t.type(v(txn([], [], many(129))), TooManyOpsError, '129 failure ops');
  const cmps: Compare[] = Array.from({ length: 129 }, () => ({ key: enc('a'), target: 'VERSION', result: 'EQUAL', version: 0 }));
  t.type(v(txn(cmps, [])), TooManyOpsError, '129 compares');
  // 100 puts and the nested txn make 101 ops: the nested txn may have 128 - 101 = 27.
  t.equal(v(txn([], [...many(100), nested(txn([], many(27).map((_, i) => put(`n${i}`, 'v'))))])), undefined, 'a nested txn gets what its parent left');
  t.type(v(txn([], [...many(100), nested(txn([], many(28).map((_, i) => put(`n${i}`, 'v'))))])), TooManyOpsError);
  t.type(v(txn([], [{}])), KeyNotFoundError, 'an empty op (etcd answers "key not found")');
  t.type(v(txn([{ key: new Uint8Array(0), target: 'VERSION', result: 'EQUAL' }], [])), EmptyKeyError);
  t.type(v(txn([], [put('', 'x')])), EmptyKeyError);
  t.type(v(txn([], [nested(txn([], [get('')]))])), EmptyKeyError);
  t.end();
});

onEachBackend(t, 'a txn that fails its checks changes nothing (lease, ignore_value, range revisions)', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'v');
  a.put('k', 'w');
  const before = a.store.revision;
  const withLease: RequestOp = { requestPut: { key: enc('x'), value: enc('1'), lease: 42 } };
  t.type(await rejected(Promise.resolve().then(() => a.txn(txn([], [put('y', '1'), withLease])))), LeaseNotFoundError, 'unknown lease in the chosen branch');
  const ok = await a.txn(txn([{ key: enc('k'), target: 'VERSION', result: 'EQUAL', version: 99 }], [withLease], [put('y', '1')]));
  t.notOk(ok.succeeded, 'an unknown lease in the branch not taken is not checked');
  const ignoring: RequestOp = { requestPut: { key: enc('missing'), value: new Uint8Array(0), ignoreValue: true } };
  t.type(caught(() => a.txn(txn([], [put('z', '1'), ignoring]))), KeyNotFoundError);
  t.type(caught(() => a.txn(txn([], [put('z', '1'), get('k', { revision: a.store.revision + 1 })]))), FutureRevisionError);
  a.compact(2);
  t.type(caught(() => a.txn(txn([], [put('z', '1'), get('k', { revision: 1 })]))), RevisionCompactedError);
  t.same(await a.all(), ['k=w', 'y=1']);
  t.equal(a.store.revision, before + 1, 'only the successful txn wrote');
  t.end();
});

onEachBackend(t, 'a range at a past revision inside a txn reads the history (from memory, or the backend after a flush)', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'v1');
  a.put('k', 'v2');
  const inMemory = a.txn(txn([], [put('k', 'v3'), get('k', { revision: 1 }), get('k', { revision: 2 }), get('k')]));
  t.notOk(inMemory instanceof Promise, 'served synchronously while the history is in memory');
  const r1 = await inMemory;
  t.same(
    r1.responses.slice(1).map((op) => kvPairs(op.responseRange!.kvs)),
    [['k=v1'], ['k=v2'], ['k=v3']],
  );
  await a.store.flush();
  const fromBackend = a.txn(txn([], [put('k', 'v4'), get('k', { revision: 1 }), get('k', { revision: 2 })]));
  t.ok(fromBackend instanceof Promise, 'a Promise once the records are only in the backend');
  t.equal(a.store.revision, 4, 'the write is applied before the response resolves');
  const r2 = await fromBackend;
  t.same(
    r2.responses.slice(1).map((op) => kvPairs(op.responseRange!.kvs)),
    [['k=v1'], ['k=v2']],
  );
  t.end();
});

onEachBackend(t, 'readTxn serves read-only txns without a Raft entry', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', 'v');
  const r = await a.store.readTxn(txn([{ key: enc('k'), target: 'VERSION', result: 'EQUAL', version: 1 }], [get('k')], [get('nope')]));
  t.ok(r.succeeded);
  t.same(r.responses.map((op) => op.responseRange!.kvs.map((kv) => dec(kv.value))), [['v']]);
  t.equal(a.store.consistentIndex(), 1);
  await t.rejects(a.store.readTxn(txn([], [put('x', '1')])), /readTxn with a txn that writes/);
  t.end();
});
