// How the node lifecycle controller tells a live node from a silent one, as kube's
// tryUpdateNodeHealth: it remembers, per node, when it last *observed* a heartbeat (a new Ready
// lastHeartbeatTime or a new Lease renewTime), measured on its own clock so skew between the
// kubelet's and the controller's clocks does not matter. A restarted controller starts every
// node's grace period afresh, as kube's does.

import type { Lease, Node, NodeCondition } from '../../../core/index.js';
import { formatRfc3339, parseRfc3339 } from '../../../core/index.js';
import { nodeCondition } from './node-taints.js';

/** Conditions set to Unknown when the kubelet goes silent (kube's nodeConditionTypes plus Ready). */
export const NODE_MONITORED_CONDITIONS: readonly string[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
export const NODE_STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';
export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
export const NODE_STATUS_NEVER_UPDATED_REASON = 'NodeStatusNeverUpdated';
export const NODE_STATUS_NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';

interface ObservedHealth {
  readyHeartbeat: string | undefined;
  leaseRenewTime: string | undefined;
  /** Controller-clock time of the last observed heartbeat. */
  probeMs: number;
}

/** Per-node observed heartbeats. Bounded by the number of nodes: entries go with their node (`forget`). */
export class NodeHealthTracker {
  private readonly byNode = new Map<string, ObservedHealth>();

  /**
   * Records what the node and its Lease show now and returns when the last heartbeat was
   * observed. A node seen for the first time counts from now, or from its creation when it has
   * never posted a Ready condition.
   */
  observe(node: Node, lease: Lease | undefined, nowMs: number): number {
    const name = node.metadata?.name ?? '';
    const readyHeartbeat = nodeCondition(node, 'Ready')?.lastHeartbeatTime ?? undefined;
    const leaseRenewTime = lease?.spec?.renewTime ?? undefined;
    const saved = this.byNode.get(name);
    if (saved === undefined) {
      const created = parseRfc3339(node.metadata?.creationTimestamp ?? '');
      const probeMs = nodeCondition(node, 'Ready') === undefined && created !== undefined ? Math.min(created, nowMs) : nowMs;
      this.byNode.set(name, { readyHeartbeat, leaseRenewTime, probeMs });
      return probeMs;
    }
    if (saved.readyHeartbeat !== readyHeartbeat) {
      saved.readyHeartbeat = readyHeartbeat;
      saved.probeMs = nowMs;
    }
    if (leaseRenewTime !== undefined && saved.leaseRenewTime !== leaseRenewTime) {
      saved.leaseRenewTime = leaseRenewTime;
      saved.probeMs = nowMs;
    }
    return saved.probeMs;
  }

  forget(nodeName: string): void {
    this.byNode.delete(nodeName);
  }

  get size(): number {
    return this.byNode.size;
  }
}

/**
 * The node's conditions with every monitored one set to Unknown (kube's "Kubelet stopped posting
 * node status"), keeping lastHeartbeatTime; undefined when they already all are.
 */
export function conditionsMarkedUnknown(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = formatRfc3339(nowMs);
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of NODE_MONITORED_CONDITIONS) {
    const i = conditions.findIndex((condition) => condition.type === type);
    const current = i < 0 ? undefined : conditions[i];
    if (current === undefined) {
      const created = node.metadata?.creationTimestamp ?? now;
      conditions.push({ type, status: 'Unknown', reason: NODE_STATUS_NEVER_UPDATED_REASON, message: NODE_STATUS_NEVER_UPDATED_MESSAGE, lastHeartbeatTime: created, lastTransitionTime: now });
      changed = true;
    } else if (current.status !== 'Unknown') {
      conditions[i] = { ...current, status: 'Unknown', reason: NODE_STATUS_UNKNOWN_REASON, message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
