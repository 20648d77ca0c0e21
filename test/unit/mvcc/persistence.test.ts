// Persistence: one batch per flush, crash and replay from the consistent index, snapshot and restore.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { RequestOp } from '../../../raft/index.js';
import { MemoryBackend, MvccStore } from '../../../raft/index.js';
import { ALL_FROM, Applier, BackendHost, dec, enc, kvFull, onEachBackend, openStore } from './helpers.js';

/** One replicated request, as data, so it can be applied again after a crash. */
type Op =
  | { kind: 'put'; key: string; value: string; lease?: number }
  | { kind: 'del'; key: string; end?: string }
  | { kind: 'txn'; cmpKey: string; version: number; success: RequestOp[]; failure: RequestOp[] }
  | { kind: 'grant'; id: number }
  | { kind: 'revoke'; id: number }
  | { kind: 'compact'; revision: number }
  | { kind: 'noop' };

function randomOp(r: SeededRandom, revision: number, compacted: number, leases: Set<number>): Op {
  const key = `k${r.int(30)}`;
  const x = r.next();
  if (x < 0.5) return { kind: 'put', key, value: `v${r.int(1000)}`, ...(leases.size > 0 && r.chance(0.2) ? { lease: [...leases][r.int(leases.size)]! } : {}) };
  if (x < 0.62) return r.chance(0.5) ? { kind: 'del', key } : { kind: 'del', key, end: `k${r.int(30)}` };
  if (x < 0.8) {
    const k2 = `k${30 + r.int(10)}`;
    return {
      kind: 'txn',
      cmpKey: key,
      version: r.int(4),
      success: [{ requestPut: { key: enc(k2), value: enc(`t${r.int(100)}`) } }, { requestRange: { key: enc(key) } }],
      failure: [{ requestDeleteRange: { key: enc(k2) } }],
    };
  }
  if (x < 0.85) return { kind: 'grant', id: 1 + r.int(20) };
  if (x < 0.88 && leases.size > 0) return { kind: 'revoke', id: [...leases][r.int(leases.size)]! };
  if (x < 0.9 && revision > compacted + 1) return { kind: 'compact', revision: compacted + 1 + r.int(revision - compacted) };
  return { kind: 'noop' };
}

/** Applies op at raftIndex; request errors (duplicate grant, …) count as applied, as on a member. */
function applyOp(store: MvccStore, op: Op, raftIndex: number): void {
  try {
    switch (op.kind) {
      case 'put':
        store.applyPut({ key: enc(op.key), value: enc(op.value), ...(op.lease !== undefined ? { lease: op.lease } : {}) }, raftIndex);
        break;
      case 'del':
        store.applyDeleteRange({ key: enc(op.key), ...(op.end !== undefined ? { rangeEnd: enc(op.end) } : {}) }, raftIndex);
        break;
      case 'txn':
        void store.applyTxn({ compare: [{ key: enc(op.cmpKey), target: 'VERSION', result: 'EQUAL', version: op.version }], success: op.success, failure: op.failure }, raftIndex);
        break;
      case 'grant':
        store.applyLeaseGrant({ ID: op.id, TTL: 60 }, raftIndex);
        break;
      case 'revoke':
        store.applyLeaseRevoke(op.id, raftIndex);
        break;
      case 'compact':
        store.applyCompact({ revision: op.revision }, raftIndex);
        break;
      case 'noop':
        store.markApplied(raftIndex);
        break;
    }
  } catch (err) {
    if (!(err instanceof Error) || err.name === 'AssertionError') throw err;
  }
}

/** Everything observable: revisions, live keys, a few past revisions, leases and their keys, the hash. */
async function observe(store: MvccStore): Promise<unknown> {
  const at = async (revision: number): Promise<string[]> => (await store.range({ key: ALL_FROM, rangeEnd: ALL_FROM, revision })).kvs.map(kvFull);
  const past: Record<number, string[]> = {};
  for (let rev = Math.max(store.compactRevision, 1); rev <= store.revision; rev += Math.max(1, Math.floor((store.revision - store.compactRevision) / 7))) past[rev] = await at(rev);
  return {
    revision: store.revision,
    compactRevision: store.compactRevision,
    live: await at(0),
    past,
    leases: store.leases.ids().map((id) => {
      const ttl = store.leaseTimeToLive(id, 0, true);
      return { id, ttl: ttl.TTL, keys: ttl.keys.map(dec) };
    }),
    hash: (await store.hashKV()).hash,
  };
}

void t.test('flush writes everything applied as one backend batch; an idle flush writes nothing', async (t) => {
  const backend = new MemoryBackend();
  const a = new Applier(await MvccStore.open(backend));
  for (let i = 0; i < 100; i++) a.put(`k${i}`, 'v');
  a.grant(1, 10);
  a.compact(50);
  const before = backend.batchCount;
  await a.store.flush();
  t.equal(backend.batchCount, before + 1);
  await a.store.compactionDone();
  const settled = backend.batchCount;
  await a.store.flush();
  t.equal(backend.batchCount, settled, 'nothing to write');
  a.store.markApplied(a.next());
  await a.store.flush();
  t.equal(backend.batchCount, settled + 1, 'a new consistent index alone is written');
  t.equal(a.store.flushedConsistentIndex(), a.index);
  t.end();
});

onEachBackend(t, 'crash and replay: reopen at the flushed consistent index, replay the rest, end identical', async (t, kind) => {
  let replayed = 0;
  for (const seed of [11, 12]) {
    const r = new SeededRandom(seed);
    const host = await BackendHost.create(t, kind);
    let store = await MvccStore.open(host.backend);
    const reference = await MvccStore.open(new MemoryBackend());
    const log: Op[] = []; // log[i] is the entry at Raft index i + 1
    const leases = new Set<number>();
    let flushedIndex = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 400; i++) {
        const op = randomOp(r, reference.revision, reference.compactRevision, leases);
        log.push(op);
        applyOp(store, op, log.length);
        applyOp(reference, op, log.length);
        if (op.kind === 'grant') leases.add(op.id);
        if (op.kind === 'revoke') leases.delete(op.id);
        if (r.chance(0.02)) {
          await store.flush();
          flushedIndex = log.length;
        }
      }
      // Crash: what was applied since the last flush is lost with the process.
      await host.restart();
      store = await MvccStore.open(host.backend);
      // A background compaction flushes too, so the backend may hold more than the last explicit flush.
      t.ok(store.consistentIndex() >= flushedIndex && store.consistentIndex() <= log.length, `seed ${seed} round ${round}: reopened at or after the last flushed index`);
      replayed += log.length - store.consistentIndex();
      for (let index = store.consistentIndex() + 1; index <= log.length; index++) applyOp(store, log[index - 1]!, index);
      await Promise.all([store.compactionDone(), reference.compactionDone()]);
      t.same(await observe(store), await observe(reference), `seed ${seed} round ${round}: identical after replay`);
    }
  }
  t.ok(replayed > 100, `crashes lost applied entries that were replayed (${replayed})`);
  t.end();
});

onEachBackend(t, 'snapshot and restore: identical state, hash and history; the restored store persists and keeps applying alike', async (t, kind) => {
  const r = new SeededRandom(5);
  const source = await MvccStore.open(new MemoryBackend());
  const leases = new Set<number>();
  let index = 0;
  for (let i = 0; i < 1500; i++) {
    const op = randomOp(r, source.revision, source.compactRevision, leases);
    applyOp(source, op, ++index);
    if (op.kind === 'grant') leases.add(op.id);
    if (op.kind === 'revoke') leases.delete(op.id);
    if (i % 300 === 299) await source.flush();
  }
  t.ok(source.compactRevision > 0, 'the history was compacted');
  const snap = await source.snapshot();
  const { host, a } = await openStore(t, kind);
  for (let i = 0; i < 50; i++) a.put(`old${i}`, 'stale'); // replaced by the restore
  a.grant(999, 10);
  await a.store.restore(snap, index);
  t.equal(a.store.consistentIndex(), index);
  t.same(await observe(a.store), await observe(source), 'identical after restore');
  await host.restart();
  const reopened = await MvccStore.open(host.backend);
  t.same(await observe(reopened), await observe(source), 'identical after reopening the restored backend');
  for (let i = 0; i < 300; i++) {
    const op = randomOp(r, source.revision, source.compactRevision, leases);
    index++;
    applyOp(source, op, index);
    applyOp(reopened, op, index);
  }
  await Promise.all([source.compactionDone(), reopened.compactionDone()]);
  t.same(await observe(reopened), await observe(source), 'and stays identical applying the same entries');
  t.end();
});
