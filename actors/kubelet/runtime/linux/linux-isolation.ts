// ContainerIsolation on Linux: each pod in its own PID, mount, UTS and IPC namespaces (held by a
// sandbox holder process), each container in its own mount namespace with its own root, and in
// its own cgroup for limits, OOM detection and stats.

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, promises as fsp, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { RuntimeIsolation } from '../cri.js';
import type { ContainerIsolation, ContainerLaunchRequest, ContainerLaunchSpec, SandboxIsolationState } from '../process/isolation-contract.js';
import { assertSafeContainerId, type ContainerCgroupDriver, type ContainerCgroupStats, type SleepMs } from './cgroup-driver.js';
import { DEFAULT_CONTAINER_PIDS_LIMIT } from './cgroup-limits.js';
import { CgroupV1Driver } from './cgroup-v1.js';
import { CgroupV2Driver } from './cgroup-v2.js';
import { probeLinuxIsolation, type LinuxIsolationProbe, type LinuxTools } from './host-probe.js';
import { execScript, innerScript, launchScript } from './launch-scripts.js';
import { LinuxIsolationError } from './linux-isolation-errors.js';
import { readMountInfo, readNamespaceId, readProcStartTime, type MountInfoEntry } from './proc-files.js';
import { isAtOrUnder, planContainerRootfs, plainHostMounts, type RootfsBase } from './rootfs-plan.js';
import { holderAlive, parseSandboxHolderState, startSandboxHolder, stopSandboxHolder, type SandboxHolderState } from './sandbox-holder.js';
import { ShellScript } from './shell-script.js';

/** Longest one `umount` of a stale mount may take. */
export const STALE_UMOUNT_TIMEOUT_MS = 10_000;
/** Polls prepareExec makes for a container still building its root before calling it not running. */
export const EXEC_WAIT_FOR_START_ATTEMPTS = 250;
export const EXEC_WAIT_FOR_START_POLL_MS = 20;
/** The subdirectory of a container's directory that this isolation owns (rootfs, /tmp, scripts). */
export const ISOLATION_SUBDIR = 'isolation';

export interface LinuxIsolationOptions {
  /** Container cgroups live at `<hierarchy>/<cgroupParent>/<containerId>`. Default `flotilla`. */
  readonly cgroupParent?: string;
  /** pids.max for containers whose resources name none. Default 4096. */
  readonly defaultPidsLimit?: number;
  /** Host directories containers must not see through /.host (the worker's state directory). */
  readonly hiddenHostPaths?: readonly string[];
  /**
   * Host directories containers always see at their path, read-only, even under the host's
   * /tmp (which containers do not see): default the Flotilla install directory and the Node
   * binary's directory, which the shipped images run from.
   */
  readonly visibleHostPaths?: readonly string[];
  /** Pauses in retry loops; injectable for tests. */
  readonly sleep?: SleepMs;
  /** A probe already made (detectLinuxIsolation's), to skip probing again. */
  readonly probe?: LinuxIsolationProbe;
}

/** The Flotilla install directory (the one holding dist/, where this file is compiled to) and the Node binary's. */
const DEFAULT_VISIBLE_HOST_PATHS: readonly string[] = [fileURLToPath(new URL('../../../../..', import.meta.url)).replace(/\/$/, ''), dirname(process.execPath)];

function isolationDir(containerDir: string): string {
  return join(containerDir, ISOLATION_SUBDIR);
}

export class LinuxIsolation implements ContainerIsolation {
  private readonly sleep: SleepMs;

  constructor(
    readonly isolation: RuntimeIsolation,
    private readonly tools: LinuxTools,
    /** Undefined when no cgroup hierarchy can enforce limits (isolation.cgroups is 'none'). */
    private readonly cgroups: ContainerCgroupDriver | undefined,
    private readonly options: LinuxIsolationOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async createSandbox(sandboxId: string, hostname: string): Promise<SandboxIsolationState> {
    const state = await startSandboxHolder(this.tools, sandboxId, hostname, this.sleep);
    return { ...state };
  }

  async destroySandbox(sandbox: SandboxIsolationState): Promise<void> {
    // A sandbox made without isolation (the worker ran with --no-isolation before) has no holder.
    if (!this.ownsSandbox(sandbox)) return;
    await stopSandboxHolder(parseSandboxHolderState(sandbox), this.sleep);
  }

  ownsSandbox(sandbox: SandboxIsolationState): boolean {
    try {
      parseSandboxHolderState(sandbox);
      return true;
    } catch {
      return false;
    }
  }

  private async liveHolder(sandbox: SandboxIsolationState): Promise<SandboxHolderState> {
    const holder = parseSandboxHolderState(sandbox);
    if (!(await holderAlive(holder))) throw new LinuxIsolationError('SandboxGone', holder.sandboxId, `holder pid ${holder.holderPid} is not running`);
    return holder;
  }

  async prepareContainer(sandbox: SandboxIsolationState, request: ContainerLaunchRequest): Promise<ContainerLaunchSpec> {
    assertSafeContainerId(request.containerId);
    const holder = await this.liveHolder(sandbox);
    const dir = isolationDir(request.containerDir);
    // A previous attempt with this directory may have left files (mounts live in the container's namespace, never here).
    const hostMountTable = await this.unmountStale(dir, request.containerId);
    await fsp.rm(dir, { recursive: true, force: true });
    // The small files and directories below are made with synchronous calls, as the root's
    // skeleton is: each is a few microseconds, where a promise's trip through libuv's thread pool
    // cost far more of the worker's time while it started pods.
    const rootfsDir = join(dir, 'rootfs');
    mkdirSync(rootfsDir, { recursive: true });

    let base: RootfsBase;
    if (request.imageRootDir === undefined) {
      const tmpDir = join(dir, 'tmp');
      mkdirSync(tmpDir);
      chmodSync(tmpDir, 0o1777);
      const hostMounts = plainHostMounts(hostMountTable, '/');
      base = {
        kind: 'host',
        hostRoot: '/',
        tmpDir,
        hiddenPaths: [...(this.options.hiddenHostPaths ?? []), dir],
        visiblePaths: this.options.visibleHostPaths ?? DEFAULT_VISIBLE_HOST_PATHS,
        ...(hostMounts === undefined ? {} : { hostMounts }),
      };
    } else {
      const upperDir = join(dir, 'upper');
      const workDir = join(dir, 'work');
      mkdirSync(upperDir);
      mkdirSync(workDir);
      base = { kind: 'image', imageRootDir: request.imageRootDir, upperDir, workDir };
    }
    const plan = new ShellScript({ mountTool: this.tools.mount, fstabDir: dir });
    const skeleton = await planContainerRootfs(plan, { containerId: request.containerId, tools: this.tools, rootfsDir, base, mounts: request.mounts });
    skeleton.create();
    for (const file of plan.fstabFiles()) writeFileSync(file.path, file.content, { mode: 0o600 });
    const innerPath = join(dir, 'inner.sh');
    writeFileSync(innerPath, innerScript(plan, { tools: this.tools, rootfsDir, workingDir: request.workingDir || '/', argv: request.argv }), { mode: 0o700 });

    const procsFiles = this.cgroups === undefined ? [] : await this.cgroups.create(request.containerId, request.limits);
    const launchPath = join(dir, 'launch.sh');
    writeFileSync(
      launchPath,
      launchScript({ tools: this.tools, holderPid: holder.holderPid, holderStartTime: holder.holderStartTime, procsFiles, innerScriptPath: innerPath }),
      { mode: 0o700 },
    );
    return { file: this.tools.sh, args: [launchPath], env: { ...request.env }, cwd: '/' };
  }

  /**
   * The oldest process of the container that runs chrooted in its root: inside its mount
   * namespace, so nsenter can join it. Found through the cgroup when there is one, else by
   * scanning the sandbox's processes for one rooted at the container's rootfs.
   */
  private async findContainerProcess(holder: SandboxHolderState, request: ContainerLaunchRequest): Promise<number | undefined> {
    const rootfsDir = join(isolationDir(request.containerDir), 'rootfs');
    const candidates = this.cgroups !== undefined ? await this.cgroups.pids(request.containerId) : await this.podProcesses(holder);
    let best: { pid: number; start: number } | undefined;
    for (const pid of candidates) {
      const root = await fsp.readlink(`/proc/${pid}/root`).catch(() => undefined);
      if (root !== rootfsDir) continue;
      const start = await readProcStartTime(pid);
      if (start !== undefined && (best === undefined || start < best.start)) best = { pid, start };
    }
    return best?.pid;
  }

  /** Host pids in the sandbox's PID namespace (bounded by the host's process table). */
  private async podProcesses(holder: SandboxHolderState): Promise<number[]> {
    const podPidNs = await readNamespaceId(holder.holderPid, 'pid');
    const pids: number[] = [];
    for (const name of await fsp.readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      if ((await readNamespaceId(Number(name), 'pid')) === podPidNs) pids.push(Number(name));
    }
    return pids;
  }

  async prepareExec(sandbox: SandboxIsolationState, request: ContainerLaunchRequest, argv: readonly string[]): Promise<ContainerLaunchSpec> {
    assertSafeContainerId(request.containerId);
    const holder = await this.liveHolder(sandbox);
    let targetPid = await this.findContainerProcess(holder, request);
    // Just started: its root may still be being built (processes in the cgroup, none chrooted yet).
    for (let attempt = 0; targetPid === undefined && attempt < EXEC_WAIT_FOR_START_ATTEMPTS; attempt++) {
      if (this.cgroups === undefined || (await this.cgroups.pids(request.containerId)).length === 0) break;
      await this.sleep(EXEC_WAIT_FOR_START_POLL_MS);
      targetPid = await this.findContainerProcess(holder, request);
    }
    if (targetPid === undefined) throw new LinuxIsolationError('ContainerNotRunning', request.containerId, 'no process of the container is running');
    const script = execScript({
      tools: this.tools,
      targetPid,
      procsFiles: this.cgroups?.procsFiles(request.containerId) ?? [],
      rootfsDir: join(isolationDir(request.containerDir), 'rootfs'),
      workingDir: request.workingDir || '/',
      argv,
    });
    return { file: this.tools.sh, args: ['-c', script, 'flotilla-exec'], env: { ...request.env }, cwd: '/' };
  }

  async wasOomKilled(containerId: string): Promise<boolean> {
    return this.cgroups === undefined ? false : this.cgroups.wasOomKilled(containerId);
  }

  async stats(containerId: string): Promise<ContainerCgroupStats | undefined> {
    return this.cgroups === undefined ? undefined : this.cgroups.stats(containerId);
  }

  async removeContainer(containerId: string, containerDir: string): Promise<void> {
    assertSafeContainerId(containerId);
    // Killing the cgroup's processes ends the container's mount namespace and with it every mount of its root.
    if (this.cgroups !== undefined) await this.cgroups.remove(containerId);
    const dir = isolationDir(containerDir);
    await this.unmountStale(dir, containerId);
    await fsp.rm(dir, { recursive: true, force: true });
  }

  /**
   * Unmounts anything mounted under `dir` in the host's namespace (only a crashed older layout
   * leaves such). Resolves with the host's mount table as it then is.
   */
  private async unmountStale(dir: string, containerId: string): Promise<MountInfoEntry[]> {
    const before = await readMountInfo();
    const stale = before.map((m) => m.mountPoint).filter((p) => isAtOrUnder(p, dir)).sort((a, b) => b.length - a.length);
    if (stale.length === 0) return before;
    for (const mountPoint of stale) {
      await new Promise<void>((resolve) => {
        execFile(this.tools.umount, ['-l', mountPoint], { timeout: STALE_UMOUNT_TIMEOUT_MS }, () => resolve());
      });
    }
    const after = await readMountInfo();
    const left = after.map((m) => m.mountPoint).filter((p) => isAtOrUnder(p, dir));
    // Never delete through a mount: it could be a bind of a host directory.
    if (left.length > 0) throw new LinuxIsolationError('MountsRemain', containerId, `still mounted: ${left.join(', ')}`);
    return after;
  }
}

/**
 * A LinuxIsolation when this host allows namespaces (Linux, root, tools present), else undefined;
 * detectLinuxIsolation() then says why. Without a usable cgroup hierarchy it still isolates
 * namespaces and reports cgroups 'none' with the reason.
 */
export async function createLinuxIsolation(options: LinuxIsolationOptions = {}): Promise<LinuxIsolation | undefined> {
  const probe = options.probe ?? (await probeLinuxIsolation());
  if (!probe.isolation.namespaces || probe.tools === undefined) return undefined;
  const parent = posix.normalize(options.cgroupParent ?? 'flotilla').replace(/^\/+|\/+$/g, '');
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const pidsLimit = options.defaultPidsLimit ?? DEFAULT_CONTAINER_PIDS_LIMIT;
  let cgroups: ContainerCgroupDriver | undefined;
  if (probe.cgroups.version === 'v1') cgroups = new CgroupV1Driver(probe.cgroups.mounts, parent, sleep, pidsLimit);
  else if (probe.cgroups.version === 'v2') cgroups = new CgroupV2Driver(probe.cgroups.root, parent, sleep, pidsLimit);
  return new LinuxIsolation(probe.isolation, probe.tools, cgroups, options);
}
