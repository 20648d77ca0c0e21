// validateObjectCreate / validateObjectUpdate: the per-kind validation kube-apiserver runs
// before storing an object, returning field errors (empty when valid).
import type { ApiFieldError } from '../field-errors.js';
import { validateObjectMetaUpdate } from './object-meta.js';
import type { GroupVersionKind } from '../registry.js';
import type { KubeObject } from '../types/meta.js';
import type { Scale } from '../types/workloads.js';
import { validateDaemonSet, validateDaemonSetUpdate, validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate, validateStatefulSet, validateStatefulSetUpdate } from './apps.js';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.js';
import {
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateEndpointsUpdate,
  validateEvent,
  validateEventUpdate,
  validateLease,
  validateLeaseUpdate,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validateScale,
  validateServiceAccount,
  validateServiceAccountUpdate,
} from './cluster.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateNonnegativeField } from './object-meta.js';

interface KindValidators {
  readonly create: (object: KubeObject) => ApiFieldError[];
  readonly update: (next: KubeObject, prev: KubeObject) => ApiFieldError[];
}

/**
 * Binds a kind's validators. Objects reaching validation have passed the decode check, so their
 * shape matches the kind's interface and reading them through it is sound.
 */
function kind<T extends KubeObject>(create: (object: T) => ApiFieldError[], update: (next: T, prev: T) => ApiFieldError[]): KindValidators {
  return { create: (object) => create(object as T), update: (next, prev) => update(next as T, prev as T) };
}

const VALIDATORS = new Map<string, KindValidators>([
  ['/v1/Pod', kind(validatePod, validatePodUpdate)],
  ['/v1/Namespace', kind(validateNamespace, validateNamespaceUpdate)],
  ['/v1/Node', kind(validateNode, validateNodeUpdate)],
  ['/v1/Service', kind(validateService, validateServiceUpdate)],
  ['/v1/Endpoints', kind(validateEndpoints, validateEndpointsUpdate)],
  ['/v1/ConfigMap', kind(validateConfigMap, validateConfigMapUpdate)],
  ['/v1/Secret', kind(validateSecret, validateSecretUpdate)],
  ['/v1/Event', kind(validateEvent, validateEventUpdate)],
  ['/v1/ServiceAccount', kind(validateServiceAccount, validateServiceAccountUpdate)],
  ['apps/v1/Deployment', kind(validateDeployment, validateDeploymentUpdate)],
  ['apps/v1/ReplicaSet', kind(validateReplicaSet, validateReplicaSetUpdate)],
  ['apps/v1/StatefulSet', kind(validateStatefulSet, validateStatefulSetUpdate)],
  ['apps/v1/DaemonSet', kind(validateDaemonSet, validateDaemonSetUpdate)],
  ['batch/v1/Job', kind(validateJob, validateJobUpdate)],
  ['batch/v1/CronJob', kind(validateCronJob, validateCronJobUpdate)],
  ['coordination.k8s.io/v1/Lease', kind(validateLease, validateLeaseUpdate)],
  ['autoscaling/v1/Scale', kind(validateScale, (next: Scale) => validateScale(next))],
  ['discovery.k8s.io/v1/EndpointSlice', kind(validateEndpointSlice, validateEndpointSliceUpdate)],
]);

function validatorsFor(gvk: GroupVersionKind): KindValidators {
  const validators = VALIDATORS.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
  if (validators === undefined) throw new RangeError(`no validation for ${gvk.group}/${gvk.version}/${gvk.kind}`);
  return validators;
}

/** Field errors of an object about to be created (after defaulting and create preparation). */
export function validateObjectCreate(gvk: GroupVersionKind, object: KubeObject): ApiFieldError[] {
  return validatorsFor(gvk).create(object);
}

/** Field errors of an update from `prev` to `next` (after update preparation). */
export function validateObjectUpdate(gvk: GroupVersionKind, next: KubeObject, prev: KubeObject): ApiFieldError[] {
  return validatorsFor(gvk).update(next, prev);
}

/** Counters in workload statuses that may never be negative. */
const NONNEGATIVE_STATUS_FIELDS = [
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'fullyLabeledReplicas',
  'currentReplicas',
  'observedGeneration',
  'collisionCount',
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'active',
  'succeeded',
  'failed',
  'ready',
  'terminating',
] as const;

/** Field errors of a write to the status subresource: metadata rules plus non-negative status counters. */
export function validateStatusUpdate(next: KubeObject, prev: KubeObject): ApiFieldError[] {
  const errors = validateObjectMetaUpdate(next.metadata, prev.metadata);
  const status = next.status;
  if (typeof status === 'object' && status !== null && !Array.isArray(status)) {
    const record = status as Record<string, unknown>;
    for (const key of NONNEGATIVE_STATUS_FIELDS) {
      const value = record[key];
      if (typeof value === 'number') errors.push(...validateNonnegativeField(value, `status.${key}`));
    }
  }
  return errors;
}
