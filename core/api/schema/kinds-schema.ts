// Schemas of every served kind other than Pod (Kubernetes 1.32 fields).
import {
  anyJson,
  arrayOf,
  bool,
  i32,
  i64,
  intOrString,
  microTime,
  obj,
  quantityMap,
  str,
  stringList,
  stringMap,
  time,
} from './dsl.js';
import { labelSelectorSchema, localObjectReferenceSchema, metaConditionSchema, objectMetaSchema, objectReferenceSchema, topLevel } from './meta-schema.js';
import { bytesMap, podTemplateSpecSchema } from './pod-schema.js';

export const namespaceSchema = topLevel('Namespace', {
  spec: obj('NamespaceSpec', { finalizers: stringList }),
  status: obj('NamespaceStatus', {
    phase: str,
    conditions: arrayOf(
      obj('NamespaceCondition', { type: str, status: str, lastTransitionTime: time, reason: str, message: str }),
    ),
  }),
});

export const nodeSchema = topLevel('Node', {
  spec: obj('NodeSpec', {
    podCIDR: str,
    podCIDRs: stringList,
    providerID: str,
    unschedulable: bool,
    taints: arrayOf(obj('Taint', { key: str, value: str, effect: str, timeAdded: time })),
    configSource: anyJson,
    externalID: str,
  }),
  status: obj('NodeStatus', {
    capacity: quantityMap,
    allocatable: quantityMap,
    phase: str,
    conditions: arrayOf(
      obj('NodeCondition', {
        type: str,
        status: str,
        lastHeartbeatTime: time,
        lastTransitionTime: time,
        reason: str,
        message: str,
      }),
    ),
    addresses: arrayOf(obj('NodeAddress', { type: str, address: str })),
    daemonEndpoints: obj('NodeDaemonEndpoints', { kubeletEndpoint: obj('DaemonEndpoint', { Port: i32 }) }),
    nodeInfo: obj('NodeSystemInfo', {
      machineID: str,
      systemUUID: str,
      bootID: str,
      kernelVersion: str,
      osImage: str,
      containerRuntimeVersion: str,
      kubeletVersion: str,
      kubeProxyVersion: str,
      operatingSystem: str,
      architecture: str,
    }),
    images: arrayOf(obj('ContainerImage', { names: stringList, sizeBytes: i64 })),
    volumesInUse: stringList,
    volumesAttached: arrayOf(obj('AttachedVolume', { name: str, devicePath: str })),
    config: anyJson,
    runtimeHandlers: arrayOf(anyJson),
    features: anyJson,
  }),
});

export const serviceSchema = topLevel('Service', {
  spec: obj('ServiceSpec', {
    ports: arrayOf(
      obj('ServicePort', { name: str, protocol: str, appProtocol: str, port: i32, targetPort: intOrString, nodePort: i32 }),
    ),
    selector: stringMap,
    clusterIP: str,
    clusterIPs: stringList,
    type: str,
    externalIPs: stringList,
    sessionAffinity: str,
    loadBalancerIP: str,
    loadBalancerSourceRanges: stringList,
    externalName: str,
    externalTrafficPolicy: str,
    healthCheckNodePort: i32,
    publishNotReadyAddresses: bool,
    sessionAffinityConfig: obj('SessionAffinityConfig', { clientIP: obj('ClientIPConfig', { timeoutSeconds: i32 }) }),
    ipFamilies: stringList,
    ipFamilyPolicy: str,
    allocateLoadBalancerNodePorts: bool,
    loadBalancerClass: str,
    internalTrafficPolicy: str,
    trafficDistribution: str,
  }),
  status: obj('ServiceStatus', {
    loadBalancer: obj('LoadBalancerStatus', {
      ingress: arrayOf(
        obj('LoadBalancerIngress', {
          ip: str,
          hostname: str,
          ipMode: str,
          ports: arrayOf(obj('PortStatus', { port: i32, protocol: str, error: str })),
        }),
      ),
    }),
    conditions: arrayOf(metaConditionSchema),
  }),
});

const endpointAddress = obj('EndpointAddress', { ip: str, hostname: str, nodeName: str, targetRef: objectReferenceSchema });

export const endpointsSchema = topLevel('Endpoints', {
  subsets: arrayOf(
    obj('EndpointSubset', {
      addresses: arrayOf(endpointAddress),
      notReadyAddresses: arrayOf(endpointAddress),
      ports: arrayOf(obj('EndpointPort', { name: str, port: i32, protocol: str, appProtocol: str })),
    }),
  ),
});

export const configMapSchema = topLevel('ConfigMap', { immutable: bool, data: stringMap, binaryData: bytesMap });

export const secretSchema = topLevel('Secret', { immutable: bool, data: bytesMap, stringData: stringMap, type: str });

export const eventSchema = topLevel('Event', {
  involvedObject: objectReferenceSchema,
  reason: str,
  message: str,
  source: obj('EventSource', { component: str, host: str }),
  firstTimestamp: time,
  lastTimestamp: time,
  count: i32,
  type: str,
  eventTime: microTime,
  series: obj('EventSeries', { count: i32, lastObservedTime: microTime }),
  action: str,
  related: objectReferenceSchema,
  reportingComponent: str,
  reportingInstance: str,
});

export const serviceAccountSchema = topLevel('ServiceAccount', {
  secrets: arrayOf(objectReferenceSchema),
  imagePullSecrets: arrayOf(localObjectReferenceSchema),
  automountServiceAccountToken: bool,
});

const workloadCondition = (goType: string) =>
  obj(goType, {
    type: str,
    status: str,
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason: str,
    message: str,
  });

const rollingUpdate = (goType: string) => obj(goType, { maxUnavailable: intOrString, maxSurge: intOrString });

export const deploymentSchema = topLevel('Deployment', {
  spec: obj('DeploymentSpec', {
    replicas: i32,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    strategy: obj('DeploymentStrategy', { type: str, rollingUpdate: rollingUpdate('RollingUpdateDeployment') }),
    minReadySeconds: i32,
    revisionHistoryLimit: i32,
    paused: bool,
    progressDeadlineSeconds: i32,
  }),
  status: obj('DeploymentStatus', {
    observedGeneration: i64,
    replicas: i32,
    updatedReplicas: i32,
    readyReplicas: i32,
    availableReplicas: i32,
    unavailableReplicas: i32,
    conditions: arrayOf(workloadCondition('DeploymentCondition')),
    collisionCount: i32,
  }),
});

export const replicaSetSchema = topLevel('ReplicaSet', {
  spec: obj('ReplicaSetSpec', {
    replicas: i32,
    minReadySeconds: i32,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
  }),
  status: obj('ReplicaSetStatus', {
    replicas: i32,
    fullyLabeledReplicas: i32,
    readyReplicas: i32,
    availableReplicas: i32,
    observedGeneration: i64,
    conditions: arrayOf(workloadCondition('ReplicaSetCondition')),
  }),
});

const persistentVolumeClaimTemplate = obj('PersistentVolumeClaim', {
  apiVersion: str,
  kind: str,
  metadata: objectMetaSchema,
  spec: anyJson,
  status: anyJson,
});

export const statefulSetSchema = topLevel('StatefulSet', {
  spec: obj('StatefulSetSpec', {
    replicas: i32,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    volumeClaimTemplates: arrayOf(persistentVolumeClaimTemplate),
    serviceName: str,
    podManagementPolicy: str,
    updateStrategy: obj('StatefulSetUpdateStrategy', {
      type: str,
      rollingUpdate: obj('RollingUpdateStatefulSetStrategy', { partition: i32, maxUnavailable: intOrString }),
    }),
    revisionHistoryLimit: i32,
    minReadySeconds: i32,
    persistentVolumeClaimRetentionPolicy: obj('StatefulSetPersistentVolumeClaimRetentionPolicy', {
      whenDeleted: str,
      whenScaled: str,
    }),
    ordinals: obj('StatefulSetOrdinals', { start: i32 }),
  }),
  status: obj('StatefulSetStatus', {
    observedGeneration: i64,
    replicas: i32,
    readyReplicas: i32,
    currentReplicas: i32,
    updatedReplicas: i32,
    currentRevision: str,
    updateRevision: str,
    collisionCount: i32,
    conditions: arrayOf(workloadCondition('StatefulSetCondition')),
    availableReplicas: i32,
  }),
});

export const daemonSetSchema = topLevel('DaemonSet', {
  spec: obj('DaemonSetSpec', {
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    updateStrategy: obj('DaemonSetUpdateStrategy', { type: str, rollingUpdate: rollingUpdate('RollingUpdateDaemonSet') }),
    minReadySeconds: i32,
    revisionHistoryLimit: i32,
  }),
  status: obj('DaemonSetStatus', {
    currentNumberScheduled: i32,
    numberMisscheduled: i32,
    desiredNumberScheduled: i32,
    numberReady: i32,
    observedGeneration: i64,
    updatedNumberScheduled: i32,
    numberAvailable: i32,
    numberUnavailable: i32,
    collisionCount: i32,
    conditions: arrayOf(workloadCondition('DaemonSetCondition')),
  }),
});

const jobSpec = obj('JobSpec', {
  parallelism: i32,
  completions: i32,
  activeDeadlineSeconds: i64,
  podFailurePolicy: anyJson,
  successPolicy: anyJson,
  backoffLimit: i32,
  backoffLimitPerIndex: i32,
  maxFailedIndexes: i32,
  selector: labelSelectorSchema,
  manualSelector: bool,
  template: podTemplateSpecSchema,
  ttlSecondsAfterFinished: i32,
  completionMode: str,
  suspend: bool,
  podReplacementPolicy: str,
  managedBy: str,
});

export const jobSchema = topLevel('Job', {
  spec: jobSpec,
  status: obj('JobStatus', {
    conditions: arrayOf(
      obj('JobCondition', {
        type: str,
        status: str,
        lastProbeTime: time,
        lastTransitionTime: time,
        reason: str,
        message: str,
      }),
    ),
    startTime: time,
    completionTime: time,
    active: i32,
    succeeded: i32,
    failed: i32,
    terminating: i32,
    completedIndexes: str,
    failedIndexes: str,
    uncountedTerminatedPods: obj('UncountedTerminatedPods', { succeeded: stringList, failed: stringList }),
    ready: i32,
  }),
});

export const cronJobSchema = topLevel('CronJob', {
  spec: obj('CronJobSpec', {
    schedule: str,
    timeZone: str,
    startingDeadlineSeconds: i64,
    concurrencyPolicy: str,
    suspend: bool,
    jobTemplate: obj('JobTemplateSpec', { metadata: objectMetaSchema, spec: jobSpec }),
    successfulJobsHistoryLimit: i32,
    failedJobsHistoryLimit: i32,
  }),
  status: obj('CronJobStatus', {
    active: arrayOf(objectReferenceSchema),
    lastScheduleTime: time,
    lastSuccessfulTime: time,
  }),
});

export const leaseSchema = topLevel('Lease', {
  spec: obj('LeaseSpec', {
    holderIdentity: str,
    leaseDurationSeconds: i32,
    acquireTime: microTime,
    renewTime: microTime,
    leaseTransitions: i32,
    strategy: str,
    preferredHolder: str,
  }),
});

export const scaleSchema = topLevel('Scale', {
  spec: obj('ScaleSpec', { replicas: i32 }),
  status: obj('ScaleStatus', { replicas: i32, selector: str }),
});

export const endpointSliceSchema = topLevel('EndpointSlice', {
  addressType: str,
  endpoints: arrayOf(
    obj('Endpoint', {
      addresses: stringList,
      conditions: obj('EndpointConditions', { ready: bool, serving: bool, terminating: bool }),
      hostname: str,
      targetRef: objectReferenceSchema,
      deprecatedTopology: stringMap,
      nodeName: str,
      zone: str,
      hints: obj('EndpointHints', { forZones: arrayOf(obj('ForZone', { name: str })) }),
    }),
  ),
  ports: arrayOf(obj('EndpointPort', { name: str, protocol: str, port: i32, appProtocol: str })),
});
