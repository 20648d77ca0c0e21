// The kubelet's Prometheus metrics, under the names kubelet uses. One set per process registry,
// shared by every kubelet of the process (a hollow worker runs many): running pods and
// containers are summed over its nodes.

import type { Registry } from 'prom-client';
import { Gauge, Histogram } from 'prom-client';

/** kubelet's pod start duration buckets (seconds), from sub-second to its 1 h ceiling. */
export const POD_START_DURATION_BUCKETS_SECONDS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/** Figures of one node, as its kubelet last counted them. */
export interface NodeRuntimeCounts {
  readonly runningPods: number;
  /** Containers by state (`running`, `exited`, `created`, `unknown`). */
  readonly containersByState: Readonly<Record<string, number>>;
}

/** One kubelet's handle on the shared metrics. */
export interface NodeKubeletMetrics {
  setCounts(counts: NodeRuntimeCounts): void;
  observePodStartSeconds(seconds: number): void;
  /** Withdraws this node's figures and name (the kubelet stopped). */
  remove(): void;
}

export class KubeletMetrics {
  private readonly counts = new Map<string, NodeRuntimeCounts>();
  private readonly nodeName: Gauge;
  private readonly podStart: Histogram;

  constructor(registry: Registry) {
    const counts = this.counts;
    this.nodeName = new Gauge({ name: 'kubelet_node_name', help: "The node's name. The count is always 1.", labelNames: ['node'], registers: [registry] });
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers: [registry],
      collect() {
        let sum = 0;
        for (const c of counts.values()) sum += c.runningPods;
        this.set(sum);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers: [registry],
      collect() {
        this.reset();
        const byState = new Map<string, number>();
        for (const c of counts.values()) for (const [state, n] of Object.entries(c.containersByState)) byState.set(state, (byState.get(state) ?? 0) + n);
        for (const [state, n] of byState) this.set({ container_state: state }, n);
      },
    });
    this.podStart = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from the kubelet seeing a pod for the first time to the pod starting to run',
      buckets: POD_START_DURATION_BUCKETS_SECONDS,
      registers: [registry],
    });
  }

  forNode(nodeName: string): NodeKubeletMetrics {
    this.nodeName.set({ node: nodeName }, 1);
    return {
      setCounts: (counts) => void this.counts.set(nodeName, counts),
      observePodStartSeconds: (seconds) => this.podStart.observe(seconds),
      remove: () => {
        this.counts.delete(nodeName);
        this.nodeName.remove({ node: nodeName });
      },
    };
  }
}
