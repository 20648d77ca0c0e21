/**
 * `node dist/bench/mvcc-apply.js`: the MVCC state machine's apply and read costs, in memory:
 * 100,000 puts of 256-byte values (new keys, then updates), point reads and a paged prefix
 * read. The store's budget is well under 20 µs per applied put (etcd does ~6,000 puts/s on 3
 * members here). Prints figures; the last line is JSON.
 */
import { MemoryBackend, MvccStore } from '../raft/index.js';

const PUTS = 100_000;
const VALUE_BYTES = 256;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const store = await MvccStore.open(new MemoryBackend());
const keys = Array.from({ length: PUTS }, (_, i) => enc(`/registry/pods/ns-${i % 100}/pod-${String(i).padStart(7, '0')}`));
const values = Array.from({ length: PUTS }, (_, i) => new Uint8Array(VALUE_BYTES).fill(i & 0xff));
const heapBefore = process.memoryUsage().heapUsed;
let index = 0;
/** Median of 4 rounds' means, so one round stalled by GC or a busy machine does not decide. */
const timed = (apply: (i: number) => void): number => {
  const rounds: number[] = [];
  const per = PUTS / 4;
  for (let r = 0; r < 4; r++) {
    const start = performance.now();
    for (let i = r * per; i < (r + 1) * per; i++) apply(i);
    rounds.push(((performance.now() - start) * 1000) / per);
  }
  rounds.sort((a, b) => a - b);
  return (rounds[1]! + rounds[2]!) / 2;
};
const applyUs = timed((i) => store.applyPut({ key: keys[i]!, value: values[i]! }, ++index));
const updateUs = timed((i) => store.applyPut({ key: keys[(i * 7919) % PUTS]!, value: values[i]! }, ++index));
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
await store.flush();

const GETS = 10_000;
const t2 = performance.now();
for (let i = 0; i < GETS; i++) await store.range({ key: keys[(i * 31) % PUTS]! });
const getUs = ((performance.now() - t2) * 1000) / GETS;
const PAGES = 200;
const t3 = performance.now();
for (let i = 0; i < PAGES; i++) await store.range({ key: enc('/registry/pods/ns-7/'), rangeEnd: enc('/registry/pods/ns-70'), limit: 100 });
const pageUs = ((performance.now() - t3) * 1000) / PAGES;

console.error(`apply: ${applyUs.toFixed(2)} µs per put of a new key, ${updateUs.toFixed(2)} µs per update`);
console.error(`range: ${getUs.toFixed(1)} µs per single key, ${pageUs.toFixed(0)} µs for 100 of a 1,000-key prefix`);
console.error(`heap while unflushed: +${heapMb.toFixed(0)} MB for ${PUTS} keys and ${2 * PUTS} revisions`);
console.log(JSON.stringify({ applyPutUs: +applyUs.toFixed(2), updatePutUs: +updateUs.toFixed(2), rangeOneKeyUs: +getUs.toFixed(1), rangePage100Us: Math.round(pageUs) }));
