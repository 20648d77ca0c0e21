// Defaulting of core/v1 kinds other than Pod, plus EndpointSlice (SetDefaults_Service, _Secret,
// _Namespace, _Endpoints, _NodeStatus, discovery/v1 _EndpointPort).
import { asArray, asJsonObject, ensureJsonObject, isJsonObject, setDefault, setDefaultString, type JsonObject } from '../json.js';
import { canonicalizeResourceList } from './pod.js';

/** Session affinity timeout for ClientIP affinity: 3 hours. */
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

export function defaultService(service: JsonObject): void {
  const spec = ensureJsonObject(service, 'spec');
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = asJsonObject(asJsonObject(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds;
    if (timeout === undefined || timeout === null) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  setDefaultString(spec, 'type', 'ClusterIP');
  for (const port of asArray(spec.ports)) {
    if (!isJsonObject(port)) continue;
    setDefaultString(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = port.port;
    }
  }
  const type = spec.type;
  const externallyAccessible =
    type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
  if (externallyAccessible) setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') {
    setDefaultString(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
}

/**
 * The IP family fields kube-apiserver's service REST fills on create for a single-stack IPv4
 * cluster: every Service but ExternalName gets ipFamilyPolicy SingleStack and ipFamilies [IPv4].
 */
export function defaultServiceIpFamilies(service: JsonObject): void {
  const spec = ensureJsonObject(service, 'spec');
  if (spec.type === 'ExternalName') return;
  setDefaultString(spec, 'ipFamilyPolicy', 'SingleStack');
  if (asArray(spec.ipFamilies).length === 0) spec.ipFamilies = ['IPv4'];
}

function base64OfUtf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Secret type Opaque; `stringData` merged into `data` (base64) and dropped, as on conversion. */
export function defaultSecret(secret: JsonObject): void {
  setDefaultString(secret, 'type', 'Opaque');
  const stringData = asJsonObject(secret.stringData);
  if (stringData !== undefined) {
    const data = asJsonObject(secret.data) ?? {};
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value === 'string') data[key] = base64OfUtf8(value);
    }
    secret.data = data;
  }
  delete secret.stringData;
}

/** Every named namespace carries the label `kubernetes.io/metadata.name=<name>`; status phase Active. */
export function defaultNamespace(namespace: JsonObject): void {
  const metadata = ensureJsonObject(namespace, 'metadata');
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    const labels = ensureJsonObject(metadata, 'labels');
    labels['kubernetes.io/metadata.name'] = metadata.name;
  }
  setDefaultString(ensureJsonObject(namespace, 'status'), 'phase', 'Active');
}

export function defaultEndpoints(endpoints: JsonObject): void {
  for (const subset of asArray(endpoints.subsets)) {
    for (const port of asArray(asJsonObject(subset)?.ports)) {
      if (isJsonObject(port)) setDefaultString(port, 'protocol', 'TCP');
    }
  }
}

export function defaultEndpointSlice(slice: JsonObject): void {
  for (const port of asArray(slice.ports)) {
    if (!isJsonObject(port)) continue;
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}

export function defaultNode(node: JsonObject): void {
  const status = asJsonObject(node.status);
  if (status === undefined) return;
  canonicalizeResourceList(status.capacity);
  canonicalizeResourceList(status.allocatable);
  if ((status.allocatable ?? null) === null && isJsonObject(status.capacity)) status.allocatable = { ...status.capacity };
}
