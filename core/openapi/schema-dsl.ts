/**
 * A compact description of Kubernetes types, from which the OpenAPI v2 and v3 schemas are
 * generated. It models what clients read (field names, types, list semantics, patch strategy)
 * and nothing else; types not worth modelling field by field are `FREEFORM` objects.
 */

/** A group/version/kind, as the `x-kubernetes-group-version-kind` extension spells it. */
export interface OpenApiGroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Scalars, with the OpenAPI type and format kube publishes for them. */
export type OpenApiScalar = 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'byte';

/** A reference to a named type (a key of the type registry, e.g. `io.k8s.api.core.v1.PodSpec`). */
export interface OpenApiRefField {
  readonly ref: string;
  /** Strategic-merge-patch strategy on a struct field (only `retainKeys` is used by kube). */
  readonly patchStrategy?: string;
}

/** How a list is merged: kube's `+listType` plus the strategic-merge-patch strategy and key. */
export interface OpenApiListField {
  readonly list: OpenApiField;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  /** `merge` (by `mergeKey` for lists of objects) or `merge,retainKeys`; absent means replace. */
  readonly patchStrategy?: string;
  readonly mergeKey?: string;
}

/** A map from string keys to `map` values (labels, resource lists). */
export interface OpenApiMapField {
  readonly map: OpenApiField;
  /** `x-kubernetes-map-type`: atomic maps are replaced whole by apply. */
  readonly mapType?: 'atomic' | 'granular';
}

/** An object whose fields are not modelled; it keeps whatever it is given. */
export interface OpenApiFreeformField {
  readonly freeform: true;
}

export type OpenApiField = OpenApiScalar | OpenApiRefField | OpenApiListField | OpenApiMapField | OpenApiFreeformField;

/** A named object type. */
export interface OpenApiObjectType {
  readonly description?: string;
  readonly properties: Readonly<Record<string, OpenApiField>>;
  readonly required?: readonly string[];
  /** Set on top-level kinds (and their lists): the kinds this schema describes. */
  readonly gvk?: readonly OpenApiGroupVersionKind[];
  /** `x-kubernetes-map-type: atomic` on structs apply treats as one value (e.g. LabelSelector). */
  readonly mapType?: 'atomic';
}

/** A named scalar-like type whose v2 and v3 schemas differ (Quantity, IntOrString, Time). */
export interface OpenApiNamedScalar {
  readonly scalarV2: Readonly<Record<string, unknown>>;
  readonly scalarV3: Readonly<Record<string, unknown>>;
  readonly description?: string;
}

export type OpenApiType = OpenApiObjectType | OpenApiNamedScalar;

/** The type registry: definition name → type. */
export type OpenApiTypeRegistry = Readonly<Record<string, OpenApiType>>;

export function isNamedScalar(type: OpenApiType): type is OpenApiNamedScalar {
  return 'scalarV2' in type;
}

/** A field of a named type. */
export function ref(name: string, patchStrategy?: string): OpenApiRefField {
  return patchStrategy === undefined ? { ref: name } : { ref: name, patchStrategy };
}

/** A list replaced whole by apply and strategic merge (`+listType=atomic`). */
export function atomicList(item: OpenApiField): OpenApiListField {
  return { list: item, listType: 'atomic' };
}

/** A list of scalars merged as a set (`+listType=set`, patchStrategy merge where kube has it). */
export function setList(item: OpenApiField, patchStrategy?: string): OpenApiListField {
  return patchStrategy === undefined ? { list: item, listType: 'set' } : { list: item, listType: 'set', patchStrategy };
}

/**
 * A list of objects merged by key: strategic merge patch matches elements on `mergeKey`
 * (`+patchStrategy=merge`), server-side apply on `listMapKeys` (`+listType=map`).
 */
export function keyedList(
  item: OpenApiField,
  mergeKey: string,
  options: { listMapKeys?: readonly string[]; patchStrategy?: string; listType?: 'atomic' | 'map' } = {},
): OpenApiListField {
  return {
    list: item,
    listType: options.listType ?? 'map',
    listMapKeys: options.listType === 'atomic' ? undefined : options.listMapKeys ?? [mergeKey],
    patchStrategy: options.patchStrategy ?? 'merge',
    mergeKey,
  };
}

/** A string-keyed map. */
export function mapOf(value: OpenApiField, mapType?: 'atomic'): OpenApiMapField {
  return mapType === undefined ? { map: value } : { map: value, mapType };
}

/** An object kept as given (`x-kubernetes-preserve-unknown-fields`). */
export const FREEFORM: OpenApiFreeformField = { freeform: true };

/** kube's definition-name package for an API group ("" → core, "apps", "coordination.k8s.io" → coordination). */
export function definitionPackage(group: string): string {
  if (group === '') return 'core';
  return group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
}

/** kube's definition name of a kind: io.k8s.api.<package>.<version>.<Kind>. */
export function definitionName(gvk: OpenApiGroupVersionKind): string {
  return `io.k8s.api.${definitionPackage(gvk.group)}.${gvk.version}.${gvk.kind}`;
}

/** Prefixes of kube's definition names. */
export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE_V1 = 'io.k8s.api.core.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = `${META_V1}Time`;
export const MICRO_TIME = `${META_V1}MicroTime`;
export const OBJECT_META = `${META_V1}ObjectMeta`;
export const LIST_META = `${META_V1}ListMeta`;
export const LABEL_SELECTOR = `${META_V1}LabelSelector`;

/** The fields every top-level kind starts with. */
export function kindFields(): Record<string, OpenApiField> {
  return { apiVersion: 'string', kind: 'string', metadata: ref(OBJECT_META) };
}

/** The `<Kind>List` type for `itemType`, carrying the list's GVK. */
export function listType(itemType: string, gvk: OpenApiGroupVersionKind): OpenApiObjectType {
  return {
    description: `${gvk.kind} is a list of ${gvk.kind.replace(/List$/, '')} objects.`,
    properties: { apiVersion: 'string', kind: 'string', metadata: ref(LIST_META), items: { list: ref(itemType) } },
    required: ['items'],
    gvk: [gvk],
  };
}
