// End-to-end: pod sandboxes and containers under LinuxIsolation, run as the process runtime
// runs them. Needs root on Linux; skipped otherwise.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fsp, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLinuxIsolation, detectLinuxIsolation, ISOLATION_SUBDIR, probeLinuxIsolation, type LinuxIsolation } from '../../../actors/index.js';
import { killGroup, output, startWrapped, waitExit, waitFor, type RunningContainer } from './harness.js';

const support = await detectLinuxIsolation();
const isolation = support.namespaces ? await createLinuxIsolation({ cgroupParent: `flotilla-test-${process.pid}` }) : undefined;

if (isolation === undefined) {
  t.plan(0, `skipping Linux isolation tests: ${support.reason ?? 'unavailable'}`);
} else {
  await run(isolation);
}

interface Fixture {
  readonly dir: string;
  readonly sandbox: Awaited<ReturnType<LinuxIsolation['createSandbox']>>;
  readonly holderPid: number;
}

async function run(iso: LinuxIsolation): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-iso-'));
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  const containers: { id: string; containerDir: string }[] = [];
  const started: RunningContainer[] = [];
  const sandbox = await iso.createSandbox('sb1', 'isopod');
  const fx: Fixture = { dir, sandbox, holderPid: Number(sandbox['holderPid']) };
  const cgroupParent = `flotilla-test-${process.pid}`;

  t.teardown(async () => {
    for (const c of started) killGroup(c.pgid, 'SIGKILL');
    for (const c of containers) await iso.removeContainer(c.id, c.containerDir).catch(() => undefined);
    await iso.destroySandbox(fx.sandbox).catch(() => undefined);
    for (const h of ['memory', 'cpu', 'cpuacct', 'pids']) await fsp.rmdir(`/sys/fs/cgroup/${h}/${cgroupParent}`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  async function launch(argv: string[], extra: { mounts?: { containerPath: string; hostPath: string; readOnly: boolean }[]; limits?: Record<string, number>; workingDir?: string; imageRootDir?: string } = {}) {
    const id = `c${++seq}-${process.pid}`;
    const containerDir = join(dir, id);
    await fsp.mkdir(containerDir);
    containers.push({ id, containerDir });
    const request = { containerId: id, argv, env, workingDir: extra.workingDir ?? '/', mounts: extra.mounts ?? [], limits: extra.limits ?? {}, containerDir, imageRootDir: extra.imageRootDir };
    const spec = await iso.prepareContainer(fx.sandbox, request);
    const running = startWrapped(spec, dir, id);
    started.push(running);
    return { id, containerDir, request, running };
  }

  /** Until the command itself runs (chrooted into the container's root), not just its setup. */
  async function waitCommandRunning(c: { id: string; containerDir: string }): Promise<void> {
    const rootfs = join(c.containerDir, ISOLATION_SUBDIR, 'rootfs');
    await waitFor('command running', async () => {
      const pids = (await fsp.readFile(`/sys/fs/cgroup/memory/${cgroupParent}/${c.id}/cgroup.procs`, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const p of pids) if ((await fsp.readlink(`/proc/${p}/root`).catch(() => '')) === rootfs) return true;
      return false;
    });
  }

  async function runToEnd(argv: string[], extra: Parameters<typeof launch>[1] = {}) {
    const c = await launch(argv, extra);
    const code = await waitExit(c.running);
    return { ...c, code, ...(await output(c.running)) };
  }

  async function assertCleanedUp(tt: Test, id: string, containerDir: string): Promise<void> {
    await iso.removeContainer(id, containerDir);
    tt.notOk(existsSync(join(containerDir, ISOLATION_SUBDIR)), 'isolation dir removed');
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    tt.notOk(mounts.includes(containerDir), 'no host mount under the container dir');
    for (const h of ['memory', 'cpu', 'pids']) tt.notOk(existsSync(`/sys/fs/cgroup/${h}/${cgroupParent}/${id}`), `no ${h} cgroup left`);
  }

  void t.test('namespaces: own hostname, PID 1 is the holder, /proc shows only the pod', async (tt) => {
    const r = await runToEnd(['/bin/sh', '-c', 'hostname; tr "\\0\\n" "  " < /proc/1/cmdline; echo; ls /proc | grep -c "^[0-9]"; ls /']);
    tt.equal(r.code, 0, r.stderr);
    const [hostname, pid1, count, ...root] = r.stdout.trim().split('\n');
    tt.equal(hostname, 'isopod');
    tt.match(pid1 ?? '', /flotilla-pod/, 'PID 1 is the sandbox holder, not the host init');
    tt.ok(Number(count) > 0 && Number(count) < 10, `few processes visible (${count})`);
    for (const d of ['usr', 'etc', 'proc', 'dev', 'tmp', 'work']) tt.ok(root.includes(d), `/${d} present`);
    tt.ok(existsSync(process.execPath));
    await assertCleanedUp(tt, r.id, r.containerDir);
  });

  void t.test('/dev: its own device nodes, links, pts and shm; writes to / stay in the container\'s directory', async (tt) => {
    const r = await runToEnd(['/bin/sh', '-c', [
      'echo gone > /dev/null && echo null-ok',
      'head -c 4 /dev/zero | wc -c',
      'head -c 4 /dev/urandom | wc -c',
      'ls /dev | tr "\\n" " "; echo',
      'readlink /dev/stdout /dev/fd /dev/ptmx | tr "\\n" " "; echo',
      'echo s > /dev/shm/s && echo shm-ok',
      'test -e /dev/sda -o -e /dev/vda -o -e /dev/loop0 && echo host-dev-visible || echo host-dev-hidden',
      'echo r > /flotilla-root-file && echo root-written',
    ].join('; ')]);
    tt.equal(r.code, 0, r.stderr);
    const [nullOk, zero, urandom, list, links, shm, hostDev, rootWritten] = r.stdout.trim().split('\n');
    tt.equal(nullOk, 'null-ok');
    tt.equal(zero?.trim(), '4');
    tt.equal(urandom?.trim(), '4');
    for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'ptmx', 'fd', 'stdin', 'stdout', 'stderr']) {
      tt.ok(list?.split(' ').includes(name), `/dev/${name} present`);
    }
    tt.equal(links?.trim(), '/proc/self/fd/1 /proc/self/fd pts/ptmx');
    tt.equal(shm, 'shm-ok');
    tt.equal(hostDev, 'host-dev-hidden', "the host's disks are not in the container's /dev");
    tt.equal(rootWritten, 'root-written');
    tt.notOk(existsSync('/flotilla-root-file'), "a file written at the container's / is not on the host's /");
    tt.ok(existsSync(join(r.containerDir, ISOLATION_SUBDIR, 'rootfs', 'flotilla-root-file')), "it is in the container's own directory");
    await assertCleanedUp(tt, r.id, r.containerDir);
  });

  void t.test('mounts: volume visible, read-only enforced, host untouched', async (tt) => {
    const vol = join(dir, 'vol');
    const data = join(dir, 'data');
    await fsp.mkdir(vol);
    await fsp.mkdir(data);
    await fsp.writeFile(join(vol, 'key'), 'value-1');
    const containerPath = `/etc/flotilla-test-${process.pid}/config`;
    const etcBefore = (await fsp.readdir('/etc')).sort();
    // A writable mount of the host's own: the container's view of it must be read-only too.
    const hostMount = join(dir, 'host-mount');
    await fsp.mkdir(hostMount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'flotilla-test', hostMount]);
    tt.teardown(() => execFileSync('umount', ['-l', hostMount]));
    const r = await runToEnd(
      ['/bin/sh', '-c', [
        `cat ${containerPath}/key; echo`,
        `touch ${containerPath}/x 2>/dev/null && echo vol-writable || echo vol-readonly`,
        'touch /usr/flotilla-x 2>/dev/null && echo usr-writable || echo usr-readonly',
        'echo hi > /data/out && echo data-written',
        'echo t > /tmp/t && echo tmp-written',
        'test -r /etc/passwd && echo etc-readable',
        'test -e /.host/proc/1 && echo host-proc-visible || echo host-proc-hidden',
        `${process.execPath} -e "console.log('node-ok')"`,
        'mount -t tmpfs x /mnt 2>/dev/null && echo mount-allowed || echo mount-denied',
        // Every mount of the host's view, the host's own submounts included, is read-only.
        'awk \'$5 ~ /^\\/\\.host/ && $6 !~ /^ro(,|$)/ { w = w " " $5 } END { print (w == "" ? "host-view-readonly" : "host-view-writable:" w) }\' /proc/self/mountinfo',
      ].join('; ')],
      { mounts: [{ containerPath, hostPath: vol, readOnly: true }, { containerPath: '/data', hostPath: data, readOnly: false }] },
    );
    tt.equal(r.code, 0, r.stderr);
    tt.same(r.stdout.trim().split('\n'), ['value-1', 'vol-readonly', 'usr-readonly', 'data-written', 'tmp-written', 'etc-readable', 'host-proc-hidden', 'node-ok', 'mount-denied', 'host-view-readonly']);
    tt.equal(await fsp.readFile(join(data, 'out'), 'utf8'), 'hi\n', 'writable volume written through');
    tt.notOk(existsSync(`/etc/flotilla-test-${process.pid}`), 'no mount point created on the host');
    tt.same((await fsp.readdir('/etc')).sort(), etcBefore, 'host /etc unchanged');
    tt.notOk(existsSync('/data'), 'no /data on the host');
    tt.notOk(existsSync('/usr/flotilla-x'));
    await assertCleanedUp(tt, r.id, r.containerDir);
  });

  void t.test('SIGTERM to the process group reaches the command: 143, or its own exit code', async (tt) => {
    for (const [argv, want] of [
      [['/bin/sleep', '60'], 143],
      [['/bin/sh', '-c', 'trap "exit 7" TERM; echo ready; while :; do sleep 0.05; done'], 7],
    ] as const) {
      const c = await launch([...argv]);
      await waitCommandRunning(c);
      if (want === 7) await waitFor('trap set', async () => (await output(c.running)).stdout.includes('ready'));
      killGroup(c.running.pgid, 'SIGTERM');
      tt.equal(await waitExit(c.running), want, `${argv.join(' ')} → ${want}`);
      if (want === 143) tt.equal((await output(c.running)).stderr, '', 'no shell noise in the log');
      await assertCleanedUp(tt, c.id, c.containerDir);
    }
  });

  void t.test('OOM: past a 32Mi limit the container ends with 137 and wasOomKilled', async (tt) => {
    const r = await runToEnd(['/bin/sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived ${#x}'], { limits: { memoryLimitBytes: 32 * 1024 * 1024 } });
    tt.equal(r.code, 137, r.stdout + r.stderr);
    tt.equal(await iso.wasOomKilled(r.id), true);
    await assertCleanedUp(tt, r.id, r.containerDir);
    const ok = await runToEnd(['/bin/true'], { limits: { memoryLimitBytes: 32 * 1024 * 1024 } });
    tt.equal(ok.code, 0);
    tt.equal(await iso.wasOomKilled(ok.id), false);
    await assertCleanedUp(tt, ok.id, ok.containerDir);
  });

  void t.test('limits written; stats non-zero for a busy process; exec sees the same root and namespaces', async (tt) => {
    const vol = join(dir, 'vol2');
    await fsp.mkdir(vol);
    await fsp.writeFile(join(vol, 'key'), 'exec-visible');
    const c = await launch(['/bin/sh', '-c', 'while :; do :; done'], {
      limits: { cpuLimitMillis: 500, cpuRequestMillis: 250, memoryLimitBytes: 64 * 1024 * 1024, pidsLimit: 50 },
      mounts: [{ containerPath: '/etc/conf', hostPath: vol, readOnly: true }],
      workingDir: '/etc',
    });
    const cg = (h: string, f: string): string => readFileSync(`/sys/fs/cgroup/${h}/${cgroupParent}/${c.id}/${f}`, 'utf8').trim();
    tt.equal(cg('cpu', 'cpu.cfs_quota_us'), '50000');
    tt.equal(cg('cpu', 'cpu.cfs_period_us'), '100000');
    tt.equal(cg('cpu', 'cpu.shares'), '256');
    tt.equal(cg('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    tt.equal(cg('pids', 'pids.max'), '50');
    await waitCommandRunning(c);
    const cpuBefore = (await iso.stats(c.id))?.cpuUsageCoreNanoSeconds ?? 0;
    await waitFor('cpu used', async () => ((await iso.stats(c.id))?.cpuUsageCoreNanoSeconds ?? 0) > cpuBefore + 50_000_000);
    const stats = await iso.stats(c.id);
    tt.ok((stats?.memoryWorkingSetBytes ?? 0) > 0, 'working set non-zero');

    const spec = await iso.prepareExec(fx.sandbox, c.request, ['/bin/sh', '-c', 'hostname; pwd; cat /etc/conf/key; echo; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; ls /proc | grep -c "^[0-9]"']);
    const out = execFileSync(spec.file, [...spec.args], { env: { ...spec.env }, cwd: spec.cwd, encoding: 'utf8' }).trim().split('\n');
    tt.equal(out[0], 'isopod');
    tt.equal(out[1], '/etc', 'working dir');
    tt.equal(out[2], 'exec-visible', 'the container’s volume');
    tt.equal(out[3], readlinkSync(`/proc/${fx.holderPid}/ns/pid`), 'pod PID namespace');
    const mainPid = (await fsp.readFile(`/sys/fs/cgroup/memory/${cgroupParent}/${c.id}/cgroup.procs`, 'utf8')).split('\n').filter(Boolean).map(Number);
    const containerMnt = mainPid.map((p) => { try { return readlinkSync(`/proc/${p}/ns/mnt`); } catch { return ''; } });
    tt.ok(containerMnt.includes(out[4] ?? '?'), 'the container’s mount namespace');
    tt.not(out[4], readlinkSync('/proc/self/ns/mnt'));

    killGroup(c.running.pgid, 'SIGKILL');
    await assertCleanedUp(tt, c.id, c.containerDir);
    tt.equal(await iso.stats(c.id), undefined, 'no stats once removed');
  });

  void t.test('image root: an overlay of the image, writable, the image untouched', async (tt) => {
    const image = join(dir, 'image');
    // A minimal image: /bin/sh and the shared objects it needs, at the paths the loader expects.
    const libs = execFileSync('ldd', ['/bin/sh'], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
    for (const file of ['/bin/sh', ...libs]) {
      await fsp.mkdir(join(image, file, '..'), { recursive: true });
      await fsp.copyFile(file, join(image, file));
    }
    await fsp.chmod(join(image, 'bin/sh'), 0o755);
    const c = await launch(['/bin/sh', '-c', 'echo hi > /made; read x < /made; echo $x; echo /*; cd /proc && echo in-proc'], { imageRootDir: image });
    const code = await waitExit(c.running);
    const out = await output(c.running);
    tt.equal(code, 0, out.stderr);
    const [first, listing, last] = out.stdout.trim().split('\n');
    tt.equal(first, 'hi', 'the root is writable');
    for (const d of ['/bin', '/dev', '/proc', '/made']) tt.ok((listing ?? '').split(' ').includes(d), `${d} in the root`);
    tt.notOk((listing ?? '').split(' ').includes('/usr'), 'not the host root');
    tt.equal(last, 'in-proc');
    tt.notOk(existsSync(join(image, 'made')), 'the image itself is untouched');
    await assertCleanedUp(tt, c.id, c.containerDir);
  });

  void t.test('removeContainer cleans a stale cgroup left by a crashed run', async (tt) => {
    const id = `stale-${process.pid}`;
    for (const h of ['memory', 'pids']) await fsp.mkdir(`/sys/fs/cgroup/${h}/${cgroupParent}/${id}`, { recursive: true });
    const containerDir = join(dir, id);
    await fsp.mkdir(join(containerDir, ISOLATION_SUBDIR, 'rootfs'), { recursive: true });
    containers.push({ id, containerDir });
    await assertCleanedUp(tt, id, containerDir);
  });

  void t.test('a sandbox made without isolation is not this isolation\'s: not owned, and destroying it is a no-op', async (tt) => {
    tt.ok(iso.ownsSandbox(fx.sandbox), 'its own sandbox');
    tt.notOk(iso.ownsSandbox({}), 'what NoIsolation records');
    await tt.resolves(iso.destroySandbox({}), 'a worker that ran with --no-isolation before can still delete its pods');
    tt.ok(existsSync(`/proc/${fx.holderPid}/ns`), 'and its own holder is untouched');
  });

  void t.test('a holder that cannot start is reported at once, with why, and leaves nothing running', async (tt) => {
    const probe = await probeLinuxIsolation();
    const tools = probe.tools!;
    // A shell that fails before the holder says it is ready (as a refused hostname would).
    const failing = await createLinuxIsolation({ probe: { ...probe, tools: { ...tools, sh: '/bin/false' } }, cgroupParent });
    const t0 = Date.now();
    await tt.rejects(failing!.createSandbox('sbfail', 'failpod'), { name: 'LinuxIsolationError', code: 'NamespaceSetup', message: /never said it was ready/ });
    tt.ok(Date.now() - t0 < 3_000, 'without waiting out the start timeout');
    const missing = await createLinuxIsolation({ probe: { ...probe, tools: { ...tools, unshare: join(dir, 'no-such-unshare') } }, cgroupParent });
    await tt.rejects(missing!.createSandbox('sbmissing', 'missingpod'), { name: 'LinuxIsolationError', code: 'NamespaceSetup', message: /ENOENT/ });
  });

  void t.test('destroySandbox ends the holder and everything in the pod', async (tt) => {
    const c = await launch(['/bin/sleep', '60']);
    await waitCommandRunning(c);
    await iso.destroySandbox(fx.sandbox);
    tt.notOk(existsSync(`/proc/${fx.holderPid}/ns`), 'holder gone');
    tt.equal(await waitExit(c.running), 137, 'the container died with its PID namespace');
    await iso.destroySandbox(fx.sandbox);
    await tt.rejects(iso.prepareContainer(fx.sandbox, { ...c.request, containerId: 'after' }), { name: 'LinuxIsolationError', code: 'SandboxGone' });
    await assertCleanedUp(tt, c.id, c.containerDir);
  });
}
