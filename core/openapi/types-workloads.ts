import {
  atomicList,
  CORE_V1,
  FREEFORM,
  INT_OR_STRING,
  keyedList,
  kindFields,
  LABEL_SELECTOR,
  listType,
  mapOf,
  MICRO_TIME,
  OBJECT_META,
  ref,
  setList,
  TIME,
  type OpenApiObjectType,
  type OpenApiTypeRegistry,
  definitionName,
} from './schema-dsl.js';

/** A top-level kind in `group`/`version`, with its List type. */
function kind(group: string, version: string, name: string, description: string, fields: OpenApiObjectType['properties']): OpenApiTypeRegistry {
  const gvk = { group, version, kind: name };
  const listGvk = { group, version, kind: `${name}List` };
  return {
    [definitionName(gvk)]: { description, properties: { ...kindFields(), ...fields }, gvk: [gvk] },
    [definitionName(listGvk)]: listType(definitionName(gvk), listGvk),
  };
}

const apps = (name: string): string => `io.k8s.api.apps.v1.${name}`;
const batch = (name: string): string => `io.k8s.api.batch.v1.${name}`;
const POD_TEMPLATE = ref(`${CORE_V1}PodTemplateSpec`);

/** Fields of the conditions of apps/v1 statuses. */
function workloadCondition(withUpdateTime: boolean): OpenApiObjectType {
  return {
    properties: {
      type: 'string',
      status: 'string',
      ...(withUpdateTime ? { lastUpdateTime: ref(TIME) } : {}),
      lastTransitionTime: ref(TIME),
      reason: 'string',
      message: 'string',
    },
    required: ['type', 'status'],
  };
}

/** apps/v1, batch/v1, coordination.k8s.io/v1, discovery.k8s.io/v1 and autoscaling/v1 Scale. */
export const WORKLOAD_OPENAPI_TYPES: OpenApiTypeRegistry = {
  ...kind('apps', 'v1', 'Deployment', 'Declarative updates for pods and replica sets.', {
    spec: ref(apps('DeploymentSpec')),
    status: ref(apps('DeploymentStatus')),
  }),
  [apps('DeploymentSpec')]: {
    properties: {
      replicas: 'int32',
      selector: ref(LABEL_SELECTOR),
      template: POD_TEMPLATE,
      strategy: ref(apps('DeploymentStrategy'), 'retainKeys'),
      minReadySeconds: 'int32',
      revisionHistoryLimit: 'int32',
      paused: 'boolean',
      progressDeadlineSeconds: 'int32',
    },
    required: ['selector', 'template'],
  },
  [apps('DeploymentStrategy')]: { properties: { type: 'string', rollingUpdate: ref(apps('RollingUpdateDeployment')) } },
  [apps('RollingUpdateDeployment')]: { properties: { maxUnavailable: ref(INT_OR_STRING), maxSurge: ref(INT_OR_STRING) } },
  [apps('DeploymentStatus')]: {
    properties: {
      observedGeneration: 'int64',
      replicas: 'int32',
      updatedReplicas: 'int32',
      readyReplicas: 'int32',
      availableReplicas: 'int32',
      unavailableReplicas: 'int32',
      conditions: keyedList(ref(apps('DeploymentCondition')), 'type'),
      collisionCount: 'int32',
    },
  },
  [apps('DeploymentCondition')]: workloadCondition(true),
  ...kind('apps', 'v1', 'ReplicaSet', 'Ensures that a specified number of pod replicas are running.', {
    spec: ref(apps('ReplicaSetSpec')),
    status: ref(apps('ReplicaSetStatus')),
  }),
  [apps('ReplicaSetSpec')]: {
    properties: { replicas: 'int32', minReadySeconds: 'int32', selector: ref(LABEL_SELECTOR), template: POD_TEMPLATE },
    required: ['selector'],
  },
  [apps('ReplicaSetStatus')]: {
    properties: {
      replicas: 'int32',
      fullyLabeledReplicas: 'int32',
      readyReplicas: 'int32',
      availableReplicas: 'int32',
      observedGeneration: 'int64',
      conditions: keyedList(ref(apps('ReplicaSetCondition')), 'type'),
    },
    required: ['replicas'],
  },
  [apps('ReplicaSetCondition')]: workloadCondition(false),
  ...kind('apps', 'v1', 'StatefulSet', 'Pods with stable identities and storage.', {
    spec: ref(apps('StatefulSetSpec')),
    status: ref(apps('StatefulSetStatus')),
  }),
  [apps('StatefulSetSpec')]: {
    properties: {
      replicas: 'int32',
      selector: ref(LABEL_SELECTOR),
      template: POD_TEMPLATE,
      volumeClaimTemplates: atomicList(ref(`${CORE_V1}PersistentVolumeClaim`)),
      serviceName: 'string',
      podManagementPolicy: 'string',
      updateStrategy: ref(apps('StatefulSetUpdateStrategy')),
      revisionHistoryLimit: 'int32',
      minReadySeconds: 'int32',
      persistentVolumeClaimRetentionPolicy: ref(apps('StatefulSetPersistentVolumeClaimRetentionPolicy')),
      ordinals: ref(apps('StatefulSetOrdinals')),
    },
    required: ['selector', 'template'],
  },
  [apps('StatefulSetUpdateStrategy')]: { properties: { type: 'string', rollingUpdate: ref(apps('RollingUpdateStatefulSetStrategy')) } },
  [apps('RollingUpdateStatefulSetStrategy')]: { properties: { partition: 'int32', maxUnavailable: ref(INT_OR_STRING) } },
  [apps('StatefulSetPersistentVolumeClaimRetentionPolicy')]: { properties: { whenDeleted: 'string', whenScaled: 'string' } },
  [apps('StatefulSetOrdinals')]: { properties: { start: 'int32' } },
  [apps('StatefulSetStatus')]: {
    properties: {
      observedGeneration: 'int64',
      replicas: 'int32',
      readyReplicas: 'int32',
      currentReplicas: 'int32',
      updatedReplicas: 'int32',
      currentRevision: 'string',
      updateRevision: 'string',
      collisionCount: 'int32',
      conditions: keyedList(ref(apps('StatefulSetCondition')), 'type'),
      availableReplicas: 'int32',
    },
    required: ['replicas'],
  },
  [apps('StatefulSetCondition')]: workloadCondition(false),
  ...kind('apps', 'v1', 'DaemonSet', 'Runs a copy of a pod on each eligible node.', {
    spec: ref(apps('DaemonSetSpec')),
    status: ref(apps('DaemonSetStatus')),
  }),
  [apps('DaemonSetSpec')]: {
    properties: {
      selector: ref(LABEL_SELECTOR),
      template: POD_TEMPLATE,
      updateStrategy: ref(apps('DaemonSetUpdateStrategy')),
      minReadySeconds: 'int32',
      revisionHistoryLimit: 'int32',
    },
    required: ['selector', 'template'],
  },
  [apps('DaemonSetUpdateStrategy')]: { properties: { type: 'string', rollingUpdate: ref(apps('RollingUpdateDaemonSet')) } },
  [apps('RollingUpdateDaemonSet')]: { properties: { maxUnavailable: ref(INT_OR_STRING), maxSurge: ref(INT_OR_STRING) } },
  [apps('DaemonSetStatus')]: {
    properties: {
      currentNumberScheduled: 'int32',
      numberMisscheduled: 'int32',
      desiredNumberScheduled: 'int32',
      numberReady: 'int32',
      observedGeneration: 'int64',
      updatedNumberScheduled: 'int32',
      numberAvailable: 'int32',
      numberUnavailable: 'int32',
      collisionCount: 'int32',
      conditions: keyedList(ref(apps('DaemonSetCondition')), 'type'),
    },
    required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
  },
  [apps('DaemonSetCondition')]: workloadCondition(false),
  ...kind('batch', 'v1', 'Job', 'A single job: pods that run to completion.', { spec: ref(batch('JobSpec')), status: ref(batch('JobStatus')) }),
  [batch('JobSpec')]: {
    properties: {
      parallelism: 'int32',
      completions: 'int32',
      activeDeadlineSeconds: 'int64',
      podFailurePolicy: FREEFORM,
      successPolicy: FREEFORM,
      backoffLimit: 'int32',
      backoffLimitPerIndex: 'int32',
      maxFailedIndexes: 'int32',
      selector: ref(LABEL_SELECTOR),
      manualSelector: 'boolean',
      template: POD_TEMPLATE,
      ttlSecondsAfterFinished: 'int32',
      completionMode: 'string',
      suspend: 'boolean',
      podReplacementPolicy: 'string',
      managedBy: 'string',
    },
    required: ['template'],
  },
  [batch('JobStatus')]: {
    properties: {
      conditions: keyedList(ref(batch('JobCondition')), 'type', { listType: 'atomic' }),
      startTime: ref(TIME),
      completionTime: ref(TIME),
      active: 'int32',
      succeeded: 'int32',
      failed: 'int32',
      terminating: 'int32',
      completedIndexes: 'string',
      failedIndexes: 'string',
      uncountedTerminatedPods: FREEFORM,
      ready: 'int32',
    },
  },
  [batch('JobCondition')]: {
    properties: {
      type: 'string',
      status: 'string',
      lastProbeTime: ref(TIME),
      lastTransitionTime: ref(TIME),
      reason: 'string',
      message: 'string',
    },
    required: ['type', 'status'],
  },
  ...kind('batch', 'v1', 'CronJob', 'Runs a job on a schedule.', { spec: ref(batch('CronJobSpec')), status: ref(batch('CronJobStatus')) }),
  [batch('CronJobSpec')]: {
    properties: {
      schedule: 'string',
      timeZone: 'string',
      startingDeadlineSeconds: 'int64',
      concurrencyPolicy: 'string',
      suspend: 'boolean',
      jobTemplate: ref(batch('JobTemplateSpec')),
      successfulJobsHistoryLimit: 'int32',
      failedJobsHistoryLimit: 'int32',
    },
    required: ['schedule', 'jobTemplate'],
  },
  [batch('JobTemplateSpec')]: { properties: { metadata: ref(OBJECT_META), spec: ref(batch('JobSpec')) } },
  [batch('CronJobStatus')]: {
    properties: {
      active: atomicList(ref(`${CORE_V1}ObjectReference`)),
      lastScheduleTime: ref(TIME),
      lastSuccessfulTime: ref(TIME),
    },
  },
  ...kind('coordination.k8s.io', 'v1', 'Lease', 'A lease: who holds it and until when.', {
    spec: ref('io.k8s.api.coordination.v1.LeaseSpec'),
  }),
  'io.k8s.api.coordination.v1.LeaseSpec': {
    properties: {
      holderIdentity: 'string',
      leaseDurationSeconds: 'int32',
      acquireTime: ref(MICRO_TIME),
      renewTime: ref(MICRO_TIME),
      leaseTransitions: 'int32',
      strategy: 'string',
      preferredHolder: 'string',
    },
  },
  ...kind('discovery.k8s.io', 'v1', 'EndpointSlice', 'A subset of the endpoints that implement a service.', {
    addressType: 'string',
    endpoints: atomicList(ref('io.k8s.api.discovery.v1.Endpoint')),
    ports: atomicList(ref('io.k8s.api.discovery.v1.EndpointPort')),
  }),
  'io.k8s.api.discovery.v1.Endpoint': {
    properties: {
      addresses: setList('string'),
      conditions: ref('io.k8s.api.discovery.v1.EndpointConditions'),
      hostname: 'string',
      targetRef: ref(`${CORE_V1}ObjectReference`),
      deprecatedTopology: mapOf('string'),
      nodeName: 'string',
      zone: 'string',
      hints: ref('io.k8s.api.discovery.v1.EndpointHints'),
    },
    required: ['addresses'],
  },
  'io.k8s.api.discovery.v1.EndpointConditions': { properties: { ready: 'boolean', serving: 'boolean', terminating: 'boolean' } },
  'io.k8s.api.discovery.v1.EndpointHints': { properties: { forZones: atomicList(ref('io.k8s.api.discovery.v1.ForZone')) } },
  'io.k8s.api.discovery.v1.ForZone': { properties: { name: 'string' }, required: ['name'] },
  'io.k8s.api.discovery.v1.EndpointPort': {
    properties: { name: 'string', protocol: 'string', port: 'int32', appProtocol: 'string' },
    mapType: 'atomic',
  },
  'io.k8s.api.autoscaling.v1.Scale': {
    description: 'The scale of a workload: desired and observed replicas.',
    properties: {
      ...kindFields(),
      spec: ref('io.k8s.api.autoscaling.v1.ScaleSpec'),
      status: ref('io.k8s.api.autoscaling.v1.ScaleStatus'),
    },
    gvk: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
  },
  'io.k8s.api.autoscaling.v1.ScaleSpec': { properties: { replicas: 'int32' } },
  'io.k8s.api.autoscaling.v1.ScaleStatus': { properties: { replicas: 'int32', selector: 'string' }, required: ['replicas'] },
};
