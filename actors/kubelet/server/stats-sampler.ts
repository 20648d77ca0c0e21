// The kubelet's resource usage sampler (cAdvisor's housekeeping, in small): every interval it
// reads the cumulative CPU time and working set of each running container and of the node, and
// keeps the last two readings of each, so a CPU rate is (Δ cpu time) / (Δ time) over the window
// between them. Memory is the latest reading.
//
// Invariants: at most MAX_SAMPLED_CONTAINERS containers are tracked; a container no longer
// running is dropped at the next round; rounds never overlap.

import { cpus, freemem, totalmem } from 'node:os';
import type { Clock, TimerHandle } from '../../../raft/index.js';
import type { KubeletContainerUsage, KubeletPodUsage, KubeletStatsSummary } from '../../../transport/index.js';
import type { ContainerRuntime, ContainerStats } from '../runtime/cri.js';

/** How often containers are sampled (kubelet's housekeeping interval). */
export const STATS_SAMPLE_INTERVAL_MS = 10_000;
/** Most containers one sampler tracks; more are left out of the summary. */
export const MAX_SAMPLED_CONTAINERS = 5_000;
/**
 * A summary asked for while some container has only one reading takes a fresh round, when the
 * last round is at least this old: `kubectl top` works seconds after a pod starts.
 */
export const MIN_STATS_WINDOW_MS = 1_000;

/** The node's own cumulative CPU time and memory in use. */
export interface NodeUsageReading {
  readonly cpuUsageCoreNanoSeconds: number;
  readonly memoryWorkingSetBytes: number;
}

/** The host's usage from the OS: CPU time of every core but idle, memory in use (total − available). */
export function hostNodeUsage(): NodeUsageReading {
  let busyMs = 0;
  for (const c of cpus()) busyMs += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return { cpuUsageCoreNanoSeconds: busyMs * 1e6, memoryWorkingSetBytes: Math.max(0, totalmem() - freemem()) };
}

interface Readings<T> {
  prev?: T;
  last: T;
}

interface ContainerIdentity {
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  readonly container: string;
}

export interface StatsSamplerOptions {
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  readonly nodeName: string;
  readonly intervalMs?: number;
  readonly nodeUsage?: () => NodeUsageReading;
}

export class StatsSampler {
  private readonly containers = new Map<string, { readonly id: ContainerIdentity; readings: Readings<ContainerStats> }>();
  private node: Readings<NodeUsageReading & { readonly timestampMs: number }> | undefined;
  private timer: TimerHandle | undefined;
  private round: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastRoundMs = -Infinity;
  private readonly intervalMs: number;
  private readonly nodeUsage: () => NodeUsageReading;

  constructor(private readonly o: StatsSamplerOptions) {
    this.intervalMs = o.intervalMs ?? STATS_SAMPLE_INTERVAL_MS;
    this.nodeUsage = o.nodeUsage ?? hostNodeUsage;
  }

  start(): void {
    if (this.timer !== undefined) return;
    void this.sampleNow();
    this.timer = this.o.clock.setInterval(() => void this.sampleNow(), this.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * A sampling round that starts now, or right after the running one (at most one round runs
   * and one waits; callers meanwhile share the waiting one). Never rejects: a container that
   * cannot be read is skipped.
   */
  sampleNow(): Promise<void> {
    if (this.round === undefined) return this.startRound();
    this.queued ??= this.round.then(() => {
      this.queued = undefined;
      return this.startRound();
    });
    return this.queued;
  }

  private startRound(): Promise<void> {
    this.round = this.sample().finally(() => {
      this.round = undefined;
      this.lastRoundMs = this.o.clock.now();
    });
    return this.round;
  }

  /** Usage of the node and of every running pod with a CPU rate. */
  async summary(): Promise<KubeletStatsSummary> {
    const needsRound = this.node?.prev === undefined || [...this.containers.values()].some((c) => c.readings.prev === undefined);
    if (needsRound && this.o.clock.now() - this.lastRoundMs >= MIN_STATS_WINDOW_MS) await this.sampleNow();
    const pods = new Map<string, { namespace: string; name: string; uid: string; timestampMs: number; windowMs: number; containers: KubeletContainerUsage[] }>();
    for (const { id, readings } of this.containers.values()) {
      const rate = cpuRate(readings.prev, readings.last);
      if (rate === undefined) continue;
      let pod = pods.get(id.podUid);
      if (pod === undefined) {
        pod = { namespace: id.namespace, name: id.pod, uid: id.podUid, timestampMs: readings.last.timestampMs, windowMs: rate.windowMs, containers: [] };
        pods.set(id.podUid, pod);
      }
      pod.timestampMs = Math.max(pod.timestampMs, readings.last.timestampMs);
      pod.windowMs = Math.max(pod.windowMs, rate.windowMs);
      pod.containers.push({ name: id.container, cpuUsageNanoCores: rate.nanoCores, memoryWorkingSetBytes: readings.last.memoryWorkingSetBytes });
    }
    const nodeRate = this.node === undefined ? undefined : cpuRate(this.node.prev, this.node.last);
    const podList: KubeletPodUsage[] = [...pods.values()];
    return {
      nodeName: this.o.nodeName,
      node: {
        cpuUsageNanoCores: nodeRate?.nanoCores ?? 0,
        memoryWorkingSetBytes: this.node?.last.memoryWorkingSetBytes ?? 0,
        timestampMs: this.node?.last.timestampMs ?? this.o.clock.now(),
        windowMs: nodeRate?.windowMs ?? 0,
      },
      pods: podList,
    };
  }

  private async sample(): Promise<void> {
    const now = this.o.clock.now();
    try {
      const reading = { ...this.nodeUsage(), timestampMs: now };
      this.node = this.node === undefined ? { last: reading } : { prev: this.node.last, last: reading };
    } catch {
      // the node reading is best effort
    }
    let sandboxes;
    let running;
    try {
      sandboxes = new Map((await this.o.runtime.listPodSandboxes()).map((s) => [s.id, s]));
      running = (await this.o.runtime.listContainers()).filter((c) => c.state === 'running').slice(0, MAX_SAMPLED_CONTAINERS);
    } catch {
      return;
    }
    const seen = new Set<string>();
    await Promise.all(
      running.map(async (c) => {
        const sandbox = sandboxes.get(c.sandboxId);
        if (sandbox === undefined) return;
        let stats: ContainerStats;
        try {
          stats = await this.o.runtime.containerStats(c.id);
        } catch {
          return;
        }
        seen.add(c.id);
        const known = this.containers.get(c.id);
        if (known === undefined) {
          this.containers.set(c.id, { id: { namespace: sandbox.podNamespace, pod: sandbox.podName, podUid: sandbox.podUid, container: c.name }, readings: { last: stats } });
        } else if (stats.timestampMs > known.readings.last.timestampMs) {
          known.readings = { prev: known.readings.last, last: stats };
        }
      }),
    );
    for (const id of [...this.containers.keys()]) if (!seen.has(id)) this.containers.delete(id);
  }
}

/** CPU use between two cumulative readings in nano-cores; undefined without two readings apart in time. */
function cpuRate(prev: { cpuUsageCoreNanoSeconds: number; timestampMs: number } | undefined, last: { cpuUsageCoreNanoSeconds: number; timestampMs: number }): { nanoCores: number; windowMs: number } | undefined {
  if (prev === undefined) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  const used = Math.max(0, last.cpuUsageCoreNanoSeconds - prev.cpuUsageCoreNanoSeconds);
  return { nanoCores: Math.round((used / (windowMs * 1e6)) * 1e9), windowMs };
}
