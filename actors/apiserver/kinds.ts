import {
  ApiBadRequestError,
  ApiInvalidError,
  applyDefaults,
  decodeWithFieldValidation,
  findUnknownFields,
  validateObjectCreate,
  validateObjectUpdate,
  validateStatusUpdate,
} from '../../core/index.js';
import type { ApiFieldError, ApiResourceType, FieldValidationDirective, GroupVersionKind, KubeObject } from '../../core/index.js';
import { isJsonMap, metaString } from './object-meta.js';
import type { JsonMap } from './object-meta.js';

/**
 * The per-kind steps of a write, from core/: decoding with field validation (unknown fields
 * are then pruned, as decoding into Kubernetes' typed structs drops them), defaulting, and
 * validation, which throws the 422 Invalid with every field error.
 */
export function decodeObject(type: GroupVersionKind, obj: unknown, directive: FieldValidationDirective, origin: 'body' | 'patch'): string[] {
  if (isJsonMap(obj)) nullsToZeroValues(obj);
  const warnings = decodeWithFieldValidation(type, obj, directive, origin);
  if (isJsonMap(obj)) for (const path of findUnknownFields(type, obj)) prunePath(obj, path);
  return warnings;
}

/**
 * JSON null decodes to Go's zero value: a null field is as if absent; a null list item is an
 * empty object among objects and an empty string otherwise; a null map value is ''.
 */
function nullsToZeroValues(obj: JsonMap): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) delete obj[k];
    else if (Array.isArray(v)) nullItems(v);
    else if (isJsonMap(v)) nullsToZeroValues(v);
  }
}

function nullItems(list: unknown[]): void {
  const objects = list.some((x) => isJsonMap(x));
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null) list[i] = objects ? {} : '';
    else if (Array.isArray(v)) nullItems(v);
    else if (isJsonMap(v)) nullsToZeroValues(v);
  }
}

export function defaultObject(type: GroupVersionKind, obj: JsonMap): void {
  applyDefaults(type, obj);
}

function invalid(type: ApiResourceType, obj: JsonMap, errors: readonly ApiFieldError[]): void {
  if (errors.length > 0) throw new ApiInvalidError({ group: type.group, kind: type.kind }, metaString(obj, 'name'), errors);
}

export function validateCreate(type: ApiResourceType, obj: JsonMap): void {
  invalid(type, obj, validateObjectCreate(type, obj as KubeObject));
}

export function validateUpdate(type: ApiResourceType, obj: JsonMap, old: JsonMap, subresource: string): void {
  // pods/binding sets spec.nodeName, which no pod update may change: kube's BindingREST writes past the update strategy.
  if (subresource === 'binding') return;
  const errors = subresource === 'status' ? validateStatusUpdate(obj as KubeObject, old as KubeObject) : validateObjectUpdate(type, obj as KubeObject, old as KubeObject);
  invalid(type, obj, errors);
}

/** Removes the field at a path like `spec.containers[0].foo` (unknown fields, as reported). */
function prunePath(obj: JsonMap, path: string): void {
  const steps: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return;
    if (m[1] !== '') steps.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  let cur: unknown = obj;
  for (let i = 0; i < steps.length - 1; i++) {
    const s = steps[i]!;
    cur = typeof s === 'number' ? (Array.isArray(cur) ? cur[s] : undefined) : isJsonMap(cur) ? cur[s] : undefined;
    if (cur === undefined) return;
  }
  const last = steps[steps.length - 1];
  if (typeof last === 'string' && isJsonMap(cur)) delete cur[last];
}

/** The apiVersion and kind of a body must be the endpoint's (or absent: then they are filled in). */
export function checkTypeMeta(type: ApiResourceType, obj: unknown, expectKind: { apiVersion: string; kind: string }): JsonMap {
  if (!isJsonMap(obj)) throw new ApiBadRequestError(`the body of the request is not a ${type.kind} object`);
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = obj[field];
    if (v === undefined || v === null || typeof v === 'string') continue;
    const goType = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
    throw new ApiBadRequestError(`couldn't get version/kind; json parse error: json: cannot unmarshal ${goType} into Go struct field .${field} of type string`);
  }
  const apiVersion = obj.apiVersion;
  const kind = obj.kind;
  if (kind !== undefined && kind !== '' && kind !== expectKind.kind) {
    throw new ApiBadRequestError(`the kind in the data (${String(kind)}) does not match the expected kind (${expectKind.kind})`);
  }
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== expectKind.apiVersion) {
    throw new ApiBadRequestError(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expectKind.apiVersion})`);
  }
  obj.apiVersion = expectKind.apiVersion;
  obj.kind = expectKind.kind;
  return obj;
}
