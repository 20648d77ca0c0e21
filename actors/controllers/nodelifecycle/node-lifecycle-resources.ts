// The resources the node lifecycle controller reads and writes, and its settings.

import type { GroupVersionResource } from '../../../core/index.js';

export const NODE_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
export const NODE_LEASE_RESOURCE: GroupVersionResource = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const NODE_LIFECYCLE_POD_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
/** Where kubelets keep their heartbeat Leases, one per node, named after it. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * `context.settings` names read by the node lifecycle controller, with kube-controller-manager's
 * defaults: `nodeMonitorGracePeriodSeconds` (--node-monitor-grace-period, 40): silence after which
 * a node's conditions go Unknown; `nodeStartupGracePeriodSeconds` (--node-startup-grace-period,
 * 60): the same for a node that never posted a Ready condition.
 */
export const NODE_LIFECYCLE_SETTINGS = {
  nodeMonitorGracePeriodSeconds: 40,
  nodeStartupGracePeriodSeconds: 60,
} as const;

/** Pods evicted per node per pass; the rest on the next pass (requeued at once). */
export const NODE_EVICTIONS_PER_PASS = 100;
