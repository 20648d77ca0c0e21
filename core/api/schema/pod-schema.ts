// Schema of core/v1 Pod and the PodTemplateSpec embedded in workloads (Kubernetes 1.32 fields).
import {
  anyJson,
  arrayOf,
  bool,
  bytes,
  i32,
  i64,
  intOrString,
  mapOf,
  obj,
  quantity,
  quantityMap,
  str,
  stringList,
  stringMap,
  time,
} from './dsl.js';
import { labelSelectorSchema, localObjectReferenceSchema, objectMetaSchema, topLevel } from './meta-schema.js';

const keySelector = (goType: string) => obj(goType, { name: str, key: str, optional: bool });
const objectFieldSelector = obj('ObjectFieldSelector', { apiVersion: str, fieldPath: str });
const resourceFieldSelector = obj('ResourceFieldSelector', { containerName: str, resource: str, divisor: quantity });

const envVar = obj('EnvVar', {
  name: str,
  value: str,
  valueFrom: obj('EnvVarSource', {
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    configMapKeyRef: keySelector('ConfigMapKeySelector'),
    secretKeyRef: keySelector('SecretKeySelector'),
  }),
});

const envFromSource = obj('EnvFromSource', {
  prefix: str,
  configMapRef: obj('ConfigMapEnvSource', { name: str, optional: bool }),
  secretRef: obj('SecretEnvSource', { name: str, optional: bool }),
});

export const resourceRequirementsSchema = obj('ResourceRequirements', {
  limits: quantityMap,
  requests: quantityMap,
  claims: arrayOf(obj('ResourceClaim', { name: str, request: str })),
});

const execAction = obj('ExecAction', { command: stringList });
const httpGetAction = obj('HTTPGetAction', {
  path: str,
  port: intOrString,
  host: str,
  scheme: str,
  httpHeaders: arrayOf(obj('HTTPHeader', { name: str, value: str })),
});
const tcpSocketAction = obj('TCPSocketAction', { port: intOrString, host: str });

const probe = obj('Probe', {
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: obj('GRPCAction', { port: i32, service: str }),
  initialDelaySeconds: i32,
  timeoutSeconds: i32,
  periodSeconds: i32,
  successThreshold: i32,
  failureThreshold: i32,
  terminationGracePeriodSeconds: i64,
});

const lifecycleHandler = obj('LifecycleHandler', {
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  sleep: obj('SleepAction', { seconds: i64 }),
});

const seLinuxOptions = obj('SELinuxOptions', { user: str, role: str, type: str, level: str });
const windowsOptions = obj('WindowsSecurityContextOptions', {
  gmsaCredentialSpecName: str,
  gmsaCredentialSpec: str,
  runAsUserName: str,
  hostProcess: bool,
});
const seccompProfile = obj('SeccompProfile', { type: str, localhostProfile: str });
const appArmorProfile = obj('AppArmorProfile', { type: str, localhostProfile: str });

const securityContext = obj('SecurityContext', {
  capabilities: obj('Capabilities', { add: stringList, drop: stringList }),
  privileged: bool,
  seLinuxOptions,
  windowsOptions,
  runAsUser: i64,
  runAsGroup: i64,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: str,
  seccompProfile,
  appArmorProfile,
});

const containerFields = {
  name: str,
  image: str,
  command: stringList,
  args: stringList,
  workingDir: str,
  ports: arrayOf(obj('ContainerPort', { name: str, hostPort: i32, containerPort: i32, protocol: str, hostIP: str })),
  envFrom: arrayOf(envFromSource),
  env: arrayOf(envVar),
  resources: resourceRequirementsSchema,
  resizePolicy: arrayOf(obj('ContainerResizePolicy', { resourceName: str, restartPolicy: str })),
  restartPolicy: str,
  volumeMounts: arrayOf(
    obj('VolumeMount', {
      name: str,
      readOnly: bool,
      recursiveReadOnly: str,
      mountPath: str,
      subPath: str,
      mountPropagation: str,
      subPathExpr: str,
    }),
  ),
  volumeDevices: arrayOf(obj('VolumeDevice', { name: str, devicePath: str })),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: obj('Lifecycle', { postStart: lifecycleHandler, preStop: lifecycleHandler }),
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  imagePullPolicy: str,
  securityContext,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
};

export const containerSchema = obj('Container', containerFields);
const ephemeralContainer = obj('EphemeralContainer', { ...containerFields, targetContainerName: str });

const keyToPath = obj('KeyToPath', { key: str, path: str, mode: i32 });
const downwardApiFile = obj('DownwardAPIVolumeFile', {
  path: str,
  fieldRef: objectFieldSelector,
  resourceFieldRef: resourceFieldSelector,
  mode: i32,
});

const volumeProjection = obj('VolumeProjection', {
  secret: obj('SecretProjection', { name: str, items: arrayOf(keyToPath), optional: bool }),
  downwardAPI: obj('DownwardAPIProjection', { items: arrayOf(downwardApiFile) }),
  configMap: obj('ConfigMapProjection', { name: str, items: arrayOf(keyToPath), optional: bool }),
  serviceAccountToken: obj('ServiceAccountTokenProjection', { audience: str, expirationSeconds: i64, path: str }),
  clusterTrustBundle: obj('ClusterTrustBundleProjection', {
    name: str,
    signerName: str,
    labelSelector: labelSelectorSchema,
    optional: bool,
    path: str,
  }),
});

/** Volume sources Flotilla does not interpret are accepted with any content. */
const OPAQUE_VOLUME_SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'ephemeral',
] as const;

export const VOLUME_SOURCE_NAMES = [
  'hostPath',
  'emptyDir',
  'secret',
  'nfs',
  'persistentVolumeClaim',
  'downwardAPI',
  'configMap',
  'projected',
  'csi',
  'image',
  ...OPAQUE_VOLUME_SOURCES,
] as const;

const volume = obj('Volume', {
  name: str,
  hostPath: obj('HostPathVolumeSource', { path: str, type: str }),
  emptyDir: obj('EmptyDirVolumeSource', { medium: str, sizeLimit: quantity }),
  secret: obj('SecretVolumeSource', { secretName: str, items: arrayOf(keyToPath), defaultMode: i32, optional: bool }),
  nfs: obj('NFSVolumeSource', { server: str, path: str, readOnly: bool }),
  persistentVolumeClaim: obj('PersistentVolumeClaimVolumeSource', { claimName: str, readOnly: bool }),
  downwardAPI: obj('DownwardAPIVolumeSource', { items: arrayOf(downwardApiFile), defaultMode: i32 }),
  configMap: obj('ConfigMapVolumeSource', { name: str, items: arrayOf(keyToPath), defaultMode: i32, optional: bool }),
  projected: obj('ProjectedVolumeSource', { sources: arrayOf(volumeProjection), defaultMode: i32 }),
  csi: obj('CSIVolumeSource', {
    driver: str,
    readOnly: bool,
    fsType: str,
    volumeAttributes: stringMap,
    nodePublishSecretRef: localObjectReferenceSchema,
  }),
  image: obj('ImageVolumeSource', { reference: str, pullPolicy: str }),
  ...Object.fromEntries(OPAQUE_VOLUME_SOURCES.map((name) => [name, anyJson])),
});

const nodeSelectorRequirement = obj('NodeSelectorRequirement', { key: str, operator: str, values: stringList });
const nodeSelectorTerm = obj('NodeSelectorTerm', {
  matchExpressions: arrayOf(nodeSelectorRequirement),
  matchFields: arrayOf(nodeSelectorRequirement),
});
const podAffinityTerm = obj('PodAffinityTerm', {
  labelSelector: labelSelectorSchema,
  namespaces: stringList,
  topologyKey: str,
  namespaceSelector: labelSelectorSchema,
  matchLabelKeys: stringList,
  mismatchLabelKeys: stringList,
});
const weightedPodAffinityTerm = obj('WeightedPodAffinityTerm', { weight: i32, podAffinityTerm });
const podAffinityFields = {
  requiredDuringSchedulingIgnoredDuringExecution: arrayOf(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: arrayOf(weightedPodAffinityTerm),
};

const affinity = obj('Affinity', {
  nodeAffinity: obj('NodeAffinity', {
    requiredDuringSchedulingIgnoredDuringExecution: obj('NodeSelector', { nodeSelectorTerms: arrayOf(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      obj('PreferredSchedulingTerm', { weight: i32, preference: nodeSelectorTerm }),
    ),
  }),
  podAffinity: obj('PodAffinity', podAffinityFields),
  podAntiAffinity: obj('PodAntiAffinity', podAffinityFields),
});

const podSecurityContext = obj('PodSecurityContext', {
  seLinuxOptions,
  windowsOptions,
  runAsUser: i64,
  runAsGroup: i64,
  runAsNonRoot: bool,
  supplementalGroups: arrayOf(i64),
  supplementalGroupsPolicy: str,
  fsGroup: i64,
  sysctls: arrayOf(obj('Sysctl', { name: str, value: str })),
  fsGroupChangePolicy: str,
  seccompProfile,
  appArmorProfile,
  seLinuxChangePolicy: str,
});

export const tolerationSchema = obj('Toleration', { key: str, operator: str, value: str, effect: str, tolerationSeconds: i64 });

export const podSpecSchema = obj('PodSpec', {
  volumes: arrayOf(volume),
  initContainers: arrayOf(containerSchema),
  containers: arrayOf(containerSchema),
  ephemeralContainers: arrayOf(ephemeralContainer),
  restartPolicy: str,
  terminationGracePeriodSeconds: i64,
  activeDeadlineSeconds: i64,
  dnsPolicy: str,
  nodeSelector: stringMap,
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: podSecurityContext,
  imagePullSecrets: arrayOf(localObjectReferenceSchema),
  hostname: str,
  subdomain: str,
  affinity,
  schedulerName: str,
  tolerations: arrayOf(tolerationSchema),
  hostAliases: arrayOf(obj('HostAlias', { ip: str, hostnames: stringList })),
  priorityClassName: str,
  priority: i32,
  dnsConfig: obj('PodDNSConfig', {
    nameservers: stringList,
    searches: stringList,
    options: arrayOf(obj('PodDNSConfigOption', { name: str, value: str })),
  }),
  readinessGates: arrayOf(obj('PodReadinessGate', { conditionType: str })),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: str,
  overhead: quantityMap,
  topologySpreadConstraints: arrayOf(
    obj('TopologySpreadConstraint', {
      maxSkew: i32,
      topologyKey: str,
      whenUnsatisfiable: str,
      labelSelector: labelSelectorSchema,
      minDomains: i32,
      nodeAffinityPolicy: str,
      nodeTaintsPolicy: str,
      matchLabelKeys: stringList,
    }),
  ),
  setHostnameAsFQDN: bool,
  os: obj('PodOS', { name: str }),
  hostUsers: bool,
  schedulingGates: arrayOf(obj('PodSchedulingGate', { name: str })),
  resourceClaims: arrayOf(anyJson),
  resources: resourceRequirementsSchema,
});

export const podTemplateSpecSchema = obj('PodTemplateSpec', { metadata: objectMetaSchema, spec: podSpecSchema });

const containerState = obj('ContainerState', {
  waiting: obj('ContainerStateWaiting', { reason: str, message: str }),
  running: obj('ContainerStateRunning', { startedAt: time }),
  terminated: obj('ContainerStateTerminated', {
    exitCode: i32,
    signal: i32,
    reason: str,
    message: str,
    startedAt: time,
    finishedAt: time,
    containerID: str,
  }),
});

const containerStatus = obj('ContainerStatus', {
  name: str,
  state: containerState,
  lastState: containerState,
  ready: bool,
  restartCount: i32,
  image: str,
  imageID: str,
  containerID: str,
  started: bool,
  allocatedResources: quantityMap,
  resources: resourceRequirementsSchema,
  volumeMounts: arrayOf(anyJson),
  user: anyJson,
  allocatedResourcesStatus: arrayOf(anyJson),
});

const podIp = obj('PodIP', { ip: str });

const podStatus = obj('PodStatus', {
  phase: str,
  conditions: arrayOf(
    obj('PodCondition', {
      type: str,
      status: str,
      lastProbeTime: time,
      lastTransitionTime: time,
      reason: str,
      message: str,
    }),
  ),
  message: str,
  reason: str,
  nominatedNodeName: str,
  hostIP: str,
  hostIPs: arrayOf(obj('HostIP', { ip: str })),
  podIP: str,
  podIPs: arrayOf(podIp),
  startTime: time,
  initContainerStatuses: arrayOf(containerStatus),
  containerStatuses: arrayOf(containerStatus),
  qosClass: str,
  ephemeralContainerStatuses: arrayOf(containerStatus),
  resize: str,
  resourceClaimStatuses: arrayOf(anyJson),
});

export const podSchema = topLevel('Pod', { spec: podSpecSchema, status: podStatus });

/** Shared by Secret/ConfigMap binary data and similar base64 maps. */
export const bytesMap = mapOf(bytes);
