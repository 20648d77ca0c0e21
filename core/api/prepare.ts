// What kube-apiserver does to an object between decoding and validation: system metadata on
// create (uid, creationTimestamp, generated name, generation), the kind's PrepareForCreate /
// PrepareForUpdate (status reset or carried over, generation bumps), on update the preservation
// of immutable metadata. Pure: the clock reading and id/random sources are passed in.
import { ApiUnknownError } from './errors.js';
import { asArray, asJsonObject, cloneJson, ensureJsonObject, isJsonObject, jsonEqual, type JsonObject } from './json.js';
import { defaultJobLabelsFromTemplate, defaultServiceIpFamilies } from './defaults/index.js';
import { formatRfc3339, generateObjectName, type IntSource } from './meta.js';
import { computePodQosClass } from './pod-qos.js';
import { hasStatusSubresource, type ApiResourceType } from './registry.js';
import type { KubeObject } from './types/meta.js';
import type { Pod } from './types/pod.js';
import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './validation/batch.js';

export interface CreateContext {
  /** The current time, in milliseconds since the epoch. */
  readonly nowMs: number;
  /** Returns a fresh uid (an RFC 4122 UUID in Kubernetes). */
  readonly newUid: () => string;
  /** Source of generateName suffixes. */
  readonly random: IntSource;
}

/** The message kube-apiserver's storage gives a create that carries a resourceVersion. */
export const RESOURCE_VERSION_SET_ON_CREATE_MESSAGE = 'resourceVersion should not be set on objects to be created';

function metadataOf(object: KubeObject): JsonObject {
  return ensureJsonObject(object as JsonObject, 'metadata');
}

/** Top-level fields that are neither metadata nor status: what a spec change means for generation. */
function specPart(object: KubeObject): JsonObject {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

function generateJobSelector(job: KubeObject): void {
  const spec = ensureJsonObject(job as JsonObject, 'spec');
  if (spec.manualSelector === true) return;
  const metadata = metadataOf(job);
  const uid = typeof metadata.uid === 'string' ? metadata.uid : '';
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const templateMetadata = ensureJsonObject(ensureJsonObject(spec, 'template'), 'metadata');
  const labels = ensureJsonObject(templateMetadata, 'labels');
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  const matchLabels = ensureJsonObject(ensureJsonObject(spec, 'selector'), 'matchLabels');
  matchLabels[JOB_CONTROLLER_UID_LABEL] ??= uid;
  // Kubernetes re-defaults the stored Job on read, so label-less Jobs show the generated labels too.
  defaultJobLabelsFromTemplate(job as JsonObject);
}

function prepareKindForCreate(type: ApiResourceType, object: KubeObject): void {
  const record = object as JsonObject;
  if (hasStatusSubresource(type) && type.kind !== 'Node') delete record.status;
  switch (type.kind) {
    case 'Pod':
      record.status = { phase: 'Pending', qosClass: computePodQosClass(object as Pod) };
      break;
    case 'Namespace': {
      record.status = { phase: 'Active' };
      const spec = ensureJsonObject(record, 'spec');
      const finalizers = asArray(spec.finalizers).filter((item): item is string => typeof item === 'string');
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
      spec.finalizers = finalizers;
      break;
    }
    case 'Service': {
      const spec = ensureJsonObject(record, 'spec');
      if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && asArray(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
      defaultServiceIpFamilies(record);
      record.status = { loadBalancer: {} };
      break;
    }
    case 'Job':
      generateJobSelector(object);
      break;
    default:
      break;
  }
  if (hasStatusSubresource(type) && record.status === undefined && type.kind !== 'Node') record.status = {};
}

/**
 * Prepares a decoded, defaulted object for create, in place: rejects a set resourceVersion,
 * assigns uid and creationTimestamp, generates the name from generateName, clears deletion
 * fields and selfLink, sets generation 1 for kinds that track it, and applies the kind's
 * create preparation (status reset; Pod phase Pending and QoS; Namespace finalizer; Job selector).
 * Run validateObjectCreate afterwards.
 */
export function prepareObjectForCreate(type: ApiResourceType, object: KubeObject, context: CreateContext): KubeObject {
  const metadata = metadataOf(object);
  if (typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '' && metadata.resourceVersion !== '0') {
    throw new ApiUnknownError(500, RESOURCE_VERSION_SET_ON_CREATE_MESSAGE);
  }
  delete metadata.resourceVersion;
  delete metadata.selfLink;
  metadata.uid = context.newUid();
  metadata.creationTimestamp = formatRfc3339(context.nowMs);
  const generateName = typeof metadata.generateName === 'string' ? metadata.generateName : '';
  if (generateName !== '' && (typeof metadata.name !== 'string' || metadata.name === '')) {
    metadata.name = generateObjectName(generateName, context.random);
  }
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  if (type.tracksGeneration) metadata.generation = 1;
  prepareKindForCreate(type, object);
  return object;
}

/** Whether an update changes what generation counts: the spec (and, for some kinds, more). */
function generationChanged(type: ApiResourceType, next: KubeObject, prev: KubeObject): boolean {
  if (!jsonEqual(specPart(next), specPart(prev))) return true;
  // Deployment annotations are copied to ReplicaSets; EndpointSlice labels select services.
  if (type.kind === 'Deployment' && !jsonEqual(next.metadata?.annotations, prev.metadata?.annotations)) return true;
  if (type.kind === 'EndpointSlice' && !jsonEqual(next.metadata?.labels, prev.metadata?.labels)) return true;
  return false;
}

/** Service updates that leave allocated values out keep the old ones (clusterIP, nodePorts). */
function carryServiceAllocations(next: KubeObject, prev: KubeObject): void {
  const spec = ensureJsonObject(next as JsonObject, 'spec');
  const prevSpec = asJsonObject(prev.spec) ?? {};
  const needsClusterIp = (s: JsonObject): boolean => s.type !== 'ExternalName';
  if (needsClusterIp(spec) && needsClusterIp(prevSpec)) {
    if ((spec.clusterIP ?? '') === '' && typeof prevSpec.clusterIP === 'string') spec.clusterIP = prevSpec.clusterIP;
    if (asArray(spec.clusterIPs).length === 0 && asArray(prevSpec.clusterIPs).length > 0) spec.clusterIPs = cloneJson(prevSpec.clusterIPs);
    if (spec.ipFamilyPolicy === undefined && prevSpec.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = prevSpec.ipFamilyPolicy;
    if (asArray(spec.ipFamilies).length === 0 && asArray(prevSpec.ipFamilies).length > 0) spec.ipFamilies = cloneJson(prevSpec.ipFamilies);
  }
  const needsNodePorts = (s: JsonObject): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (needsNodePorts(spec) && needsNodePorts(prevSpec)) {
    for (const port of asArray(spec.ports)) {
      if (!isJsonObject(port) || (port.nodePort !== undefined && port.nodePort !== 0)) continue;
      const match = asArray(prevSpec.ports).find(
        (old) => isJsonObject(old) && old.port === port.port && (old.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
      );
      if (isJsonObject(match) && typeof match.nodePort === 'number') port.nodePort = match.nodePort;
    }
  }
}

/** Fields of metadata an update may never change; they are taken from the stored object. */
function preserveSystemMetadata(next: KubeObject, prev: KubeObject): void {
  const metadata = metadataOf(next);
  const prevMetadata = prev.metadata ?? {};
  metadata.generation = prevMetadata.generation;
  if (metadata.generation === undefined) delete metadata.generation;
  if ((metadata.uid ?? '') === '' && prevMetadata.uid !== undefined) metadata.uid = prevMetadata.uid;
  if (prevMetadata.creationTimestamp != null) metadata.creationTimestamp = prevMetadata.creationTimestamp;
  if (prevMetadata.deletionTimestamp != null) metadata.deletionTimestamp = prevMetadata.deletionTimestamp;
  if (prevMetadata.deletionGracePeriodSeconds != null && metadata.deletionGracePeriodSeconds == null) {
    metadata.deletionGracePeriodSeconds = prevMetadata.deletionGracePeriodSeconds;
  }
  delete metadata.selfLink;
}

/**
 * Prepares an update of the main resource, in place: keeps the stored status for kinds with a
 * status subresource (and a Namespace's spec.finalizers), carries a Service's allocations,
 * bumps generation when the spec changed, and keeps immutable metadata (uid, creationTimestamp,
 * deletion fields). Run validateObjectUpdate afterwards.
 */
export function prepareObjectForUpdate(type: ApiResourceType, next: KubeObject, prev: KubeObject): KubeObject {
  const record = next as JsonObject;
  preserveSystemMetadata(next, prev);
  if (hasStatusSubresource(type)) {
    if (prev.status === undefined) delete record.status;
    else record.status = cloneJson(prev.status);
  }
  if (type.kind === 'Namespace') {
    const finalizers = asJsonObject(prev.spec)?.finalizers;
    const spec = ensureJsonObject(record, 'spec');
    if (finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = cloneJson(finalizers);
  }
  if (type.kind === 'Service') carryServiceAllocations(next, prev);
  if (type.tracksGeneration) {
    const previous = typeof prev.metadata?.generation === 'number' ? prev.metadata.generation : 0;
    metadataOf(next).generation = generationChanged(type, next, prev) ? previous + 1 : previous;
  }
  return next;
}

/**
 * Prepares a write to the status subresource, in place: everything but status (and the
 * metadata clients may still change) comes from the stored object. Workload labels and pod
 * owner references are kept from the stored object as Kubernetes' status strategies do.
 */
export function prepareStatusUpdate(type: ApiResourceType, next: KubeObject, prev: KubeObject): KubeObject {
  const record = next as JsonObject;
  preserveSystemMetadata(next, prev);
  for (const key of Object.keys(record)) {
    if (key !== 'metadata' && key !== 'status' && key !== 'apiVersion' && key !== 'kind') delete record[key];
  }
  for (const [key, value] of Object.entries(prev)) {
    if (key !== 'metadata' && key !== 'status' && key !== 'apiVersion' && key !== 'kind') record[key] = cloneJson(value);
  }
  const metadata = metadataOf(next);
  if (type.group === 'apps') {
    if (prev.metadata?.labels === undefined) delete metadata.labels;
    else metadata.labels = cloneJson(prev.metadata.labels);
  }
  if (type.kind === 'Pod') {
    if (prev.metadata?.ownerReferences === undefined) delete metadata.ownerReferences;
    else metadata.ownerReferences = cloneJson(prev.metadata.ownerReferences);
  }
  return next;
}
