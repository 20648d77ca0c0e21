// The container runtime interface the kubelet talks to: CRI's shape (sandboxes, containers,
// images, logs, exec, stats) without its gRPC wire. Implemented by the process runtime (real host
// processes, isolated with namespaces and cgroups when it has the rights) and the hollow runtime
// (nothing runs; for control-plane benchmarks at scale).
//
// Ids are opaque strings chosen by the runtime, stable across a worker restart: a restarted
// runtime lists the sandboxes and containers it had (re-adoption), so the kubelet can reconcile
// them instead of starting pods twice.

/** What a runtime could set up on this host; reported in the Node's status. */
export interface RuntimeIsolation {
  /** Each pod in its own PID, mount, UTS and IPC namespaces. */
  readonly namespaces: boolean;
  /** Which cgroup hierarchy enforces container limits; 'none' when limits are not enforced. */
  readonly cgroups: 'v1' | 'v2' | 'none';
  /** Why isolation is partial or absent (e.g. "not running as root"); absent when complete. */
  readonly reason?: string;
}

export interface PodSandboxConfig {
  readonly podUid: string;
  readonly podName: string;
  readonly podNamespace: string;
  /** The pod's hostname (spec.hostname, else its name); set in its UTS namespace when it has one. */
  readonly hostname: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type PodSandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  readonly id: string;
  readonly podUid: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly state: PodSandboxState;
  /** The pod's IP. Until pod networking exists, pods share the host's network and this is the node's IP. */
  readonly ip: string;
  readonly createdAtMs: number;
}

export interface ContainerMount {
  /** Absolute path inside the container. */
  readonly containerPath: string;
  /** What is mounted there: a file or directory on the host prepared by the volume manager. */
  readonly hostPath: string;
  readonly readOnly: boolean;
}

export interface ContainerResourceLimits {
  /** CPU limit in millicores; absent for none. */
  readonly cpuLimitMillis?: number;
  /** CPU request in millicores (cgroup shares / weight); absent for none. */
  readonly cpuRequestMillis?: number;
  /** Memory limit in bytes; exceeding it ends the container as OOMKilled (exit code 137). */
  readonly memoryLimitBytes?: number;
  /** Most processes the container may have; absent for the runtime's default. */
  readonly pidsLimit?: number;
}

export interface ContainerConfig {
  /** The container's name in the pod spec. */
  readonly name: string;
  /** 0 for the first start of this container in this pod, then its restart count. */
  readonly attempt: number;
  /** The image reference as the pod spec names it (`flotilla/echo`, `registry/app:1.2`). */
  readonly image: string;
  /** Overrides the image's entrypoint (Kubernetes `command`). */
  readonly command?: readonly string[];
  /** Overrides the image's default arguments (Kubernetes `args`). */
  readonly args?: readonly string[];
  /** Already resolved (valueFrom, envFrom, $(VAR) expansion done by the kubelet). */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly workingDir?: string;
  readonly mounts: readonly ContainerMount[];
  readonly resources: ContainerResourceLimits;
  /** Labels kept with the container (the kubelet stores pod uid, container name, restart count, hash). */
  readonly labels: Readonly<Record<string, string>>;
  readonly stdin?: boolean;
  readonly tty?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly attempt: number;
  readonly image: string;
  /** The resolved image id (e.g. `sha256:…` of its manifest). */
  readonly imageId: string;
  readonly state: ContainerState;
  readonly createdAtMs: number;
  /** Absent until started. */
  readonly startedAtMs?: number;
  /** Absent until exited. */
  readonly finishedAtMs?: number;
  /** Present once exited: 128+signal for a signal (137 for SIGKILL). */
  readonly exitCode?: number;
  /** `Completed`, `Error`, `OOMKilled`, `ContainerCannotRun`; present once exited. */
  readonly reason?: string;
  readonly message?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Where its log file is (the kubelet reads it for `pods/log`). */
  readonly logPath: string;
}

export interface ImageInfo {
  /** The reference as asked for. */
  readonly ref: string;
  /** `sha256:…` of the image's content. */
  readonly id: string;
  readonly sizeBytes: number;
}

export interface ContainerLogOptions {
  /** Keep streaming as the container writes (`kubectl logs -f`) until the container exits or the reader stops. */
  readonly follow?: boolean;
  /** Only the last N lines. */
  readonly tailLines?: number;
  /** Only lines written at or after this time. */
  readonly sinceMs?: number;
  /** Prefix each line with its RFC 3339 nanosecond timestamp, as Kubernetes does. */
  readonly timestamps?: boolean;
  /** Stop after this many bytes. */
  readonly limitBytes?: number;
}

/** A log line as written by the container: which stream, when, and the text without its newline. */
export interface ContainerLogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly timeMs: number;
  readonly text: string;
}

export interface ExecOptions {
  readonly stdin?: boolean;
  readonly tty?: boolean;
  /** Kill the command after this long (probes). */
  readonly timeoutMs?: number;
}

/** A running `exec`: the kubelet relays its streams to the API server's client. */
export interface ExecSession {
  /** Writes to the command's stdin (when opened with stdin). */
  writeStdin(data: Uint8Array): void;
  closeStdin(): void;
  /** Terminal size changes (when opened with tty). */
  resize(columns: number, rows: number): void;
  onStdout(handler: (data: Uint8Array) => void): void;
  onStderr(handler: (data: Uint8Array) => void): void;
  /** Resolves with the command's exit code once it has exited and its output is drained. */
  readonly exited: Promise<number>;
  /** Ends the command (SIGKILL). */
  kill(): void;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the command was killed for running past its timeout. */
  readonly timedOut: boolean;
}

export interface ContainerStats {
  readonly containerId: string;
  readonly timestampMs: number;
  /** Cumulative CPU time used, in nanoseconds (rate = Δ / Δt). */
  readonly cpuUsageCoreNanoSeconds: number;
  /** Memory in use, without page cache that can be reclaimed. */
  readonly memoryWorkingSetBytes: number;
}

/**
 * The runtime. Every method rejects with one of the typed errors in runtime-errors.ts on a known
 * failure (ImageNotFoundError, ContainerNotFoundError, …), never with a bare Error for those.
 * Methods are safe to call concurrently for different containers; the kubelet never issues two
 * lifecycle calls for the same container at once.
 */
export interface ContainerRuntime {
  /** `process` or `hollow`; shown as the Node's containerRuntimeVersion (`flotilla-process://0.1`). */
  readonly name: string;
  readonly version: string;
  readonly isolation: RuntimeIsolation;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (SIGKILL) and the sandbox itself. Idempotent. */
  stopPodSandbox(sandboxId: string): Promise<void>;
  /** Removes what the sandbox left (containers, their logs, namespaces, cgroups). Idempotent. */
  removePodSandbox(sandboxId: string): Promise<void>;
  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus>;
  listPodSandboxes(): Promise<PodSandboxStatus[]>;

  /** Makes the image available; rejects with ImageNotFoundError when no store has it. */
  pullImage(ref: string): Promise<ImageInfo>;
  /** The image when it is present, else undefined (no pull). */
  imageStatus(ref: string): Promise<ImageInfo | undefined>;

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /**
   * SIGTERM to the container's processes, then SIGKILL after `gracePeriodMs`; resolves once it
   * has exited. A no-op for one that is not running.
   */
  stopContainer(containerId: string, gracePeriodMs: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Containers of one sandbox, or of all when absent; exited ones stay until removed. */
  listContainers(sandboxId?: string): Promise<ContainerStatus[]>;
  /**
   * Calls `onExit` whenever a container exits (or is found exited on adoption), so the kubelet
   * need not poll. Returns the unsubscribe function.
   */
  onContainerExit(onExit: (status: ContainerStatus) => void): () => void;

  /** The container's log lines; with `follow`, until it exits or `signal` aborts. */
  readContainerLogs(containerId: string, options: ContainerLogOptions, signal?: AbortSignal): AsyncIterable<ContainerLogLine>;
  /** Runs `command` in the container's namespaces and environment (probes and hooks). */
  execSync(containerId: string, command: readonly string[], timeoutMs: number): Promise<ExecResult>;
  /** Starts an interactive `command` (`kubectl exec`). */
  exec(containerId: string, command: readonly string[], options: ExecOptions): Promise<ExecSession>;
  containerStats(containerId: string): Promise<ContainerStats>;

  /** Stops watching processes and closes files; leaves running containers running (they are re-adopted). */
  close(): Promise<void>;
}
