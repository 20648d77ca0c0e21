// Graceful restart (SIGTERM, then start) of every member in turn, the leader included, under a
// steady load of writers of unique keys: every stop is clean and quick, the restarted member
// catches up, writes keep being acknowledged through every restart, no acknowledged write is
// lost, every member ends with the same data, and the cluster has a quorum-backed leader most
// of the time (sampled every 100 ms).
import t from 'tap';
import { sleep, StoreCluster } from './store-process.js';
import { memberImage, UniqueKeyWriter } from './workload.js';

const WRITERS = 4;
/** Pause between a member's stop and its start, and after it has caught up. */
const DOWN_MS = 500;
const SETTLE_MS = 1_000;

void t.test('graceful restart of every member one by one under a steady write load', async (t) => {
  const cluster = await StoreCluster.start(t, 'rolling');
  const writers = Array.from({ length: WRITERS }, (_, i) => new UniqueKeyWriter(cluster.client(2_000), `roll/${i}/`, i));
  const acked = (): number => writers.reduce((n, w) => n + w.acked.length, 0);

  // Leader sampling: the share of samples with a quorum-backed leader, and the longest gap.
  let sampling = true;
  let samples = 0;
  let withLeader = 0;
  let gapStart: number | undefined;
  let longestGapMs = 0;
  const sampler = (async () => {
    while (sampling) {
      const l = await cluster.leader();
      const now = performance.now();
      samples++;
      if (l !== undefined) {
        withLeader++;
        if (gapStart !== undefined) longestGapMs = Math.max(longestGapMs, now - gapStart);
        gapStart = undefined;
      } else {
        gapStart ??= now;
      }
      await sleep(100);
    }
  })();

  for (const w of writers) w.start();
  await sleep(SETTLE_MS);
  for (const m of cluster.members) {
    const wasLeader = (await m.status())?.raft.state === 'leader';
    const before = acked();
    const stop = await m.stop();
    t.equal(stop.code, 0, `${m.name}${wasLeader ? ' (leader)' : ''} exits 0 on SIGTERM`);
    t.ok(!stop.timedOut && stop.ms < 5_000, `within 5 s (${stop.ms.toFixed(0)} ms)`);
    await sleep(DOWN_MS);
    const t0 = performance.now();
    m.start();
    await cluster.waitCaughtUp(20_000);
    t.comment(`${m.name} back and caught up ${(performance.now() - t0).toFixed(0)} ms after its start`);
    await sleep(SETTLE_MS);
    t.ok(acked() > before, `writes were acknowledged while ${m.name} restarted (${acked() - before})`);
  }
  await Promise.all(writers.map((w) => w.stop()));
  sampling = false;
  await sampler;
  if (gapStart !== undefined) longestGapMs = Math.max(longestGapMs, performance.now() - gapStart);

  const check = cluster.client(5_000);
  for (const w of writers) t.same(await w.lost(check), [], `${w.prefix}: all ${w.acked.length} acknowledged keys present (${w.unknown} puts failed)`);
  await cluster.waitCaughtUp(20_000);
  const images = await Promise.all(cluster.members.map((m) => memberImage(cluster.client(5_000, [m.clientEndpoint]))));
  for (let i = 1; i < images.length; i++) t.same(images[i], images[0], `${cluster.members[i]!.name} holds what ${cluster.members[0]!.name} holds`);

  const share = withLeader / Math.max(1, samples);
  t.comment(`leader in ${withLeader}/${samples} samples (${(100 * share).toFixed(0)}%), longest gap ${longestGapMs.toFixed(0)} ms`);
  t.ok(share >= 0.6, 'a leader most of the time (at least 60% of the samples)');
  t.ok(longestGapMs < 5_000, 'never more than 5 s without a leader');
});
