// The resources the DaemonSet controller reads and writes, and its owner identity.

import type { GroupVersionResource } from '../../../core/index.js';

export const POD_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const NODE_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
export const DAEMONSET_RESOURCE: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'daemonsets' };
export const DAEMONSET_KIND = { group: 'apps', version: 'v1', kind: 'DaemonSet' } as const;
/** The label kube puts on DaemonSet pods with the DaemonSet's generation (deprecated, still set). */
export const DAEMONSET_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const DAEMONSET_REVISION_HASH_LABEL = 'controller-revision-hash';
