import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  fstabField,
  LinuxIsolationError,
  outermostPaths,
  parseMountInfo,
  plainHostMounts,
  planContainerRootfs,
  resolvePathInRoot,
  RootfsSkeleton,
  shellQuote,
  ShellScript,
  type LinuxTools,
} from '../../../actors/index.js';

const tools: LinuxTools = {
  sh: 'SH', env: 'ENV', unshare: 'UNSHARE', nsenter: 'NSENTER', mount: 'MOUNT', umount: 'UMOUNT', findmnt: 'FINDMNT',
  setpriv: 'SETPRIV', mkdir: 'MKDIR', mknod: 'MKNOD', cp: 'CP', ln: 'LN', touch: 'TOUCH', sleep: 'SLEEP',
};

/** A fake host root: /etc with files, /usr, /bin -> usr/bin, /var/run -> /run, /run, /tmp, a file at the top. */
function fakeHost(t: Test): string {
  const root = mkdtempSync(join(tmpdir(), 'fakehost-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const d of ['etc/ssl', 'usr/bin', 'var', 'run', 'tmp', 'proc', 'dev', 'sys']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1');
  writeFileSync(join(root, 'info.json'), '{}');
  symlinkSync('usr/bin', join(root, 'bin'));
  symlinkSync('usr/lib', join(root, 'lib32'));
  symlinkSync('/run', join(root, 'var/run'));
  return root;
}

void t.test('shellQuote survives a real shell', (t) => {
  for (const word of ["it's", 'a b', '$HOME', '`x`', '"q"', '\\n', '']) {
    t.equal(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }), word);
  }
  t.end();
});

void t.test('outermostPaths drops paths covered by another', (t) => {
  t.same(outermostPaths(['/tmp', '/tmp/x/y', '/var/lib/', '/var/lib/flotilla', '/varx']), ['/tmp', '/var/lib', '/varx']);
  t.end();
});

void t.test('resolvePathInRoot follows symlinks inside the root, never out of it', async (t) => {
  const root = fakeHost(t);
  t.same(await resolvePathInRoot(root, '/var/run/app', 'c'), ['run', 'app'], 'absolute target restarts at the root');
  t.same(await resolvePathInRoot(root, '/bin/tool', 'c'), ['usr', 'bin', 'tool'], 'relative target');
  t.same(await resolvePathInRoot(root, '/../../etc/config', 'c'), ['etc', 'config'], '.. stops at the root');
  t.same(await resolvePathInRoot(root, '/new/a/b', 'c'), ['new', 'a', 'b']);
  symlinkSync('loop', join(root, 'loop'));
  await t.rejects(resolvePathInRoot(root, '/loop/x', 'c'), LinuxIsolationError);
});

void t.test('host plan: a skeleton made on the host (dirs, links, /dev), then mounts only; volume ancestors become symlink farms', async (t) => {
  const root = fakeHost(t);
  const vol = mkdtempSync(join(tmpdir(), 'vol-'));
  t.teardown(() => rmSync(vol, { recursive: true, force: true }));
  const script = new ShellScript({ mountTool: 'MOUNT' });
  const skeleton = await planContainerRootfs(script, {
    containerId: 'c1',
    tools,
    rootfsDir: '/R',
    base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T' },
    mounts: [{ containerPath: '/etc/config', hostPath: vol, readOnly: true }],
  });
  const text = script.text();
  const links = new Map(skeleton.links.map(([target, path]) => [path, target]));
  t.match(text, `'MOUNT' '-o' 'rbind' '${root}' '/R/.host'`);
  t.match(text, `'MOUNT' '-o' 'remount,bind,ro' '/R/.host'`);
  t.match(text, `'MOUNT' '-o' 'rbind' '/R/.host/usr' '/R/usr'`, 'usr is a bind of the read-only view');
  t.notMatch(text, `'/R/.host/etc' '/R/etc'`, 'etc is not bound: it is a farm');
  for (const dir of ['/R/.host', '/R/proc', '/R/sys', '/R/tmp', '/R/usr', '/R/etc', '/R/dev', '/R/dev/pts', '/R/dev/shm']) t.ok(skeleton.dirs.includes(dir), `${dir} made on the host`);
  t.same(['/R/etc/passwd', '/R/etc/hosts', '/R/etc/ssl'].map((p) => links.get(p)).sort(), ['/.host/etc/hosts', '/.host/etc/passwd', '/.host/etc/ssl'], 'one link per host /etc entry');
  t.notOk(links.has('/R/etc/config'), 'the mount point itself is not linked');
  t.ok(skeleton.dirs.includes('/R/etc/config'), 'the volume mount point is made on the host');
  t.match(text, `'MOUNT' '-o' 'rbind,ro' '${vol}' '/R/etc/config'`, 'a read-only volume: bind, then read-only remount');
  t.equal(links.get('/R/bin'), 'usr/bin', 'top-level symlink kept');
  t.equal(links.get('/R/lib32'), 'usr/lib', 'whatever its name');
  t.equal(links.get('/R/info.json'), '/.host/info.json', 'a top-level file is a link into the view');
  t.match(text, `'UMOUNT' '-R' '-l' '/R/.host/proc' '/R/.host/sys' '/R/.host/dev'`, "the host's /proc, /sys and /dev are not in the view");
  t.match(text, `'MOUNT' '-t' 'sysfs' '-o' 'ro,nosuid,nodev,noexec' 'sysfs' '/R/sys'`, 'a read-only sysfs of its own');
  t.notMatch(text, `'/R/.host/sys' '/R/sys'`, "not a bind of the host's /sys");
  for (const name of ['null', 'zero', 'full', 'random', 'urandom']) {
    t.ok(skeleton.files.includes(`/R/dev/${name}`), `/dev/${name} mount point`);
    t.match(text, `'MOUNT' '-o' 'bind' '/dev/${name}' '/R/dev/${name}'`, `the host's /dev/${name} bound over it`);
  }
  t.equal(links.get('/R/dev/ptmx'), 'pts/ptmx');
  t.equal(links.get('/R/dev/stdin'), '/proc/self/fd/0');
  t.match(text, `'MOUNT' '-t' 'devpts' '-o' 'newinstance,ptmxmode=0666,mode=0620' 'devpts' '/R/dev/pts'`);
  t.match(text, `'MOUNT' '-o' 'bind' '/T' '/R/tmp'`);
  t.match(text, `'MOUNT' '-t' 'proc'`);
  t.match(text, `'/R/.host/tmp'`, 'host /tmp hidden');
  t.notMatch(text, /'(LN|MKDIR|CP|TOUCH)'/, 'no process makes files: the skeleton does');
  t.notMatch(text, /remount,ro/, 'never a superblock remount');
});

void t.test('RootfsSkeleton.create makes its dirs, empty files and links; refuses to overwrite a file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skel-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const skeleton = new RootfsSkeleton().dir(join(dir, 'a/b')).file(join(dir, 'dev/null')).link('/proc/self/fd', join(dir, 'a/fd'));
  skeleton.create();
  t.ok(statSync(join(dir, 'a/b')).isDirectory());
  t.equal(readFileSync(join(dir, 'dev/null'), 'utf8'), '');
  t.equal(readlinkSync(join(dir, 'a/fd')), '/proc/self/fd');
  t.throws(() => new RootfsSkeleton().file(join(dir, 'dev/null')).create(), { code: 'EEXIST' });
});

void t.test('host plan: a mount under a symlinked path lands at its target; /proc and / are refused', async (t) => {
  const root = fakeHost(t);
  const vol = mkdtempSync(join(tmpdir(), 'vol-'));
  t.teardown(() => rmSync(vol, { recursive: true, force: true }));
  const plan = async (containerPath: string): Promise<{ text: string; dirs: readonly string[] }> => {
    const script = new ShellScript({ mountTool: 'MOUNT' });
    const skeleton = await planContainerRootfs(script, {
      containerId: 'c1', tools, rootfsDir: '/R',
      base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T' },
      mounts: [{ containerPath, hostPath: vol, readOnly: false }],
    });
    return { text: script.text(), dirs: skeleton.dirs };
  };
  const run = await plan('/var/run/app');
  t.match(run.text, `'MOUNT' '-o' 'rbind' '${vol}' '/R/run/app'`);
  t.ok(run.dirs.includes('/R/run/app'), 'its mount point made on the host');
  t.notMatch(run.text, `'/R/.host/run' '/R/run'`);
  const tmp = await plan('/tmp/cache');
  t.match(tmp.text, `'MOUNT' '-o' 'rbind,X-mount.mkdir' '${vol}' '/R/tmp/cache'`, "under /tmp (a bind of the container's tmp) the mount makes its point");
  t.notOk(tmp.dirs.includes('/R/tmp/cache'));
  for (const bad of ['/proc/x', '/sys', '/', '/dev', 'relative']) {
    await t.rejects(plan(bad), { name: 'LinuxIsolationError', code: 'InvalidMount' }, bad);
  }
  const script = new ShellScript({ mountTool: 'MOUNT' });
  await t.rejects(
    planContainerRootfs(script, { containerId: 'c', tools, rootfsDir: '/R', base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T' }, mounts: [{ containerPath: '/x', hostPath: '/nonexistent-source', readOnly: true }] }),
    { code: 'InvalidMount' },
  );
});

void t.test('host plan: a file volume gets an empty file as its mount point; a mount inside another volume is made by the script', async (t) => {
  const root = fakeHost(t);
  const vol = mkdtempSync(join(tmpdir(), 'vol-'));
  t.teardown(() => rmSync(vol, { recursive: true, force: true }));
  writeFileSync(join(vol, 'key'), 'v');
  const script = new ShellScript({ mountTool: 'MOUNT' });
  const skeleton = await planContainerRootfs(script, {
    containerId: 'c1', tools, rootfsDir: '/R',
    base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T' },
    mounts: [
      { containerPath: '/etc/app.conf', hostPath: join(vol, 'key'), readOnly: true },
      { containerPath: '/data', hostPath: vol, readOnly: false },
      { containerPath: '/data/sub', hostPath: vol, readOnly: true },
    ],
  });
  const text = script.text();
  t.ok(skeleton.files.includes('/R/etc/app.conf'), 'file mount point on the host');
  t.match(text, `'MOUNT' '-o' 'rbind,ro' '${join(vol, 'key')}' '/R/etc/app.conf'`);
  t.ok(skeleton.dirs.includes('/R/data'));
  t.notOk(skeleton.dirs.includes('/R/data/sub'), 'not made on the host, where the /data mount would hide it');
  t.match(text, `'MOUNT' '-o' 'rbind,ro,X-mount.mkdir' '${vol}' '/R/data/sub'`);
});

void t.test('image plan: an overlay of the image with its own upper layer', async (t) => {
  const image = fakeHost(t);
  const script = new ShellScript({ mountTool: 'MOUNT' });
  await planContainerRootfs(script, {
    containerId: 'c1', tools, rootfsDir: '/R',
    base: { kind: 'image', imageRootDir: image, upperDir: '/U', workDir: '/W' },
    mounts: [{ containerPath: '/var/run/sock', hostPath: image, readOnly: true }],
  });
  const text = script.text();
  t.match(text, `'MOUNT' '-t' 'overlay' '-o' 'lowerdir=${image},upperdir=/U,workdir=/W' 'flotilla-rootfs' '/R'`);
  t.match(text, `'MOUNT' '-o' 'rbind,ro,X-mount.mkdir' '${image}' '/R/run/sock'`, 'symlinks resolved inside the image');
  t.notMatch(text, '.host');
});

void t.test('fstab fields escape what libmount unescapes', (t) => {
  t.equal(fstabField('/a b\tc\\d#e'), '/a\\040b\\011c\\134d\\043e');
  t.equal(fstabField('plain/path'), 'plain/path');
  t.end();
});

void t.test('with an fstab directory, the host plan is one mount -a, in order', async (t) => {
  const root = fakeHost(t);
  const vol = mkdtempSync(join(tmpdir(), 'vol -'));
  t.teardown(() => rmSync(vol, { recursive: true, force: true }));
  const script = new ShellScript({ mountTool: 'MOUNT', fstabDir: '/D' });
  await planContainerRootfs(script, {
    containerId: 'c1', tools, rootfsDir: '/R',
    base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T', hostMounts: [] },
    mounts: [{ containerPath: '/data', hostPath: vol, readOnly: true }],
  });
  const text = script.text();
  const files = script.fstabFiles();
  t.equal(files.length, 1, 'one batch');
  t.equal(text, `'MOUNT' '-a' '-T' '/D/fstab.1'\n`, 'and nothing else');
  const lines = files[0]!.content.trimEnd().split('\n');
  t.equal(lines[0], `${root} /R/.host none bind,ro 0 0`, 'the view of the host first');
  t.ok(lines.includes('/R/.host/usr /R/usr none rbind 0 0'));
  t.ok(lines.includes(`${vol.replace(' ', '\\040')} /R/data none rbind,ro 0 0`), 'a volume path with a space is escaped');
  t.ok(lines.indexOf('/R/.host/usr /R/usr none rbind 0 0') > lines.findIndex((l) => l.startsWith('flotilla-hidden ')), 'binds of the view after what hides parts of it');
  t.ok(lines.includes('/dev/null /R/dev/null none bind 0 0'));
});

/** A mount table like this machine's: /proc, /sys, /dev (with stacked /dev/pts and cgroups below /sys), the root, one more. */
const MOUNTINFO = [
  '22 27 0:21 / /proc rw - proc proc rw',
  '23 27 0:22 / /sys rw - sysfs sysfs rw',
  '24 27 0:6 / /dev rw - devtmpfs udev rw',
  '26 24 0:24 / /dev/pts rw - devpts devpts rw',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '28 27 0:25 / /mnt/tools\\040env rw - tmpfs tmpfs rw',
  '29 26 0:26 / /dev/pts rw - devpts devpts rw',
  '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw',
  '42 28 0:40 / /mnt/tools\\040env/lib ro - tmpfs tmpfs rw',
].join('\n');

void t.test('plainHostMounts: the mounts below the root outside /proc, /sys and /dev, parents first; none when stacked or hidden', (t) => {
  t.same(plainHostMounts(parseMountInfo(MOUNTINFO), '/'), ['/mnt/tools env', '/mnt/tools env/lib']);
  t.same(plainHostMounts(parseMountInfo('27 1 254:0 / / rw - ext4 /dev/vda rw'), '/'), []);
  const stacked = `${MOUNTINFO}\n50 28 0:50 / /mnt/tools\\040env rw - tmpfs tmpfs rw`;
  t.equal(plainHostMounts(parseMountInfo(stacked), '/'), undefined, 'a mount stacked on another');
  const twice = `${MOUNTINFO}\n50 27 0:50 / /mnt/tools\\040env rw - tmpfs tmpfs rw`;
  t.equal(plainHostMounts(parseMountInfo(twice), '/'), undefined, 'two mounts at one path (the first hidden)');
  const orphan = `${MOUNTINFO}\n51 99 0:51 / /opt/x rw - tmpfs tmpfs rw`;
  t.equal(plainHostMounts(parseMountInfo(orphan), '/'), undefined, 'a mount whose parent is not in the picture');
  const twoRoots = `${MOUNTINFO}\n52 27 0:52 / / rw - tmpfs tmpfs rw`;
  t.equal(plainHostMounts(parseMountInfo(twoRoots), '/'), undefined, 'a root stacked on the root');
  t.end();
});

void t.test('host plan with the host\'s mounts known: one read-only bind each, in the one batch; no unmount, no remount loop', async (t) => {
  const root = fakeHost(t);
  mkdirSync(join(root, 'mnt/data'), { recursive: true });
  const script = new ShellScript({ mountTool: 'MOUNT', fstabDir: '/D' });
  await planContainerRootfs(script, {
    containerId: 'c1', tools, rootfsDir: '/R',
    base: { kind: 'host', hostRoot: root, hiddenPaths: [], tmpDir: '/T', hostMounts: [join(root, 'mnt/data')] },
    mounts: [],
  });
  const text = script.text();
  const lines = script.fstabFiles().map((f) => f.content).join('').trimEnd().split('\n');
  t.equal(lines[0], `${root} /R/.host none bind,ro 0 0`, 'the host root, read-only, alone');
  t.equal(lines[1], `${root}/mnt/data /R/.host/mnt/data none bind,ro 0 0`, 'its mount below, read-only, where the view has it');
  t.ok(lines.includes('/R/.host/usr /R/usr none rbind 0 0'), 'top-level binds still come from the view');
  t.notMatch(text, /UMOUNT|FINDMNT|remount/, 'no process beyond the batch for the view');
  t.notMatch(text, /remount,ro/, 'never a superblock remount');
});
