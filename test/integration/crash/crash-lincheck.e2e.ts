// Crash + linearizability with real processes: a 3-member store under 8 concurrent clients
// (linearizable reads, writes, cas on a few keys, over all members with failover) and a writer
// of unique keys, while the leader is kill -9'd and restarted, then a follower. The recorded
// history, with a final read of every key after recovery, must be linearizable (checked in
// process and by `flotilla lincheck`); no acknowledged unique key may be missing; and every
// member must end up holding the same data.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { checkLinearizable } from '../../../core/index.js';
import { FLOTILLA_MAIN, sleep, StoreCluster } from './store-process.js';
import { memberImage, RegisterWorkload, UniqueKeyWriter } from './workload.js';

interface Schedule {
  readonly name: string;
  readonly seed: number;
  /** Load before the first kill. */
  readonly warmupMs: number;
  /** How long the killed leader stays down (shorter than an election: it may win again). */
  readonly leaderDownMs: number;
  /** Between the leader's restart and the follower's kill. */
  readonly betweenMs: number;
  /** The follower that dies: the restarted ex-leader, or one that never died. */
  readonly follower: 'restarted' | 'other';
  readonly followerDownMs: number;
  /** Load after the follower's restart. */
  readonly tailMs: number;
}

const SCHEDULES: readonly Schedule[] = [
  { name: 'leader down 2 s, then a follower that never died', seed: 11, warmupMs: 2_000, leaderDownMs: 2_000, betweenMs: 2_500, follower: 'other', followerDownMs: 2_000, tailMs: 3_000 },
  { name: 'leader back within 0.2 s, then the restarted ex-leader', seed: 22, warmupMs: 1_000, leaderDownMs: 200, betweenMs: 1_500, follower: 'restarted', followerDownMs: 3_000, tailMs: 3_000 },
];

const CLIENTS = 8;
const KEYS = ['a', 'b', 'c', 'd'].map((k) => `lin/${k}`);

function runLincheckCli(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLOTILLA_MAIN, 'lincheck', file], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

for (const s of SCHEDULES) {
  void t.test(`crash + linearizability: ${s.name}`, async (t) => {
    const cluster = await StoreCluster.start(t, `lin${s.seed}`);
    const clients = Array.from({ length: CLIENTS }, (_, i) => {
      const c = cluster.client(2_000);
      c.pin(i % cluster.members.length);
      return c;
    });
    const workload = new RegisterWorkload({ clients, keys: KEYS, seed: s.seed, thinkMs: 10 });
    const writer = new UniqueKeyWriter(cluster.client(2_000), 'acked/');
    const t0 = performance.now();
    const since = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    workload.start();
    writer.start();

    await sleep(s.warmupMs);
    const leader = await cluster.waitForLeader();
    const victim = cluster.members[leader]!;
    await victim.kill9();
    const killedAt = performance.now();
    t.comment(`${since()}: kill -9 leader ${victim.name}`);
    const failover = cluster.waitForLeader().then((l) => ({ l, ms: performance.now() - killedAt }));
    await sleep(s.leaderDownMs);
    victim.start();
    t.comment(`${since()}: restarted ${victim.name}`);
    const { l: leader2, ms: failoverMs } = await failover;
    t.comment(`a quorum-backed leader (${cluster.members[leader2]!.name}) ${failoverMs.toFixed(0)} ms after the kill`);

    await sleep(s.betweenMs);
    const current = await cluster.waitForLeader();
    const followers = cluster.members.map((_, i) => i).filter((i) => i !== current);
    const pick = s.follower === 'restarted' && followers.includes(leader) ? leader : followers.find((i) => i !== leader) ?? followers[0]!;
    const follower = cluster.members[pick]!;
    await follower.kill9();
    t.comment(`${since()}: kill -9 follower ${follower.name}`);
    await sleep(s.followerDownMs);
    follower.start();
    t.comment(`${since()}: restarted ${follower.name}`);
    const ackedBeforeTail = writer.acked.length;
    await sleep(s.tailMs);
    await Promise.all([workload.stop(), writer.stop()]);
    t.comment(`${since()}: clients stopped; outcomes ${JSON.stringify(workload.counts)}; unique keys acked ${writer.acked.length}, unknown ${writer.unknown}`);

    await cluster.waitCaughtUp(20_000);
    const finalValues = await workload.finalReads(cluster.client(5_000));
    t.comment(`final values ${JSON.stringify(Object.fromEntries(finalValues))}`);

    t.ok(workload.counts.write.ok > 0 && workload.counts.cas.ok > 0 && workload.counts.read.ok > 0, 'every kind of op succeeded at some point');
    t.ok(writer.acked.length > ackedBeforeTail, 'writes were acknowledged after the last restart');

    const lost = await writer.lost(cluster.client(5_000));
    t.same(lost, [], `every acknowledged unique key survived (${writer.acked.length} acked)`);

    const history = workload.events();
    const c0 = performance.now();
    const result = checkLinearizable(history);
    t.comment(`checked ${result.ops} ops on ${result.keys} keys in ${(performance.now() - c0).toFixed(0)} ms`);
    t.ok(result.linearizable, 'the history (with the final reads) is linearizable', result.linearizable ? {} : { key: result.key, window: result.window });

    const file = join(cluster.root, 'history.jsonl');
    writeFileSync(file, history.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const cli = await runLincheckCli(file);
    t.equal(cli.code, 0, 'flotilla lincheck agrees (exit 0)', { stdout: cli.stdout.slice(-2000), stderr: cli.stderr.slice(-2000) });
    t.match(cli.stdout, /"linearizable":true/);

    // Every member, the two that were killed included, holds the same keyspace.
    await cluster.waitCaughtUp(20_000);
    const images = await Promise.all(cluster.members.map((m) => memberImage(cluster.client(5_000, [m.clientEndpoint]))));
    for (let i = 1; i < images.length; i++) t.same(images[i], images[0], `${cluster.members[i]!.name} holds what ${cluster.members[0]!.name} holds`);
    t.comment(`${since()}: done`);
  });
}
