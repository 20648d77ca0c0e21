// ObjectMeta validation on create and update (apimachinery's ValidateObjectMeta*, plus the
// core/v1 rule that unqualified finalizer names must be standard ones).
import {
  childPath,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
  fieldTooLong,
  goStringSlice,
  GoSyntaxValue,
  indexPath,
  type ApiFieldError,
} from '../field-errors.js';
import { jsonEqual } from '../json.js';
import type { ObjectMeta, OwnerReference } from '../types/meta.js';
import { isDns1123Label, isQualifiedName, isValidLabelValue, utf8ByteLength, type NameValidator } from './names.js';

export const FIELD_IMMUTABLE_MESSAGE = 'field is immutable';
export const IS_NEGATIVE_MESSAGE = 'must be greater than or equal to 0';
/** Total bytes of annotation keys and values an object may carry: 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNonnegativeField(value: number | undefined | null, path: string): ApiFieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldInvalid(path, value, IS_NEGATIVE_MESSAGE)] : [];
}

/** `field is immutable` when the values differ (absent equals null). */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string, rendered?: unknown): ApiFieldError[] {
  return jsonEqual(newValue, oldValue) ? [] : [fieldInvalid(path, rendered ?? newValue ?? null, FIELD_IMMUTABLE_MESSAGE)];
}

/** Keys must be qualified names and values valid label values; errors are reported at `path` itself. */
export function validateLabels(labels: Record<string, string> | undefined | null, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of isQualifiedName(key)) errors.push(fieldInvalid(path, key, message));
    for (const message of isValidLabelValue(String(value))) errors.push(fieldInvalid(path, value, message));
  }
  return errors;
}

export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  let totalBytes = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const message of isQualifiedName(key.toLowerCase())) errors.push(fieldInvalid(path, key, message));
    totalBytes += utf8ByteLength(key) + utf8ByteLength(String(value));
  }
  if (totalBytes > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errors.push(fieldTooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errors;
}

function validateOwnerReference(reference: OwnerReference, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const apiVersion = reference.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (version === '') errors.push(fieldInvalid(childPath(path, 'apiVersion'), apiVersion, 'version must not be empty'));
  if ((reference.kind ?? '') === '') errors.push(fieldInvalid(childPath(path, 'kind'), reference.kind ?? '', 'must not be empty'));
  if ((reference.name ?? '') === '') errors.push(fieldInvalid(childPath(path, 'name'), reference.name ?? '', 'must not be empty'));
  if ((reference.uid ?? '') === '') errors.push(fieldInvalid(childPath(path, 'uid'), reference.uid ?? '', 'must not be empty'));
  if (group === '' && version === 'v1' && reference.kind === 'Event') {
    errors.push(fieldInvalid(path, reference, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return errors;
}

export function validateOwnerReferences(references: OwnerReference[] | undefined | null, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  let firstController = '';
  for (const reference of references ?? []) {
    errors.push(...validateOwnerReference(reference, path));
    if (reference.controller === true) {
      const current = `${reference.kind}/${reference.name}`;
      if (firstController !== '') {
        errors.push(
          fieldInvalid(
            path,
            references,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errors;
}

export function validateFinalizers(finalizers: string[] | undefined | null, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const list = finalizers ?? [];
  for (const finalizer of list) {
    for (const message of isQualifiedName(finalizer)) errors.push(fieldInvalid(path, finalizer, message));
  }
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errors.push(fieldInvalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  list.forEach((finalizer, index) => errors.push(...validateKubeFinalizerName(finalizer, indexPath(path, index))));
  return errors;
}

/** core/v1's extra rule: a finalizer without a domain prefix must be one of the standard ones. */
export function validateKubeFinalizerName(finalizer: string, path: string): ApiFieldError[] {
  return !finalizer.includes('/') && !STANDARD_FINALIZERS.has(finalizer)
    ? [fieldInvalid(path, finalizer, 'name is neither a standard finalizer name nor is it fully qualified')]
    : [];
}

function validateManagedFields(meta: ObjectMeta, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (meta.managedFields ?? []).forEach((entry, index) => {
    const entryPath = indexPath(path, index);
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') {
      errors.push(fieldInvalid(childPath(entryPath, 'operation'), entry.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (entry.fieldsType !== undefined && entry.fieldsType !== 'FieldsV1') {
      errors.push(fieldInvalid(childPath(entryPath, 'fieldsType'), entry.fieldsType, 'must be `FieldsV1`'));
    }
  });
  return errors;
}

export interface ObjectMetaRules {
  readonly namespaced: boolean;
  readonly nameValidator: NameValidator;
}

/** Validation of metadata on create. Expects name generation to have happened already. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: ObjectMetaRules, path = 'metadata'): ApiFieldError[] {
  const m = meta ?? {};
  const errors: ApiFieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName !== '') {
    for (const message of rules.nameValidator(generateName, true)) {
      errors.push(fieldInvalid(childPath(path, 'generateName'), generateName, message));
    }
  }
  const name = m.name ?? '';
  if (name === '') {
    errors.push(fieldRequired(childPath(path, 'name'), 'name or generateName is required'));
  } else {
    for (const message of rules.nameValidator(name, false)) errors.push(fieldInvalid(childPath(path, 'name'), name, message));
  }
  const namespace = m.namespace ?? '';
  if (rules.namespaced) {
    if (namespace === '') {
      errors.push(fieldRequired(childPath(path, 'namespace')));
    } else {
      for (const message of isDns1123Label(namespace)) errors.push(fieldInvalid(childPath(path, 'namespace'), namespace, message));
    }
  } else if (namespace !== '') {
    errors.push(fieldForbidden(childPath(path, 'namespace'), 'not allowed on this type'));
  }
  errors.push(...validateNonnegativeField(m.generation, childPath(path, 'generation')));
  errors.push(...validateLabels(m.labels, childPath(path, 'labels')));
  errors.push(...validateAnnotations(m.annotations, childPath(path, 'annotations')));
  errors.push(...validateOwnerReferences(m.ownerReferences, childPath(path, 'ownerReferences')));
  errors.push(...validateFinalizers(m.finalizers, childPath(path, 'finalizers')));
  errors.push(...validateManagedFields(m, childPath(path, 'managedFields')));
  return errors;
}

/** Go prints metav1.Time values as `2006-01-02 15:04:05 +0000 UTC`. */
function goTime(value: string | null | undefined): GoSyntaxValue {
  if (value == null || value === '') return new GoSyntaxValue('0001-01-01 00:00:00 +0000 UTC');
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(value);
  return new GoSyntaxValue(match === null ? value : `${match[1]} ${match[2]}${match[3] ?? ''} +0000 UTC`);
}

/** Validation of metadata on update: immutable fields, finalizers while deleting, and the create rules that still apply. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, path = 'metadata'): ApiFieldError[] {
  const next = newMeta ?? {};
  const prev = oldMeta ?? {};
  const errors: ApiFieldError[] = [];
  if (prev.deletionTimestamp != null && prev.deletionTimestamp !== '') {
    const added = [...new Set(next.finalizers ?? [])].filter((finalizer) => !(prev.finalizers ?? []).includes(finalizer)).sort();
    if (added.length > 0) {
      errors.push(
        fieldForbidden(
          childPath(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added).text}`,
        ),
      );
    }
  }
  if ((next.resourceVersion ?? '') === '') {
    errors.push(fieldInvalid(childPath(path, 'resourceVersion'), next.resourceVersion ?? '', 'must be specified for an update'));
  }
  if ((next.generation ?? 0) < (prev.generation ?? 0)) {
    errors.push(fieldInvalid(childPath(path, 'generation'), next.generation ?? 0, 'must not be decremented'));
  }
  errors.push(...validateImmutableField(next.name ?? '', prev.name ?? '', childPath(path, 'name')));
  errors.push(...validateImmutableField(next.namespace ?? '', prev.namespace ?? '', childPath(path, 'namespace')));
  errors.push(...validateImmutableField(next.uid ?? '', prev.uid ?? '', childPath(path, 'uid')));
  errors.push(
    ...validateImmutableField(next.creationTimestamp ?? null, prev.creationTimestamp ?? null, childPath(path, 'creationTimestamp'), goTime(next.creationTimestamp)),
  );
  errors.push(
    ...validateImmutableField(
      next.deletionTimestamp ?? null,
      prev.deletionTimestamp ?? null,
      childPath(path, 'deletionTimestamp'),
      next.deletionTimestamp == null ? null : goTime(next.deletionTimestamp),
    ),
  );
  errors.push(
    ...validateImmutableField(next.deletionGracePeriodSeconds ?? null, prev.deletionGracePeriodSeconds ?? null, childPath(path, 'deletionGracePeriodSeconds')),
  );
  errors.push(...validateLabels(next.labels, childPath(path, 'labels')));
  errors.push(...validateAnnotations(next.annotations, childPath(path, 'annotations')));
  errors.push(...validateOwnerReferences(next.ownerReferences, childPath(path, 'ownerReferences')));
  errors.push(...validateFinalizers(next.finalizers, childPath(path, 'finalizers')));
  errors.push(...validateManagedFields(next, childPath(path, 'managedFields')));
  return errors;
}
