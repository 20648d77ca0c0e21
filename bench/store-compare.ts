/**
 * `npm run bench:store`: Flotilla's 3-member store against a real 3-member etcd 3.4, on this
 * machine, in the same run, measured by the same client (`flotilla bench store`'s). Each system
 * runs alone (the other is stopped) so they do not compete for the CPU. Prints a table and, last,
 * JSON with both systems' figures and Flotilla/etcd ratios.
 *
 * The single client's put is measured twice, sent to the leader and sent to a follower (which
 * forwards it, and answers once it has applied the entry itself): which member a single client
 * happens to reach changes its latency by about half, so one figure against "the first endpoint"
 * compared two systems' luck as much as their speed.
 */
import { readFileSync } from 'node:fs';
import { EtcdClient } from '../transport/index.js';
import type { TestCluster } from '../test/index.js';
import { ETCD_BIN, startEtcdCluster, startFlotillaCluster } from '../test/index.js';
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

async function measure(cluster: TestCluster): Promise<SystemFigures> {
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
  if (MEMORY_KEYS > written) await runStoreBench({ ...base, op: 'put', clients: 64, total: MEMORY_KEYS - written });
  const rssMbAfterKeys = cluster.members.map((m) => rssMb(m.pid));
  return { putOneClientToLeader, putOneClientToFollower, put64, rangeLinearizable64, rangeSerializable64, rssMbAfterKeys };
}

function row(name: string, f: StoreBenchResult, e: StoreBenchResult): string {
  return `${name.padEnd(26)} ${String(f.qps).padStart(8)} ${String(e.qps).padStart(8)}  ${(f.qps / e.qps).toFixed(2).padStart(6)}   p50 ${f.p50Ms}/${e.p50Ms} ms   p99 ${f.p99Ms}/${e.p99Ms} ms`;
}

if (!ETCD_BIN) {
  console.error('etcd is not installed (Debian: apt-get install etcd-server); cannot compare');
  process.exit(2);
}
const flotilla = await startFlotillaCluster({ members: 3 });
let f: SystemFigures;
try {
  f = await measure(flotilla);
} finally {
  await flotilla.close();
}
const etcd = await startEtcdCluster({ members: 3 });
let e: SystemFigures;
try {
  e = await measure(etcd);
} finally {
  await etcd.close();
}
console.error(`3 members each, 256-byte values; qps Flotilla / etcd 3.4, ratio, latencies Flotilla/etcd`);
console.error(row('put, 1 client, to leader', f.putOneClientToLeader, e.putOneClientToLeader));
console.error(row('put, 1 client, to follower', f.putOneClientToFollower, e.putOneClientToFollower));
console.error(row('put, 64 clients', f.put64, e.put64));
console.error(row('range linearizable, 64', f.rangeLinearizable64, e.rangeLinearizable64));
console.error(row('range serializable, 64', f.rangeSerializable64, e.rangeSerializable64));
console.error(`RSS per member after ${MEMORY_KEYS} keys: Flotilla ${f.rssMbAfterKeys.join('/')} MB, etcd ${e.rssMbAfterKeys.join('/')} MB`);
const pick = (s: SystemFigures) => ({
  putOneClientToLeaderP50Ms: s.putOneClientToLeader.p50Ms,
  putOneClientToFollowerP50Ms: s.putOneClientToFollower.p50Ms,
  put64Qps: s.put64.qps,
  put64P99Ms: s.put64.p99Ms,
  rangeLinearizable64Qps: s.rangeLinearizable64.qps,
  rangeLinearizable64P99Ms: s.rangeLinearizable64.p99Ms,
  rangeSerializable64Qps: s.rangeSerializable64.qps,
  rssMbAfterKeys: s.rssMbAfterKeys,
});
console.log(
  JSON.stringify({
    flotilla: pick(f),
    etcd: pick(e),
    ratio: {
      put64Qps: +(f.put64.qps / e.put64.qps).toFixed(2),
      rangeLinearizable64Qps: +(f.rangeLinearizable64.qps / e.rangeLinearizable64.qps).toFixed(2),
      put64P99: +(f.put64.p99Ms / e.put64.p99Ms).toFixed(2),
    },
  }),
);
