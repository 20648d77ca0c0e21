// Which fields each kind can be selected by, and the values of those fields for one object: the
// field label conversion functions and GetAttrs/ToSelectableFields of kube-apiserver's registries.

import { ParsedFieldSelector, type SelectableFields } from './field-selector.js';

/**
 * Thrown by `convertFieldSelectorForKind` for a field the kind does not support; the message is
 * kube-apiserver's (`field label not supported: spec.foo`, or for kinds without their own table
 * `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`), and
 * it answers with 400 BadRequest.
 */
export class FieldSelectorNotSupportedError extends Error {
  override readonly name = 'FieldSelectorNotSupportedError';

  constructor(
    readonly field: string,
    readonly group: string,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

interface KindFieldLabels {
  readonly fields: readonly string[];
  /** Old field names kept for old clients, mapped to the current one. */
  readonly renames?: Readonly<Record<string, string>>;
}

const META = ['metadata.name', 'metadata.namespace'] as const;

const EVENT_FIELDS: KindFieldLabels = {
  fields: [
    ...META,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
};

/** Kinds with their own field label conversion; keyed `group/Kind` ('' is the core group). */
const FIELD_LABELS: ReadonlyMap<string, KindFieldLabels> = new Map<string, KindFieldLabels>([
  [
    '/Pod',
    {
      fields: [
        ...META,
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ],
      renames: { 'spec.host': 'spec.nodeName' },
    },
  ],
  ['/Node', { fields: ['metadata.name', 'spec.unschedulable'] }],
  ['/ReplicationController', { fields: [...META, 'status.replicas'] }],
  ['/Event', EVENT_FIELDS],
  ['/Namespace', { fields: ['metadata.name', 'status.phase'] }],
  ['/Secret', { fields: [...META, 'type'] }],
  ['/Service', { fields: [...META, 'spec.clusterIP', 'spec.type'] }],
  ['apps/ReplicaSet', { fields: [...META, 'status.replicas'] }],
  ['batch/Job', { fields: [...META, 'status.successful'] }],
  ['certificates.k8s.io/CertificateSigningRequest', { fields: ['metadata.name', 'spec.signerName'] }],
]);

function labelsOf(group: string, kind: string): KindFieldLabels | undefined {
  return FIELD_LABELS.get(`${group}/${kind}`);
}

/** The field names `kind` of `group` ('' for core) can be selected by. */
export function supportedSelectorFields(group: string, kind: string): readonly string[] {
  return labelsOf(group, kind)?.fields ?? META;
}

/**
 * Checks every field of `selector` against the kind's table and applies its renames
 * (`spec.host` → `spec.nodeName` for pods), as the API server does before listing
 * (Scheme.ConvertFieldLabel). Throws FieldSelectorNotSupportedError.
 */
export function convertFieldSelectorForKind(selector: ParsedFieldSelector, group: string, kind: string): ParsedFieldSelector {
  const labels = labelsOf(group, kind);
  return selector.transform((field, value) => {
    if (labels === undefined) {
      if ((META as readonly string[]).includes(field)) return [field, value];
      const message = `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
      throw new FieldSelectorNotSupportedError(field, group, kind, message);
    }
    const renamed = labels.renames?.[field];
    if (renamed !== undefined) return [renamed, value];
    if (labels.fields.includes(field)) return [field, value];
    throw new FieldSelectorNotSupportedError(field, group, kind, `field label not supported: ${field}`);
  });
}

type Json = Readonly<Record<string, unknown>>;

function child(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json)[key] : undefined;
}

/** A string field, '' when absent (Go's zero value). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An integer field as strconv.Itoa prints it, '0' when absent. */
function integer(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(Math.trunc(value)) : '0';
}

/** A bool field as strconv.FormatBool prints it, 'false' when absent. */
function bool(value: unknown): string {
  return value === true ? 'true' : 'false';
}

type FieldExtractor = (object: Json) => Record<string, string>;

const POD_FIELDS: FieldExtractor = (pod) => {
  const spec = child(pod, 'spec');
  const status = child(pod, 'status');
  const podIPs = child(status, 'podIPs');
  const firstPodIP = Array.isArray(podIPs) ? text(child(podIPs[0], 'ip')) : '';
  return {
    'spec.nodeName': text(child(spec, 'nodeName')),
    'spec.restartPolicy': text(child(spec, 'restartPolicy')),
    'spec.schedulerName': text(child(spec, 'schedulerName')),
    'spec.serviceAccountName': text(child(spec, 'serviceAccountName')),
    'spec.hostNetwork': bool(child(spec, 'hostNetwork')),
    'status.phase': text(child(status, 'phase')),
    // The registry reads status.podIPs[0]; v1 clients may only have set status.podIP.
    'status.podIP': firstPodIP !== '' ? firstPodIP : text(child(status, 'podIP')),
    'status.nominatedNodeName': text(child(status, 'nominatedNodeName')),
  };
};

const EVENT_EXTRACTOR: FieldExtractor = (event) => {
  const involved = child(event, 'involvedObject');
  const reportingController = text(child(event, 'reportingComponent'));
  const component = text(child(child(event, 'source'), 'component'));
  return {
    'involvedObject.kind': text(child(involved, 'kind')),
    'involvedObject.namespace': text(child(involved, 'namespace')),
    'involvedObject.name': text(child(involved, 'name')),
    'involvedObject.uid': text(child(involved, 'uid')),
    'involvedObject.apiVersion': text(child(involved, 'apiVersion')),
    'involvedObject.resourceVersion': text(child(involved, 'resourceVersion')),
    'involvedObject.fieldPath': text(child(involved, 'fieldPath')),
    reason: text(child(event, 'reason')),
    reportingComponent: reportingController,
    source: component !== '' ? component : reportingController,
    type: text(child(event, 'type')),
  };
};

const EXTRACTORS: ReadonlyMap<string, FieldExtractor> = new Map<string, FieldExtractor>([
  ['/Pod', POD_FIELDS],
  ['/Node', (node) => ({ 'spec.unschedulable': bool(child(child(node, 'spec'), 'unschedulable')) })],
  ['/ReplicationController', (rc) => ({ 'status.replicas': integer(child(child(rc, 'status'), 'replicas')) })],
  ['/Event', EVENT_EXTRACTOR],
  ['/Namespace', (ns) => ({ 'status.phase': text(child(child(ns, 'status'), 'phase')) })],
  ['/Secret', (secret) => ({ type: text(child(secret, 'type')) })],
  [
    '/Service',
    (service) => ({
      'spec.clusterIP': text(child(child(service, 'spec'), 'clusterIP')),
      'spec.type': text(child(child(service, 'spec'), 'type')),
    }),
  ],
  ['apps/ReplicaSet', (rs) => ({ 'status.replicas': integer(child(child(rs, 'status'), 'replicas')) })],
  ['batch/Job', (job) => ({ 'status.successful': integer(child(child(job, 'status'), 'succeeded')) })],
  [
    'certificates.k8s.io/CertificateSigningRequest',
    (csr) => ({ 'spec.signerName': text(child(child(csr, 'spec'), 'signerName')) }),
  ],
]);

/**
 * The selectable fields of `object` (a JSON object of `kind` in `group`): `metadata.name`, plus
 * `metadata.namespace` when the kind is namespaced, plus the kind's own fields, valued as the
 * registries value them (absent strings '', absent counts '0', bools 'true'/'false').
 */
export function selectableFieldsOf(group: string, kind: string, object: Json, namespaced: boolean): SelectableFields {
  // A frozen object (the watch cache's) never changes: its fields are worked out once, however
  // many watchers' selectors look at it.
  const frozen = typeof object === 'object' && object !== null && Object.isFrozen(object);
  if (frozen) {
    const known = FROZEN_FIELDS.get(object);
    if (known !== undefined && known.group === group && known.kind === kind && known.namespaced === namespaced) return known.fields;
  }
  const fields = computeSelectableFields(group, kind, object, namespaced);
  if (frozen) FROZEN_FIELDS.set(object as object, { group, kind, namespaced, fields: Object.freeze(fields) });
  return fields;
}

const FROZEN_FIELDS = new WeakMap<object, { readonly group: string; readonly kind: string; readonly namespaced: boolean; readonly fields: SelectableFields }>();

function computeSelectableFields(group: string, kind: string, object: Json, namespaced: boolean): SelectableFields {
  const metadata = child(object, 'metadata');
  const fields: Record<string, string> = { 'metadata.name': text(child(metadata, 'name')) };
  if (namespaced) fields['metadata.namespace'] = text(child(metadata, 'namespace'));
  const extractor = EXTRACTORS.get(`${group}/${kind}`);
  return extractor === undefined ? fields : { ...fields, ...extractor(object) };
}

/** Whether `object` matches `selector` (already converted for its kind). */
export function fieldSelectorMatchesObject(
  selector: ParsedFieldSelector,
  group: string,
  kind: string,
  object: Json,
  namespaced: boolean,
): boolean {
  return selector.isEmpty() || selector.matches(selectableFieldsOf(group, kind, object, namespaced));
}
