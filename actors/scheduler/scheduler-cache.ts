// The scheduler's picture of the cluster (kube's scheduler cache): nodes with their aggregates, the
// pods bound to them, and the pods it has assumed onto a node while their binding is in flight.
//
// Assume / forget / confirm: a pod is assumed onto its chosen node before the bind request goes
// out, so the next scheduling cycle already counts its resources and ports; a failed bind forgets
// it; the informer showing the pod bound confirms it (to whatever node the API says). Invariant:
// every pod in `pods` is in exactly one node's NodeInfo, the one its info names.

import type { Namespace, Node, Pod } from '../../core/index.js';
import { ControllerPodCounts } from './controller-pod-counts.js';
import { SchedulerNodeInfo } from './node-info.js';
import type { SchedulerPodInfo } from './pod-info.js';
import { hasPodAffinityTerms, schedulerPodInfoOf } from './pod-info.js';
import { LABEL_TOPOLOGY_ZONE } from './well-known-labels.js';

export { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from './well-known-labels.js';

/** Distinct zone values the cache numbers; beyond it nodes of new zones get no zoneId and spreading takes its slower general path. */
export const SCHEDULER_CACHE_MAX_INTERNED_ZONES = 1_024;

/** Thrown by assumePod for a pod already in the cache: a caller's bug (it scheduled a pod twice). */
export class PodAlreadyAssumedError extends Error {
  override readonly name = 'PodAlreadyAssumedError';
  constructor(readonly podKey: string) {
    super(`pod ${podKey} is already in the scheduler cache`);
  }
}

interface CachedPod {
  info: SchedulerPodInfo;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodeInfos = new Map<string, SchedulerNodeInfo>();
  private readonly pods = new Map<string, CachedPod>();
  /** Cached pods per namespace: what spreading and affinity count over. */
  private readonly podsByNamespace = new Map<string, Map<string, SchedulerPodInfo>>();
  /** Cached pods with required anti-affinity terms (the ones the incoming pod must not offend). */
  private readonly antiAffinityPods = new Map<string, SchedulerPodInfo>();
  /** Cached pods with any (anti-)affinity term (the existing pods the InterPodAffinity score looks at). */
  private readonly affinityPods = new Map<string, SchedulerPodInfo>();
  private readonly namespaceLabelsByName = new Map<string, Readonly<Record<string, string>>>();
  /** Nodes whose Node object is known, in a stable order; rebuilt only when nodes come or go. */
  private nodeListCache: SchedulerNodeInfo[] | undefined;
  private zoneLabelledNodes = 0;
  /** Controller uid → zone → its cached pods on nodes of that zone (default zone spreading reads this in O(1)). */
  private readonly controllerZoneCounts = new Map<string, Map<string, number>>();
  /** Controller uid → its cached pods per node ordinal (default hostname spreading reads this per node). */
  private readonly controllerNodeCounts = new ControllerPodCounts();
  /** Ordinals of NodeInfos that are gone, reused first. Invariant: disjoint from the ordinals in use, all < nextOrdinal. */
  private readonly freeOrdinals: number[] = [];
  private nextOrdinal = 0;
  /** Zone label values seen → their zoneId (SchedulerNodeInfo.zoneId); ids are never reused. */
  private readonly zoneIds = new Map<string, number>();
  /** zoneId → the zone value: the one string object every NodeInfo of that zone holds. */
  private readonly zoneValuesById: string[] = [];
  private zoneIdsExhausted = false;
  /** Invariant: the number of entries of `pods` with `assumed` set. */
  private assumedCount = 0;

  // ---- Nodes ----

  /** Adds or updates a node. */
  setNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.nodeInfoFor(name);
    if (info.node === undefined) this.nodeListCache = undefined;
    if (info.node !== undefined && hasZone(info.labels)) this.zoneLabelledNodes--;
    const oldZone = info.labels[LABEL_TOPOLOGY_ZONE];
    info.setNode(node);
    this.numberZone(info);
    if (hasZone(info.labels)) this.zoneLabelledNodes++;
    const newZone = info.labels[LABEL_TOPOLOGY_ZONE];
    if (oldZone !== newZone) {
      for (const pod of info.pods.values()) {
        this.countZone(pod.controllerUid, oldZone, -1);
        this.countZone(pod.controllerUid, newZone, 1);
      }
    }
  }

  /** Gives the node the id of its zone (and that zone's one string object), numbering a new zone. */
  private numberZone(info: SchedulerNodeInfo): void {
    const zone = info.zoneLabel;
    info.zoneId = -1;
    if (zone === undefined) return;
    let id = this.zoneIds.get(zone);
    if (id === undefined) {
      if (this.zoneValuesById.length >= SCHEDULER_CACHE_MAX_INTERNED_ZONES) {
        this.zoneIdsExhausted = true;
        return;
      }
      id = this.zoneValuesById.length;
      this.zoneIds.set(zone, id);
      this.zoneValuesById.push(zone);
    }
    info.zoneId = id;
    info.zoneLabel = this.zoneValuesById[id]!;
  }

  /**
   * How many zone ids there are (every SchedulerNodeInfo.zoneId is below it), or undefined when some
   * zoned node has no id (more distinct zones than SCHEDULER_CACHE_MAX_INTERNED_ZONES).
   */
  get zoneIdCount(): number | undefined {
    return this.zoneIdsExhausted ? undefined : this.zoneValuesById.length;
  }

  /** The zone value of a zoneId. */
  zoneValue(zoneId: number): string | undefined {
    return this.zoneValuesById[zoneId];
  }

  /** Cached pods of the controller on nodes whose zone label is `zone`. */
  controllerPodsInZone(controllerUid: string, zone: string): number {
    return this.controllerZoneCounts.get(controllerUid)?.get(zone) ?? 0;
  }

  /**
   * Cached pods of the controller per node, indexed by SchedulerNodeInfo.ordinal (read with
   * controllerPodsOnNode); undefined when it has none. Valid until the cache next changes.
   */
  controllerPodsByNode(controllerUid: string): Int32Array | undefined {
    return this.controllerNodeCounts.perNode(controllerUid);
  }

  private countZone(controllerUid: string, zone: string | undefined, by: number): void {
    if (controllerUid === '' || zone === undefined) return;
    let zones = this.controllerZoneCounts.get(controllerUid);
    if (zones === undefined) {
      zones = new Map();
      this.controllerZoneCounts.set(controllerUid, zones);
    }
    const n = (zones.get(zone) ?? 0) + by;
    if (n <= 0) zones.delete(zone);
    else zones.set(zone, n);
    if (zones.size === 0) this.controllerZoneCounts.delete(controllerUid);
  }

  removeNode(name: string): void {
    const info = this.nodeInfos.get(name);
    if (info?.node === undefined) return;
    if (hasZone(info.labels)) this.zoneLabelledNodes--;
    info.node = undefined;
    this.nodeListCache = undefined;
    // Pods still on it stay accounted (kube keeps such a NodeInfo until its pods are gone).
    if (info.pods.size === 0) this.dropNodeInfo(info);
  }

  /** The NodeInfo of `name`, created (with a fresh ordinal) if there is none. */
  private nodeInfoFor(name: string): SchedulerNodeInfo {
    let info = this.nodeInfos.get(name);
    if (info === undefined) {
      info = new SchedulerNodeInfo(name, this.freeOrdinals.pop() ?? this.nextOrdinal++);
      this.nodeInfos.set(name, info);
    }
    return info;
  }

  /** Forgets an empty NodeInfo; its ordinal is free again (every per-ordinal count of it is 0, as it has no pods). */
  private dropNodeInfo(info: SchedulerNodeInfo): void {
    this.nodeInfos.delete(info.name);
    this.freeOrdinals.push(info.ordinal);
  }

  /** Nodes with a Node object, in a stable order. The array is shared: do not mutate. */
  nodeList(): readonly SchedulerNodeInfo[] {
    this.nodeListCache ??= [...this.nodeInfos.values()].filter((n) => n.node !== undefined);
    return this.nodeListCache;
  }

  nodeInfo(name: string): SchedulerNodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  get nodeCount(): number {
    return this.nodeList().length;
  }

  /** Whether any node carries a zone label (default zone spreading is skipped otherwise). */
  get hasZonedNodes(): boolean {
    return this.zoneLabelledNodes > 0;
  }

  // ---- Namespaces ----

  setNamespace(namespace: Namespace): void {
    this.namespaceLabelsByName.set(namespace.metadata?.name ?? '', namespace.metadata?.labels ?? {});
  }

  removeNamespace(name: string): void {
    this.namespaceLabelsByName.delete(name);
  }

  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaceLabelsByName.get(name);
  }

  // ---- Pods ----

  /**
   * The informer's view of an assigned pod (add or update): confirms an assumed pod, moves a pod
   * whose node changed, and drops pods that are terminal (their resources are free again).
   */
  setPod(pod: Pod): void {
    const info = schedulerPodInfoOf(pod);
    if (info.nodeName === '' || info.terminal) {
      this.removePod(info.key);
      return;
    }
    this.removePod(info.key);
    this.insert({ info, assumed: false });
  }

  removePod(key: string): SchedulerPodInfo | undefined {
    const cached = this.pods.get(key);
    if (cached === undefined) return undefined;
    const info = cached.info;
    this.pods.delete(key);
    if (cached.assumed) this.assumedCount--;
    const nodeInfo = this.nodeInfos.get(info.nodeName);
    if (nodeInfo?.removePod(key) !== undefined) {
      this.countZone(info.controllerUid, nodeInfo.labels[LABEL_TOPOLOGY_ZONE], -1);
      this.controllerNodeCounts.add(info.controllerUid, nodeInfo.ordinal, -1);
    }
    if (nodeInfo !== undefined && nodeInfo.node === undefined && nodeInfo.pods.size === 0) this.dropNodeInfo(nodeInfo);
    const ns = this.podsByNamespace.get(info.namespace);
    ns?.delete(key);
    if (ns?.size === 0) this.podsByNamespace.delete(info.namespace);
    this.antiAffinityPods.delete(key);
    this.affinityPods.delete(key);
    return info;
  }

  /** Counts `pod` on `nodeName` until it is confirmed or forgotten. Throws PodAlreadyAssumedError if cached. */
  assumePod(pod: SchedulerPodInfo, nodeName: string): void {
    if (this.pods.has(pod.key)) throw new PodAlreadyAssumedError(pod.key);
    this.insert({ info: { ...pod, nodeName }, assumed: true });
  }

  /** Undoes assumePod after a failed bind; a no-op once the pod is confirmed (the API has it bound after all). */
  forgetPod(key: string): void {
    if (this.pods.get(key)?.assumed === true) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  get podCount(): number {
    return this.pods.size;
  }

  get assumedPodCount(): number {
    return this.assumedCount;
  }

  /** Cached pods of a namespace (shared map: do not mutate). */
  podsInNamespace(namespace: string): ReadonlyMap<string, SchedulerPodInfo> {
    return this.podsByNamespace.get(namespace) ?? EMPTY;
  }

  /** Cached pods carrying required anti-affinity terms. */
  podsWithRequiredAntiAffinity(): Iterable<SchedulerPodInfo> {
    return this.antiAffinityPods.values();
  }

  /** Cached pods with any (anti-)affinity term, required or preferred. */
  podsWithAffinityTerms(): Iterable<SchedulerPodInfo> {
    return this.affinityPods.values();
  }

  /** Every cached pod. */
  *allPods(): Iterable<SchedulerPodInfo> {
    for (const p of this.pods.values()) yield p.info;
  }

  private insert(cached: CachedPod): void {
    const info = cached.info;
    this.pods.set(info.key, cached);
    if (cached.assumed) this.assumedCount++;
    const nodeInfo = this.nodeInfoFor(info.nodeName);
    nodeInfo.addPod(info);
    this.countZone(info.controllerUid, nodeInfo.labels[LABEL_TOPOLOGY_ZONE], 1);
    this.controllerNodeCounts.add(info.controllerUid, nodeInfo.ordinal, 1);
    let ns = this.podsByNamespace.get(info.namespace);
    if (ns === undefined) {
      ns = new Map();
      this.podsByNamespace.set(info.namespace, ns);
    }
    ns.set(info.key, info);
    if (info.requiredAntiAffinity.length > 0) this.antiAffinityPods.set(info.key, info);
    if (hasPodAffinityTerms(info)) this.affinityPods.set(info.key, info);
  }
}

const EMPTY: ReadonlyMap<string, SchedulerPodInfo> = new Map();


function hasZone(labels: Readonly<Record<string, string>>): boolean {
  return labels[LABEL_TOPOLOGY_ZONE] !== undefined;
}
