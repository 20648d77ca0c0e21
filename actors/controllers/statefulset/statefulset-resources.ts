// The resources the StatefulSet controller reads and writes.

import type { GroupVersionResource } from '../../../core/index.js';

export const POD_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const STATEFULSET_RESOURCE: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'statefulsets' };
