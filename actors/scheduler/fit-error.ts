// Why a pod fits nowhere, worded exactly as kube-scheduler words it (the FitError message and the
// per-plugin reason strings), since users and tools read these from `kubectl describe pod`.

/** NodeUnschedulable: the node is cordoned and the pod does not tolerate that. */
export const REASON_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
/** NodeName: spec.nodeName names another node. */
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";
/** NodeAffinity: nodeSelector or required node affinity. */
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
/** NodePorts: a requested hostPort is taken. */
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
/** NodeResourcesFit: the node's pod count is at its limit. */
export const REASON_TOO_MANY_PODS = 'Too many pods';
/** InterPodAffinity reasons. */
export const REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
/** PodTopologySpread reasons. */
export const REASON_TOPOLOGY_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_TOPOLOGY_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
/** What a pod gets when there is no node at all (kube's ErrNoNodesAvailable). */
export const NO_NODES_AVAILABLE_MESSAGE = 'no nodes available to schedule pods';

/** NodeResourcesFit: not enough of `resource` left (`Insufficient cpu`). */
export function insufficientResourceReason(resource: string): string {
  return `Insufficient ${resource}`;
}

/** The filter plugins, by the names kube gives them (used to decide which cluster events may help a pod). */
export type SchedulerPluginName =
  | 'NodeUnschedulable'
  | 'NodeName'
  | 'TaintToleration'
  | 'NodeAffinity'
  | 'NodePorts'
  | 'NodeResourcesFit'
  | 'PodTopologySpread'
  | 'InterPodAffinity';

/** Per reason, how many nodes gave it (a node may give several, e.g. Insufficient cpu and memory). */
export class FitDiagnosis {
  readonly reasonCounts = new Map<string, number>();
  readonly unschedulablePlugins = new Set<SchedulerPluginName>();

  add(plugin: SchedulerPluginName, reasons: readonly string[]): void {
    this.unschedulablePlugins.add(plugin);
    for (const r of reasons) this.reasonCounts.set(r, (this.reasonCounts.get(r) ?? 0) + 1);
  }
}

/**
 * kube's FitError.Error(): `0/N nodes are available: ` then each `count reason`, the strings sorted,
 * joined by `, `, and a final `.`. Kube appends its preemption outcome after that; Flotilla does no
 * preemption, so that clause is never added.
 */
export function formatFitErrorMessage(numAllNodes: number, diagnosis: FitDiagnosis): string {
  const parts: string[] = [];
  for (const [reason, count] of diagnosis.reasonCounts) parts.push(`${count} ${reason}`);
  parts.sort(compareGoStrings);
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}

/** Go's sort.Strings order: by UTF-8 bytes (for the ASCII of reasons, plain code unit order). */
function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
