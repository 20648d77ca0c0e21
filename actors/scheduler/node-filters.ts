// The filters that look at one node alone, in kube's default-profile order: NodeUnschedulable,
// NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit. The first that rejects a
// node decides its reasons, as kube's framework stops at the first failing filter plugin.

import type { Taint } from '../../core/index.js';
import type { SchedulerPluginName } from './fit-error.js';
import {
  insufficientResourceReason,
  REASON_NODE_AFFINITY,
  REASON_NODE_NAME,
  REASON_NODE_PORTS,
  REASON_NODE_UNSCHEDULABLE,
  REASON_TOO_MANY_PODS,
} from './fit-error.js';
import { podHasNodeConstraints, podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import type { SchedulerNodeInfo } from './node-info.js';
import { HOT_ALLOCATABLE_MEMORY_BYTES, HOT_ALLOCATABLE_MILLI_CPU, HOT_ALLOCATABLE_PODS, HOT_POD_COUNT, HOT_REQUESTED_MEMORY_BYTES, HOT_REQUESTED_MILLI_CPU } from './node-info.js';
import type { SchedulerPodInfo } from './pod-info.js';
import { formatTaintForReason, TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from './taints.js';

/** A node rejected: by which plugin, and its reasons. */
export interface FilterRejection {
  readonly plugin: SchedulerPluginName;
  readonly reasons: readonly string[];
}

const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

export function filterNodeUnschedulable(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  if (!node.unschedulable || tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
  return { plugin: 'NodeUnschedulable', reasons: [REASON_NODE_UNSCHEDULABLE] };
}

export function filterNodeName(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  const wanted = pod.pod.spec?.nodeName ?? '';
  if (wanted === '' || wanted === node.name) return undefined;
  return { plugin: 'NodeName', reasons: [REASON_NODE_NAME] };
}

/** The first NoSchedule or NoExecute taint the pod does not tolerate. */
export function untoleratedTaint(pod: SchedulerPodInfo, node: SchedulerNodeInfo): Taint | undefined {
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerationsTolerateTaint(pod.tolerations, taint)) return taint;
  }
  return undefined;
}

export function filterTaintToleration(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  const taint = untoleratedTaint(pod, node);
  if (taint === undefined) return undefined;
  return { plugin: 'TaintToleration', reasons: [`node(s) had untolerated taint ${formatTaintForReason(taint)}`] };
}

export function filterNodeAffinity(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  if (!podHasNodeConstraints(pod.pod) || node.node === undefined) return undefined;
  if (podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return undefined;
  return { plugin: 'NodeAffinity', reasons: [REASON_NODE_AFFINITY] };
}

export function filterNodePorts(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  for (const port of pod.hostPorts) if (node.hostPortConflicts(port)) return { plugin: 'NodePorts', reasons: [REASON_NODE_PORTS] };
  return undefined;
}

/** NodeResourcesFit: every resource the pod requests and the node lacks, after its pod count. */
export function filterNodeResourcesFit(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  const want = pod.requests;
  const have = node.allocatable.resources;
  const used = node.requested;
  const hot = node.hot;
  // The common case (it fits) reads only `hot` and allocates nothing: reasons are collected for a node that fails.
  const tooManyPods = hot[HOT_POD_COUNT]! + 1 > hot[HOT_ALLOCATABLE_PODS]!;
  const cpuShort = want.milliCpu > 0 && want.milliCpu > hot[HOT_ALLOCATABLE_MILLI_CPU]! - hot[HOT_REQUESTED_MILLI_CPU]!;
  const memoryShort = want.memoryBytes > 0 && want.memoryBytes > hot[HOT_ALLOCATABLE_MEMORY_BYTES]! - hot[HOT_REQUESTED_MEMORY_BYTES]!;
  const storageShort = want.ephemeralStorageBytes > 0 && want.ephemeralStorageBytes > have.ephemeralStorageBytes - used.ephemeralStorageBytes;
  let scalarShort: string[] | undefined;
  if (want.scalar.size > 0) {
    for (const [name, quantity] of want.scalar) {
      if (quantity > 0 && quantity > (have.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) (scalarShort ??= []).push(insufficientResourceReason(name));
    }
  }
  if (!tooManyPods && !cpuShort && !memoryShort && !storageShort && scalarShort === undefined) return undefined;
  const reasons: string[] = [];
  if (tooManyPods) reasons.push(REASON_TOO_MANY_PODS);
  if (cpuShort) reasons.push(insufficientResourceReason('cpu'));
  if (memoryShort) reasons.push(insufficientResourceReason('memory'));
  if (storageShort) reasons.push(insufficientResourceReason('ephemeral-storage'));
  if (scalarShort !== undefined) reasons.push(...scalarShort);
  return { plugin: 'NodeResourcesFit', reasons };
}

/** The node-local filters in kube's order; the first rejection wins. */
export function runNodeFilters(pod: SchedulerPodInfo, node: SchedulerNodeInfo): FilterRejection | undefined {
  return (
    filterNodeUnschedulable(pod, node) ??
    filterNodeName(pod, node) ??
    filterTaintToleration(pod, node) ??
    filterNodeAffinity(pod, node) ??
    filterNodePorts(pod, node) ??
    filterNodeResourcesFit(pod, node)
  );
}
