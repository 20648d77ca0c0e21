// Defaulting of pod specs, as kube-apiserver applies it when decoding a core/v1 object
// (SetDefaults_PodSpec, _Container, _Probe, _Volume, … and the declarative +default tags).
import { asArray, asJsonObject, isJsonObject, setDefault, setDefaultString, type JsonObject } from '../json.js';
import { Quantity, QuantityParseError } from '../quantity.js';

/** Mode of files projected from Secrets, ConfigMaps, downward API and projected volumes: 0644. */
const DEFAULT_VOLUME_FILE_MODE = 0o644;
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
const DEFAULT_SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS = 3600;
/** Resource lists are rounded up to milli precision on write. */
const RESOURCE_LIST_SCALE = -3;

function eachObject(value: unknown, visit: (item: JsonObject) => void): void {
  for (const item of asArray(value)) {
    if (isJsonObject(item)) visit(item);
  }
}

/** The tag of an image reference ('' when it has only a digest or cannot be parsed; 'latest' when none). */
export function imageTag(image: string): string {
  if (image === '' || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const repository = name.slice(lastSlash + 1);
  const colon = repository.lastIndexOf(':');
  const path = colon >= 0 ? name.slice(0, lastSlash + 1 + colon) : name;
  // Docker references allow upper case only in the registry host part.
  const firstSlash = path.indexOf('/');
  const hasRegistry = firstSlash >= 0 && /[.:]|^localhost$/.test(path.slice(0, firstSlash));
  const repositoryPath = hasRegistry ? path.slice(firstSlash + 1) : path;
  if (/[A-Z]/.test(repositoryPath) || repositoryPath === '') return '';
  if (colon >= 0) return repository.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** `Always` for `:latest` or untagged images, else `IfNotPresent` (SetDefaults_Container). */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Rewrites every quantity in a resource list canonically, rounded up to milli precision. */
export function canonicalizeResourceList(list: unknown): void {
  if (!isJsonObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    try {
      list[name] = Quantity.parse(String(value)).roundUp(RESOURCE_LIST_SCALE).toString();
    } catch (error) {
      // Unparseable values are rejected earlier by the decode check; leave them for it to report.
      if (!(error instanceof QuantityParseError)) throw error;
    }
  }
}

function canonicalizeQuantityField(parent: JsonObject, key: string): void {
  const value = parent[key];
  if (typeof value !== 'string' && typeof value !== 'number') return;
  try {
    parent[key] = Quantity.parse(String(value)).toString();
  } catch (error) {
    if (!(error instanceof QuantityParseError)) throw error;
  }
}

function defaultHttpGet(action: unknown): void {
  if (!isJsonObject(action)) return;
  setDefaultString(action, 'path', '/');
  setDefaultString(action, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isJsonObject(probe)) return;
  for (const [key, value] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (probe[key] === undefined || probe[key] === null || probe[key] === 0) probe[key] = value;
  }
  defaultHttpGet(probe.httpGet);
  const grpc = asJsonObject(probe.grpc);
  if (grpc !== undefined) setDefault(grpc, 'service', '');
}

function defaultFieldRef(holder: unknown): void {
  const fieldRef = asJsonObject(asJsonObject(holder)?.fieldRef);
  if (fieldRef !== undefined) setDefaultString(fieldRef, 'apiVersion', 'v1');
}

function defaultContainer(container: JsonObject): void {
  setDefaultString(container, 'imagePullPolicy', defaultImagePullPolicy(typeof container.image === 'string' ? container.image : ''));
  setDefaultString(container, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(container, 'terminationMessagePolicy', 'File');
  eachObject(container.ports, (port) => setDefaultString(port, 'protocol', 'TCP'));
  eachObject(container.env, (env) => defaultFieldRef(env.valueFrom));
  const resources = asJsonObject(container.resources);
  if (resources !== undefined) {
    canonicalizeResourceList(resources.limits);
    canonicalizeResourceList(resources.requests);
  }
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
  const lifecycle = asJsonObject(container.lifecycle);
  if (lifecycle !== undefined) {
    defaultHttpGet(asJsonObject(lifecycle.postStart)?.httpGet);
    defaultHttpGet(asJsonObject(lifecycle.preStop)?.httpGet);
  }
}

const VOLUME_SOURCE_KEYS_WITH_MODE = ['secret', 'configMap', 'downwardAPI', 'projected'] as const;

function defaultVolume(volume: JsonObject): void {
  const sources = Object.keys(volume).filter((key) => key !== 'name' && volume[key] !== null && volume[key] !== undefined);
  if (sources.length === 0) volume.emptyDir = {};
  for (const key of VOLUME_SOURCE_KEYS_WITH_MODE) {
    const source = asJsonObject(volume[key]);
    if (source !== undefined) setDefault(source, 'defaultMode', DEFAULT_VOLUME_FILE_MODE);
  }
  const hostPath = asJsonObject(volume.hostPath);
  if (hostPath !== undefined) setDefault(hostPath, 'type', '');
  const emptyDir = asJsonObject(volume.emptyDir);
  if (emptyDir !== undefined) canonicalizeQuantityField(emptyDir, 'sizeLimit');
  eachObject(asJsonObject(volume.downwardAPI)?.items, defaultFieldRef);
  eachObject(asJsonObject(volume.projected)?.sources, (projection) => {
    eachObject(asJsonObject(projection.downwardAPI)?.items, defaultFieldRef);
    const token = asJsonObject(projection.serviceAccountToken);
    if (token !== undefined) setDefault(token, 'expirationSeconds', DEFAULT_SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS);
  });
}

/** SetDefaults_PodSpec and everything below it; applies to Pods and to pod templates alike. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  // serviceAccount is the deprecated alias: accepted on input, then mirrored from serviceAccountName.
  if ((typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') && typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') spec.serviceAccount = spec.serviceAccountName;
  eachObject(spec.volumes, defaultVolume);
  eachObject(spec.initContainers, defaultContainer);
  eachObject(spec.containers, defaultContainer);
  eachObject(spec.ephemeralContainers, defaultContainer);
  canonicalizeResourceList(spec.overhead);
  const podResources = asJsonObject(spec.resources);
  if (podResources !== undefined) {
    canonicalizeResourceList(podResources.limits);
    canonicalizeResourceList(podResources.requests);
  }
}

/** SetDefaults_Pod: what applies to a Pod object but not to pod templates. */
export function defaultPod(pod: JsonObject): void {
  const spec = asJsonObject(pod.spec);
  if (spec === undefined) return;
  defaultPodSpec(spec);
  for (const list of [spec.containers, spec.initContainers]) {
    eachObject(list, (container) => {
      const resources = asJsonObject(container.resources);
      const limits = asJsonObject(resources?.limits);
      if (resources === undefined || limits === undefined) return;
      const requests = asJsonObject(resources.requests) ?? {};
      for (const [name, value] of Object.entries(limits)) {
        if (requests[name] === undefined) requests[name] = value;
      }
      resources.requests = requests;
    });
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of [spec.containers, spec.initContainers]) {
      eachObject(list, (container) =>
        eachObject(container.ports, (port) => {
          if (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0) port.hostPort = port.containerPort;
        }),
      );
    }
  }
}

/** Defaults of a pod template embedded in a workload (`spec.template`). */
export function defaultPodTemplate(template: unknown): void {
  const spec = asJsonObject(asJsonObject(template)?.spec);
  if (spec !== undefined) defaultPodSpec(spec);
}
