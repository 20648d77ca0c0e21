import {
  atomicList,
  CORE_V1,
  FREEFORM,
  keyedList,
  kindFields,
  listType,
  mapOf,
  MICRO_TIME,
  QUANTITY,
  ref,
  setList,
  TIME,
  INT_OR_STRING,
  type OpenApiGroupVersionKind,
  type OpenApiObjectType,
  type OpenApiTypeRegistry,
} from './schema-dsl.js';

const c = (name: string): string => `${CORE_V1}${name}`;
const v1 = (kind: string): OpenApiGroupVersionKind => ({ group: '', version: 'v1', kind });

/** A core/v1 kind with its List type. */
function coreKind(kind: string, description: string, fields: OpenApiObjectType['properties'], required?: string[]): OpenApiTypeRegistry {
  const kindType: OpenApiObjectType = { description, properties: { ...kindFields(), ...fields }, gvk: [v1(kind)], required };
  return { [c(kind)]: kindType, [c(`${kind}List`)]: listType(c(kind), v1(`${kind}List`)) };
}

const conditionFields = {
  type: 'string',
  status: 'string',
  lastTransitionTime: ref(TIME),
  reason: 'string',
  message: 'string',
} as const;

/** The core/v1 kinds other than their pod parts: Pod, Node, Service, Endpoints, ConfigMap, … */
export const CORE_OPENAPI_TYPES: OpenApiTypeRegistry = {
  ...coreKind('Pod', 'A collection of containers that can run on a host.', { spec: ref(c('PodSpec')), status: ref(c('PodStatus')) }),
  ...coreKind('Node', 'A worker node.', { spec: ref(c('NodeSpec')), status: ref(c('NodeStatus')) }),
  [c('NodeSpec')]: {
    properties: {
      podCIDR: 'string',
      podCIDRs: setList('string', 'merge'),
      providerID: 'string',
      unschedulable: 'boolean',
      taints: atomicList(ref(c('Taint'))),
      configSource: FREEFORM,
      externalID: 'string',
    },
  },
  [c('Taint')]: { properties: { key: 'string', value: 'string', effect: 'string', timeAdded: ref(TIME) }, required: ['key', 'effect'] },
  [c('NodeStatus')]: {
    properties: {
      capacity: mapOf(ref(QUANTITY)),
      allocatable: mapOf(ref(QUANTITY)),
      phase: 'string',
      conditions: keyedList(ref(c('NodeCondition')), 'type'),
      addresses: keyedList(ref(c('NodeAddress')), 'type'),
      daemonEndpoints: ref(c('NodeDaemonEndpoints')),
      nodeInfo: ref(c('NodeSystemInfo')),
      images: atomicList(ref(c('ContainerImage'))),
      volumesInUse: atomicList('string'),
      volumesAttached: atomicList(FREEFORM),
      config: FREEFORM,
      runtimeHandlers: atomicList(FREEFORM),
      features: FREEFORM,
    },
  },
  [c('NodeCondition')]: { properties: { ...conditionFields, lastHeartbeatTime: ref(TIME) }, required: ['type', 'status'] },
  [c('NodeAddress')]: { properties: { type: 'string', address: 'string' }, required: ['type', 'address'] },
  [c('NodeDaemonEndpoints')]: { properties: { kubeletEndpoint: ref(c('DaemonEndpoint')) } },
  [c('DaemonEndpoint')]: { properties: { Port: 'int32' }, required: ['Port'] },
  [c('NodeSystemInfo')]: {
    properties: {
      machineID: 'string',
      systemUUID: 'string',
      bootID: 'string',
      kernelVersion: 'string',
      osImage: 'string',
      containerRuntimeVersion: 'string',
      kubeletVersion: 'string',
      kubeProxyVersion: 'string',
      operatingSystem: 'string',
      architecture: 'string',
      swap: FREEFORM,
    },
  },
  [c('ContainerImage')]: { properties: { names: atomicList('string'), sizeBytes: 'int64' } },
  ...coreKind('Service', 'A named abstraction of software service: a port the proxy listens on and a selector of pods.', {
    spec: ref(c('ServiceSpec')),
    status: ref(c('ServiceStatus')),
  }),
  [c('ServiceSpec')]: {
    properties: {
      ports: keyedList(ref(c('ServicePort')), 'port', { listMapKeys: ['port', 'protocol'] }),
      selector: mapOf('string', 'atomic'),
      clusterIP: 'string',
      clusterIPs: atomicList('string'),
      type: 'string',
      externalIPs: atomicList('string'),
      sessionAffinity: 'string',
      loadBalancerIP: 'string',
      loadBalancerSourceRanges: atomicList('string'),
      externalName: 'string',
      externalTrafficPolicy: 'string',
      healthCheckNodePort: 'int32',
      publishNotReadyAddresses: 'boolean',
      sessionAffinityConfig: ref(c('SessionAffinityConfig')),
      ipFamilies: atomicList('string'),
      ipFamilyPolicy: 'string',
      allocateLoadBalancerNodePorts: 'boolean',
      loadBalancerClass: 'string',
      internalTrafficPolicy: 'string',
      trafficDistribution: 'string',
    },
  },
  [c('ServicePort')]: {
    properties: { name: 'string', protocol: 'string', appProtocol: 'string', port: 'int32', targetPort: ref(INT_OR_STRING), nodePort: 'int32' },
    required: ['port'],
  },
  [c('SessionAffinityConfig')]: { properties: { clientIP: ref(c('ClientIPConfig')) } },
  [c('ClientIPConfig')]: { properties: { timeoutSeconds: 'int32' } },
  [c('ServiceStatus')]: {
    properties: {
      loadBalancer: ref(c('LoadBalancerStatus')),
      conditions: keyedList(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition'), 'type'),
    },
  },
  [c('LoadBalancerStatus')]: { properties: { ingress: atomicList(ref(c('LoadBalancerIngress'))) } },
  [c('LoadBalancerIngress')]: {
    properties: { ip: 'string', hostname: 'string', ipMode: 'string', ports: atomicList(ref(c('PortStatus'))) },
  },
  [c('PortStatus')]: { properties: { port: 'int32', protocol: 'string', error: 'string' }, required: ['port', 'protocol'] },
  ...coreKind('Endpoints', 'The addresses and ports that back a service.', { subsets: atomicList(ref(c('EndpointSubset'))) }),
  [c('EndpointSubset')]: {
    properties: {
      addresses: atomicList(ref(c('EndpointAddress'))),
      notReadyAddresses: atomicList(ref(c('EndpointAddress'))),
      ports: atomicList(ref(c('EndpointPort'))),
    },
  },
  [c('EndpointAddress')]: {
    properties: { ip: 'string', hostname: 'string', nodeName: 'string', targetRef: ref(c('ObjectReference')) },
    required: ['ip'],
    mapType: 'atomic',
  },
  [c('EndpointPort')]: { properties: { name: 'string', port: 'int32', protocol: 'string', appProtocol: 'string' }, required: ['port'], mapType: 'atomic' },
  [c('ObjectReference')]: {
    properties: {
      kind: 'string',
      namespace: 'string',
      name: 'string',
      uid: 'string',
      apiVersion: 'string',
      resourceVersion: 'string',
      fieldPath: 'string',
    },
    mapType: 'atomic',
  },
  ...coreKind('ConfigMap', 'Configuration data for pods to consume.', { data: mapOf('string'), binaryData: mapOf('byte'), immutable: 'boolean' }),
  ...coreKind('Secret', 'Secret data of a certain type; values in data are base64-encoded.', {
    data: mapOf('byte'),
    stringData: mapOf('string'),
    type: 'string',
    immutable: 'boolean',
  }),
  ...coreKind(
    'Event',
    'A report of an event somewhere in the cluster.',
    {
      involvedObject: ref(c('ObjectReference')),
      reason: 'string',
      message: 'string',
      source: ref(c('EventSource')),
      firstTimestamp: ref(TIME),
      lastTimestamp: ref(TIME),
      count: 'int32',
      type: 'string',
      eventTime: ref(MICRO_TIME),
      series: ref(c('EventSeries')),
      action: 'string',
      related: ref(c('ObjectReference')),
      reportingComponent: 'string',
      reportingInstance: 'string',
    },
    ['metadata', 'involvedObject'],
  ),
  [c('EventSource')]: { properties: { component: 'string', host: 'string' } },
  [c('EventSeries')]: { properties: { count: 'int32', lastObservedTime: ref(MICRO_TIME) } },
  ...coreKind('ServiceAccount', 'An identity for processes that run in a pod.', {
    secrets: keyedList(ref(c('ObjectReference')), 'name'),
    imagePullSecrets: atomicList(ref(c('LocalObjectReference'))),
    automountServiceAccountToken: 'boolean',
  }),
  ...coreKind('Namespace', 'A scope for names.', { spec: ref(c('NamespaceSpec')), status: ref(c('NamespaceStatus')) }),
  [c('NamespaceSpec')]: { properties: { finalizers: atomicList('string') } },
  [c('NamespaceStatus')]: {
    properties: { phase: 'string', conditions: keyedList(ref(c('NamespaceCondition')), 'type') },
  },
  [c('NamespaceCondition')]: { properties: { ...conditionFields }, required: ['type', 'status'] },
};
