// The seam between the process runtime and whatever isolates its containers. The runtime owns
// processes, state files, logs and exit codes; an isolation owns namespaces, cgroups, mounts and
// root filesystems. `NoIsolation` (plain host processes) and `LinuxIsolation` (namespaces and
// cgroups, when the worker has the rights) implement it; the integrator picks one.

import type { ContainerMount, ContainerResourceLimits, RuntimeIsolation } from '../cri.js';

/** What a sandbox's isolation needs remembered across a worker restart (JSON-serialisable). */
export interface SandboxIsolationState {
  readonly [key: string]: unknown;
}

export interface ContainerLaunchRequest {
  readonly containerId: string;
  /** Command + args, resolved against the image. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly mounts: readonly ContainerMount[];
  readonly limits: ContainerResourceLimits;
  /** The runtime's private dir for this container (may hold a rootfs). */
  readonly containerDir: string;
  /**
   * The image's files on the host (its root filesystem as imported), which `argv` and
   * `workingDir` are relative to; absent for the shipped images, which run from the host's root.
   */
  readonly imageRootDir?: string;
}

/** How to spawn: the runtime spawns `file args` detached with this env/cwd, inside its exit-code wrapper. */
export interface ContainerLaunchSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export interface ContainerIsolation {
  readonly isolation: RuntimeIsolation;
  createSandbox(sandboxId: string, hostname: string): Promise<SandboxIsolationState>;
  /** Prepares cgroup, mounts, rootfs; returns how to spawn the container's command. */
  prepareContainer(sandbox: SandboxIsolationState, request: ContainerLaunchRequest): Promise<ContainerLaunchSpec>;
  /** How to spawn an exec'd command inside a running container (same namespaces, cgroup, root, env). */
  prepareExec(sandbox: SandboxIsolationState, request: ContainerLaunchRequest, argv: readonly string[]): Promise<ContainerLaunchSpec>;
  /** After the container exited: whether the kernel killed it for exceeding its memory limit. */
  wasOomKilled(containerId: string): Promise<boolean>;
  /** CPU ns and working-set bytes from its cgroup, or undefined without cgroups. */
  stats(containerId: string): Promise<{ readonly cpuUsageCoreNanoSeconds: number; readonly memoryWorkingSetBytes: number } | undefined>;
  /** Kills what is left in the container's cgroup and removes it and its mounts/rootfs. Idempotent. */
  removeContainer(containerId: string, containerDir: string): Promise<void>;
  /**
   * Ends the sandbox's namespaces holder. Idempotent. A sandbox another isolation made (the
   * worker restarted with or without --no-isolation) has nothing of this one's to end: it resolves.
   */
  destroySandbox(sandbox: SandboxIsolationState): Promise<void>;
  /**
   * Whether this isolation made the sandbox, so its containers can be prepared in it. A sandbox
   * it did not make is reported not ready, and the pod gets a new one.
   */
  ownsSandbox(sandbox: SandboxIsolationState): boolean;
}
