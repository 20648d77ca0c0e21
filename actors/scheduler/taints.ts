// Taints and tolerations as the scheduler reads them (component-helpers' ToleratesTaint), plus the
// taints a node's conditions imply: kube's node lifecycle controller taints a node that is not
// Ready, and nothing here waits for such a controller, so the scheduler derives them itself.

import type { Node, NodeCondition, Taint, Toleration } from '../../core/index.js';

/** The taint kube puts on a cordoned node (spec.unschedulable), as the NodeUnschedulable filter tolerates it. */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
/** Taint of a node whose Ready condition is False (or missing: a node that never reported). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
/** Taint of a node whose Ready condition is Unknown (its kubelet stopped posting status). */
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

/** Whether `toleration` tolerates `taint`: same effect (or any), same key (or any with Exists), same value with Equal. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if ((toleration.effect ?? '') !== '' && toleration.effect !== taint.effect) return false;
  if ((toleration.key ?? '') !== '' && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  if (operator === 'Equal') return (toleration.value ?? '') === (taint.value ?? '');
  return false;
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The node's taints plus the NoSchedule taint its Ready condition implies, unless it already carries it. */
export function effectiveTaintsOf(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready: NodeCondition | undefined = node.status?.conditions?.find((c) => c.type === 'Ready');
  let implied: string | undefined;
  if (ready === undefined || ready.status === 'False') implied = TAINT_NODE_NOT_READY;
  else if (ready.status === 'Unknown') implied = TAINT_NODE_UNREACHABLE;
  if (implied !== undefined && !taints.some((t) => t.key === implied && t.effect === 'NoSchedule')) taints.push({ key: implied, effect: 'NoSchedule' });
  return taints;
}

/** `{key: value}` as kube prints a taint in "had untolerated taint" reasons. */
export function formatTaintForReason(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}
