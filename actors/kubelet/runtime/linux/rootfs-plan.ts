// The root filesystem of a container, built inside its own mount namespace (private
// propagation, so nothing reaches the host's mount table and every mount vanishes with the
// namespace). Host-based containers get a root whose top-level directories are read-only binds
// of a read-only view of the host root at /.host; an ancestor of a volume mount (`/etc` for
// `/etc/config`) becomes a directory of its own whose entries are symlinks into /.host, so no
// mount point is ever created on the host. Image-based containers get an overlay of the image
// with a writable upper layer in the container's directory.
//
// Every line of the script is a process (mount, ln, mkdir …), and a pod start pays for all of
// them: a node starting 20 pods a second ran ~1,400 of them a second and saturated 2 cores. So a
// host-based root is a skeleton the worker makes itself, with plain file-system calls, in the
// container's own directory (its directories, its symlinks, its /dev with the mount points of the
// device nodes), and the script is one `mount -a` of every mount over it. The host's /proc, /sys
// and /dev stay out of /.host (the container has its own), and /sys is a fresh read-only sysfs.

import { mkdirSync, promises as fsp, symlinkSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { ContainerMount } from '../cri.js';
import type { LinuxTools } from './host-probe.js';
import { LinuxIsolationError } from './linux-isolation-errors.js';
import type { MountInfoEntry } from './proc-files.js';
import { shellCommand, shellQuote, type ShellScript } from './shell-script.js';

/** Most symlinks followed while resolving one mount path (as the kernel's MAXSYMLINKS). */
export const MAX_MOUNT_PATH_SYMLINKS = 40;
/** Size of the container's /dev and /dev/shm tmpfs. */
export const CONTAINER_DEV_TMPFS_SIZE = '65536k';
/** Name of the read-only view of the host root inside a host-based container. */
export const HOST_VIEW_DIR = '.host';

export type RootfsBase =
  | {
      readonly kind: 'host';
      /** The host root to expose (always `/` outside tests). */
      readonly hostRoot: string;
      /** Host directories covered by an empty read-only tmpfs in /.host (worker state, other pods). */
      readonly hiddenPaths: readonly string[];
      /** Host directory bound at the container's /tmp. */
      readonly tmpDir: string;
      /**
       * Host directories that stay visible, read-only, at their own path even where the
       * container's root hides the host (the host's /tmp): the Flotilla install directory and
       * the Node binary's, which shipped images run from.
       */
      readonly visiblePaths?: readonly string[];
      /**
       * The host's mount points below hostRoot outside its /proc, /sys and /dev, parents first,
       * none stacked on or hidden by another (plainHostMounts): the read-only view is then one
       * read-only bind per mount, in the same batch as the root. Without it the view is a
       * recursive bind of everything, from which /proc, /sys and /dev are unmounted and whose
       * every mount is then remounted read-only, one process each.
       */
      readonly hostMounts?: readonly string[];
    }
  | { readonly kind: 'image'; readonly imageRootDir: string; readonly upperDir: string; readonly workDir: string };

export interface RootfsPlanInput {
  readonly containerId: string;
  readonly tools: LinuxTools;
  /** An empty directory on the host; the root is mounted over it in the container's namespace. */
  readonly rootfsDir: string;
  readonly base: RootfsBase;
  readonly mounts: readonly ContainerMount[];
}

/**
 * What the worker makes on the host, under the container's root directory, before the script
 * runs: directories, empty files (mount points of files) and symlinks, each a file-system call
 * rather than a process.
 */
export class RootfsSkeleton {
  readonly dirs: string[] = [];
  readonly files: string[] = [];
  readonly links: (readonly [target: string, path: string])[] = [];

  dir(path: string): this {
    this.dirs.push(path);
    return this;
  }

  file(path: string): this {
    this.files.push(path);
    return this;
  }

  link(target: string, path: string): this {
    this.links.push([target, path]);
    return this;
  }

  /**
   * Makes it all: directories first (in order, parents before children), then files and links.
   * Synchronous calls on purpose: ~40 of them per container cost well under a millisecond this
   * way, where as promises each made a trip through libuv's thread pool (10-14 ms a container,
   * measured while a node started 5 pods a second).
   */
  create(): void {
    for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
    for (const file of this.files) {
      mkdirSync(posix.dirname(file), { recursive: true });
      writeFileSync(file, '', { flag: 'wx' });
    }
    for (const [target, path] of this.links) symlinkSync(target, path);
  }
}

type EntryKind = 'dir' | 'file' | 'symlink' | 'missing';

async function entryKind(path: string): Promise<EntryKind> {
  try {
    const st = await fsp.lstat(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * The path `containerPath` names inside `root`, following symlinks as they would resolve once
 * `root` is the container's `/` (absolute targets restart at `root`, `..` stops at it). The
 * part that exists has no symlinks left; a missing tail is kept as written.
 */
export async function resolvePathInRoot(root: string, containerPath: string, containerId: string): Promise<string[]> {
  let pending = splitPath(containerPath);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const [next, ...rest] = pending as [string, ...string[]];
    pending = rest;
    if (next === '..') {
      resolved.pop();
      continue;
    }
    const hostPath = posix.join(root, ...resolved, next);
    const kind = await entryKind(hostPath);
    if (kind === 'missing') return [...resolved, next, ...pending.filter((c) => c !== '..')];
    if (kind !== 'symlink') {
      resolved.push(next);
      continue;
    }
    if (++hops > MAX_MOUNT_PATH_SYMLINKS) throw new LinuxIsolationError('InvalidMount', containerId, `too many symlinks in ${containerPath}`);
    const target = await fsp.readlink(hostPath);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...splitPath(target), ...pending];
  }
  return resolved;
}

interface MountNode {
  readonly children: Map<string, MountNode>;
  mount?: { readonly source: string; readonly readOnly: boolean; readonly sourceIsDir: boolean };
}

function newNode(): MountNode {
  return { children: new Map() };
}

const FORBIDDEN_TOP_LEVEL = new Set(['proc', 'sys']);

async function buildMountTree(input: RootfsPlanInput, baseRoot: string): Promise<MountNode> {
  const root = newNode();
  for (const m of input.mounts) {
    if (!m.containerPath.startsWith('/')) throw new LinuxIsolationError('InvalidMount', input.containerId, `mount path ${m.containerPath} is not absolute`);
    const sourceKind = await entryKind(m.hostPath);
    if (sourceKind === 'missing') throw new LinuxIsolationError('InvalidMount', input.containerId, `mount source ${m.hostPath} does not exist`);
    const path = await resolvePathInRoot(baseRoot, m.containerPath, input.containerId);
    const top = path[0];
    if (top === undefined || FORBIDDEN_TOP_LEVEL.has(top) || (path.length === 1 && top === 'dev')) {
      throw new LinuxIsolationError('InvalidMount', input.containerId, `cannot mount over ${m.containerPath}`);
    }
    let node = root;
    for (const c of path) {
      let child = node.children.get(c);
      if (child === undefined) {
        child = newNode();
        node.children.set(c, child);
      }
      node = child;
    }
    if (node.mount !== undefined) throw new LinuxIsolationError('InvalidMount', input.containerId, `two mounts at ${m.containerPath}`);
    // A symlink source is followed by the bind; its target decides file or directory.
    const sourceIsDir = (await fsp.stat(m.hostPath)).isDirectory();
    node.mount = { source: m.hostPath, readOnly: m.readOnly, sourceIsDir };
  }
  return root;
}

/**
 * Mount points below a node, written where there is no host counterpart (tmpfs, overlay, a
 * volume). With a skeleton (the target is in the worker-made part of the root, no mount above
 * it) the mount points are made on the host first; below a mount, or without one, the script
 * makes them as it mounts.
 */
function placeFresh(script: ShellScript, tools: LinuxTools, target: string, node: MountNode, skeleton?: RootfsSkeleton): void {
  let below = skeleton;
  if (node.mount !== undefined) {
    below = undefined;
    const options = ['rbind', ...(node.mount.readOnly ? ['ro'] : [])];
    if (skeleton !== undefined) {
      if (node.mount.sourceIsDir) skeleton.dir(target);
      else skeleton.file(target);
    } else if (node.mount.sourceIsDir) {
      options.push(MKDIR_OPTION);
    } else {
      script.run(tools.mkdir, '-p', posix.dirname(target)).run(tools.touch, target);
    }
    // rbind,ro: the bind, then a read-only remount of its top (what `mount -o rbind,ro` does).
    script.mount({ source: node.mount.source, target, options });
  } else if (node.children.size === 0) {
    if (skeleton !== undefined) skeleton.dir(target);
    else script.run(tools.mkdir, '-p', target);
  }
  for (const [name, child] of node.children) placeFresh(script, tools, `${target}/${name}`, child, below);
}

/** An ancestor of mounts that may exist on the host: a symlink farm into /.host when it does. */
async function placeOverHost(script: ShellScript, skeleton: RootfsSkeleton, input: RootfsPlanInput, hostRoot: string, path: readonly string[], node: MountNode): Promise<void> {
  const target = posix.join(input.rootfsDir, ...path);
  const hostPath = posix.join(hostRoot, ...path);
  if (node.mount !== undefined || (await entryKind(hostPath)) !== 'dir') {
    placeFresh(script, input.tools, target, node, skeleton);
    return;
  }
  skeleton.dir(target);
  for (const name of await fsp.readdir(hostPath)) {
    if (!node.children.has(name)) skeleton.link(`/${posix.join(HOST_VIEW_DIR, ...path, name)}`, `${target}/${name}`);
  }
  for (const [name, child] of node.children) await placeOverHost(script, skeleton, input, hostRoot, [...path, name], child);
}

/** Remounts `target` and every mount below it read-only (bind remounts change only this view, never the filesystem). */
function remountTreeReadOnly(script: ShellScript, tools: LinuxTools, target: string): void {
  script.run(tools.mount, '-o', 'remount,bind,ro', target);
  script.raw(
    `${tools.findmnt} -rn -o TARGET -R '${target.replace(/'/g, `'\\''`)}' | while read -r m; do ${tools.mount} -o remount,bind,ro "$m" 2>/dev/null || true; done`,
  );
}

/** libmount's option to create a missing mount point (and its parents) before mounting. */
export const MKDIR_OPTION = 'X-mount.mkdir';

/** Host mounts a container never sees through /.host: it has its own /proc, /sys and /dev. */
export const HOST_VIEW_UNMOUNTED = ['proc', 'sys', 'dev'] as const;

/** Symlinks `name -> target` in `dir`: one `ln` for all whose name is their target's last component. */
function planLinks(script: ShellScript, tools: LinuxTools, dir: string, links: readonly (readonly [name: string, target: string])[]): void {
  const batched: string[] = [];
  for (const [name, target] of links) {
    if (posix.basename(target) === name && !target.endsWith('/')) batched.push(target);
    else script.run(tools.ln, '-s', '--', target, `${dir}/${name}`);
  }
  if (batched.length > 0) script.run(tools.ln, '-s', '--', ...batched, `${dir}/`);
}

/** A read-only sysfs of its own (one mount, where a bind of the host's /sys brings its cgroup mounts along). */
function planSys(script: ShellScript, sys: string, extraOptions: readonly string[]): void {
  script.mount({ source: 'sysfs', target: sys, type: 'sysfs', options: ['ro', 'nosuid', 'nodev', 'noexec', ...extraOptions] });
}

/** The container's /dev tmpfs (after the mounts before it, in the same batch). */
function mountDev(script: ShellScript, dev: string): void {
  script.mount({ source: 'flotilla-dev', target: dev, type: 'tmpfs', options: [`mode=0755`, 'nosuid', `size=${CONTAINER_DEV_TMPFS_SIZE}`, MKDIR_OPTION] });
}

/** A devpts of its own at /dev/pts and a tmpfs at /dev/shm. */
function mountPtsAndShm(script: ShellScript, dev: string, extraOptions: readonly string[]): void {
  script.mount({ source: 'devpts', target: `${dev}/pts`, type: 'devpts', options: ['newinstance', 'ptmxmode=0666', 'mode=0620', ...extraOptions] });
  script.mount({ source: 'shm', target: `${dev}/shm`, type: 'tmpfs', options: ['mode=1777', 'nosuid', 'nodev', `size=${CONTAINER_DEV_TMPFS_SIZE}`, ...extraOptions] });
}

/** The words of a `mknod` making one of DEV_NODES in `dev`. */
function mknodWords(tools: LinuxTools, dev: string, [name, major, minor]: readonly [string, number, number]): string[] {
  return [tools.mknod, '-m', '666', `${dev}/${name}`, 'c', String(major), String(minor)];
}

/** The device nodes of a container's /dev: name, major, minor. */
const DEV_NODES: readonly (readonly [name: string, major: number, minor: number])[] = [
  ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0],
];

/** The symlinks of a container's /dev: name, target. */
const DEV_LINKS: readonly (readonly [name: string, target: string])[] = [
  ['ptmx', 'pts/ptmx'],
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

let hostDevNodesOnce: Promise<ReadonlySet<string>> | undefined;

/** The names of DEV_NODES the host has as character devices (looked up once: a host's /dev does not lose them). */
function hostDevNodes(): Promise<ReadonlySet<string>> {
  hostDevNodesOnce ??= Promise.all(DEV_NODES.map(([name]) => fsp.lstat(`/dev/${name}`).then((st) => st.isCharacterDevice(), () => false))).then(
    (isDevice) => new Set(DEV_NODES.filter((_, i) => isDevice[i]).map(([name]) => name)),
  );
  return hostDevNodesOnce;
}

/**
 * A /dev made on the host (the skeleton's): its links and the mount points of the host's device
 * nodes, each bound over its empty file (as runc binds them where it cannot make nodes), then
 * pts and shm. A node the host lacks is made by the script, after the mounts.
 */
async function planDevSkeleton(script: ShellScript, skeleton: RootfsSkeleton, tools: LinuxTools, dev: string): Promise<void> {
  skeleton.dir(dev).dir(`${dev}/pts`).dir(`${dev}/shm`);
  const present = await hostDevNodes();
  const missing: (readonly [string, number, number])[] = [];
  for (const node of DEV_NODES) {
    const [name] = node;
    if (!present.has(name)) {
      missing.push(node);
      continue;
    }
    skeleton.file(`${dev}/${name}`);
    script.mount({ source: `/dev/${name}`, target: `${dev}/${name}`, options: ['bind'] });
  }
  mountPtsAndShm(script, dev, []);
  for (const node of missing) script.run(...mknodWords(tools, dev, node));
  for (const [name, target] of DEV_LINKS) skeleton.link(target, `${dev}/${name}`);
}

/** Fills the /dev tmpfs: device nodes, then pts and shm (their mounts join the next batch), then links (`devLinks`). */
function planDevNodes(script: ShellScript, tools: LinuxTools, dev: string): void {
  // One cp of the host's nodes (it makes new nodes of the same numbers); mknod one by one only
  // where the host lacks one of them.
  const fallback = DEV_NODES.map((node) => `{ [ -c ${shellQuote(`${dev}/${node[0]}`)} ] || ${shellCommand(...mknodWords(tools, dev, node))}; }`);
  script.raw(`${shellCommand(tools.cp, '-a', ...DEV_NODES.map(([name]) => `/dev/${name}`), `${dev}/`)} 2>/dev/null || { ${fallback.join(' && ')}; }`);
  mountPtsAndShm(script, dev, [MKDIR_OPTION]);
}

function planDevLinks(script: ShellScript, tools: LinuxTools, dev: string): void {
  planLinks(script, tools, dev, DEV_LINKS);
}

function assertOverlaySafe(path: string, containerId: string): void {
  if (/[,:\\\n]/.test(path)) throw new LinuxIsolationError('InvalidMount', containerId, `overlay path ${path} holds a character overlayfs options cannot carry`);
}

/** Whether `path` is `dir` or below it. */
export function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * The mount points below `hostRoot` (parents first) that a container's read-only view binds one
 * by one, from the host's mount table: undefined unless that is the whole picture, i.e. exactly
 * one mount at `hostRoot`, and every other one outside its /proc, /sys and /dev sits on a mount
 * of that set at a path of its own (nothing stacked on another, nothing hidden under a later
 * mount). Undefined sends the plan to the recursive bind, which copies any such tree as it is.
 */
export function plainHostMounts(entries: readonly MountInfoEntry[], hostRoot: string): string[] | undefined {
  const unmounted = HOST_VIEW_UNMOUNTED.map((name) => posix.join(hostRoot, name));
  const relevant = entries.filter((e) => isAtOrUnder(e.mountPoint, hostRoot) && !unmounted.some((dir) => isAtOrUnder(e.mountPoint, dir)));
  const roots = relevant.filter((e) => e.mountPoint === hostRoot);
  if (roots.length !== 1) return undefined;
  const placed = new Map<number, string>([[roots[0]!.mountId, hostRoot]]);
  const paths = new Set<string>([hostRoot]);
  const out: string[] = [];
  for (const e of relevant) {
    if (e === roots[0]) continue;
    const parentPath = placed.get(e.parentId);
    if (parentPath === undefined || e.mountPoint === parentPath || !isAtOrUnder(e.mountPoint, parentPath) || paths.has(e.mountPoint)) return undefined;
    placed.set(e.mountId, e.mountPoint);
    paths.add(e.mountPoint);
    out.push(e.mountPoint);
  }
  return out;
}

/** Normalized paths without those inside another of them (covering the outer one hides them already). */
export function outermostPaths(paths: readonly string[]): string[] {
  const normalized = [...new Set(paths.map((p) => posix.normalize(`/${p}`).replace(/\/+$/, '') || '/'))].sort();
  return normalized.filter((p) => !normalized.some((q) => q !== p && (q === '/' || p.startsWith(`${q}/`))));
}

/**
 * Appends the commands that mount the container's root at `input.rootfsDir`, and resolves with
 * what the worker must make on the host before they run (empty for an image's root, which is an
 * overlay mounted over the directory).
 */
export async function planContainerRootfs(script: ShellScript, input: RootfsPlanInput): Promise<RootfsSkeleton> {
  const { tools, rootfsDir: root, base } = input;
  const baseRoot = base.kind === 'host' ? base.hostRoot : base.imageRootDir;
  const tree = await buildMountTree(input, baseRoot);
  const skeleton = new RootfsSkeleton();

  if (base.kind === 'image') {
    for (const p of [base.imageRootDir, base.upperDir, base.workDir]) assertOverlaySafe(p, input.containerId);
    script.mount({ source: 'flotilla-rootfs', target: root, type: 'overlay', options: [`lowerdir=${base.imageRootDir}`, `upperdir=${base.upperDir}`, `workdir=${base.workDir}`] });
    script.mount({ source: 'proc', target: `${root}/proc`, type: 'proc', options: ['nosuid', 'nodev', 'noexec', MKDIR_OPTION] });
    planSys(script, `${root}/sys`, [MKDIR_OPTION]);
    mountDev(script, `${root}/dev`);
    script.run(tools.mkdir, '-p', `${root}/tmp`);
    planDevNodes(script, tools, `${root}/dev`);
    for (const [name, child] of tree.children) placeFresh(script, tools, `${root}/${name}`, child);
    planDevLinks(script, tools, `${root}/dev`);
    return skeleton;
  }

  const hostView = `${root}/${HOST_VIEW_DIR}`;
  skeleton.dir(hostView).dir(`${root}/proc`).dir(`${root}/sys`).dir(`${root}/tmp`);
  if (base.hostMounts !== undefined) {
    // Each mount read-only on its own, /proc, /sys and /dev left out: no process beyond the batch.
    script.mount({ source: base.hostRoot, target: hostView, options: ['bind', 'ro'] });
    for (const m of base.hostMounts) script.mount({ source: m, target: posix.join(hostView, posix.relative(base.hostRoot, m)), options: ['bind', 'ro'] });
  } else {
    script.mount({ source: base.hostRoot, target: hostView, options: ['rbind'] });
    // The host's /proc would show every host process; the container gets its own of each below.
    script.tryRun(tools.umount, '-R', '-l', ...HOST_VIEW_UNMOUNTED.map((name) => `${hostView}/${name}`));
    remountTreeReadOnly(script, tools, hostView);
  }

  const special = new Set(['proc', 'sys', 'dev', 'tmp', HOST_VIEW_DIR]);
  const binds: string[] = [];
  for (const e of await fsp.readdir(base.hostRoot, { withFileTypes: true })) {
    if (special.has(e.name) || tree.children.has(e.name)) continue;
    if (e.isDirectory()) {
      skeleton.dir(`${root}/${e.name}`);
      binds.push(e.name);
    } else if (e.isSymbolicLink()) {
      skeleton.link(await fsp.readlink(posix.join(base.hostRoot, e.name)), `${root}/${e.name}`);
    } else {
      skeleton.link(`/${HOST_VIEW_DIR}/${e.name}`, `${root}/${e.name}`);
    }
  }
  for (const hidden of outermostPaths(['/tmp', ...base.hiddenPaths])) {
    if ((await entryKind(posix.join(base.hostRoot, hidden))) !== 'dir') continue;
    script.mount({ source: 'flotilla-hidden', target: posix.join(hostView, hidden), type: 'tmpfs', options: ['ro', 'size=4k', 'mode=0755'] });
  }
  // Binds of the read-only view inherit its read-only flag, mount by mount.
  for (const name of binds) script.mount({ source: `${hostView}/${name}`, target: `${root}/${name}`, options: ['rbind'] });
  planSys(script, `${root}/sys`, []);
  script.mount({ source: 'proc', target: `${root}/proc`, type: 'proc', options: ['nosuid', 'nodev', 'noexec'] });
  await planDevSkeleton(script, skeleton, tools, `${root}/dev`);

  const tmpNode = tree.children.get('tmp');
  const visible: string[] = [];
  if (tmpNode?.mount === undefined) {
    script.mount({ source: base.tmpDir, target: `${root}/tmp`, options: ['bind'] });
    for (const path of outermostPaths((base.visiblePaths ?? []).filter((p) => p.startsWith('/tmp/')))) {
      if ((await entryKind(path)) !== 'dir') continue;
      script.mount({ source: path, target: `${root}${path}`, options: ['rbind', MKDIR_OPTION] });
      visible.push(`${root}${path}`);
    }
  }
  for (const target of visible) remountTreeReadOnly(script, tools, target);
  for (const [name, child] of tree.children) {
    // /tmp is a bind of the container's own tmp directory, so mount points below it are the script's to make.
    if (name === 'tmp') placeFresh(script, tools, `${root}/${name}`, child);
    else if (name === 'dev') placeFresh(script, tools, `${root}/${name}`, child, skeleton);
    else await placeOverHost(script, skeleton, input, base.hostRoot, [name], child);
  }
  return skeleton;
}
