// Without quorum a write fails within etcdctl's --command-timeout instead of hanging, and the
// cluster recovers when the stopped members come back.
import { errorLine } from '../harness/index.js';
import type { Case } from './context.js';
import { ctl, ok, retryUntilOk } from './context.js';

const COMMAND_TIMEOUT_S = 3;
/** etcdctl's own start-up and dial on top of --command-timeout. */
const ETCDCTL_OVERHEAD_MS = 2_000;
/** The errors of the Unavailable class a write without quorum may end with, depending on which timer fires first. */
const UNAVAILABLE_ERRORS: readonly string[] = ['context deadline exceeded', 'etcdserver: request timed out', 'etcdserver: no leader', 'etcdserver: leader changed'];
/** How long the restarted cluster may take to commit again. */
const RECOVERY_TIMEOUT_MS = 30_000;

export const QUORUM_CASES: readonly Case[] = [
  {
    name: `with 2 of 3 members stopped a write fails within --command-timeout=${COMMAND_TIMEOUT_S}s; the cluster recovers`,
    timeoutMs: 90_000,
    run: async (t, c) => {
      const [survivor, ...stopped] = c.cluster.members.filter((m) => m.running && c.cluster.endpoints.includes(m.endpoint));
      t.equal(stopped.length, 2, 'three running founding members');
      if (!survivor) return;
      await ok(t, c, ['put', 'quorum/before', 'v']);
      for (const m of stopped) {
        const exit = await c.cluster.stop(m.name);
        // etcd re-raises SIGTERM after its graceful stop; Flotilla exits 0. Either is a clean stop.
        t.ok(exit.code === 0 || exit.signal === 'SIGTERM', `${m.name} stops on SIGTERM: ${JSON.stringify(exit)}`);
      }

      const put = await ctl(c, ['put', 'quorum/k', 'v', `--command-timeout=${COMMAND_TIMEOUT_S}s`], { endpoints: [survivor.endpoint], timeoutMs: 30_000 });
      t.not(put.code, 0, 'the write fails');
      t.notOk(put.timedOut, 'etcdctl did not hang');
      t.ok(put.durationMs <= COMMAND_TIMEOUT_S * 1000 + ETCDCTL_OVERHEAD_MS, `within the command timeout (${put.durationMs} ms)`);
      t.ok(UNAVAILABLE_ERRORS.includes(errorLine(put)), `an Unavailable-class error: "${errorLine(put)}"`);
      t.comment(`${c.kind}: a write without quorum failed after ${put.durationMs} ms with "${errorLine(put)}"`);

      const read = await ctl(c, ['get', 'quorum/before', `--command-timeout=${COMMAND_TIMEOUT_S}s`], { endpoints: [survivor.endpoint], timeoutMs: 30_000 });
      t.not(read.code, 0, 'a linearizable read fails too');
      t.comment(`${c.kind}: a linearizable read without quorum failed after ${read.durationMs} ms with "${errorLine(read)}"`);
      t.equal(await ok(t, c, ['get', 'quorum/before', '--consistency=s', '--print-value-only'], { endpoints: [survivor.endpoint] }), 'v\n', 'a serializable read is served locally');

      for (const m of stopped) await c.cluster.start(m.name, { waitReady: false });
      await c.cluster.waitReady(stopped.map((m) => m.name), RECOVERY_TIMEOUT_MS);
      const results = await retryUntilOk(c, ['put', 'quorum/k', 'after', `--command-timeout=${COMMAND_TIMEOUT_S}s`], { deadlineMs: RECOVERY_TIMEOUT_MS });
      t.equal(results.at(-1)?.code, 0, `a put succeeds after the restart (${results.length} attempt(s))`);
      t.equal(await ok(t, c, ['get', 'quorum/k', '--print-value-only']), 'after\n');
      const health = await ctl(c, ['endpoint', 'health']);
      t.equal(health.code, 0, `every endpoint is healthy again: ${health.stdout}${health.stderr}`);
    },
  },
];
