import { mkdirSync, mkdtempSync, statSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  CgroupV1Driver,
  CgroupV2Driver,
  cpuMaxLine,
  cpuSharesToWeight,
  detectCgroupLayout,
  milliCpuToQuotaUs,
  milliCpuToShares,
  parseCgroupKeyValues,
  parseMountInfo,
  LinuxIsolationError,
} from '../../../actors/index.js';

const noSleep = (): Promise<void> => Promise.resolve();

void t.test('CPU conversions follow the kubelet', (t) => {
  t.equal(milliCpuToShares(undefined), 2, 'no request: minimum shares');
  t.equal(milliCpuToShares(0), 2);
  t.equal(milliCpuToShares(1), 2, 'rounds up to the minimum');
  t.equal(milliCpuToShares(250), 256);
  t.equal(milliCpuToShares(1000), 1024);
  t.equal(milliCpuToShares(10_000_000), 262_144, 'clamped to the kernel maximum');
  t.equal(milliCpuToQuotaUs(undefined), undefined);
  t.equal(milliCpuToQuotaUs(500), 50_000);
  t.equal(milliCpuToQuotaUs(2000), 200_000);
  t.equal(milliCpuToQuotaUs(5), 1_000, 'raised to the 1ms minimum');
  t.equal(cpuSharesToWeight(2), 1);
  t.equal(cpuSharesToWeight(262_144), 10_000);
  t.equal(cpuSharesToWeight(1024), 39);
  t.equal(cpuMaxLine(undefined), 'max 100000');
  t.equal(cpuMaxLine(1500), '150000 100000');
  t.end();
});

void t.test('parseCgroupKeyValues reads flat key/value files', (t) => {
  const v = parseCgroupKeyValues('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n\nbad\n');
  t.equal(v.get('oom_kill'), 3);
  t.equal(v.get('under_oom'), 0);
  t.notOk(v.has('bad'));
  t.end();
});

const MOUNTINFO_V1 = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '42 27 0:39 / /mnt/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

void t.test('parseMountInfo unescapes paths and keeps super options', (t) => {
  const mounts = parseMountInfo(MOUNTINFO_V1);
  t.equal(mounts.length, 7);
  t.equal(mounts[6]?.mountPoint, '/mnt/with space');
  t.same(mounts[2]?.superOptions, ['rw', 'cpu', 'cpuacct']);
  t.equal(mounts[5]?.fsType, 'cgroup2');
  t.end();
});

void t.test('detectCgroupLayout: v1 (hybrid with an empty unified mount), co-mounted cpu,cpuacct', async (t) => {
  const layout = await detectCgroupLayout(parseMountInfo(MOUNTINFO_V1));
  t.same(layout, {
    version: 'v1',
    mounts: { memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', pids: '/sys/fs/cgroup/pids' },
  });
});

void t.test('detectCgroupLayout: v2 when the unified hierarchy has memory; none without memory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cg2-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  const v2 = await detectCgroupLayout(parseMountInfo(`30 1 0:26 / ${dir} rw - cgroup2 cgroup2 rw`));
  t.same(v2, { version: 'v2', root: dir });
  const none = await detectCgroupLayout(parseMountInfo('27 1 254:0 / / rw - ext4 /dev/vda rw'));
  t.equal(none.version, 'none');
});

void t.test('CgroupV2Driver.create writes limits and enables controllers down the parent path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cg2-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  const driver = new CgroupV2Driver(root, 'flotilla', noSleep);
  const procs = await driver.create('c1', { memoryLimitBytes: 33554432, cpuLimitMillis: 500, cpuRequestMillis: 1000, pidsLimit: 64 });
  t.same(procs, [`${root}/flotilla/c1/cgroup.procs`]);
  const read = (f: string): string => readFileSync(join(root, 'flotilla', 'c1', f), 'utf8');
  t.equal(read('memory.max'), '33554432');
  t.equal(read('cpu.max'), '50000 100000');
  t.equal(read('cpu.weight'), '39');
  t.equal(read('pids.max'), '64');
  // Plain files keep only the last write; the point is that the root was asked to delegate.
  t.match(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), /^\+(cpu|memory|pids)$/);
  const defaults = await driver.create('c2', {});
  t.equal(defaults.length, 1);
  t.equal(readFileSync(join(root, 'flotilla', 'c2', 'pids.max'), 'utf8'), '4096', 'default pids limit');
  t.equal(readFileSync(join(root, 'flotilla', 'c2', 'cpu.max'), 'utf8'), 'max 100000');
  t.equal(readFileSync(join(root, 'flotilla', 'c2', 'cpu.weight'), 'utf8'), '1');
});

void t.test('CgroupV2Driver.create removes a stale group of the same id first', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cg2-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'cgroup.controllers'), 'memory pids\n');
  const driver = new CgroupV2Driver(root, 'flotilla', noSleep);
  // A plain directory with a file cannot be rmdir'd, as a cgroup with processes cannot: removal is attempted and fails.
  mkdirSync(join(root, 'flotilla', 'busy'), { recursive: true });
  writeFileSync(join(root, 'flotilla', 'busy', 'cgroup.procs'), '');
  await t.rejects(driver.create('busy', {}), { code: 'CgroupSetup' }, 'a stale group that will not go is an error, not reused');
  await driver.create('fresh', {});
  t.ok(statSync(join(root, 'flotilla', 'fresh')).isDirectory());
});

void t.test('CgroupV2Driver reads OOM kills and stats from memory.events / cpu.stat', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cg2-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const group = join(root, 'flotilla', 'c1');
  mkdirSync(group, { recursive: true });
  const driver = new CgroupV2Driver(root, 'flotilla', noSleep);
  t.equal(await driver.stats('c1'), undefined, 'no memory.current: no stats');
  writeFileSync(join(group, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
  writeFileSync(join(group, 'memory.current'), '10000\n');
  writeFileSync(join(group, 'memory.stat'), 'anon 6000\ninactive_file 3000\n');
  writeFileSync(join(group, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\n');
  t.equal(await driver.wasOomKilled('c1'), true);
  t.same(await driver.stats('c1'), { cpuUsageCoreNanoSeconds: 1_500_000, memoryWorkingSetBytes: 7000 });
  t.equal(await driver.wasOomKilled('missing'), false);
});

void t.test('CgroupV1Driver writes each hierarchy once and reads oom_control', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cg1-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const cpu = join(root, 'cpu,cpuacct');
  const driver = new CgroupV1Driver({ memory: join(root, 'memory'), cpu, cpuacct: cpu, pids: join(root, 'pids') }, 'flotilla', noSleep);
  const procs = await driver.create('c1', { memoryLimitBytes: 1048576, cpuLimitMillis: 250, cpuRequestMillis: 500 });
  t.same(procs.sort(), [join(cpu, 'flotilla/c1/cgroup.procs'), join(root, 'memory/flotilla/c1/cgroup.procs'), join(root, 'pids/flotilla/c1/cgroup.procs')].sort());
  t.equal(readFileSync(join(root, 'memory/flotilla/c1/memory.limit_in_bytes'), 'utf8'), '1048576');
  t.equal(readFileSync(join(cpu, 'flotilla/c1/cpu.cfs_quota_us'), 'utf8'), '25000');
  t.equal(readFileSync(join(cpu, 'flotilla/c1/cpu.cfs_period_us'), 'utf8'), '100000');
  t.equal(readFileSync(join(cpu, 'flotilla/c1/cpu.shares'), 'utf8'), '512');
  t.equal(readFileSync(join(root, 'pids/flotilla/c1/pids.max'), 'utf8'), '4096');
  writeFileSync(join(root, 'memory/flotilla/c1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
  t.equal(await driver.wasOomKilled('c1'), false);
  writeFileSync(join(root, 'memory/flotilla/c1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  t.equal(await driver.wasOomKilled('c1'), true);
  writeFileSync(join(root, 'memory/flotilla/c1/memory.usage_in_bytes'), '5000\n');
  writeFileSync(join(root, 'memory/flotilla/c1/memory.stat'), 'cache 100\ntotal_inactive_file 1000\n');
  writeFileSync(join(cpu, 'flotilla/c1/cpuacct.usage'), '123456789\n');
  t.same(await driver.stats('c1'), { cpuUsageCoreNanoSeconds: 123456789, memoryWorkingSetBytes: 4000 });
});

void t.test('container ids that could escape the cgroup directory are refused', async (t) => {
  const driver = new CgroupV2Driver('/nonexistent', 'flotilla', noSleep);
  for (const id of ['../x', 'a/b', '', '.hidden', 'a b']) {
    await t.rejects(driver.create(id, {}), LinuxIsolationError, id);
  }
});
