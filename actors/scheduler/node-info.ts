// One node as the scheduler sees it, with per-node aggregates kept up to date as pods come and go
// (kube's framework.NodeInfo): requested resources, host ports in use, and pods counted per
// controlling owner (for default spreading). Filters and scores read these in O(1).

import type { Node, Taint } from '../../core/index.js';
import type { SchedulerHostPort, SchedulerPodInfo } from './pod-info.js';
import type { NodeAllocatable, SchedulerResources } from './pod-requests.js';
import { addResources, emptyResources, nodeAllocatableOf } from './pod-requests.js';
import { effectiveTaintsOf } from './taints.js';
import { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from './well-known-labels.js';

const WILDCARD_IP = '0.0.0.0';

// Slots of SchedulerNodeInfo.hot: the figures NodeResourcesFit and the resource scores read for
// every node of every attempt, copied into one small array (8 doubles, stored inline with it) so a
// node costs one or two cache lines there instead of a walk over several objects and boxed numbers.
export const HOT_ALLOCATABLE_MILLI_CPU = 0;
export const HOT_ALLOCATABLE_MEMORY_BYTES = 1;
export const HOT_ALLOCATABLE_PODS = 2;
export const HOT_POD_COUNT = 3;
export const HOT_REQUESTED_MILLI_CPU = 4;
export const HOT_REQUESTED_MEMORY_BYTES = 5;
export const HOT_NON_ZERO_REQUESTED_MILLI_CPU = 6;
export const HOT_NON_ZERO_REQUESTED_MEMORY_BYTES = 7;
const HOT_SLOTS = 8;

export class SchedulerNodeInfo {
  /** Undefined while pods name a node the informer has not shown (yet), or after it was deleted with pods left. */
  node: Node | undefined;
  labels: Readonly<Record<string, string>> = {};
  /** labels[LABEL_HOSTNAME] and labels[LABEL_TOPOLOGY_ZONE], read by default spreading for every node of every attempt. */
  hostnameLabel: string | undefined;
  zoneLabel: string | undefined;
  /** The cache's number for zoneLabel (SchedulerCache.zoneIdCount); -1 without a zone label or outside a cache. */
  zoneId = -1;
  allocatable: NodeAllocatable = { resources: emptyResources(), pods: 0 };
  /** Spec taints plus those the Ready condition implies. */
  taints: readonly Taint[] = [];
  unschedulable = false;
  /** Image names present on the node (status.images). */
  images: ReadonlySet<string> = new Set();
  readonly pods = new Map<string, SchedulerPodInfo>();
  /** Invariant: the sum of `requests` over `pods`. */
  readonly requested: SchedulerResources = emptyResources();
  /** Invariant: the sum of `nonZeroRequests` over `pods`. */
  readonly nonZeroRequested: SchedulerResources = emptyResources();
  /** `protocol/port` → host IPs bound, one entry per pod port (so removal is exact). */
  private readonly usedPorts = new Map<string, string[]>();
  /** Pods per controlling owner uid. Invariant: no zero counts kept. */
  readonly controllerCounts = new Map<string, number>();
  /** Invariant: the HOT_* slots equal the fields they copy (allocatable, pods.size, requested, nonZeroRequested). */
  readonly hot = new Float64Array(HOT_SLOTS);

  /**
   * The node's slot in the cache's dense per-node arrays (ControllerPodCounts): unique among the
   * cache's NodeInfos, reused only after this one is gone; -1 for a NodeInfo outside a cache.
   */
  constructor(
    readonly name: string,
    readonly ordinal = -1,
  ) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.hostnameLabel = ownLabel(this.labels, LABEL_HOSTNAME);
    this.zoneLabel = ownLabel(this.labels, LABEL_TOPOLOGY_ZONE);
    this.allocatable = nodeAllocatableOf(node);
    this.hot[HOT_ALLOCATABLE_MILLI_CPU] = this.allocatable.resources.milliCpu;
    this.hot[HOT_ALLOCATABLE_MEMORY_BYTES] = this.allocatable.resources.memoryBytes;
    this.hot[HOT_ALLOCATABLE_PODS] = this.allocatable.pods;
    this.taints = effectiveTaintsOf(node);
    this.unschedulable = node.spec?.unschedulable === true;
    const images = new Set<string>();
    for (const image of node.status?.images ?? []) for (const n of image.names ?? []) images.add(n);
    this.images = images;
  }

  addPod(pod: SchedulerPodInfo): void {
    this.removePod(pod.key);
    this.pods.set(pod.key, pod);
    addResources(this.requested, pod.requests);
    addResources(this.nonZeroRequested, pod.nonZeroRequests);
    for (const p of pod.hostPorts) {
      const k = `${p.protocol}/${p.port}`;
      const ips = this.usedPorts.get(k) ?? [];
      ips.push(p.hostIP);
      this.usedPorts.set(k, ips);
    }
    if (pod.controllerUid !== '') this.controllerCounts.set(pod.controllerUid, (this.controllerCounts.get(pod.controllerUid) ?? 0) + 1);
    this.refreshHotRequests();
  }

  removePod(key: string): SchedulerPodInfo | undefined {
    const pod = this.pods.get(key);
    if (pod === undefined) return undefined;
    this.pods.delete(key);
    addResources(this.requested, pod.requests, -1);
    addResources(this.nonZeroRequested, pod.nonZeroRequests, -1);
    for (const p of pod.hostPorts) {
      const k = `${p.protocol}/${p.port}`;
      const ips = this.usedPorts.get(k);
      if (ips === undefined) continue;
      const i = ips.indexOf(p.hostIP);
      if (i >= 0) ips.splice(i, 1);
      if (ips.length === 0) this.usedPorts.delete(k);
    }
    if (pod.controllerUid !== '') {
      const n = (this.controllerCounts.get(pod.controllerUid) ?? 0) - 1;
      if (n <= 0) this.controllerCounts.delete(pod.controllerUid);
      else this.controllerCounts.set(pod.controllerUid, n);
    }
    this.refreshHotRequests();
    return pod;
  }

  private refreshHotRequests(): void {
    const hot = this.hot;
    hot[HOT_POD_COUNT] = this.pods.size;
    hot[HOT_REQUESTED_MILLI_CPU] = this.requested.milliCpu;
    hot[HOT_REQUESTED_MEMORY_BYTES] = this.requested.memoryBytes;
    hot[HOT_NON_ZERO_REQUESTED_MILLI_CPU] = this.nonZeroRequested.milliCpu;
    hot[HOT_NON_ZERO_REQUESTED_MEMORY_BYTES] = this.nonZeroRequested.memoryBytes;
  }

  /** The node's value of label `key` (undefined when it has none), the well-known keys without a lookup. */
  topologyValue(key: string): string | undefined {
    if (key === LABEL_HOSTNAME) return this.hostnameLabel;
    if (key === LABEL_TOPOLOGY_ZONE) return this.zoneLabel;
    return this.labels[key];
  }

  /** Whether `port` conflicts with one in use: same protocol and port, and the same IP or either being 0.0.0.0. */
  hostPortConflicts(port: SchedulerHostPort): boolean {
    const ips = this.usedPorts.get(`${port.protocol}/${port.port}`);
    if (ips === undefined) return false;
    if (port.hostIP === WILDCARD_IP) return ips.length > 0;
    return ips.some((ip) => ip === WILDCARD_IP || ip === port.hostIP);
  }
}

function ownLabel(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}
