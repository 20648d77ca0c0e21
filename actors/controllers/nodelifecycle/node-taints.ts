// The taints the node lifecycle controller owns (kube's TaintNodesByCondition and
// NoExecute tainting), and toleration matching as kube's Toleration.ToleratesTaint.

import type { Node, NodeCondition, Taint, Toleration } from '../../../core/index.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Every (key, effect) this controller adds and removes; other taints are the user's and left alone. */
const MANAGED_TAINTS: readonly (readonly [string, Taint['effect']])[] = [
  [TAINT_NODE_NOT_READY, 'NoExecute'],
  [TAINT_NODE_UNREACHABLE, 'NoExecute'],
  [TAINT_NODE_NOT_READY, 'NoSchedule'],
  [TAINT_NODE_UNREACHABLE, 'NoSchedule'],
  [TAINT_NODE_UNSCHEDULABLE, 'NoSchedule'],
  [TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule'],
  [TAINT_NODE_DISK_PRESSURE, 'NoSchedule'],
  [TAINT_NODE_PID_PRESSURE, 'NoSchedule'],
  [TAINT_NODE_NETWORK_UNAVAILABLE, 'NoSchedule'],
];

/** Pressure conditions that, when True, add a NoSchedule taint (kube's nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, string>> = {
  MemoryPressure: TAINT_NODE_MEMORY_PRESSURE,
  DiskPressure: TAINT_NODE_DISK_PRESSURE,
  PIDPressure: TAINT_NODE_PID_PRESSURE,
  NetworkUnavailable: TAINT_NODE_NETWORK_UNAVAILABLE,
};

function isManaged(taint: Taint): boolean {
  return MANAGED_TAINTS.some(([key, effect]) => taint.key === key && taint.effect === effect);
}

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((condition) => condition.type === type);
}

/** The managed taints `node` should carry, from its Ready and pressure conditions and spec.unschedulable. */
export function wantedManagedTaints(node: Node): { key: string; effect: Taint['effect'] }[] {
  const wanted: { key: string; effect: Taint['effect'] }[] = [];
  const ready = nodeCondition(node, 'Ready')?.status;
  if (ready === 'False') wanted.push({ key: TAINT_NODE_NOT_READY, effect: 'NoExecute' }, { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' });
  if (ready === 'Unknown') wanted.push({ key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' }, { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' });
  for (const [type, key] of Object.entries(CONDITION_TAINTS)) if (nodeCondition(node, type)?.status === 'True') wanted.push({ key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable === true) wanted.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  return wanted;
}

/**
 * The node's taints after reconciling the managed ones: the user's taints untouched, managed
 * taints that should stay keep their timeAdded, new NoExecute taints get timeAdded = now (the
 * eviction clock starts there). Undefined when nothing changes.
 */
export function reconcileNodeTaints(node: Node, nowRfc3339: string): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = wantedManagedTaints(node);
  const next: Taint[] = current.filter((taint) => !isManaged(taint) || wanted.some((w) => w.key === taint.key && w.effect === taint.effect));
  for (const w of wanted) {
    if (next.some((taint) => taint.key === w.key && taint.effect === w.effect)) continue;
    next.push(w.effect === 'NoExecute' ? { key: w.key, effect: w.effect, timeAdded: nowRfc3339 } : { key: w.key, effect: w.effect });
  }
  return next.length === current.length && next.every((taint, i) => taint === current[i]) ? undefined : next;
}

/** Whether `toleration` tolerates `taint` (kube's Toleration.ToleratesTaint). */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if ((toleration.effect ?? '') !== '' && toleration.effect !== taint.effect) return false;
  if ((toleration.key ?? '') !== '' && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}
