// MvccStore: revisions and versions, ranges and their flags, puts and deletes, on both backends.
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import {
  EmptyKeyError,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseNotFoundError,
  LeaseProvidedError,
  MemoryBackend,
  MvccStore,
  RevisionCompactedError,
  ValueProvidedError,
} from '../../../raft/index.js';
import { ALL_FROM, caught, dec, enc, kvFull, kvPairs, onEachBackend, openStore, rejected } from './helpers.js';

onEachBackend(t, 'revisions, create/mod revisions and versions across put, delete and re-create', async (t, kind) => {
  const { a } = await openStore(t, kind);
  t.equal(a.store.revision, 0, 'a fresh store is at revision 0');
  t.equal(a.put('k', 'v1').header.revision, 1);
  t.equal(a.put('k', 'v2').header.revision, 2);
  t.equal(a.put('other', 'o').header.revision, 3);
  const del = a.del('k');
  t.equal(del.header.revision, 4);
  t.equal(del.deleted, 1);
  t.equal(a.put('k', 'v3').header.revision, 5);
  const at = async (rev: number): Promise<string> => kvFull((await a.get('k', { revision: rev })).kvs[0]);
  const check = async (label: string): Promise<void> => {
    t.equal(await at(1), 'k=v1 c1 m1 v1 l0', `${label}: rev 1`);
    t.equal(await at(2), 'k=v2 c1 m2 v2 l0', `${label}: rev 2`);
    t.equal(await at(3), 'k=v2 c1 m2 v2 l0', `${label}: rev 3 (another key's write)`);
    t.equal(await at(4), '<none>', `${label}: rev 4 (deleted)`);
    t.equal(await at(5), 'k=v3 c5 m5 v1 l0', `${label}: rev 5 (re-created: new create revision, version 1)`);
    t.equal(await at(0), 'k=v3 c5 m5 v1 l0', `${label}: current`);
    const cur = await a.get('k');
    t.equal(cur.header.revision, 5, `${label}: header carries the current revision`);
    const old = await a.get('k', { revision: 2 });
    t.equal(old.header.revision, 5, `${label}: a historical read's header carries the current revision too (etcd)`);
  };
  await check('from memory');
  await a.store.flush();
  await check('after flush (history from the backend)');
  t.end();
});

onEachBackend(t, 'writes that change nothing do not bump the revision', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('a', '1');
  const none = a.del('missing');
  t.equal(none.deleted, 0);
  t.equal(none.header.revision, 1);
  t.equal(a.del('x', 'z').header.revision, 1, 'empty range delete');
  const ro = await a.txn({ compare: [], success: [{ requestRange: { key: enc('a') } }], failure: [] });
  t.equal(ro.header.revision, 1, 'read-only txn');
  const noop = await a.txn({ compare: [], success: [{ requestDeleteRange: { key: enc('nope') } }], failure: [] });
  t.equal(noop.header.revision, 1, 'a txn whose writes change nothing');
  t.equal(a.store.revision, 1);
  t.equal(a.store.consistentIndex(), 5, 'every entry is applied, changed or not');
  t.end();
});

onEachBackend(t, 'put: prevKv, ignoreValue, ignoreLease and their errors', async (t, kind) => {
  const { a } = await openStore(t, kind);
  t.equal(a.put('k', 'v1', { prevKv: true }).prevKv, undefined, 'no previous');
  t.equal(kvFull(a.put('k', 'v2', { prevKv: true }).prevKv), 'k=v1 c1 m1 v1 l0');
  t.equal(a.put('k', 'v3').prevKv, undefined, 'prevKv only when asked');
  a.grant(7, 100);
  a.put('k', 'v4', { lease: 7 });
  a.put('k', '', { ignoreValue: true, lease: 7 });
  t.equal(kvFull((await a.get('k')).kvs[0]), 'k=v4 c1 m5 v5 l7', 'ignoreValue keeps the value');
  a.put('k', 'v5', { ignoreLease: true });
  t.equal(kvFull((await a.get('k')).kvs[0]), 'k=v5 c1 m6 v6 l7', 'ignoreLease keeps the lease');
  a.put('k', '', { ignoreValue: true });
  t.equal(kvFull((await a.get('k')).kvs[0]), 'k=v5 c1 m7 v7 l0', 'without ignoreLease a put sets the lease it carries (none)');
  const rev = a.store.revision;
  t.type(caught(() => a.put('missing', '', { ignoreValue: true })), KeyNotFoundError);
  t.type(caught(() => a.put('missing', 'x', { ignoreLease: true })), KeyNotFoundError);
  t.type(caught(() => a.put('k', 'x', { ignoreValue: true })), ValueProvidedError);
  t.type(caught(() => a.put('k', 'x', { ignoreLease: true, lease: 7 })), LeaseProvidedError);
  t.type(caught(() => a.put('k', 'x', { lease: 99 })), LeaseNotFoundError);
  t.type(caught(() => a.put('', 'x')), EmptyKeyError);
  t.equal(a.store.revision, rev, 'failed puts change nothing');
  t.equal(kvFull((await a.get('k')).kvs[0]), 'k=v5 c1 m7 v7 l0');
  t.end();
});

onEachBackend(t, 'range: single key, [key, end), prefix, ">= key" and everything', async (t, kind) => {
  const { a } = await openStore(t, kind);
  for (const k of ['a', 'a/1', 'a/2', 'b', 'b/1', 'c']) a.put(k, k.toUpperCase());
  const keys = async (key: string | Uint8Array, rangeEnd?: string | Uint8Array): Promise<string[]> => {
    const r = await a.store.range({ key: typeof key === 'string' ? enc(key) : key, ...(rangeEnd !== undefined ? { rangeEnd: typeof rangeEnd === 'string' ? enc(rangeEnd) : rangeEnd } : {}) });
    t.equal(r.count, r.kvs.length);
    return r.kvs.map((kv) => dec(kv.key));
  };
  t.same(await keys('a'), ['a']);
  t.same(await keys('a/'), []);
  t.same(await keys('a/', 'a0'), ['a/1', 'a/2'], 'prefix a/');
  t.same(await keys('a', 'b'), ['a', 'a/1', 'a/2']);
  t.same(await keys('b', ALL_FROM), ['b', 'b/1', 'c'], 'rangeEnd "\\0"');
  t.same(await keys(ALL_FROM, ALL_FROM), ['a', 'a/1', 'a/2', 'b', 'b/1', 'c'], 'everything');
  t.same(await keys('c', 'a'), [], 'end before key');
  t.type(await rejected(keys('')), EmptyKeyError);
  t.end();
});

onEachBackend(t, 'range: limit, more, count, sort, keysOnly, countOnly and revision filters', async (t, kind) => {
  const { a } = await openStore(t, kind);
  // keys k1..k5 written in the order k3 k1 k5 k2 k4; k1 updated twice more.
  for (const k of ['k3', 'k1', 'k5', 'k2', 'k4']) a.put(k, `v${k}`);
  a.put('k1', 'z');
  a.put('k1', 'a');
  const all = { key: enc('k'), rangeEnd: enc('l') };
  const keys = async (extra: object): Promise<{ keys: string[]; more: boolean; count: number }> => {
    const r = await a.store.range({ ...all, ...extra });
    return { keys: r.kvs.map((kv) => dec(kv.key)), more: r.more, count: r.count };
  };
  t.same(await keys({ limit: 2 }), { keys: ['k1', 'k2'], more: true, count: 5 }, 'limit: more, and count is the whole range');
  t.same(await keys({ limit: 5 }), { keys: ['k1', 'k2', 'k3', 'k4', 'k5'], more: false, count: 5 });
  t.same(await keys({ limit: 6 }), { keys: ['k1', 'k2', 'k3', 'k4', 'k5'], more: false, count: 5 });
  t.same(await keys({ sortOrder: 'DESCEND' }), { keys: ['k5', 'k4', 'k3', 'k2', 'k1'], more: false, count: 5 });
  t.same(await keys({ sortOrder: 'DESCEND', limit: 2 }), { keys: ['k5', 'k4'], more: true, count: 5 }, 'sort before limit');
  t.same((await keys({ sortTarget: 'CREATE' })).keys, ['k3', 'k1', 'k5', 'k2', 'k4'], 'target CREATE sorts ascending by default (etcd)');
  t.same((await keys({ sortTarget: 'MOD', sortOrder: 'DESCEND' })).keys, ['k1', 'k4', 'k2', 'k5', 'k3']);
  t.same((await keys({ sortTarget: 'VERSION', sortOrder: 'DESCEND', limit: 1 })).keys, ['k1']);
  t.same((await keys({ sortTarget: 'VALUE', sortOrder: 'ASCEND' })).keys, ['k1', 'k2', 'k3', 'k4', 'k5'], 'values a, vk2, vk3, …');
  const ko = await a.store.range({ ...all, keysOnly: true, limit: 1 });
  t.same(kvPairs(ko.kvs), ['k1='], 'keysOnly drops values');
  t.equal(ko.kvs[0]!.modRevision, 7, 'keysOnly keeps the revisions');
  t.equal(dec((await a.get('k1')).kvs[0]!.value), 'a', 'keysOnly did not change the stored value');
  const co = await a.store.range({ ...all, countOnly: true });
  t.same({ kvs: co.kvs.length, count: co.count, more: co.more }, { kvs: 0, count: 5, more: false }, 'countOnly');
  t.same((await keys({ minModRevision: 4 })).keys, ['k1', 'k2', 'k4']);
  t.same((await keys({ maxModRevision: 3 })).keys, ['k3', 'k5']);
  t.same((await keys({ minCreateRevision: 2, maxCreateRevision: 4 })).keys, ['k1', 'k2', 'k5']);
  t.same(await keys({ minModRevision: 4, limit: 2 }), { keys: ['k1', 'k2'], more: true, count: 5 }, 'filters then limit; count before filters (etcd)');
  t.same((await keys({ revision: 3 })).keys, ['k1', 'k3', 'k5'], 'at a past revision');
  t.same(await keys({ revision: 3, limit: 1 }), { keys: ['k1'], more: true, count: 3 });
  t.end();
});

onEachBackend(t, 'range revision bounds: future and compacted', async (t, kind) => {
  const { a } = await openStore(t, kind);
  for (let i = 0; i < 5; i++) a.put('k', String(i));
  t.type(await rejected(a.get('k', { revision: 6 })), FutureRevisionError);
  a.compact(3);
  t.type(await rejected(a.get('k', { revision: 2 })), RevisionCompactedError);
  t.same(kvPairs((await a.get('k', { revision: 3 })).kvs), ['k=2'], 'the compacted revision itself is readable');
  await a.store.compactionDone();
  t.same(kvPairs((await a.get('k', { revision: 3 })).kvs), ['k=2'], 'also after the backend dropped the rest');
  t.same(kvPairs((await a.get('k', { revision: 4 })).kvs), ['k=3']);
  t.end();
});

onEachBackend(t, 'deleteRange: ranges, prevKv, and the deleted key reads as absent at its revision', async (t, kind) => {
  const { a } = await openStore(t, kind);
  for (const k of ['a', 'b', 'c', 'd']) a.put(k, k);
  const r = a.del('b', 'd', { prevKv: true });
  t.equal(r.deleted, 2);
  t.same(kvPairs(r.prevKvs), ['b=b', 'c=c']);
  t.same(await a.all(), ['a=a', 'd=d']);
  t.same(await a.all(4), ['a=a', 'b=b', 'c=c', 'd=d']);
  t.same(a.del('a', undefined).prevKvs, [], 'prevKvs only when asked');
  t.equal(a.del('0', ALL_FROM).deleted, 1, 'delete everything >= "0"');
  t.same(await a.all(), []);
  t.equal(a.store.revision, 7);
  t.end();
});

void t.test('apply: Raft indexes must increase; failed entries still count as applied', async (t) => {
  const store = await MvccStore.open(new MemoryBackend());
  store.applyPut({ key: enc('a'), value: enc('1') }, 5);
  t.type(caught(() => store.applyPut({ key: enc('a'), value: enc('2') }, 5)), AssertionError);
  t.type(caught(() => store.applyPut({ key: enc('a'), value: enc('2'), lease: 1 }, 6)), LeaseNotFoundError);
  t.equal(store.consistentIndex(), 6);
  store.markApplied(7);
  t.equal(store.consistentIndex(), 7);
  t.equal(store.revision, 1);
  t.end();
});

void t.test('bytes: owned request bytes are adopted as they are; views into larger buffers are copied', async (t) => {
  const store = await MvccStore.open(new MemoryBackend());
  const ownedKey = enc('owned');
  const ownedValue = enc('value');
  store.applyPut({ key: ownedKey, value: ownedValue }, 1);
  const owned = (await store.range({ key: enc('owned') })).kvs[0]!;
  t.equal(owned.key, ownedKey, 'an owned key is kept, not copied');
  t.equal(owned.value, ownedValue, 'an owned value is kept, not copied');
  // A Raft batch decoded without copies: key and value are views into one large buffer.
  const batch = new Uint8Array(1 << 16);
  batch.set(enc('viewkey'), 100);
  batch.set(enc('viewvalue'), 200);
  const key = batch.subarray(100, 107);
  const value = batch.subarray(200, 209);
  store.applyPut({ key, value }, 2);
  batch.fill(0);
  const viewed = (await store.range({ key: enc('viewkey') })).kvs[0]!;
  t.same(kvPairs([viewed]), ['viewkey=viewvalue'], 'copied: the batch buffer can change or go');
  t.equal(viewed.value.buffer.byteLength, 9, 'the cached value does not pin the batch buffer');
  t.equal(viewed.key.buffer.byteLength, 7);
  t.end();
});

void t.test('the header factory fills every response header', async (t) => {
  const header = (revision: number): { clusterId: number; memberId: number; revision: number; raftTerm: number } => ({ clusterId: 11, memberId: 22, revision, raftTerm: 33 });
  const store = await MvccStore.open(new MemoryBackend(), { header });
  const put = store.applyPut({ key: enc('a'), value: enc('1') }, 1);
  t.same(put.header, { clusterId: 11, memberId: 22, revision: 1, raftTerm: 33 });
  const txn = await store.applyTxn({ compare: [], success: [{ requestPut: { key: enc('b'), value: enc('2') } }, { requestRange: { key: enc('a') } }], failure: [] }, 2);
  t.same(txn.header, { clusterId: 11, memberId: 22, revision: 2, raftTerm: 33 });
  t.same(txn.responses[1]!.responseRange!.header, { clusterId: 11, memberId: 22, revision: 2, raftTerm: 33 });
  t.end();
});
