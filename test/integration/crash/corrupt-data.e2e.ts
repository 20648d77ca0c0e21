// A member whose data dir was damaged while it was down must refuse to start (exit non-zero
// within seconds, naming the data dir, never opening its client port) while the other two keep
// serving; restored from a copy, it rejoins. Damage is made to the LevelDB files themselves:
// bytes flipped inside a Raft entry in the write-ahead log (.log) and in a table (.ldb), which
// raft/storage's record CRCs catch at open; and a byte flipped in an MVCC record in a table, which
// the MVCC records' own checksums (raft/mvcc/codec.ts) catch at open. A log cut short is not
// caught at open (LevelDB takes it for a torn write) but at the leader's first heartbeat.
import { randomBytes } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import type { StoreProcess } from './store-process.js';
import { portOpen, StoreCluster } from './store-process.js';
import { memberImage, readValue } from './workload.js';

const KEYS = 200;
/** Values are random base64, so LevelDB's snappy leaves them as literals we can find on disk. */
const values = new Map<string, string>(Array.from({ length: KEYS }, (_, i) => [`k/${i}`, `V${i}:${randomBytes(150).toString('base64')}`]));
/** A run of bytes only key `k/i`'s value holds. */
const needle = (i: number): Buffer => Buffer.from(values.get(`k/${i}`)!.slice(12, 44));

/** Offsets of every occurrence of `needle` in the LevelDB files of `dir` with the extension. */
function occurrences(dir: string, ext: '.log' | '.ldb', n: Buffer): { file: string; offsets: number[] } {
  for (const f of readdirSync(dir).filter((x) => x.endsWith(ext))) {
    const file = join(dir, f);
    const b = readFileSync(file);
    const offsets: number[] = [];
    for (let i = b.indexOf(n); i >= 0; i = b.indexOf(n, i + 1)) offsets.push(i);
    if (offsets.length > 0) return { file, offsets };
  }
  throw new Error(`no ${ext} file in ${dir} holds ${n.toString()}: ${readdirSync(dir).join(' ')}`);
}

/** Overwrites `len` bytes at `offset` with their complement. */
function flip(file: string, offset: number, len: number): void {
  const b = readFileSync(file);
  for (let i = offset; i < offset + len && i < b.length; i++) b[i] = ~b[i]! & 0xff;
  writeFileSync(file, b);
}

/** The member's log since its last start. */
function lastStartLog(m: StoreProcess): string {
  const log = m.log();
  return log.slice(log.lastIndexOf('--- test harness: start #'));
}

/** Starts `m`, which must exit non-zero soon without ever opening its client port. */
async function expectRefusal(t: Test, m: StoreProcess, detail: RegExp): Promise<void> {
  const t0 = performance.now();
  m.start();
  let served = false;
  let exit = await m.waitExit(0);
  while (!exit && performance.now() - t0 < 15_000) {
    if (await portOpen(m.ports.client)) served = true;
    exit = await m.waitExit(50);
  }
  const ms = performance.now() - t0;
  t.ok(exit, `${m.name} exited (after ${ms.toFixed(0)} ms)`);
  if (!exit) {
    await m.kill9();
    return;
  }
  t.not(exit.code, 0, 'with a non-zero status');
  t.ok(ms < 10_000, 'within 10 s');
  t.notOk(served, 'its client port never accepted a connection');
  t.notOk(await portOpen(m.ports.client), 'and refuses connections now');
  const log = lastStartLog(m);
  t.match(log, /refusing to start/, 'the log says it refuses to start');
  t.ok(log.includes(m.dataDir), 'naming the data dir', { log: log.slice(-1500) });
  t.match(log, detail, 'and what is wrong', { log: log.slice(-1500) });
}

async function othersServe(t: Test, cluster: StoreCluster, victim: StoreProcess, tag: string): Promise<void> {
  const others = cluster.members.filter((m) => m !== victim).map((m) => m.clientEndpoint);
  const c = cluster.client(3_000, others);
  const key = `after/${tag}`;
  await c.put({ key: Buffer.from(key), value: Buffer.from('1') }, { retryWrites: true });
  t.equal(await readValue(c, key), 1, 'the other two members keep serving writes and linearizable reads');
}

void t.test('a member with a damaged data dir refuses to start; the others keep serving', async (t) => {
  const cluster = await StoreCluster.start(t, 'corrupt');
  const client = cluster.client(3_000);
  for (const [k, v] of values) await client.put({ key: Buffer.from(k), value: Buffer.from(v) }, { retryWrites: false });
  await cluster.waitCaughtUp();
  const leader = await cluster.waitForLeader();
  const victim = cluster.members[(leader + 1) % cluster.members.length]!;
  t.comment(`victim: ${victim.name} (a follower)`);

  // Every copy is taken right after a graceful stop and put back before the member runs again:
  // an older copy would be a member that lost entries it acknowledged (see the cut log below).
  const copy = async (label: string): Promise<string> => {
    if (victim.running) t.equal((await victim.stop()).code, 0, `${victim.name} stops gracefully (exit 0)`);
    const dir = join(cluster.root, `copy-${label}`);
    cpSync(victim.dataDir, dir, { recursive: true });
    return dir;
  };
  const restore = (from: string): void => {
    rmSync(victim.dataDir, { recursive: true, force: true });
    cpSync(from, victim.dataDir, { recursive: true });
  };
  const logCopy = await copy('log');

  await t.test('bytes flipped inside a Raft entry in the write-ahead log (.log)', async (t) => {
    // The first copy of a value in the .log is its Raft entry: it is persisted before it is applied.
    const { file, offsets } = occurrences(victim.dataDir, '.log', needle(KEYS / 2));
    t.comment(`damaging ${file} at ${offsets[0]!} (of ${readFileSync(file).length} bytes)`);
    flip(file, offsets[0]!, 16);
    // LevelDB drops the damaged block at recovery ("ignoring error"); the Raft log then has a gap.
    await expectRefusal(t, victim, /log gap|checksum mismatch|beyond the last index/);
    // LevelDB's recovery rewrote the dir (the log became a table, without the damaged block):
    // that must not make the next start succeed.
    await expectRefusal(t, victim, /log gap|checksum mismatch|beyond the last index/);
    await othersServe(t, cluster, victim, 'log-flip');
  });

  await t.test('a write-ahead log cut short: the member starts, and stops at the first sign it lost acknowledged entries', async (t) => {
    // Not detectable from the dir alone: LevelDB drops a partial last record silently, and what
    // remains is the consistent state of an earlier moment (Raft's hard state included). But
    // the leader knows what this member acknowledged and sends that commit index: past the end
    // of its log, a broken Raft invariant, at which the member must stop (etcd panics) rather
    // than sit there serving stale reads.
    restore(logCopy);
    const { file, offsets } = occurrences(victim.dataDir, '.log', needle(KEYS / 2));
    truncateSync(file, offsets[0]!);
    t.comment(`cut ${file} to ${offsets[0]!} bytes`);
    victim.start();
    const exit = await victim.waitExit(10_000);
    t.ok(exit, 'it stops within 10 s');
    if (!exit) await victim.kill9();
    else t.not(exit.code, 0, 'with a non-zero status');
    t.match(lastStartLog(victim), /tocommit\(\d+\) is out of range \[lastIndex\(\d+\)\]\. Was the raft log corrupted, truncated, or lost\?/, 'saying why');
    await othersServe(t, cluster, victim, 'log-cut');
  });

  await t.test('bytes flipped inside a Raft entry in a table file (.ldb)', async (t) => {
    // Run once from the copy: LevelDB's recovery at open moves the log into a table.
    restore(logCopy);
    victim.start();
    await cluster.waitCaughtUp();
    const tableCopy = await copy('table');
    // Tables sort keys: MVCC records (m/…) come before Raft records (r/…), so the last copy is the entry.
    const { file, offsets } = occurrences(victim.dataDir, '.ldb', needle(KEYS / 2));
    t.ok(offsets.length >= 2, 'the value is in the table twice (MVCC record and Raft entry)');
    flip(file, offsets[offsets.length - 1]!, 4);
    await expectRefusal(t, victim, /entry \d+ checksum mismatch|LevelDB reports corruption/);
    restore(tableCopy);

    // No write happens from here until the member runs from the copy again, so that it is current.
    await t.test('a byte flipped inside an MVCC record in a table file (.ldb)', async (t) => {
      // Tables sort keys: the first copy of the value is its MVCC record (m/…), before the Raft entry (r/…).
      const at = occurrences(victim.dataDir, '.ldb', needle(KEYS / 4));
      t.comment(`damaging ${at.file} at ${at.offsets[0]!} (copies at ${at.offsets.join(', ')})`);
      flip(at.file, at.offsets[0]!, 1);
      await expectRefusal(t, victim, /MVCC record k\d+_\d+ checksum mismatch/);
    });
    restore(tableCopy);
    await othersServe(t, cluster, victim, 'ldb-flip');
  });

  await t.test('restored from its own latest copy, the member rejoins and catches up', async (t) => {
    victim.start();
    await cluster.waitCaughtUp();
    const images = await Promise.all(cluster.members.map((m) => memberImage(cluster.client(3_000, [m.clientEndpoint]))));
    for (let i = 1; i < images.length; i++) t.same(images[i], images[0], `${cluster.members[i]!.name} holds what ${cluster.members[0]!.name} holds`);
    t.equal(images[0]!.size, KEYS + 3, 'every key written');
  });
});
