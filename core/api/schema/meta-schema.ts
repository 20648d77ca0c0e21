// Schemas of the meta.k8s.io/v1 parts every kind shares.
import { anyJson, arrayOf, bool, i64, obj, str, stringList, stringMap, time, type FieldMap, type ObjectSchema } from './dsl.js';

export const ownerReferenceSchema = obj('OwnerReference', {
  apiVersion: str,
  kind: str,
  name: str,
  uid: str,
  controller: bool,
  blockOwnerDeletion: bool,
});

export const managedFieldsEntrySchema = obj('ManagedFieldsEntry', {
  manager: str,
  operation: str,
  apiVersion: str,
  time,
  fieldsType: str,
  fieldsV1: anyJson,
  subresource: str,
});

export const objectMetaSchema = obj('ObjectMeta', {
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: i64,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: i64,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: arrayOf(ownerReferenceSchema),
  finalizers: stringList,
  managedFields: arrayOf(managedFieldsEntrySchema),
});

export const labelSelectorSchema = obj('LabelSelector', {
  matchLabels: stringMap,
  matchExpressions: arrayOf(obj('LabelSelectorRequirement', { key: str, operator: str, values: stringList })),
});

export const objectReferenceSchema = obj('ObjectReference', {
  kind: str,
  namespace: str,
  name: str,
  uid: str,
  apiVersion: str,
  resourceVersion: str,
  fieldPath: str,
});

export const localObjectReferenceSchema = obj('LocalObjectReference', { name: str });

/** metav1.Condition, used by status conditions of newer APIs. */
export const metaConditionSchema = obj('Condition', {
  type: str,
  status: str,
  observedGeneration: i64,
  lastTransitionTime: time,
  reason: str,
  message: str,
});

/** A top-level kind: TypeMeta, ObjectMeta and the kind's own fields. */
export function topLevel(goType: string, fields: FieldMap): ObjectSchema {
  return obj(goType, { apiVersion: str, kind: str, metadata: objectMetaSchema, ...fields });
}
