// The resources the ReplicaSet and Deployment controllers read and write, and the
// controller-owner identities they stamp on their dependents.

import type { GroupVersionResource } from '../../../core/index.js';

export const POD_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const REPLICA_SET_RESOURCE: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'replicasets' };
export const DEPLOYMENT_RESOURCE: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments' };

/** apiVersion and kind of an owner, as written into its dependents' ownerReferences. */
export interface OwnerKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export const REPLICA_SET_KIND: OwnerKind = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
export const DEPLOYMENT_KIND: OwnerKind = { group: 'apps', version: 'v1', kind: 'Deployment' };

/** Whether an owner reference's apiVersion names `kind`'s group (any version, as kube compares). */
export function ownerReferenceIsKind(reference: { apiVersion?: string; kind?: string }, kind: OwnerKind): boolean {
  if (reference.kind !== kind.kind) return false;
  const apiVersion = reference.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group === kind.group;
}
