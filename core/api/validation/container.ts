// Container validation (validateContainerCommon and what hangs off it: ports, env, resources,
// volume mounts, pull policy). Probes and lifecycle handlers are in probes.ts.
import {
  childPath,
  fieldDuplicate,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  GoSyntaxValue,
  indexPath,
  keyPath,
  type ApiFieldError,
} from '../field-errors.js';
import { Quantity, QuantityParseError } from '../quantity.js';
import type { Container, EnvFromSource, EnvVar, ResourceRequirements } from '../types/container.js';
import type { IntOrString } from '../types/meta.js';
import { isConfigMapKey, isDns1123Label, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum } from './names.js';
import { IS_NEGATIVE_MESSAGE } from './object-meta.js';

const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const ENV_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const ENV_RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

export function validateDns1123LabelField(value: string, path: string): ApiFieldError[] {
  return isDns1123Label(value).map((message) => fieldInvalid(path, value, message));
}

/** IntOrString prints without quotes in Kubernetes messages (it is a fmt.Stringer). */
export function intOrStringValue(value: IntOrString | undefined): GoSyntaxValue {
  return new GoSyntaxValue(String(value ?? 0));
}

export function validatePortNumOrName(port: IntOrString | undefined, path: string): ApiFieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((message) => fieldInvalid(path, port, message));
  const number = port ?? 0;
  return isValidPortNum(number).map((message) => fieldInvalid(path, number, message));
}

function validateContainerPorts(container: Container, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const names = new Set<string>();
  (container.ports ?? []).forEach((port, index) => {
    const portPath = indexPath(path, index);
    const name = port.name ?? '';
    if (name !== '') {
      const problems = isValidPortName(name);
      if (problems.length > 0) {
        for (const message of problems) errors.push(fieldInvalid(childPath(portPath, 'name'), name, message));
      } else if (names.has(name)) {
        errors.push(fieldDuplicate(childPath(portPath, 'name'), name));
      } else {
        names.add(name);
      }
    }
    if ((port.containerPort ?? 0) === 0) {
      errors.push(fieldRequired(childPath(portPath, 'containerPort')));
    } else {
      for (const message of isValidPortNum(port.containerPort)) {
        errors.push(fieldInvalid(childPath(portPath, 'containerPort'), port.containerPort, message));
      }
    }
    if ((port.hostPort ?? 0) !== 0) {
      for (const message of isValidPortNum(port.hostPort ?? 0)) {
        errors.push(fieldInvalid(childPath(portPath, 'hostPort'), port.hostPort, message));
      }
    }
    const protocol = port.protocol ?? '';
    if (protocol === '') {
      errors.push(fieldRequired(childPath(portPath, 'protocol')));
    } else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) {
      errors.push(fieldNotSupported(childPath(portPath, 'protocol'), protocol, SUPPORTED_PORT_PROTOCOLS));
    }
  });
  return errors;
}

/** Host ports must be unique per host IP and protocol across the given containers. */
export function checkHostPortConflicts(containers: readonly Container[], path: string, indexOffset = 0): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((container, containerIndex) => {
    (container.ports ?? []).forEach((port, portIndex) => {
      const hostPort = port.hostPort ?? 0;
      if (hostPort === 0) return;
      const key = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${hostPort}`;
      const portPath = indexPath(childPath(indexPath(path, containerIndex + indexOffset), 'ports'), portIndex);
      if (seen.has(key)) errors.push(fieldDuplicate(childPath(portPath, 'hostPort'), key));
      seen.add(key);
    });
  });
  return errors;
}

function validateKeySelector(selector: { name?: string; key?: string }, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  if ((selector.name ?? '') === '') errors.push(fieldRequired(childPath(path, 'name')));
  const key = selector.key ?? '';
  if (key === '') {
    errors.push(fieldRequired(childPath(path, 'key')));
  } else {
    for (const message of isConfigMapKey(key)) errors.push(fieldInvalid(childPath(path, 'key'), key, message));
  }
  return errors;
}

function validateEnvVarValueFrom(env: EnvVar, path: string): ApiFieldError[] {
  const source = env.valueFrom;
  if (source == null) return [];
  const errors: ApiFieldError[] = [];
  let sources = 0;
  if (source.fieldRef != null) {
    sources++;
    const fieldRef = source.fieldRef;
    const refPath = childPath(path, 'fieldRef');
    if ((fieldRef.apiVersion ?? '') === '') errors.push(fieldRequired(childPath(refPath, 'apiVersion')));
    const fieldPath = fieldRef.fieldPath ?? '';
    if (fieldPath === '') {
      errors.push(fieldRequired(childPath(refPath, 'fieldPath')));
    } else {
      const base = /^metadata\.(labels|annotations)\['[^']+'\]$/.exec(fieldPath);
      if (base === null && !ENV_FIELD_PATHS.includes(fieldPath)) {
        errors.push(fieldNotSupported(childPath(refPath, 'fieldPath'), fieldPath, ENV_FIELD_PATHS));
      }
    }
  }
  if (source.resourceFieldRef != null) {
    sources++;
    const resource = source.resourceFieldRef.resource ?? '';
    const refPath = childPath(path, 'resourceFieldRef');
    if (resource === '') {
      errors.push(fieldRequired(childPath(refPath, 'resource')));
    } else if (!ENV_RESOURCE_FIELDS.includes(resource) && !/^(limits|requests)\.hugepages-/.test(resource)) {
      errors.push(fieldNotSupported(childPath(refPath, 'resource'), resource, ENV_RESOURCE_FIELDS));
    }
  }
  if (source.configMapKeyRef != null) {
    sources++;
    errors.push(...validateKeySelector(source.configMapKeyRef, childPath(path, 'configMapKeyRef')));
  }
  if (source.secretKeyRef != null) {
    sources++;
    errors.push(...validateKeySelector(source.secretKeyRef, childPath(path, 'secretKeyRef')));
  }
  if (sources === 0) {
    errors.push(fieldInvalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if ((env.value ?? '') !== '') {
    errors.push(fieldInvalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errors.push(fieldInvalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errors;
}

function validateEnv(env: readonly EnvVar[] | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (env ?? []).forEach((variable, index) => {
    const variablePath = indexPath(path, index);
    const name = variable.name ?? '';
    if (name === '') errors.push(fieldRequired(childPath(variablePath, 'name')));
    for (const message of isEnvVarName(name)) errors.push(fieldInvalid(childPath(variablePath, 'name'), name, message));
    errors.push(...validateEnvVarValueFrom(variable, childPath(variablePath, 'valueFrom')));
  });
  return errors;
}

function validateEnvFrom(sources: readonly EnvFromSource[] | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (sources ?? []).forEach((source, index) => {
    const sourcePath = indexPath(path, index);
    const prefix = source.prefix ?? '';
    if (prefix !== '') {
      for (const message of isEnvVarName(prefix)) errors.push(fieldInvalid(childPath(sourcePath, 'prefix'), prefix, message));
    }
    const count = (source.configMapRef != null ? 1 : 0) + (source.secretRef != null ? 1 : 0);
    if (count === 0) {
      errors.push(fieldInvalid(sourcePath, '', 'must specify one of: `configMapRef` or `secretRef`'));
    } else if (count > 1) {
      errors.push(fieldInvalid(sourcePath, '', 'may not have more than one field specified at a time'));
    }
    for (const [key, ref] of [
      ['configMapRef', source.configMapRef],
      ['secretRef', source.secretRef],
    ] as const) {
      if (ref != null && (ref.name ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, key, 'name')));
    }
  });
  return errors;
}

function validateVolumeMounts(container: Container, volumeNames: ReadonlySet<string>, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const mountPaths = new Set<string>();
  (container.volumeMounts ?? []).forEach((mount, index) => {
    const mountPath = indexPath(path, index);
    const name = mount.name ?? '';
    if (name === '') errors.push(fieldRequired(childPath(mountPath, 'name')));
    if (!volumeNames.has(name)) errors.push(fieldNotFound(childPath(mountPath, 'name'), name));
    const target = mount.mountPath ?? '';
    if (target === '') errors.push(fieldRequired(childPath(mountPath, 'mountPath')));
    if (mountPaths.has(target)) errors.push(fieldInvalid(childPath(mountPath, 'mountPath'), target, 'must be unique'));
    mountPaths.add(target);
    const subPath = mount.subPath ?? '';
    if (subPath !== '') {
      if (subPath.startsWith('/')) errors.push(fieldInvalid(childPath(path, 'subPath'), subPath, 'must be a relative path'));
      if (subPath.split('/').includes('..')) errors.push(fieldInvalid(childPath(path, 'subPath'), subPath, "must not contain '..'"));
    }
    const propagation = mount.mountPropagation;
    if (propagation != null && !['None', 'HostToContainer', 'Bidirectional'].includes(propagation)) {
      errors.push(fieldNotSupported(childPath(mountPath, 'mountPropagation'), propagation, ['Bidirectional', 'HostToContainer', 'None']));
    }
  });
  return errors;
}

function parseQuantityOrUndefined(value: unknown): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return Quantity.parse(String(value));
  } catch (error) {
    if (error instanceof QuantityParseError) return undefined;
    throw error;
  }
}

function validateResourceName(name: string, path: string): ApiFieldError[] {
  const errors = isQualifiedName(name).map((message) => fieldInvalid(path, name, message));
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
      errors.push(fieldInvalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/') && name.startsWith('requests.')) {
    errors.push(fieldInvalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errors;
}

/** Extended resources (a domain-prefixed name outside kubernetes.io) and hugepages cannot be overcommitted. */
function isOvercommitAllowed(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return native && !name.startsWith('hugepages-');
}

function validateResourceQuantity(name: string, quantity: Quantity, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  if (quantity.sign() < 0) errors.push(fieldInvalid(path, quantity.toString(), IS_NEGATIVE_MESSAGE));
  if (!isOvercommitAllowed(name) && !name.startsWith('hugepages-') && quantity.milliValue() % 1000n !== 0n) {
    errors.push(fieldInvalid(path, quantity.toString(), 'must be an integer'));
  }
  return errors;
}

/** Resource names, non-negative quantities, and requests <= limits (== for non-overcommittable ones). */
export function validateResourceRequirements(resources: ResourceRequirements | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const limitsPath = childPath(path, 'limits');
  const requestsPath = childPath(path, 'requests');
  const limits = new Map<string, Quantity>();
  for (const name of Object.keys(resources?.limits ?? {}).sort()) {
    const namePath = keyPath(limitsPath, name);
    errors.push(...validateResourceName(name, namePath));
    const quantity = parseQuantityOrUndefined(resources?.limits?.[name]);
    if (quantity === undefined) continue;
    limits.set(name, quantity);
    errors.push(...validateResourceQuantity(name, quantity, namePath));
  }
  for (const name of Object.keys(resources?.requests ?? {}).sort()) {
    const namePath = keyPath(requestsPath, name);
    errors.push(...validateResourceName(name, namePath));
    const quantity = parseQuantityOrUndefined(resources?.requests?.[name]);
    if (quantity === undefined) continue;
    errors.push(...validateResourceQuantity(name, quantity, namePath));
    const limit = limits.get(name);
    if (limit !== undefined) {
      if (quantity.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errors.push(fieldInvalid(requestsPath, quantity.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (quantity.cmp(limit) > 0) {
        errors.push(fieldInvalid(requestsPath, quantity.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errors.push(fieldRequired(limitsPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errors;
}

/** What every kind of container must satisfy (validateContainerCommon). */
export function validateContainerCommon(container: Container, volumeNames: ReadonlySet<string>, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const name = container.name ?? '';
  if (name === '') {
    errors.push(fieldRequired(childPath(path, 'name')));
  } else {
    errors.push(...validateDns1123LabelField(name, childPath(path, 'name')));
  }
  if ((container.image ?? '') === '') errors.push(fieldRequired(childPath(path, 'image')));
  const messagePolicy = container.terminationMessagePolicy ?? '';
  if (messagePolicy === '') {
    errors.push(fieldRequired(childPath(path, 'terminationMessagePolicy')));
  } else if (messagePolicy !== 'File' && messagePolicy !== 'FallbackToLogsOnError') {
    errors.push(fieldNotSupported(childPath(path, 'terminationMessagePolicy'), messagePolicy, ['File', 'FallbackToLogsOnError']));
  }
  errors.push(...validateContainerPorts(container, childPath(path, 'ports')));
  errors.push(...validateEnv(container.env, childPath(path, 'env')));
  errors.push(...validateEnvFrom(container.envFrom, childPath(path, 'envFrom')));
  errors.push(...validateVolumeMounts(container, volumeNames, childPath(path, 'volumeMounts')));
  const pullPolicy = container.imagePullPolicy ?? '';
  if (pullPolicy === '') {
    errors.push(fieldRequired(childPath(path, 'imagePullPolicy')));
  } else if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) {
    errors.push(fieldNotSupported(childPath(path, 'imagePullPolicy'), pullPolicy, ['Always', 'IfNotPresent', 'Never']));
  }
  errors.push(...validateResourceRequirements(container.resources, childPath(path, 'resources')));
  const securityContext = container.securityContext;
  if (securityContext != null) {
    for (const key of ['runAsUser', 'runAsGroup'] as const) {
      const id = securityContext[key];
      if (id != null && (id < 0 || id > 2147483647)) {
        errors.push(fieldInvalid(childPath(path, 'securityContext', key), id, 'must be between 0 and 2147483647, inclusive'));
      }
    }
    if (securityContext.privileged === true && securityContext.allowPrivilegeEscalation === false) {
      errors.push(fieldInvalid(childPath(path, 'securityContext'), securityContext, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    }
  }
  return errors;
}
