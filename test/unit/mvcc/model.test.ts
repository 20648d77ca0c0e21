// Randomized check against a dumb reference (one full copy of the key space per revision):
// thousands of puts, deletes, txns, compactions, flushes and restarts on both backends in
// lockstep; every response, every read at every revision, and the watch streams must agree.
// A failure names the seed and step that reproduce it.
import t from 'tap';
import type { Test } from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { MvccStore, RangeRequest, RequestOp, SortOrder, SortTarget } from '../../../raft/index.js';
import { DuplicateKeyError, FutureRevisionError, MvccStore as Store, RevisionCompactedError } from '../../../raft/index.js';
import { ALL_FROM, BackendHost, dec, enc, settle, WatchLog } from './helpers.js';

interface ModelKv {
  readonly value: string;
  readonly create: number;
  readonly mod: number;
  readonly version: number;
}

type ModelOp = { put: [string, string] } | { del: string } | { range: [string, string | undefined] };

/** The reference: revision r's key space is states[r], kept whole. */
class Model {
  readonly states: Map<string, ModelKv>[] = [new Map()];
  readonly events: string[] = [];
  compacted = 0;

  get rev(): number {
    return this.states.length - 1;
  }

  private get current(): Map<string, ModelKv> {
    return this.states[this.rev]!;
  }

  put(key: string, value: string): number {
    const next = new Map(this.current);
    this.write(next, key, value, this.rev + 1);
    this.states.push(next);
    return this.rev;
  }

  del(start: string, end: string | undefined): { deleted: number; rev: number } {
    const next = new Map(this.current);
    const victims = this.keysIn(next, start, end);
    for (const k of victims) this.erase(next, k, this.rev + 1);
    if (victims.length > 0) this.states.push(next);
    return { deleted: victims.length, rev: this.rev };
  }

  txn(cmpKey: string, version: number, success: ModelOp[], failure: ModelOp[]): { succeeded: boolean; rev: number; reads: string[][] } {
    const succeeded = (this.current.get(cmpKey)?.version ?? 0) === version;
    const next = new Map(this.current);
    const rev = this.rev + 1;
    let changed = false;
    const reads: string[][] = [];
    for (const op of succeeded ? success : failure) {
      if ('put' in op) {
        this.write(next, op.put[0], op.put[1], rev);
        changed = true;
      } else if ('del' in op) {
        if (next.has(op.del)) {
          this.erase(next, op.del, rev);
          changed = true;
        }
      } else {
        reads.push(this.keysIn(next, op.range[0], op.range[1]).map((k) => show(k, next.get(k)!)));
      }
    }
    if (changed) this.states.push(next);
    return { succeeded, rev: this.rev, reads };
  }

  range(start: string, end: string | undefined, revision: number, limit: number, order: SortOrder, target: SortTarget): { kvs: string[]; count: number; more: boolean } | 'future' | 'compacted' {
    if (revision > this.rev) return 'future';
    const at = revision <= 0 ? this.rev : revision;
    if (at < this.compacted) return 'compacted';
    const state = this.states[at]!;
    const keys = this.keysIn(state, start, end);
    // MOD sorts ascending by default; ties (keys of one txn) keep key order either way.
    const sign = order === 'DESCEND' ? -1 : 1;
    if (target === 'MOD') keys.sort((a, b) => sign * (state.get(a)!.mod - state.get(b)!.mod) || (a < b ? -1 : 1));
    else if (order === 'DESCEND') keys.reverse();
    const kept = limit > 0 ? keys.slice(0, limit) : keys;
    return { kvs: kept.map((k) => show(k, state.get(k)!)), count: keys.length, more: kept.length < keys.length };
  }

  compact(revision: number): 'ok' | 'compacted' | 'future' {
    if (revision <= this.compacted) return 'compacted';
    if (revision > this.rev) return 'future';
    this.compacted = revision;
    return 'ok';
  }

  private write(state: Map<string, ModelKv>, key: string, value: string, rev: number): void {
    const prev = state.get(key);
    state.set(key, { value, create: prev?.create ?? rev, mod: rev, version: (prev?.version ?? 0) + 1 });
    this.events.push(`PUT ${key}@${rev}`);
  }

  private erase(state: Map<string, ModelKv>, key: string, rev: number): void {
    state.delete(key);
    this.events.push(`DELETE ${key}@${rev}`);
  }

  private keysIn(state: Map<string, ModelKv>, start: string, end: string | undefined): string[] {
    if (end === undefined) return state.has(start) ? [start] : [];
    return [...state.keys()].filter((k) => k >= start && (end === '\0' || k < end)).sort();
  }
}

function show(key: string, kv: ModelKv): string {
  return `${key}=${kv.value} c${kv.create} m${kv.mod} v${kv.version}`;
}

const KEYS = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);

function pick<T>(r: SeededRandom, xs: readonly T[]): T {
  return xs[r.int(xs.length)]!;
}

function toRequest(op: ModelOp): RequestOp {
  if ('put' in op) return { requestPut: { key: enc(op.put[0]), value: enc(op.put[1]) } };
  if ('del' in op) return { requestDeleteRange: { key: enc(op.del) } };
  const [start, end] = op.range;
  return { requestRange: { key: enc(start), ...(end !== undefined ? { rangeEnd: end === '\0' ? ALL_FROM : enc(end) } : {}) } };
}

function errorKind(err: unknown): string {
  if (err instanceof FutureRevisionError) return 'future';
  if (err instanceof RevisionCompactedError) return 'compacted';
  if (err instanceof DuplicateKeyError) return 'duplicate';
  throw err;
}

async function runSeed(t: Test, seed: number, steps: number): Promise<void> {
  const r = new SeededRandom(seed);
  const model = new Model();
  const memHost = await BackendHost.create(t, 'memory');
  const levelHost = await BackendHost.create(t, 'level');
  const stores: { name: string; store: MvccStore }[] = [
    { name: 'memory', store: await Store.open(memHost.backend) },
    { name: 'level', store: await Store.open(levelHost.backend) },
  ];
  let index = 0;
  const live = new WatchLog();
  stores[0]!.store.watch({ key: ALL_FROM, rangeEnd: ALL_FROM }, 1, live.send);
  let late: { log: WatchLog; from: number } | undefined;
  const quietAfter = Math.floor(steps * 0.75); // no compactions or restarts after the late watcher starts
  const fail = (step: number, what: string): string => `seed ${seed} step ${step}: ${what}`;
  let mismatches = 0;
  const check = (ok: boolean, step: number, what: string, got?: unknown, want?: unknown): void => {
    if (ok) return;
    mismatches++;
    if (mismatches <= 5) t.fail(fail(step, what), { got, want });
  };

  for (let step = 0; step < steps; step++) {
    const x = r.next();
    const quiet = step >= quietAfter;
    index++;
    if (step === quietAfter) {
      const from = Math.max(model.compacted + 1, model.rev - 300, 1);
      late = { log: new WatchLog(), from };
      stores[1]!.store.watch({ key: enc('k05'), rangeEnd: enc('k15'), startRevision: from }, 2, late.log.send);
    }
    if (x < 0.4) {
      const key = pick(r, KEYS);
      const value = `v${r.int(100)}`;
      const want = model.put(key, value);
      for (const { name, store } of stores) {
        const got = store.applyPut({ key: enc(key), value: enc(value) }, index).header.revision;
        check(got === want, step, `${name} put ${key}`, got, want);
      }
    } else if (x < 0.52) {
      const start = pick(r, KEYS);
      const end = r.chance(0.5) ? undefined : r.chance(0.2) ? '\0' : pick(r, KEYS);
      const want = model.del(start, end);
      for (const { name, store } of stores) {
        const resp = store.applyDeleteRange({ key: enc(start), ...(end !== undefined ? { rangeEnd: end === '\0' ? ALL_FROM : enc(end) } : {}) }, index);
        const got = { deleted: resp.deleted, rev: resp.header.revision };
        check(got.deleted === want.deleted && got.rev === want.rev, step, `${name} delete [${start}, ${end})`, got, want);
      }
    } else if (x < 0.7) {
      const keys = [...KEYS].sort(() => r.next() - 0.5).slice(0, 6);
      const branch = (ks: string[]): ModelOp[] => [
        { put: [ks[0]!, `t${r.int(100)}`] },
        { range: [ks[1]!, r.chance(0.5) ? undefined : '\0'] },
        r.chance(0.5) ? { del: ks[2]! } : { put: [ks[2]!, 'x'] },
        { range: [pick(r, KEYS), pick(r, KEYS)] },
      ];
      const success = branch(keys.slice(0, 3));
      const failure = branch(keys.slice(3, 6));
      const duplicate = r.chance(0.05);
      if (duplicate) success.push({ put: [keys[0]!, 'again'] });
      const cmpKey = pick(r, KEYS);
      const version = r.int(3);
      const want = duplicate ? 'duplicate' : model.txn(cmpKey, version, success, failure);
      for (const { name, store } of stores) {
        let got: unknown;
        try {
          const resp = await store.applyTxn(
            { compare: [{ key: enc(cmpKey), target: 'VERSION', result: 'EQUAL', version }], success: success.map(toRequest), failure: failure.map(toRequest) },
            index,
          );
          got = {
            succeeded: resp.succeeded,
            rev: resp.header.revision,
            reads: resp.responses.filter((op) => op.responseRange !== undefined).map((op) => op.responseRange!.kvs.map((kv) => `${dec(kv.key)}=${dec(kv.value)} c${kv.createRevision} m${kv.modRevision} v${kv.version}`)),
          };
        } catch (err) {
          got = errorKind(err);
        }
        check(JSON.stringify(got) === JSON.stringify(want), step, `${name} txn`, got, want);
      }
    } else if (x < 0.9) {
      index--; // reads are not Raft entries
      const start = pick(r, KEYS);
      const end = r.chance(0.3) ? undefined : r.chance(0.3) ? '\0' : pick(r, KEYS);
      const revision = r.chance(0.4) ? 0 : r.int(model.rev + 3);
      const limit = r.chance(0.5) ? 0 : 1 + r.int(5);
      const order: SortOrder = r.chance(0.2) ? 'DESCEND' : 'NONE';
      const target: SortTarget = r.chance(0.2) ? 'MOD' : 'KEY';
      const want = model.range(start, end, revision, limit, order, target);
      const req: RangeRequest = { key: enc(start), ...(end !== undefined ? { rangeEnd: end === '\0' ? ALL_FROM : enc(end) } : {}), revision, limit, sortOrder: order, sortTarget: target };
      for (const { name, store } of stores) {
        let got: unknown;
        try {
          const resp = await store.range(req);
          got = { kvs: resp.kvs.map((kv) => `${dec(kv.key)}=${dec(kv.value)} c${kv.createRevision} m${kv.modRevision} v${kv.version}`), count: resp.count, more: resp.more };
        } catch (err) {
          got = errorKind(err);
        }
        check(JSON.stringify(got) === JSON.stringify(want), step, `${name} range [${start}, ${JSON.stringify(end)}) at ${revision} limit ${limit} ${order} ${target}`, got, want);
      }
    } else if (x < 0.93 && !quiet) {
      const revision = model.compacted + r.int(model.rev - model.compacted + 3);
      const want = model.compact(revision);
      for (const { name, store } of stores) {
        let got: string;
        try {
          store.applyCompact({ revision }, index);
          got = 'ok';
        } catch (err) {
          got = errorKind(err);
        }
        check(got === want, step, `${name} compact ${revision}`, got, want);
      }
    } else if (x < 0.97) {
      index--;
      await Promise.all(stores.map(({ store }) => store.flush()));
      if (r.chance(0.3)) await settle();
    } else if (x < 0.98 && !quiet) {
      index--;
      // Restart the LevelDB member: flush (or not), reopen, replay nothing (the entries are all flushed).
      await stores[1]!.store.flush();
      await levelHost.restart();
      stores[1]!.store = await Store.open(levelHost.backend);
      check(stores[1]!.store.consistentIndex() === index, step, 'level reopened at the last index', stores[1]!.store.consistentIndex(), index);
    } else {
      index--;
      const [h0, h1] = await Promise.all(stores.map(({ store }) => store.hashKV()));
      check(h0!.hash === h1!.hash, step, 'hashKV equal on both backends', h1!.hash, h0!.hash);
    }
  }
  for (const { store } of stores) {
    await store.compactionDone();
    await settle(store);
  }
  t.equal(mismatches, 0, `seed ${seed}: every response matched the model`);
  const wantLive = model.events;
  t.ok(live.events().join('\n') === wantLive.join('\n'), `seed ${seed}: the live watcher saw every event of the model, in order (${live.events().length}/${wantLive.length})`);
  const lateWant = model.events.filter((e) => {
    const [, rest] = e.split(' ');
    const [key, rev] = rest!.split('@');
    return key! >= 'k05' && key! < 'k15' && Number(rev) >= late!.from;
  });
  t.ok(late!.log.events().join('\n') === lateWant.join('\n'), `seed ${seed}: the late watcher caught up, then followed live (${late!.log.events().length}/${lateWant.length})`);
  const [h0, h1] = await Promise.all(stores.map(({ store }) => store.hashKV()));
  t.equal(h0!.hash, h1!.hash, `seed ${seed}: final hashKV equal`);
  t.ok(model.compacted > 0 && model.rev > 1000, `seed ${seed}: the run compacted (${model.compacted}) and wrote (${model.rev} revisions)`);
}

for (const seed of [1, 2, 3]) {
  void t.test(`model check, seed ${seed}`, (t) => runSeed(t, seed, 2500));
}
