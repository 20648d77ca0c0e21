// The strategic merge patch metadata of the built-in kinds: the `patchStrategy` and
// `patchMergeKey` struct tags of k8s.io/api, written down per type. A field that is not listed
// has no metadata: its lists are replaced whole and its objects merged key by key.

/** How a field's value is merged (the patchStrategy tag). */
export type StrategicPatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

/** One field of a type: its strategy and merge key, and the type of its value (of its items, for lists). */
export interface PatchFieldSpec {
  readonly strategy?: StrategicPatchStrategy;
  readonly mergeKey?: string;
  readonly type?: string;
}

export type PatchTypeSpec = Readonly<Record<string, PatchFieldSpec>>;

const of = (type: string): PatchFieldSpec => ({ type });
/** A list merged by `mergeKey` (or, without one, a list of scalars merged as a set). */
const merged = (mergeKey?: string, type?: string): PatchFieldSpec => ({ strategy: 'merge', mergeKey, type });
/** A list merged by `mergeKey` whose items also clear fields left out of a retainKeys patch. */
const mergedRetainingKeys = (mergeKey: string, type?: string): PatchFieldSpec => ({
  strategy: 'merge,retainKeys',
  mergeKey,
  type,
});
/** A list (or object) replaced whole; listed where Kubernetes marks it atomic, for the reader. */
const atomic = (type?: string): PatchFieldSpec => ({ strategy: 'replace', type });
const conditionsByType = merged('type');

export const PATCH_TYPES: Readonly<Record<string, PatchTypeSpec>> = {
  ObjectMeta: { finalizers: merged(), ownerReferences: merged('uid') },
  PodTemplateSpec: { metadata: of('ObjectMeta'), spec: of('PodSpec') },
  PodSpec: {
    volumes: mergedRetainingKeys('name'),
    initContainers: merged('name', 'Container'),
    containers: merged('name', 'Container'),
    ephemeralContainers: merged('name', 'Container'),
    imagePullSecrets: merged('name'),
    hostAliases: merged('ip'),
    topologySpreadConstraints: merged('topologyKey'),
    schedulingGates: merged('name'),
    resourceClaims: mergedRetainingKeys('name'),
    tolerations: atomic(),
    readinessGates: atomic(),
  },
  // Also EphemeralContainer, whose fields are Container's plus targetContainerName.
  Container: {
    ports: merged('containerPort'),
    env: merged('name'),
    volumeMounts: merged('mountPath'),
    volumeDevices: merged('devicePath'),
    resizePolicy: atomic(),
  },
  PodStatus: {
    conditions: conditionsByType,
    podIPs: merged('ip'),
    hostIPs: merged('ip'),
    resourceClaimStatuses: mergedRetainingKeys('name'),
  },
  Pod: { metadata: of('ObjectMeta'), spec: of('PodSpec'), status: of('PodStatus') },
  PodTemplate: { metadata: of('ObjectMeta'), template: of('PodTemplateSpec') },
  ReplicationController: {
    metadata: of('ObjectMeta'),
    spec: of('PodTemplateHolderSpec'),
    status: of('ConditionsStatus'),
  },
  /** The spec of every workload whose pods come from `spec.template`. */
  PodTemplateHolderSpec: { template: of('PodTemplateSpec') },
  /** A status whose only list with metadata is `conditions`, merged by type. */
  ConditionsStatus: { conditions: conditionsByType },
  Service: {
    metadata: of('ObjectMeta'),
    spec: of('ServiceSpec'),
    status: of('ConditionsStatus'),
  },
  ServiceSpec: { ports: merged('port') },
  Node: { metadata: of('ObjectMeta'), spec: of('NodeSpec'), status: of('NodeStatus') },
  NodeSpec: { podCIDRs: merged(), taints: atomic() },
  NodeStatus: { conditions: conditionsByType, addresses: merged('type') },
  ServiceAccount: { metadata: of('ObjectMeta'), secrets: merged('name') },
  Endpoints: { metadata: of('ObjectMeta'), subsets: atomic() },
  ComponentStatus: { metadata: of('ObjectMeta'), conditions: conditionsByType },
  Deployment: { metadata: of('ObjectMeta'), spec: of('DeploymentSpec'), status: of('ConditionsStatus') },
  DeploymentSpec: { template: of('PodTemplateSpec'), strategy: { strategy: 'retainKeys' } },
  PodTemplateWorkload: {
    metadata: of('ObjectMeta'),
    spec: of('PodTemplateHolderSpec'),
    status: of('ConditionsStatus'),
  },
  StatefulSet: { metadata: of('ObjectMeta'), spec: of('StatefulSetSpec'), status: of('ConditionsStatus') },
  StatefulSetSpec: { template: of('PodTemplateSpec'), volumeClaimTemplates: atomic() },
  CronJob: { metadata: of('ObjectMeta'), spec: of('CronJobSpec') },
  CronJobSpec: { jobTemplate: of('JobTemplateSpec') },
  JobTemplateSpec: { metadata: of('ObjectMeta'), spec: of('PodTemplateHolderSpec') },
  /** Kinds whose only lists with metadata are ObjectMeta's and `status.conditions`. */
  ConditionsObject: { metadata: of('ObjectMeta'), status: of('ConditionsStatus') },
  /** Kinds with no list that has patch metadata besides the ones in ObjectMeta. */
  PlainObject: { metadata: of('ObjectMeta') },
};

/** The root type of each built-in kind, keyed `group/Kind` ('' is the core group). */
export const PATCH_KIND_TYPES: ReadonlyMap<string, string> = new Map<string, string>([
  ['/Pod', 'Pod'],
  ['/PodTemplate', 'PodTemplate'],
  ['/ReplicationController', 'ReplicationController'],
  ['/Service', 'Service'],
  ['/Node', 'Node'],
  ['/Namespace', 'ConditionsObject'],
  ['/ServiceAccount', 'ServiceAccount'],
  ['/PersistentVolumeClaim', 'ConditionsObject'],
  ['/Endpoints', 'Endpoints'],
  ['/ComponentStatus', 'ComponentStatus'],
  ['/ConfigMap', 'PlainObject'],
  ['/Secret', 'PlainObject'],
  ['/Event', 'PlainObject'],
  ['/LimitRange', 'PlainObject'],
  ['/ResourceQuota', 'PlainObject'],
  ['/PersistentVolume', 'PlainObject'],
  ['apps/Deployment', 'Deployment'],
  ['apps/ReplicaSet', 'PodTemplateWorkload'],
  ['apps/DaemonSet', 'PodTemplateWorkload'],
  ['apps/StatefulSet', 'StatefulSet'],
  ['apps/ControllerRevision', 'PlainObject'],
  ['batch/Job', 'PodTemplateWorkload'],
  ['batch/CronJob', 'CronJob'],
  ['autoscaling/HorizontalPodAutoscaler', 'ConditionsObject'],
  ['autoscaling/Scale', 'PlainObject'],
  ['policy/PodDisruptionBudget', 'ConditionsObject'],
  ['coordination.k8s.io/Lease', 'PlainObject'],
  ['discovery.k8s.io/EndpointSlice', 'PlainObject'],
  ['events.k8s.io/Event', 'PlainObject'],
  ['networking.k8s.io/Ingress', 'PlainObject'],
  ['networking.k8s.io/NetworkPolicy', 'PlainObject'],
  ['rbac.authorization.k8s.io/Role', 'PlainObject'],
  ['rbac.authorization.k8s.io/RoleBinding', 'PlainObject'],
  ['rbac.authorization.k8s.io/ClusterRole', 'PlainObject'],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', 'PlainObject'],
  ['scheduling.k8s.io/PriorityClass', 'PlainObject'],
  ['node.k8s.io/RuntimeClass', 'PlainObject'],
  ['storage.k8s.io/StorageClass', 'PlainObject'],
  ['certificates.k8s.io/CertificateSigningRequest', 'PlainObject'],
]);
