// The process runtime: containers are host processes, detached in their own process groups, that
// outlive the worker. Everything a restarted worker needs is in JSON records under stateDir
// (state-store.ts); `start()` re-adopts what is there. Isolation (namespaces, cgroups, mounts) is
// delegated to a ContainerIsolation.
//
// Invariants:
// - A container record is `running` only with a pid and its start time; (pid, startTimeTicks) is
//   compared with /proc before any signal is sent after a restart, so a reused pid is never taken
//   for the container.
// - `onContainerExit` fires once per exit: `finishExit` is the only place that records one, and it
//   runs at most once per started container.
// - Records of one container are saved one after another (a per-container chain), so the file
//   always holds the latest state.

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock, TimerHandle } from '../../../../raft/index.js';
import type { ActorLogger } from '../../../runtime/index.js';
import type {
  ContainerConfig,
  ContainerLogLine,
  ContainerLogOptions,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ExecOptions,
  ExecResult,
  ExecSession,
  ImageInfo,
  PodSandboxConfig,
  PodSandboxStatus,
  RuntimeIsolation,
} from '../cri.js';
import type { ImageStore } from '../images/index.js';
import {
  ContainerNotFoundError,
  ContainerNotRunningError,
  CreateContainerError,
  SandboxNotFoundError,
  StartContainerError,
} from '../runtime-errors.js';
import { ContainerLogWriter, DEFAULT_MAX_LOG_FILE_BYTES, DEFAULT_MAX_LOG_FILES, type LogRotationPolicy } from './container-log-writer.js';
import { readContainerLogLines } from './container-log-reader.js';
import { exitCodeOfSignal, findExecutable, openFifoReader, readExitFile, spawnContainerProcess } from './container-process.js';
import { containerStatusOf, resolveContainerArgv, resolveProcessContainerEnv } from './container-spec.js';
import { PodIpPool } from './pod-ip-pool.js';
import { runExecSync, startExecSession } from './exec-process.js';
import type { ContainerIsolation, ContainerLaunchRequest, ContainerLaunchSpec } from './isolation-contract.js';
import { isSameProcessAlive, processGroupUsage, readProcStat, signalProcessGroup } from './proc.js';
import { RuntimeStateStore, STATE_FORMAT_VERSION, type ContainerRecord, type SandboxRecord } from './state-store.js';

/** How often an adopted container (not this worker's child, so no exit event) is checked for exit. */
export const DEFAULT_ADOPTED_EXIT_POLL_INTERVAL_MS = 500;

/** How often a container being stopped is checked, when it is adopted. */
export const STOP_EXIT_POLL_INTERVAL_MS = 50;

/** After the container's process exits, how long its log streams may take to drain (children that inherited them). */
export const LOG_DRAIN_TIMEOUT_MS = 2_000;

export interface ProcessRuntimeOptions {
  readonly stateDir: string;
  readonly imageStore: ImageStore;
  readonly isolation: ContainerIsolation;
  readonly clock: Clock;
  readonly log: ActorLogger;
  /** The pods' IP (the node's, until pod networking exists). */
  readonly podIP?: string;
  /** Each sandbox gets its own address from this CIDR (see pod-ip-pool.ts); without it, every pod has `podIP`. */
  readonly podCidr?: string;
  readonly maxLogFileBytes?: number;
  readonly maxLogFiles?: number;
  readonly adoptedExitPollIntervalMs?: number;
  /** Source of sandbox and container ids (injected for deterministic tests). */
  readonly newId?: () => string;
}

interface LiveContainer {
  record: ContainerRecord;
  writer?: ContainerLogWriter;
  pollTimer?: TimerHandle;
  /** This worker's child process for the current run; referenced (keeps the event loop alive) until close. */
  child?: ChildProcess;
  /** The exit code this worker saw from its own child's exit event. */
  childExit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
  exiting: boolean;
  /** Whether this runtime knows the recorded pid is the container's (it spawned it, or checked the start time on adoption). */
  pidVerified: boolean;
  /** Settles when the current run's exit has been recorded. */
  exited: Promise<void>;
  resolveExited: () => void;
  saving: Promise<void>;
}

function newLive(record: ContainerRecord): LiveContainer {
  let resolveExited!: () => void;
  const exited = new Promise<void>((r) => (resolveExited = r));
  return { record, exiting: false, pidVerified: false, exited, resolveExited, saving: Promise.resolve() };
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly version = '0.1';
  readonly isolation: RuntimeIsolation;
  private readonly store: RuntimeStateStore;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, LiveContainer>();
  private readonly exitListeners = new Set<(status: ContainerStatus) => void>();
  private readonly rotation: LogRotationPolicy;
  private readonly newId: () => string;
  private readonly podIps: PodIpPool | undefined;
  private closed = false;
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.isolation = options.isolation.isolation;
    this.store = new RuntimeStateStore(options.stateDir);
    this.rotation = { maxLogFileBytes: options.maxLogFileBytes ?? DEFAULT_MAX_LOG_FILE_BYTES, maxLogFiles: options.maxLogFiles ?? DEFAULT_MAX_LOG_FILES };
    this.newId = options.newId ?? (() => randomUUID().replaceAll('-', ''));
    this.podIps = options.podCidr === undefined ? undefined : new PodIpPool(options.podCidr);
  }

  /**
   * Loads the records and re-adopts: running containers are watched again (their logs continue),
   * ones that exited meanwhile are recorded exited and reported to exit listeners, so subscribe
   * with onContainerExit before calling start.
   */
  async start(): Promise<void> {
    await this.store.init();
    for (const s of await this.store.loadSandboxes()) {
      this.sandboxes.set(s.id, s);
      this.podIps?.reserve(s.ip);
    }
    for (const record of await this.store.loadContainers()) {
      const live = newLive(record);
      this.containers.set(record.id, live);
      if (record.state !== 'running') {
        live.resolveExited();
        continue;
      }
      if (record.pid !== undefined && record.startTimeTicks !== undefined && (await isSameProcessAlive(record.pid, record.startTimeTicks))) {
        this.adopt(live);
      } else {
        await this.finishExit(live);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.resolveClosed();
    for (const live of this.containers.values()) {
      live.pollTimer?.cancel();
      live.writer?.close();
      live.writer = undefined;
      live.child?.unref();
    }
    await Promise.all([...this.containers.values()].map((l) => l.saving));
    this.exitListeners.clear();
  }

  // ---- sandboxes

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = this.newId();
    const isolation = await this.options.isolation.createSandbox(id, config.hostname);
    const ip = this.podIps?.allocate() ?? this.options.podIP ?? '127.0.0.1';
    const record: SandboxRecord = { version: STATE_FORMAT_VERSION, id, config, state: 'ready', createdAtMs: this.options.clock.now(), ip, isolation };
    await this.store.saveSandbox(record);
    this.sandboxes.set(id, record);
    return id;
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (sandbox === undefined) return;
    await Promise.all(this.containersOf(sandboxId).map((l) => this.stopContainer(l.record.id, 0)));
    await this.options.isolation.destroySandbox(sandbox.isolation);
    if (sandbox.state !== 'notready') {
      sandbox.state = 'notready';
      await this.store.saveSandbox(sandbox);
    }
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    if (!this.sandboxes.has(sandboxId)) return;
    await this.stopPodSandbox(sandboxId);
    await Promise.all(this.containersOf(sandboxId).map((l) => this.removeContainer(l.record.id)));
    await this.store.deleteSandbox(sandboxId);
    const removed = this.sandboxes.get(sandboxId);
    if (removed !== undefined) this.podIps?.release(removed.ip);
    this.sandboxes.delete(sandboxId);
  }

  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(sandboxId);
    if (s === undefined) return Promise.reject(new SandboxNotFoundError(sandboxId));
    return Promise.resolve(this.sandboxStatusOf(s));
  }

  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve([...this.sandboxes.values()].map((s) => this.sandboxStatusOf(s)));
  }

  // ---- images

  async pullImage(ref: string): Promise<ImageInfo> {
    const image = await this.options.imageStore.resolve(ref);
    return { ref, id: image.manifest.id, sizeBytes: image.manifest.sizeBytes };
  }

  async imageStatus(ref: string): Promise<ImageInfo | undefined> {
    const image = await this.options.imageStore.status(ref);
    return image === undefined ? undefined : { ref, id: image.manifest.id, sizeBytes: image.manifest.sizeBytes };
  }

  // ---- containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (sandbox === undefined) throw new SandboxNotFoundError(sandboxId);
    if (sandbox.state !== 'ready') throw new CreateContainerError(config.name, `pod sandbox ${sandboxId} is not ready`);
    const image = await this.options.imageStore.resolve(config.image);
    const id = this.newId();
    const containerDir = this.store.containerDir(id);
    const argv = resolveContainerArgv(image.manifest, config);
    if (argv.length === 0) throw new CreateContainerError(config.name, 'no command specified: the image has no entrypoint or cmd and the pod sets no command');
    const request: ContainerLaunchRequest = {
      containerId: id,
      argv,
      // FLOTILLA_POD_IP: the address a server should bind while pods share the host's network; the
      // pod's name and namespace come along so shipped images can say who they are without env set.
      env: { ...resolveProcessContainerEnv(image.manifest, config, sandbox.config.hostname), FLOTILLA_POD_IP: sandbox.ip, FLOTILLA_POD_NAME: sandbox.config.podName, FLOTILLA_POD_NAMESPACE: sandbox.config.podNamespace },
      workingDir: config.workingDir ?? (image.manifest.workingDir === '' ? '/' : image.manifest.workingDir),
      mounts: config.mounts,
      limits: config.resources,
      containerDir,
      ...(image.rootDir !== undefined ? { imageRootDir: image.rootDir } : {}),
    };
    await fsp.mkdir(containerDir, { recursive: true });
    const stdoutFifoPath = path.join(containerDir, 'stdout.fifo');
    const stderrFifoPath = path.join(containerDir, 'stderr.fifo');
    // The FIFOs themselves are made by the container's wrapper when it starts (container-process.ts).
    try {
      let launch;
      try {
        launch = await this.options.isolation.prepareContainer(sandbox.isolation, request);
      } catch (err) {
        throw new CreateContainerError(config.name, err instanceof CreateContainerError ? err.why : err instanceof Error ? err.message : String(err));
      }
      const record: ContainerRecord = {
        version: STATE_FORMAT_VERSION,
        id,
        sandboxId,
        config,
        imageId: image.manifest.id,
        ...(image.rootDir !== undefined ? { imageRootDir: image.rootDir } : {}),
        argv,
        env: request.env,
        workingDir: request.workingDir,
        launch,
        containerDir,
        logPath: path.join(containerDir, 'container.log'),
        exitFilePath: path.join(containerDir, 'exit'),
        stdoutFifoPath,
        stderrFifoPath,
        state: 'created',
        createdAtMs: this.options.clock.now(),
      };
      await this.store.saveContainer(record);
      const live = newLive(record);
      live.resolveExited();
      this.containers.set(id, live);
      return id;
    } catch (err) {
      await this.options.isolation.removeContainer(id, containerDir).catch(() => undefined);
      await this.store.deleteContainer(id);
      throw err;
    }
  }

  async startContainer(containerId: string): Promise<void> {
    const live = this.live(containerId);
    const r = live.record;
    if (r.state !== 'created') throw new StartContainerError(containerId, `container is ${r.state}, not created`);
    if (findExecutable(r.launch.file, r.launch.env, r.launch.cwd) === undefined) {
      throw new StartContainerError(containerId, `exec: ${JSON.stringify(r.argv[0] ?? r.launch.file)}: executable file not found in $PATH`);
    }
    let spawned;
    try {
      spawned = await spawnContainerProcess(r.launch, r.exitFilePath, r.stdoutFifoPath, r.stderrFifoPath);
    } catch (err) {
      throw new StartContainerError(containerId, err instanceof Error ? err.message : String(err));
    }
    live.exited = new Promise<void>((resolve) => (live.resolveExited = resolve));
    const writer = new ContainerLogWriter(r.logPath, this.rotation, this.options.clock);
    writer.attach('stdout', spawned.stdout);
    writer.attach('stderr', spawned.stderr);
    live.writer = writer;
    live.pidVerified = true;
    live.child = spawned.child;
    const stat = await readProcStat(spawned.pid);
    r.pid = spawned.pid;
    if (stat !== undefined) r.startTimeTicks = stat.startTimeTicks;
    r.startedAtMs = this.options.clock.now();
    r.state = 'running';
    await this.save(live);
    void spawned.exit.then((exit) => {
      live.child = undefined;
      if (this.closed || live.record.pid !== spawned.pid) return;
      live.childExit = exit;
      return this.finishExit(live);
    });
  }

  async stopContainer(containerId: string, gracePeriodMs: number): Promise<void> {
    const live = this.live(containerId);
    const r = live.record;
    if (r.state !== 'running' || r.pid === undefined) return;
    // Checked again here: after a restart, a pid that is no longer ours must not be signalled.
    if (r.startTimeTicks !== undefined && !(await isSameProcessAlive(r.pid, r.startTimeTicks)) && live.childExit === undefined) {
      await this.finishExit(live);
      return;
    }
    signalProcessGroup(r.pid, 'SIGTERM');
    const stopPoll = this.options.clock.setInterval(() => void this.pollExit(live), STOP_EXIT_POLL_INTERVAL_MS);
    try {
      let graceTimer: TimerHandle | undefined;
      const graceOver = new Promise<boolean>((resolve) => (graceTimer = this.options.clock.setTimeout(() => resolve(false), Math.max(0, gracePeriodMs))));
      const exitedInGrace = await Promise.race([live.exited.then(() => true), graceOver]);
      graceTimer?.cancel();
      if (!exitedInGrace && r.state === 'running') {
        r.killedByRuntime = true;
        await this.save(live);
        signalProcessGroup(r.pid, 'SIGKILL');
      }
      await live.exited;
    } finally {
      stopPoll.cancel();
    }
  }

  async removeContainer(containerId: string): Promise<void> {
    const live = this.containers.get(containerId);
    if (live === undefined) return;
    if (live.record.state === 'running') await this.stopContainer(containerId, 0);
    live.pollTimer?.cancel();
    live.writer?.close();
    await live.saving;
    await this.options.isolation.removeContainer(containerId, live.record.containerDir);
    await this.store.deleteContainer(containerId);
    this.containers.delete(containerId);
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    const live = this.containers.get(containerId);
    if (live === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    return Promise.resolve(containerStatusOf(live.record));
  }

  listContainers(sandboxId?: string): Promise<ContainerStatus[]> {
    const all = [...this.containers.values()].filter((l) => sandboxId === undefined || l.record.sandboxId === sandboxId);
    return Promise.resolve(all.map((l) => containerStatusOf(l.record)));
  }

  onContainerExit(onExit: (status: ContainerStatus) => void): () => void {
    this.exitListeners.add(onExit);
    return () => this.exitListeners.delete(onExit);
  }

  async *readContainerLogs(containerId: string, options: ContainerLogOptions, signal?: AbortSignal): AsyncIterable<ContainerLogLine> {
    const live = this.live(containerId);
    const writer = live.writer;
    const exited = Promise.race([live.exited, this.closedPromise]);
    yield* readContainerLogLines({ logPath: live.record.logPath, maxLogFiles: this.rotation.maxLogFiles, exited, ...(writer ? { writer } : {}) }, options, signal);
  }

  async execSync(containerId: string, command: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const launch = await this.prepareExec(containerId, command);
    return runExecSync(launch, timeoutMs, this.options.clock);
  }

  async exec(containerId: string, command: readonly string[], options: ExecOptions): Promise<ExecSession> {
    const launch = await this.prepareExec(containerId, command);
    return startExecSession(launch, options.stdin === true);
  }

  async containerStats(containerId: string): Promise<ContainerStats> {
    const r = this.live(containerId).record;
    const timestampMs = this.options.clock.now();
    const fromCgroup = await this.options.isolation.stats(containerId);
    if (fromCgroup !== undefined) return { containerId, timestampMs, ...fromCgroup };
    if (r.state !== 'running' || r.pid === undefined) return { containerId, timestampMs, cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
    return { containerId, timestampMs, ...(await processGroupUsage(r.pid)) };
  }

  // ---- internals

  private live(containerId: string): LiveContainer {
    const live = this.containers.get(containerId);
    if (live === undefined) throw new ContainerNotFoundError(containerId);
    return live;
  }

  private containersOf(sandboxId: string): LiveContainer[] {
    return [...this.containers.values()].filter((l) => l.record.sandboxId === sandboxId);
  }

  /** A sandbox this runtime's isolation did not make (the worker's isolation changed) is not ready: its pod gets a new one. */
  private sandboxStatusOf(s: SandboxRecord): PodSandboxStatus {
    const state = s.state === 'ready' && !this.options.isolation.ownsSandbox(s.isolation) ? 'notready' : s.state;
    return { id: s.id, podUid: s.config.podUid, podName: s.config.podName, podNamespace: s.config.podNamespace, state, ip: s.ip, createdAtMs: s.createdAtMs };
  }

  private save(live: LiveContainer): Promise<void> {
    live.saving = live.saving.then(() => this.store.saveContainer(live.record)).catch((err: unknown) => {
      this.options.log.error('cannot save container record', { containerId: live.record.id, error: err instanceof Error ? err.message : String(err) });
    });
    return live.saving;
  }

  private async prepareExec(containerId: string, command: readonly string[]): Promise<ContainerLaunchSpec> {
    const r = this.live(containerId).record;
    if (r.state !== 'running') throw new ContainerNotRunningError(containerId);
    const sandbox = this.sandboxes.get(r.sandboxId);
    if (sandbox === undefined) throw new SandboxNotFoundError(r.sandboxId);
    const request: ContainerLaunchRequest = {
      containerId,
      argv: r.argv,
      env: r.env,
      workingDir: r.workingDir,
      mounts: r.config.mounts,
      limits: r.config.resources,
      containerDir: r.containerDir,
      ...(r.imageRootDir !== undefined ? { imageRootDir: r.imageRootDir } : {}),
    };
    return this.options.isolation.prepareExec(sandbox.isolation, request, command);
  }

  /** Watches a running container this worker did not start: its logs continue, its exit is polled. */
  private adopt(live: LiveContainer): void {
    const r = live.record;
    live.pidVerified = true;
    try {
      const writer = new ContainerLogWriter(r.logPath, this.rotation, this.options.clock);
      writer.attach('stdout', openFifoReader(r.stdoutFifoPath));
      writer.attach('stderr', openFifoReader(r.stderrFifoPath));
      live.writer = writer;
    } catch (err) {
      this.options.log.warn('cannot reopen container log streams', { containerId: r.id, error: err instanceof Error ? err.message : String(err) });
    }
    live.pollTimer = this.options.clock.setInterval(() => void this.pollExit(live), this.options.adoptedExitPollIntervalMs ?? DEFAULT_ADOPTED_EXIT_POLL_INTERVAL_MS);
    this.options.log.info('re-adopted running container', { containerId: r.id, pid: r.pid, name: r.config.name });
  }

  private async pollExit(live: LiveContainer): Promise<void> {
    const r = live.record;
    if (live.exiting || this.closed || r.state !== 'running' || r.pid === undefined || live.childExit !== undefined) return;
    if (r.startTimeTicks !== undefined && (await isSameProcessAlive(r.pid, r.startTimeTicks))) return;
    await this.finishExit(live);
  }

  /**
   * Whether the container's process group may be signalled now that its leader is gone: only when
   * this runtime saw the leader as the container (its child, or adopted after checking the start
   * time) and no other process has taken the pid since (a live pid with another start time).
   */
  private async groupIsStillOurs(live: LiveContainer): Promise<boolean> {
    const r = live.record;
    if (r.pid === undefined || !live.pidVerified) return false;
    const stat = await readProcStat(r.pid);
    return stat === undefined || stat.startTimeTicks === r.startTimeTicks;
  }

  /**
   * Records the end of a run: kills what is left of its process group (as the end of a pod's
   * PID namespace would), lets the logs drain, reads the exit code, then tells listeners.
   */
  private async finishExit(live: LiveContainer): Promise<void> {
    if (live.exiting) return;
    live.exiting = true;
    live.pollTimer?.cancel();
    const r = live.record;
    if (r.pid !== undefined && (await this.groupIsStillOurs(live))) signalProcessGroup(r.pid, 'SIGKILL');
    if (live.writer !== undefined) {
      let timer: TimerHandle | undefined;
      await Promise.race([live.writer.finished, new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, LOG_DRAIN_TIMEOUT_MS)))]);
      timer?.cancel();
      live.writer.close();
    }
    let exitCode = readExitFile(r.exitFilePath);
    let reason: string | undefined;
    let message: string | undefined;
    const child = live.childExit;
    if (exitCode === undefined && child !== undefined) exitCode = child.code ?? (child.signal ? exitCodeOfSignal(child.signal) : undefined);
    if (exitCode === undefined && r.killedByRuntime === true) exitCode = exitCodeOfSignal('SIGKILL');
    if (exitCode === undefined) {
      // Gone without a trace (killed with its wrapper while no runtime watched, or the pid was reused).
      exitCode = exitCodeOfSignal('SIGKILL');
      reason = 'ContainerStatusUnknown';
      message = 'The container could not be located when the runtime restarted';
    } else if (await this.options.isolation.wasOomKilled(r.id).catch(() => false)) {
      reason = 'OOMKilled';
    } else {
      reason = exitCode === 0 ? 'Completed' : 'Error';
    }
    r.state = 'exited';
    r.exitCode = exitCode;
    r.reason = reason;
    if (message !== undefined) r.message = message;
    r.finishedAtMs = this.options.clock.now();
    await this.save(live);
    live.resolveExited();
    if (this.closed) return;
    const status = containerStatusOf(r);
    for (const listener of [...this.exitListeners]) {
      try {
        listener(status);
      } catch (err) {
        this.options.log.error('container exit listener threw', { containerId: r.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}
