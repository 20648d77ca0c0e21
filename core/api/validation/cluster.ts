// Validation of the remaining kinds: Namespace, Node, ServiceAccount, Event, Lease, Endpoints,
// EndpointSlice and the autoscaling/v1 Scale subresource.
import {
  childPath,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooMany,
  indexPath,
  type ApiFieldError,
} from '../field-errors.js';
import { Quantity, QuantityParseError } from '../quantity.js';
import type { Endpoints, Event, Namespace, Node, ServiceAccount } from '../types/core.js';
import type { EndpointSlice, Lease, Scale } from '../types/workloads.js';
import { validateDns1123LabelField } from './container.js';
import {
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  nameIsPathSegment,
} from './names.js';
import { IS_NEGATIVE_MESSAGE, validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { INVALID_IP_MESSAGE, isValidIp } from './service.js';

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
/** Bounds of an EndpointSlice (discovery validation). */
const MAX_ENDPOINTS_PER_SLICE = 1000;
const MAX_ADDRESSES_PER_ENDPOINT = 100;
const MAX_PORTS_PER_SLICE = 20000;

function validateNamespaceFinalizers(namespace: Namespace): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  for (const finalizer of namespace.spec?.finalizers ?? []) {
    for (const message of isQualifiedName(finalizer)) errors.push(fieldInvalid('spec.finalizers', finalizer, message));
    errors.push(...validateKubeFinalizerName(finalizer, 'spec.finalizers'));
  }
  return errors;
}

export function validateNamespace(namespace: Namespace): ApiFieldError[] {
  return [...validateObjectMeta(namespace.metadata, { namespaced: false, nameValidator: nameIsDnsLabel }), ...validateNamespaceFinalizers(namespace)];
}

export function validateNamespaceUpdate(next: Namespace, prev: Namespace): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateNamespaceFinalizers(next)];
}

function validateResourceList(list: Record<string, string> | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  for (const name of Object.keys(list ?? {}).sort()) {
    const entryPath = `${path}[${name}]`;
    for (const message of isQualifiedName(name)) errors.push(fieldInvalid(entryPath, name, message));
    try {
      const quantity = Quantity.parse(String(list?.[name]));
      if (quantity.sign() < 0) errors.push(fieldInvalid(entryPath, quantity.toString(), IS_NEGATIVE_MESSAGE));
    } catch (error) {
      if (!(error instanceof QuantityParseError)) throw error;
    }
  }
  return errors;
}

function validateNodeSpecAndStatus(node: Node): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((taint, index) => {
    const taintPath = indexPath('spec.taints', index);
    for (const message of isQualifiedName(taint.key ?? '')) errors.push(fieldInvalid(childPath(taintPath, 'key'), taint.key ?? '', message));
    for (const message of isValidLabelValue(taint.value ?? '')) errors.push(fieldInvalid(childPath(taintPath, 'value'), taint.value ?? '', message));
    const effect: string = taint.effect ?? '';
    if (effect === '') errors.push(fieldRequired(childPath(taintPath, 'effect')));
    else if (!TAINT_EFFECTS.includes(effect)) errors.push(fieldNotSupported(childPath(taintPath, 'effect'), effect, TAINT_EFFECTS));
    const key = `${taint.key ?? ''}:${effect}`;
    if (seen.has(key)) errors.push(fieldDuplicate(taintPath, `${taint.key ?? ''}=${taint.value ?? ''}:${effect}`));
    seen.add(key);
  });
  errors.push(...validateResourceList(node.status?.capacity, 'status.capacity'));
  errors.push(...validateResourceList(node.status?.allocatable, 'status.allocatable'));
  return errors;
}

export function validateNode(node: Node): ApiFieldError[] {
  return [...validateObjectMeta(node.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain }), ...validateNodeSpecAndStatus(node)];
}

export function validateNodeUpdate(next: Node, prev: Node): ApiFieldError[] {
  const errors = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateNodeSpecAndStatus(next)];
  const prevCidrs = prev.spec?.podCIDRs ?? [];
  if (prevCidrs.length > 0 && JSON.stringify(prevCidrs) !== JSON.stringify(next.spec?.podCIDRs ?? [])) {
    errors.push(fieldForbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const prevProvider = prev.spec?.providerID ?? '';
  if (prevProvider !== '' && prevProvider !== (next.spec?.providerID ?? '')) {
    errors.push(fieldForbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errors;
}

export function validateServiceAccount(account: ServiceAccount): ApiFieldError[] {
  return validateObjectMeta(account.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
}

export function validateServiceAccountUpdate(next: ServiceAccount, prev: ServiceAccount): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateServiceAccount(next)];
}

/**
 * core/v1 Events pass Kubernetes' legacy event validation: the involved object's namespace must
 * agree with the event's. Flotilla also requires an involvedObject to be present.
 */
function validateEventContent(event: Event): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const involved = event.involvedObject;
  if (involved == null || Object.keys(involved).length === 0) errors.push(fieldRequired('involvedObject'));
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = involved?.namespace ?? '';
  if ((event.eventTime ?? '') === '') {
    const agrees = involvedNamespace === '' ? namespace === '' || namespace === 'default' : namespace === involvedNamespace;
    if (!agrees) errors.push(fieldInvalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
  } else {
    if (involvedNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errors.push(fieldInvalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
    }
    if ((event.reportingComponent ?? '') === '') errors.push(fieldRequired('reportingComponent'));
    for (const message of isQualifiedName(event.reportingComponent ?? '')) errors.push(fieldInvalid('reportingComponent', event.reportingComponent ?? '', message));
    if ((event.reportingInstance ?? '') === '') errors.push(fieldRequired('reportingInstance'));
    if ((event.action ?? '') === '') errors.push(fieldRequired('action'));
    if ((event.reason ?? '') === '') errors.push(fieldRequired('reason'));
  }
  for (const message of isDns1123Subdomain(namespace)) errors.push(fieldInvalid('namespace', namespace, message));
  return errors;
}

export function validateEvent(event: Event): ApiFieldError[] {
  return [...validateEventContent(event), ...validateObjectMeta(event.metadata, { namespaced: true, nameValidator: nameIsPathSegment })];
}

export function validateEventUpdate(next: Event, prev: Event): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateEventContent(next)];
}

function validateLeaseSpec(lease: Lease): ApiFieldError[] {
  const spec = lease.spec ?? {};
  const errors: ApiFieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errors.push(fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errors.push(fieldInvalid('spec.leaseTransitions', spec.leaseTransitions, IS_NEGATIVE_MESSAGE));
  }
  if (spec.strategy != null && spec.strategy !== 'OldestEmulationVersion') {
    errors.push(fieldNotSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
  }
  if ((spec.preferredHolder ?? '') !== '' && (spec.strategy ?? '') === '') {
    errors.push(fieldForbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errors;
}

export function validateLease(lease: Lease): ApiFieldError[] {
  return [...validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateLeaseSpec(lease)];
}

export function validateLeaseUpdate(next: Lease, prev: Lease): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateLeaseSpec(next)];
}

function validateEndpointAddress(address: { ip?: string; hostname?: string; nodeName?: string }, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const ip = address.ip ?? '';
  if (!isValidIp(ip)) errors.push(fieldInvalid(childPath(path, 'ip'), ip, INVALID_IP_MESSAGE));
  if ((address.hostname ?? '') !== '') errors.push(...validateDns1123LabelField(address.hostname ?? '', childPath(path, 'hostname')));
  if ((address.nodeName ?? '') !== '') {
    for (const message of isDns1123Subdomain(address.nodeName ?? '')) errors.push(fieldInvalid(childPath(path, 'nodeName'), address.nodeName, message));
  }
  return errors;
}

function validateEndpointsSubsets(endpoints: Endpoints): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (endpoints.subsets ?? []).forEach((subset, index) => {
    const subsetPath = indexPath('subsets', index);
    if ((subset.addresses ?? []).length === 0 && (subset.notReadyAddresses ?? []).length === 0) {
      errors.push(fieldRequired(subsetPath, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (subset.addresses ?? []).forEach((address, i) => errors.push(...validateEndpointAddress(address, indexPath(childPath(subsetPath, 'addresses'), i))));
    (subset.notReadyAddresses ?? []).forEach((address, i) =>
      errors.push(...validateEndpointAddress(address, indexPath(childPath(subsetPath, 'notReadyAddresses'), i))),
    );
    const ports = subset.ports ?? [];
    ports.forEach((port, i) => {
      const portPath = indexPath(childPath(subsetPath, 'ports'), i);
      const name = port.name ?? '';
      if (ports.length > 1 && name === '') errors.push(fieldRequired(childPath(portPath, 'name')));
      else if (name !== '') errors.push(...validateDns1123LabelField(name, childPath(portPath, 'name')));
      for (const message of isValidPortNum(port.port ?? 0)) errors.push(fieldInvalid(childPath(portPath, 'port'), port.port ?? 0, message));
      const protocol = port.protocol ?? '';
      if (protocol === '') errors.push(fieldRequired(childPath(portPath, 'protocol')));
      else if (!PORT_PROTOCOLS.includes(protocol)) errors.push(fieldNotSupported(childPath(portPath, 'protocol'), protocol, PORT_PROTOCOLS));
    });
  });
  return errors;
}

export function validateEndpoints(endpoints: Endpoints): ApiFieldError[] {
  return [...validateObjectMeta(endpoints.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateEndpointsSubsets(endpoints)];
}

export function validateEndpointsUpdate(next: Endpoints, prev: Endpoints): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateEndpointsSubsets(next)];
}

function validateEndpointSliceContent(slice: EndpointSlice): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const addressType = slice.addressType ?? '';
  if (addressType === '') errors.push(fieldRequired('addressType'));
  else if (!['FQDN', 'IPv4', 'IPv6'].includes(addressType)) errors.push(fieldNotSupported('addressType', addressType, ['FQDN', 'IPv4', 'IPv6']));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS_PER_SLICE) errors.push(fieldTooMany('endpoints', endpoints.length, MAX_ENDPOINTS_PER_SLICE));
  endpoints.forEach((endpoint, index) => {
    const endpointPath = indexPath('endpoints', index);
    const addresses = endpoint.addresses ?? [];
    const addressesPath = childPath(endpointPath, 'addresses');
    if (addresses.length === 0) errors.push(fieldRequired(addressesPath, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES_PER_ENDPOINT) errors.push(fieldTooMany(addressesPath, addresses.length, MAX_ADDRESSES_PER_ENDPOINT));
    addresses.forEach((address, i) => {
      const addressPath = indexPath(addressesPath, i);
      if (addressType === 'IPv4' && !/^[0-9.]+$/.test(address)) errors.push(fieldInvalid(addressPath, address, 'must be a valid IPv4 address'));
      else if (addressType === 'IPv6' && !address.includes(':')) errors.push(fieldInvalid(addressPath, address, 'must be a valid IPv6 address'));
      else if (addressType !== 'FQDN' && !isValidIp(address)) errors.push(fieldInvalid(addressPath, address, INVALID_IP_MESSAGE));
      else if (addressType === 'FQDN') for (const message of isDns1123Subdomain(address)) errors.push(fieldInvalid(addressPath, address, message));
    });
    if ((endpoint.hostname ?? '') !== '') errors.push(...validateDns1123LabelField(endpoint.hostname ?? '', childPath(endpointPath, 'hostname')));
    if ((endpoint.nodeName ?? '') !== '') {
      for (const message of isDns1123Subdomain(endpoint.nodeName ?? '')) errors.push(fieldInvalid(childPath(endpointPath, 'nodeName'), endpoint.nodeName, message));
    }
  });
  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS_PER_SLICE) errors.push(fieldTooMany('ports', ports.length, MAX_PORTS_PER_SLICE));
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const portPath = indexPath('ports', index);
    const name = port.name ?? '';
    if (name !== '') errors.push(...validateDns1123LabelField(name, childPath(portPath, 'name')));
    if (names.has(name)) errors.push(fieldDuplicate(childPath(portPath, 'name'), name));
    names.add(name);
    const protocol = port.protocol ?? '';
    if (protocol === '') errors.push(fieldRequired(childPath(portPath, 'protocol')));
    else if (!PORT_PROTOCOLS.includes(protocol)) errors.push(fieldNotSupported(childPath(portPath, 'protocol'), protocol, PORT_PROTOCOLS));
    if (port.port != null) for (const message of isValidPortNum(port.port)) errors.push(fieldInvalid(childPath(portPath, 'port'), port.port, message));
  });
  return errors;
}

export function validateEndpointSlice(slice: EndpointSlice): ApiFieldError[] {
  return [...validateObjectMeta(slice.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateEndpointSliceContent(slice)];
}

export function validateEndpointSliceUpdate(next: EndpointSlice, prev: EndpointSlice): ApiFieldError[] {
  const errors = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateEndpointSliceContent(next)];
  if ((next.addressType ?? '') !== (prev.addressType ?? '')) errors.push(fieldInvalid('addressType', next.addressType ?? '', 'field is immutable'));
  return errors;
}

/** autoscaling/v1 Scale, as written to a workload's scale subresource. */
export function validateScale(scale: Scale): ApiFieldError[] {
  const errors = validateObjectMeta(scale.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const replicas = scale.spec?.replicas ?? 0;
  if (replicas < 0) errors.push(fieldInvalid('spec.replicas', replicas, IS_NEGATIVE_MESSAGE));
  return errors;
}
