// endpoint status/health, alarm list, compaction (and what reads and watches below it get), and
// etcdctl's own benchmark, check perf.
import type { EtcdctlResult } from '../harness/index.js';
import { startEtcdctl } from '../harness/index.js';
import type { Case } from './context.js';
import { countKeys, ctl, currentRevision, fails, ok, parseJson } from './context.js';

export interface EndpointStatusJson {
  readonly Endpoint: string;
  readonly Status: {
    readonly header: { readonly cluster_id: string | number; readonly member_id: string | number; readonly revision: number; readonly raft_term: number };
    readonly version: string;
    readonly dbSize: number;
    readonly leader: string | number;
    readonly raftIndex: number;
    readonly raftTerm: number;
    readonly raftAppliedIndex: number;
    readonly dbSizeInUse?: number;
    readonly isLearner?: boolean;
  };
}

/** check perf writes for 60 s at its "s" load; this bounds one run. */
const CHECK_PERF_RUN_TIMEOUT_MS = 90_000;
/**
 * Its slowest-request criterion (0.5 s) trips on a CPU stall from elsewhere on a shared 2-core
 * CI machine (seen once in six runs, 0.78 s, while other suites ran), so a failed run is tried once
 * more and the failure printed; two failures in a row are a real failure.
 */
const CHECK_PERF_ATTEMPTS = 2;
/** Where check perf writes. */
const CHECK_PERF_PREFIX = '/etcdctl-check-perf/';
export const CHECK_PERF_TIMEOUT_MS = CHECK_PERF_ATTEMPTS * CHECK_PERF_RUN_TIMEOUT_MS + 10_000;

/**
 * check perf's verdicts, without its progress bar (which shares a line with the first one):
 * e.g. ["PASS: Throughput is 150 writes/s", "Slowest request took too long: 0.59s", "FAIL"].
 */
export function perfVerdicts(stdout: string): string[] {
  return stdout
    .split(/[\r\n]/)
    .map((l) => l.replace(/^.*%( \S+)?/, '').trim())
    .filter((l) => /^(PASS|FAIL|Throughput|Slowest|Stddev|Too many)/i.test(l));
}

/**
 * etcdctl check perf --load=s: 60 s of writes at 150/s from 50 clients; it passes at >= 90% of
 * that throughput, a slowest request under 0.5 s and a standard deviation under 0.1 s.
 */
export const CHECK_PERF_CASE: Case = {
  name: 'check perf --load=s passes',
  timeoutMs: CHECK_PERF_TIMEOUT_MS,
  run: async (t, c) => {
    let r: EtcdctlResult | undefined;
    let verdicts: string[] = [];
    for (let attempt = 1; attempt <= CHECK_PERF_ATTEMPTS; attempt++) {
      const started = Date.now();
      r = await ctl(c, ['check', 'perf', '--load=s'], { timeoutMs: CHECK_PERF_RUN_TIMEOUT_MS });
      verdicts = perfVerdicts(r.stdout);
      t.comment(`${c.kind}: check perf --load=s (attempt ${attempt}) took ${((Date.now() - started) / 1000).toFixed(1)} s: ${verdicts.join(' | ')}`);
      if (r.code === 0) break;
      await ctl(c, ['del', CHECK_PERF_PREFIX, '--prefix']); // it refuses to start over its own leftovers
    }
    if (!r) return;
    t.equal(r.code, 0, `exits 0; stderr: ${r.stderr.slice(-500)}`);
    t.equal(verdicts.at(-1), 'PASS', `the verdict is PASS: ${verdicts.join(' | ')}`);
    t.same(
      verdicts.filter((v) => !v.startsWith('PASS')),
      [],
      'no failed criterion',
    );
    t.equal(await countKeys(t, c, CHECK_PERF_PREFIX), 0, 'it cleaned up its keys');
  },
};

export const MAINTENANCE_CASES: readonly Case[] = [
  {
    name: 'endpoint status -w json: one leader that every member names, raft term and index > 0',
    run: async (t, c) => {
      const rev = await currentRevision(t, c);
      const status = parseJson<EndpointStatusJson[]>(await ok(t, c, ['endpoint', 'status', '-w', 'json']));
      t.same(
        status.map((s) => s.Endpoint),
        c.cluster.endpoints,
        'one entry per endpoint, in order',
      );
      const ids = status.map((s) => String(s.Status.header.member_id));
      t.equal(new Set(ids).size, ids.length, 'distinct member ids');
      const leaders = new Set(status.map((s) => String(s.Status.leader)));
      t.equal(leaders.size, 1, `every member names the same leader: ${[...leaders].join(', ')}`);
      t.ok(ids.includes([...leaders][0]!), 'the leader is one of the members');
      t.equal(new Set(status.map((s) => String(s.Status.header.cluster_id))).size, 1, 'one cluster id');
      for (const s of status) {
        t.ok(s.Status.raftTerm > 0 && s.Status.header.raft_term > 0, `${s.Endpoint}: raft term ${s.Status.raftTerm}`);
        t.ok(s.Status.raftIndex > 0 && s.Status.raftAppliedIndex > 0, `${s.Endpoint}: raft index ${s.Status.raftIndex}, applied ${s.Status.raftAppliedIndex}`);
        t.ok(s.Status.raftAppliedIndex <= s.Status.raftIndex, `${s.Endpoint}: applied <= committed`);
        t.ok(s.Status.header.revision >= rev, `${s.Endpoint}: revision ${s.Status.header.revision} >= ${rev}`);
        t.ok(s.Status.dbSize > 0, `${s.Endpoint}: dbSize ${s.Status.dbSize} > 0`);
        t.match(s.Status.version, /^3\.4\.\d+$/, `${s.Endpoint}: an etcd 3.4 API version`);
        t.equal(s.Status.isLearner, undefined, `${s.Endpoint}: not a learner`);
      }
    },
  },
  {
    name: 'endpoint health, alarm list',
    run: async (t, c) => {
      const health = await ctl(c, ['endpoint', 'health']);
      t.equal(health.code, 0, 'endpoint health exits 0');
      // etcdctl 3.4 prints the health lines on stderr.
      const lines = health.stderr.split('\n').filter((l) => l.includes(' is healthy'));
      t.equal(lines.length, c.cluster.endpoints.length, 'one line per endpoint');
      for (const l of lines) t.match(l, /^127\.0\.0\.1:\d+ is healthy: successfully committed proposal: took = [\d.]+(µs|ms|s)$/);
      t.same(lines.map((l) => l.split(' ')[0]).sort(), [...c.cluster.endpoints].sort(), 'every endpoint');
      const json = parseJson<{ endpoint: string; health: boolean; took: string; error?: string }[]>(await ok(t, c, ['endpoint', 'health', '-w', 'json']));
      t.same(json.map((h) => [h.endpoint, h.health, h.error]).sort(), [...c.cluster.endpoints].sort().map((e) => [e, true, undefined]));
      t.equal(await ok(t, c, ['alarm', 'list']), '', 'no alarm');
    },
  },
  {
    name: 'compaction: reads and watches below the compacted revision fail',
    run: async (t, c) => {
      await ok(t, c, ['put', 'comp/k', 'v1']);
      const r1 = await currentRevision(t, c);
      await ok(t, c, ['put', 'comp/k', 'v2']);
      await ok(t, c, ['put', 'comp/k', 'v3']);
      const r3 = r1 + 2;
      t.equal(await currentRevision(t, c), r3);
      t.equal(await ok(t, c, ['compaction', String(r1 + 1)]), `compacted revision ${r1 + 1}\n`);
      t.equal(await fails(t, c, ['get', 'comp/k', `--rev=${r1}`]), 'etcdserver: mvcc: required revision has been compacted');
      t.equal(await ok(t, c, ['get', 'comp/k', `--rev=${r1 + 1}`]), 'comp/k\nv2\n', 'the compacted revision itself stays readable');
      t.equal(await ok(t, c, ['get', 'comp/k']), 'comp/k\nv3\n');
      t.equal(await fails(t, c, ['compaction', String(r1 + 1)]), 'etcdserver: mvcc: required revision has been compacted', 'compacting again');
      t.equal(await fails(t, c, ['compaction', String(r3 + 100)]), 'etcdserver: mvcc: required revision is a future revision');

      const w = startEtcdctl(['watch', 'comp/k', `--rev=${r1}`], { endpoints: c.cluster.endpoints });
      const exit = await w.exited(10_000).catch(async (err: unknown) => {
        await w.stop();
        throw err;
      });
      t.not(exit.code, 0, 'watch --rev below the compacted revision ends with an error');
      t.equal(exit.stdout, '', 'and prints no events');
      t.equal(
        exit.stderr.split('\n').filter((l) => l.startsWith('watch was canceled') || l.startsWith('Error:')).join('\n'),
        'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server',
        'it reports the compaction',
      );
      t.equal(await ok(t, c, ['compaction', '--physical', String(r3)]), `compacted revision ${r3}\n`, '--physical waits for the compaction');
      t.equal(await ok(t, c, ['get', 'comp/k']), 'comp/k\nv3\n', 'the latest value survives any compaction');
    },
  },
];
