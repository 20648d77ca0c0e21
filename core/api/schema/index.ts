// Schemas by kind, and the strict-decoding checks built on them.
import { isJsonObject } from '../json.js';
import { ApiBadRequestError, cannotBeHandledError, strictDecodingMessage } from '../errors.js';
import type { GroupVersionKind } from '../registry.js';
import { checkAgainstSchema, type SchemaCheckResult } from './check.js';
import type { ObjectSchema } from './dsl.js';
import * as kinds from './kinds-schema.js';
import { podSchema } from './pod-schema.js';

export type { FieldSchema, ObjectSchema, ScalarKind } from './dsl.js';
export type { SchemaCheckResult } from './check.js';

const SCHEMAS = new Map<string, ObjectSchema>([
  ['/v1/Pod', podSchema],
  ['/v1/Namespace', kinds.namespaceSchema],
  ['/v1/Node', kinds.nodeSchema],
  ['/v1/Service', kinds.serviceSchema],
  ['/v1/Endpoints', kinds.endpointsSchema],
  ['/v1/ConfigMap', kinds.configMapSchema],
  ['/v1/Secret', kinds.secretSchema],
  ['/v1/Event', kinds.eventSchema],
  ['/v1/ServiceAccount', kinds.serviceAccountSchema],
  ['apps/v1/Deployment', kinds.deploymentSchema],
  ['apps/v1/ReplicaSet', kinds.replicaSetSchema],
  ['apps/v1/StatefulSet', kinds.statefulSetSchema],
  ['apps/v1/DaemonSet', kinds.daemonSetSchema],
  ['batch/v1/Job', kinds.jobSchema],
  ['batch/v1/CronJob', kinds.cronJobSchema],
  ['coordination.k8s.io/v1/Lease', kinds.leaseSchema],
  ['autoscaling/v1/Scale', kinds.scaleSchema],
  ['discovery.k8s.io/v1/EndpointSlice', kinds.endpointSliceSchema],
]);

/** The schema of a kind, or undefined for kinds not served. */
export function schemaForKind(gvk: GroupVersionKind): ObjectSchema | undefined {
  return SCHEMAS.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

/** Runs the decode-time checks of a kind on a decoded body. Throws for kinds without a schema. */
export function checkObjectSchema(gvk: GroupVersionKind, object: unknown): SchemaCheckResult {
  const schema = schemaForKind(gvk);
  if (schema === undefined) throw new RangeError(`no schema for ${gvk.group}/${gvk.version}/${gvk.kind}`);
  return checkAgainstSchema(schema, object);
}

/** Paths of fields a kind does not define, in document order (`spec.template.spec.containers[0].foo`). */
export function findUnknownFields(gvk: GroupVersionKind, object: unknown): string[] {
  return checkObjectSchema(gvk, object).unknownFields;
}

/** The `fieldValidation` query parameter's values. */
export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

/** Where a body came from: a full object (create/update) or the result of a patch. */
export type DecodeOrigin = 'body' | 'patch';

/**
 * Decodes a request body as kube-apiserver does: a value of the wrong type is always a 400;
 * unknown fields are a 400 under Strict, warnings under Warn, and ignored under Ignore.
 * Returns the warnings (`unknown field "spec.foo"`) to send as HTTP Warning headers.
 * Throws ApiBadRequestError worded as Kubernetes' (`Pod in version "v1" cannot be handled as a
 * Pod: …` for bodies; the bare `strict decoding error: …` for patches).
 */
export function decodeWithFieldValidation(
  gvk: GroupVersionKind,
  object: unknown,
  directive: FieldValidationDirective,
  origin: DecodeOrigin = 'body',
): string[] {
  if (!isJsonObject(object)) {
    throw cannotBeHandledError(gvk.kind, gvk.version, `json: cannot unmarshal ${Array.isArray(object) ? 'array' : typeof object} into Go value of type v1.${gvk.kind}`);
  }
  const result = checkObjectSchema(gvk, object);
  if (result.decodeError !== undefined) {
    if (origin === 'patch') throw new ApiBadRequestError(result.decodeError);
    throw cannotBeHandledError(gvk.kind, gvk.version, result.decodeError);
  }
  if (result.unknownFields.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Warn') return result.unknownFields.map((path) => `unknown field "${path}"`);
  const message = strictDecodingMessage(result.unknownFields);
  if (origin === 'patch') throw new ApiBadRequestError(message);
  throw cannotBeHandledError(gvk.kind, gvk.version, message);
}
