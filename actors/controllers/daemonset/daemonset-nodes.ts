// Which nodes a DaemonSet runs on (kube's NodeShouldRunDaemonPod): the pod it would create must
// fit the node's name, nodeSelector and required node affinity, and tolerate the node's taints.
// An untolerated NoSchedule taint keeps a new pod off (existing ones stay); an untolerated
// NoExecute taint also evicts. DaemonSet pods get kube's default tolerations first, and are
// pinned to their node with a required matchFields metadata.name affinity for the scheduler.

import type { DaemonSet, Node, Pod, Toleration } from '../../../core/index.js';
import { podMatchesNodeSelectorAndAffinity } from '../../scheduler/node-affinity.js';
import { tolerationsTolerateTaint } from '../../scheduler/taints.js';

/** The tolerations kube's AddOrUpdateDaemonPodTolerations gives every DaemonSet pod. */
export const DAEMONSET_DEFAULT_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
/** Added for host-network pods (kube does the same). */
const NETWORK_UNAVAILABLE_TOLERATION: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  const wanted = hostNetwork ? [...DAEMONSET_DEFAULT_TOLERATIONS, NETWORK_UNAVAILABLE_TOLERATION] : DAEMONSET_DEFAULT_TOLERATIONS;
  for (const t of wanted) if (!out.some((o) => o.key === t.key && o.effect === t.effect && (o.operator ?? 'Equal') === t.operator)) out.push({ ...t });
  return out;
}

/** The pod's node affinity replaced by one required term naming `nodeName` (kube's ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function pinToNode(pod: Pod, nodeName: string): void {
  const spec = pod.spec!;
  const affinity = { ...(spec.affinity ?? {}) };
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
  };
  spec.affinity = affinity;
}

/** The node a DaemonSet pod is for: its nodeName, else its pinned affinity (kube's GetTargetNodeName). */
export function daemonPodTargetNode(pod: Pod): string | undefined {
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName !== '') return nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

export interface NodePlacement {
  /** A daemon pod should be created here if missing. */
  readonly shouldRun: boolean;
  /** An existing daemon pod may stay. */
  readonly shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): NodePlacement {
  const pod: Pod = { spec: { ...(structuredClone(ds.spec?.template.spec) ?? { containers: [] }) } };
  pod.spec!.tolerations = withDaemonTolerations(pod.spec!.tolerations, pod.spec!.hostNetwork === true);
  const nodeName = pod.spec!.nodeName ?? '';
  if ((nodeName !== '' && nodeName !== node.metadata?.name) || !podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  let shouldRun = true;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' || tolerationsTolerateTaint(pod.spec!.tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return { shouldRun: false, shouldContinueRunning: false };
    shouldRun = false;
  }
  return { shouldRun, shouldContinueRunning: true };
}
