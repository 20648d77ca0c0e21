import {
  atomicList,
  INT_OR_STRING,
  keyedList,
  LABEL_SELECTOR,
  LIST_META,
  mapOf,
  META_V1,
  MICRO_TIME,
  OBJECT_META,
  QUANTITY,
  ref,
  setList,
  TIME,
  type OpenApiTypeRegistry,
} from './schema-dsl.js';

/** apimachinery's shared types: metadata, selectors, Status, DeleteOptions and the named scalars. */
export const META_OPENAPI_TYPES: OpenApiTypeRegistry = {
  [QUANTITY]: {
    description: 'A fixed-point number with a suffix, such as 100m, 1Gi or 2.',
    scalarV2: { type: 'string' },
    scalarV3: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  },
  [INT_OR_STRING]: {
    description: 'An integer or a string (a port number or a port name, an absolute count or a percentage).',
    scalarV2: { type: 'string', format: 'int-or-string' },
    scalarV3: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  },
  [TIME]: {
    description: 'An RFC 3339 timestamp at second precision.',
    scalarV2: { type: 'string', format: 'date-time' },
    scalarV3: { type: 'string', format: 'date-time' },
  },
  [MICRO_TIME]: {
    description: 'An RFC 3339 timestamp at microsecond precision.',
    scalarV2: { type: 'string', format: 'date-time' },
    scalarV3: { type: 'string', format: 'date-time' },
  },
  [`${META_V1}FieldsV1`]: {
    description: 'The set of fields a manager owns, in the FieldsV1 trie format.',
    scalarV2: { type: 'object' },
    scalarV3: { type: 'object' },
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    description: 'An embedded object of any kind.',
    scalarV2: { type: 'object' },
    scalarV3: { type: 'object' },
  },
  [OBJECT_META]: {
    description: 'Metadata that all persisted resources must have.',
    properties: {
      name: 'string',
      generateName: 'string',
      namespace: 'string',
      selfLink: 'string',
      uid: 'string',
      resourceVersion: 'string',
      generation: 'int64',
      creationTimestamp: ref(TIME),
      deletionTimestamp: ref(TIME),
      deletionGracePeriodSeconds: 'int64',
      labels: mapOf('string'),
      annotations: mapOf('string'),
      ownerReferences: keyedList(ref(`${META_V1}OwnerReference`), 'uid'),
      finalizers: setList('string', 'merge'),
      managedFields: atomicList(ref(`${META_V1}ManagedFieldsEntry`)),
    },
  },
  [LIST_META]: {
    description: 'Metadata that synthetic resources (lists) have.',
    properties: { selfLink: 'string', resourceVersion: 'string', continue: 'string', remainingItemCount: 'int64' },
  },
  [`${META_V1}OwnerReference`]: {
    description: 'Identifies an owning object.',
    properties: { apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'boolean', blockOwnerDeletion: 'boolean' },
    required: ['apiVersion', 'kind', 'name', 'uid'],
    mapType: 'atomic',
  },
  [`${META_V1}ManagedFieldsEntry`]: {
    description: 'A workflow-id, a FieldSet and the group version of the resource it applies to.',
    properties: {
      manager: 'string',
      operation: 'string',
      apiVersion: 'string',
      time: ref(TIME),
      fieldsType: 'string',
      fieldsV1: ref(`${META_V1}FieldsV1`),
      subresource: 'string',
    },
  },
  [LABEL_SELECTOR]: {
    description: 'A label query over a set of resources; the requirements are ANDed.',
    properties: {
      matchLabels: mapOf('string'),
      matchExpressions: atomicList(ref(`${META_V1}LabelSelectorRequirement`)),
    },
    mapType: 'atomic',
  },
  [`${META_V1}LabelSelectorRequirement`]: {
    properties: { key: 'string', operator: 'string', values: atomicList('string') },
    required: ['key', 'operator'],
  },
  [`${META_V1}Condition`]: {
    description: 'One aspect of the current state of an object.',
    properties: {
      type: 'string',
      status: 'string',
      observedGeneration: 'int64',
      lastTransitionTime: ref(TIME),
      reason: 'string',
      message: 'string',
    },
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  },
  [`${META_V1}Status`]: {
    description: 'The return value of calls that do not return other objects.',
    properties: {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref(LIST_META),
      status: 'string',
      message: 'string',
      reason: 'string',
      details: ref(`${META_V1}StatusDetails`),
      code: 'int32',
    },
    gvk: [{ group: '', version: 'v1', kind: 'Status' }],
  },
  [`${META_V1}StatusDetails`]: {
    properties: {
      name: 'string',
      group: 'string',
      kind: 'string',
      uid: 'string',
      causes: atomicList(ref(`${META_V1}StatusCause`)),
      retryAfterSeconds: 'int32',
    },
  },
  [`${META_V1}StatusCause`]: {
    properties: { reason: 'string', message: 'string', field: 'string' },
  },
  [`${META_V1}Preconditions`]: {
    properties: { uid: 'string', resourceVersion: 'string' },
  },
  [`${META_V1}DeleteOptions`]: {
    description: 'Options for a DELETE request.',
    properties: {
      apiVersion: 'string',
      kind: 'string',
      gracePeriodSeconds: 'int64',
      preconditions: ref(`${META_V1}Preconditions`),
      orphanDependents: 'boolean',
      propagationPolicy: 'string',
      dryRun: atomicList('string'),
      ignoreStoreReadErrorWithClusterBreakingPotential: 'boolean',
    },
    gvk: ['', 'admission.k8s.io', 'apps', 'autoscaling', 'batch', 'coordination.k8s.io', 'discovery.k8s.io'].map((group) => ({
      group,
      version: 'v1',
      kind: 'DeleteOptions',
    })),
  },
  [`${META_V1}Patch`]: {
    description: 'The body of a PATCH request: a JSON patch, merge patch, strategic merge patch or apply configuration.',
    properties: {},
  },
  [`${META_V1}WatchEvent`]: {
    description: 'One event of a watch stream.',
    properties: { type: 'string', object: ref('io.k8s.apimachinery.pkg.runtime.RawExtension') },
    required: ['type', 'object'],
  },
};
