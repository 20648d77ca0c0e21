// core/v1 Service validation (ValidateService, ValidateServiceUpdate).
import {
  childPath,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  goStringSlice,
  GoSyntaxValue,
  indexPath,
  type ApiFieldError,
} from '../field-errors.js';
import type { Service, ServicePort } from '../types/core.js';
import { validatePortNumOrName, validateDns1123LabelField } from './container.js';
import { isDns1123Subdomain, isValidPortNum, nameIsDns1035Label } from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
/** Longest a ClientIP session affinity may last: one day. */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

const IPV4_RE = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

/** A plain IPv4 or IPv6 address (no zone, no leading zeros in IPv4 octets). */
export function isValidIp(text: string): boolean {
  if (IPV4_RE.test(text)) return true;
  if (!text.includes(':') || text.includes('%')) return false;
  let address = text;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  let groupsNeeded = 8;
  if (tail.includes('.')) {
    if (!IPV4_RE.test(tail)) return false;
    address = address.slice(0, lastColon + 1) + '0:0';
    groupsNeeded = 8;
  }
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string | undefined): string[] => (part === undefined || part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const all = [...head, ...rest];
  if (!all.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded;
}

export const INVALID_IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/** Go's `%#v` of the (protocol, port) key Kubernetes reports duplicate service ports with. */
function goServicePortKey(port: ServicePort): GoSyntaxValue {
  return new GoSyntaxValue(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(port.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${port.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validateServicePort(port: ServicePort, requireName: boolean, names: Set<string>, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const name = port.name ?? '';
  if (requireName && name === '') {
    errors.push(fieldRequired(childPath(path, 'name')));
  } else if (name !== '') {
    errors.push(...validateDns1123LabelField(name, childPath(path, 'name')));
    if (names.has(name)) errors.push(fieldDuplicate(childPath(path, 'name'), name));
    else names.add(name);
  }
  for (const message of isValidPortNum(port.port ?? 0)) errors.push(fieldInvalid(childPath(path, 'port'), port.port ?? 0, message));
  const protocol = port.protocol ?? '';
  if (protocol === '') errors.push(fieldRequired(childPath(path, 'protocol')));
  else if (!PORT_PROTOCOLS.includes(protocol)) errors.push(fieldNotSupported(childPath(path, 'protocol'), protocol, PORT_PROTOCOLS));
  errors.push(...validatePortNumOrName(port.targetPort, childPath(path, 'targetPort')));
  if ((port.nodePort ?? 0) !== 0) {
    for (const message of isValidPortNum(port.nodePort ?? 0)) errors.push(fieldInvalid(childPath(path, 'nodePort'), port.nodePort, message));
  }
  return errors;
}

function validateClusterIps(service: Service): ApiFieldError[] {
  const spec = service.spec ?? {};
  const errors: ApiFieldError[] = [];
  const clusterIp = spec.clusterIP ?? '';
  const clusterIps = spec.clusterIPs ?? [];
  if (clusterIp !== '') {
    if (clusterIps.length === 0) errors.push(fieldRequired('spec.clusterIPs'));
    else if (clusterIps[0] !== clusterIp) errors.push(fieldInvalid('spec.clusterIPs', goStringSlice(clusterIps), 'first value must match `clusterIP`'));
  } else if (clusterIps.length > 0) {
    errors.push(fieldInvalid('spec.clusterIPs', goStringSlice(clusterIps), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((family, index) => {
    const familyPath = indexPath('spec.ipFamilies', index);
    if (!IP_FAMILIES.includes(family)) errors.push(fieldNotSupported(familyPath, family, IP_FAMILIES));
    if (seen.has(family)) errors.push(fieldDuplicate(familyPath, family));
    seen.add(family);
  });
  if (spec.ipFamilyPolicy != null && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errors.push(fieldNotSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  clusterIps.forEach((ip, index) => {
    if (index === 0 && ip === 'None') {
      if (clusterIps.length > 1) errors.push(fieldInvalid('spec.clusterIPs', goStringSlice(clusterIps), "'None' must be the first and only value"));
      return;
    }
    if (!isValidIp(ip)) errors.push(fieldInvalid(indexPath('spec.clusterIPs', index), ip, INVALID_IP_MESSAGE));
  });
  return errors;
}

function validateServiceSpec(service: Service): ApiFieldError[] {
  const spec = service.spec ?? {};
  const errors: ApiFieldError[] = [];
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(service) && spec.type !== 'ExternalName') errors.push(fieldRequired('spec.ports'));
  if (spec.type === 'ExternalName') {
    if ((spec.clusterIPs ?? []).length > 0) errors.push(fieldForbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length > 0) errors.push(fieldForbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy != null) errors.push(fieldForbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname === '') errors.push(fieldRequired('spec.externalName'));
    else for (const message of isDns1123Subdomain(cname)) errors.push(fieldInvalid('spec.externalName', cname, message));
  }
  const names = new Set<string>();
  ports.forEach((port, index) => errors.push(...validateServicePort(port, ports.length > 1, names, indexPath('spec.ports', index))));
  if (spec.selector != null) errors.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity ?? '';
  if (affinity === '') errors.push(fieldRequired('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(affinity)) errors.push(fieldNotSupported('spec.sessionAffinity', affinity, SESSION_AFFINITIES));
  if (affinity === 'ClientIP') {
    const config = spec.sessionAffinityConfig;
    const when = 'when session affinity type is ClientIP';
    const timeoutPath = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
    if (config == null) errors.push(fieldRequired('spec.sessionAffinityConfig', when));
    else if (config.clientIP == null) errors.push(fieldRequired('spec.sessionAffinityConfig.clientIP', when));
    else if (config.clientIP.timeoutSeconds == null) errors.push(fieldRequired(timeoutPath, when));
    else if (config.clientIP.timeoutSeconds <= 0 || config.clientIP.timeoutSeconds > MAX_CLIENT_IP_AFFINITY_SECONDS) {
      errors.push(fieldInvalid(timeoutPath, config.clientIP.timeoutSeconds, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig != null) {
    errors.push(fieldForbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errors.push(...validateClusterIps(service));
  (spec.externalIPs ?? []).forEach((ip, index) => {
    if (!isValidIp(ip)) errors.push(fieldInvalid(indexPath('spec.externalIPs', index), ip, INVALID_IP_MESSAGE));
  });
  const type = spec.type ?? '';
  if (type === '') errors.push(fieldRequired('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errors.push(fieldNotSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((port, index) => {
      if ((port.nodePort ?? 0) !== 0) errors.push(fieldForbidden(childPath(indexPath('spec.ports', index), 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((port, index) => {
    if ((port.nodePort ?? 0) === 0) return;
    const key = `${port.protocol ?? ''}/${port.nodePort}`;
    if (nodePorts.has(key)) errors.push(fieldDuplicate(childPath(indexPath('spec.ports', index), 'nodePort'), port.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((port, index) => {
    const key = `${port.protocol ?? ''}/${port.port ?? 0}`;
    if (portKeys.has(key)) errors.push(fieldDuplicate(indexPath('spec.ports', index), goServicePortKey(port)));
    portKeys.add(key);
  });
  if (spec.externalTrafficPolicy != null && !TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    errors.push(fieldNotSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy != null && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errors.push(fieldNotSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  return errors;
}

export function validateService(service: Service): ApiFieldError[] {
  return [...validateObjectMeta(service.metadata, { namespaced: true, nameValidator: nameIsDns1035Label }), ...validateServiceSpec(service)];
}

/** Cluster IPs are fixed once allocated, except around ExternalName and headless services. */
function validateClusterIpChange(next: Service, prev: Service): ApiFieldError[] {
  if (next.spec?.type === 'ExternalName' || prev.spec?.type === 'ExternalName') return [];
  if (isHeadless(next) && isHeadless(prev)) return [];
  const nextIps = next.spec?.clusterIPs ?? [];
  const prevIps = prev.spec?.clusterIPs ?? [];
  const errors: ApiFieldError[] = [];
  const first = indexPath('spec.clusterIPs', 0);
  if (prevIps.length === nextIps.length) {
    prevIps.forEach((ip, index) => {
      if (ip !== nextIps[index]) errors.push(fieldInvalid(indexPath('spec.clusterIPs', index), goStringSlice(nextIps), 'may not change once set'));
    });
  } else if (prevIps.length > nextIps.length) {
    if (nextIps.length === 0) errors.push(fieldInvalid(first, goStringSlice(nextIps), 'primary clusterIP can not be unset'));
    if (prevIps.length > 0 && nextIps.length > 0 && nextIps[0] !== prevIps[0]) errors.push(fieldInvalid(first, goStringSlice(nextIps), 'may not change once set'));
    if (nextIps.length === 1 && next.spec?.ipFamilyPolicy !== 'SingleStack') {
      errors.push(fieldInvalid(first, goStringSlice(nextIps), "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (prevIps.length > 0 && nextIps[0] !== prevIps[0]) {
    errors.push(fieldInvalid(first, goStringSlice(nextIps), 'may not change once set'));
  }
  return errors;
}

export function validateServiceUpdate(next: Service, prev: Service): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateClusterIpChange(next, prev), ...validateServiceSpec(next)];
}
