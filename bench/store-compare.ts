/**
 * `npm run bench:store [-- --rounds N]`: Flotilla's 3-member store against a real 3-member etcd
 * 3.4, on this machine, in the same run, measured by the same client (`flotilla bench store`'s).
 * Each system runs alone (the other is stopped) so they do not compete for the CPU. A round
 * measures both back to back, alternating which goes first; the ratios are taken within each
 * round and reported as their median (store-compare-stats.ts says why). Prints a table per round
 * and, last, JSON with both systems' median figures, the median ratios and each round's.
 *
 * The single client's put is measured twice, sent to the leader and sent to a follower (which
 * forwards it, and answers once it has applied the entry itself): which member a single client
 * happens to reach changes its latency by about half, so one figure against "the first endpoint"
 * compared two systems' luck as much as their speed.
 *
 * Memory (RSS per member after 100,000 keys) is measured in the first round only: filling the
 * store takes longer than the rest of a round.
 */
import { readFileSync } from 'node:fs';
import { EtcdClient } from '../transport/index.js';
import type { TestCluster } from '../test/index.js';
import { ETCD_BIN, startEtcdCluster, startFlotillaCluster } from '../test/index.js';
import type { StoreRound, StoreRoundFigures } from './store-compare-stats.js';
import { compareStoreRounds, roundRatios } from './store-compare-stats.js';
import type { StoreBenchResult } from './store.js';
import { runStoreBench } from './store.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MEMORY_KEYS = Math.round(100_000 * SCALE);

interface SystemFigures {
  putOneClientToLeader: StoreBenchResult;
  putOneClientToFollower: StoreBenchResult;
  put64: StoreBenchResult;
  rangeLinearizable64: StoreBenchResult;
  rangeSerializable64: StoreBenchResult;
  /** Empty when this round did not fill the store. */
  rssMbAfterKeys: number[];
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Which endpoint is the leader's: the member whose Status names itself leader. */
async function leaderEndpoint(endpoints: readonly string[]): Promise<number> {
  const client = new EtcdClient({ endpoints: [...endpoints], timeoutMs: 5_000 });
  try {
    for (let i = 0; i < endpoints.length; i++) {
      const st = await client.status(i);
      if (st.leader === st.header.memberId) return i;
    }
  } finally {
    client.close();
  }
  throw new Error(`no member of ${endpoints.join(',')} says it is the leader`);
}

async function measure(cluster: TestCluster, fillForMemory: boolean): Promise<SystemFigures> {
  const endpoints = cluster.endpoints;
  const base = { endpoints, valSize: 256, serializable: false, conns: 1 } as const;
  // Warm up connections and JIT on both sides before measuring.
  await runStoreBench({ ...base, op: 'put', clients: 16, total: Math.round(2_000 * SCALE) });
  const leader = await leaderEndpoint(endpoints);
  const follower = (leader + 1) % endpoints.length;
  const putOneClientToLeader = await runStoreBench({ ...base, endpoints: [endpoints[leader]!], op: 'put', clients: 1, total: Math.round(2_000 * SCALE) });
  const putOneClientToFollower = await runStoreBench({ ...base, endpoints: [endpoints[follower]!], op: 'put', clients: 1, total: Math.round(2_000 * SCALE) });
  const put64 = await runStoreBench({ ...base, op: 'put', clients: 64, total: Math.round(30_000 * SCALE) });
  const rangeLinearizable64 = await runStoreBench({ ...base, op: 'range', clients: 64, total: Math.round(30_000 * SCALE) });
  const rangeSerializable64 = await runStoreBench({ ...base, op: 'range', clients: 64, total: Math.round(30_000 * SCALE), serializable: true });
  // Memory: fill to MEMORY_KEYS distinct keys (the puts above already wrote some).
  const written = Math.round(2_000 * SCALE) * 3 + Math.round(30_000 * SCALE);
  const figures = { putOneClientToLeader, putOneClientToFollower, put64, rangeLinearizable64, rangeSerializable64 };
  if (!fillForMemory) return { ...figures, rssMbAfterKeys: [] };
  if (MEMORY_KEYS > written) await runStoreBench({ ...base, op: 'put', clients: 64, total: MEMORY_KEYS - written });
  return { ...figures, rssMbAfterKeys: cluster.members.map((m) => rssMb(m.pid)) };
}

function row(name: string, f: StoreBenchResult, e: StoreBenchResult): string {
  return `${name.padEnd(26)} ${String(f.qps).padStart(8)} ${String(e.qps).padStart(8)}  ${(f.qps / e.qps).toFixed(2).padStart(6)}   p50 ${f.p50Ms}/${e.p50Ms} ms   p99 ${f.p99Ms}/${e.p99Ms} ms`;
}

function roundsArg(argv: readonly string[]): number {
  const i = argv.indexOf('--rounds');
  if (i < 0) return 3;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--rounds needs a positive integer, got ${JSON.stringify(argv[i + 1])}`);
    process.exit(2);
  }
  return n;
}

async function measureSystem(system: 'flotilla' | 'etcd', fillForMemory: boolean): Promise<SystemFigures> {
  const cluster = system === 'flotilla' ? await startFlotillaCluster({ members: 3 }) : await startEtcdCluster({ members: 3 });
  try {
    return await measure(cluster, fillForMemory);
  } finally {
    await cluster.close();
  }
}

const pick = (s: SystemFigures): StoreRoundFigures => ({
  putOneClientToLeaderP50Ms: s.putOneClientToLeader.p50Ms,
  putOneClientToFollowerP50Ms: s.putOneClientToFollower.p50Ms,
  put64Qps: s.put64.qps,
  put64P99Ms: s.put64.p99Ms,
  rangeLinearizable64Qps: s.rangeLinearizable64.qps,
  rangeLinearizable64P99Ms: s.rangeLinearizable64.p99Ms,
  rangeSerializable64Qps: s.rangeSerializable64.qps,
});

if (!ETCD_BIN) {
  console.error('etcd is not installed (Debian: apt-get install etcd-server); cannot compare');
  process.exit(2);
}
const roundCount = roundsArg(process.argv.slice(2));
const rounds: StoreRound[] = [];
let rss: { flotilla: number[]; etcd: number[] } | undefined;
for (let r = 0; r < roundCount; r++) {
  const first = r === 0;
  // Alternate the order, so that a machine slowing down (or speeding up) during a round does not always favour the same system.
  const order: ('flotilla' | 'etcd')[] = r % 2 === 0 ? ['flotilla', 'etcd'] : ['etcd', 'flotilla'];
  const figures: Partial<Record<'flotilla' | 'etcd', SystemFigures>> = {};
  for (const system of order) figures[system] = await measureSystem(system, first);
  const f = figures.flotilla!;
  const e = figures.etcd!;
  if (first) rss = { flotilla: f.rssMbAfterKeys, etcd: e.rssMbAfterKeys };
  const round: StoreRound = { flotilla: pick(f), etcd: pick(e) };
  rounds.push(round);
  const ratios = roundRatios(round);
  console.error(`round ${r + 1} of ${roundCount} (${order.join(' then ')}); 3 members each, 256-byte values; qps Flotilla / etcd 3.4, ratio, latencies Flotilla/etcd`);
  console.error(row('put, 1 client, to leader', f.putOneClientToLeader, e.putOneClientToLeader));
  console.error(row('put, 1 client, to follower', f.putOneClientToFollower, e.putOneClientToFollower));
  console.error(row('put, 64 clients', f.put64, e.put64));
  console.error(row('range linearizable, 64', f.rangeLinearizable64, e.rangeLinearizable64));
  console.error(row('range serializable, 64', f.rangeSerializable64, e.rangeSerializable64));
  console.error(`ratios this round: put64 qps ${ratios.put64Qps}, linearizable range qps ${ratios.rangeLinearizable64Qps}, put64 p99 ${ratios.put64P99}`);
}
console.error(`RSS per member after ${MEMORY_KEYS} keys (round 1): Flotilla ${rss!.flotilla.join('/')} MB, etcd ${rss!.etcd.join('/')} MB`);
const c = compareStoreRounds(rounds);
console.error(`median over ${roundCount} round(s): put64 qps ratio ${c.ratio.put64Qps}, linearizable range qps ratio ${c.ratio.rangeLinearizable64Qps}, put64 p99 ratio ${c.ratio.put64P99}`);
console.log(
  JSON.stringify({
    rounds: roundCount,
    flotilla: { ...c.flotilla, rssMbAfterKeys: rss!.flotilla },
    etcd: { ...c.etcd, rssMbAfterKeys: rss!.etcd },
    ratio: c.ratio,
    roundRatios: c.rounds,
  }),
);
