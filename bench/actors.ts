/**
 * `node dist/bench/actors.js`: message throughput of the actor runtime through sharded keyed
 * children, the shape of the controllers (one reconciler actor per object). For each shard count,
 * BENCH_KEYS keys (default 10,000) each get a child; then BENCH_MESSAGES messages (default
 * 100,000) go round-robin over the keys. One shard parenting all 10,000 children is included:
 * the runtime keeps nact's actors flat, so it is no longer the cliff nact's child-map copy made it.
 * Reports, per shard count:
 *   spawn    msgs/s of the first pass over the keys, which creates every child;
 *   steady   msgs/s once every child exists (each message is two hops: shard, then child).
 * A baseline line gives msgs/s to one actor without sharding (one hop).
 * Prints figures only; nothing is asserted. Last line is JSON.
 */
import { Registry } from 'prom-client';
import type { ActorDefinition } from '../actors/index.js';
import { ActorSystem, defineActor, jsonStderrActorLogger } from '../actors/index.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const SHARD_COUNTS = [1, 16, 64];

interface Result {
  readonly shards: number;
  readonly keys: number;
  readonly spawnMsgsPerSec: number;
  readonly steadyMessages: number;
  readonly steadyMsgsPerSec: number;
}

type TouchMsg = { readonly type: 'touch' };

/** Counts every handled message in `handled.count`, so the driver knows when all have arrived. */
function touchActor(handled: { count: number }): ActorDefinition<number, TouchMsg> {
  return defineActor<number, TouchMsg>({
    type: 'bench-key',
    initialState: () => 0,
    handle: (n) => {
      handled.count++;
      return n + 1;
    },
  });
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise<void>((resolve) => setImmediate(resolve));
}

function newSystem(name: string): ActorSystem {
  return new ActorSystem({ name, registry: new Registry(), logger: jsonStderrActorLogger({ bench: 'actors' }) });
}

async function measureSharded(shards: number): Promise<Result> {
  const system = newSystem(`bench-${shards}`);
  const handled = { count: 0 };
  const children = system.spawnSharded('keys', touchActor(handled), { shards });
  const keys = Array.from({ length: KEYS }, (_, i) => `default/pod-${i}`);

  let t0 = performance.now();
  for (const key of keys) children.tell(key, { type: 'touch' });
  await until(() => handled.count === KEYS);
  const spawnMs = performance.now() - t0;

  const steadyMessages = MESSAGES;
  handled.count = 0;
  t0 = performance.now();
  for (let i = 0; i < steadyMessages; i++) children.tell(keys[i % KEYS]!, { type: 'touch' });
  await until(() => handled.count === steadyMessages);
  const steadyMs = performance.now() - t0;

  await system.shutdown();
  return {
    shards,
    keys: KEYS,
    spawnMsgsPerSec: Math.round((KEYS / spawnMs) * 1000),
    steadyMessages,
    steadyMsgsPerSec: Math.round((steadyMessages / steadyMs) * 1000),
  };
}

async function measureSingleActor(): Promise<number> {
  const system = newSystem('bench-single');
  const handled = { count: 0 };
  const actor = system.spawn(touchActor(handled), 'single');
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) actor.tell({ type: 'touch' });
  await until(() => handled.count === MESSAGES);
  const ms = performance.now() - t0;
  await system.shutdown();
  return Math.round((MESSAGES / ms) * 1000);
}

const baselineMsgsPerSec = await measureSingleActor();
console.log(`one actor, no sharding: ${baselineMsgsPerSec} msgs/s over ${MESSAGES} messages`);
const results: Result[] = [];
for (const shards of SHARD_COUNTS) {
  const r = await measureSharded(shards);
  results.push(r);
  console.log(
    `${String(shards).padStart(2)} shard(s), ${r.keys} keys: spawn ${r.spawnMsgsPerSec} msgs/s; ` +
      `steady ${r.steadyMsgsPerSec} msgs/s over ${r.steadyMessages} messages`,
  );
}
console.log(JSON.stringify({ bench: 'actors', keys: KEYS, baselineMsgsPerSec, results }));
