// Object metadata helpers: keys, generated names, timestamps, namespace scoping and owner
// references. Pure: time and randomness come in as arguments.
import { ApiBadRequestError } from './errors.js';
import { ensureJsonObject, isJsonObject, type JsonObject } from './json.js';
import type { GroupVersionKind } from './registry.js';
import type { KubeObject, OwnerReference } from './types/meta.js';

/** Characters of generated name suffixes (no vowels, no look-alikes), as Kubernetes' utilrand. */
export const GENERATED_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const GENERATED_NAME_SUFFIX_LENGTH = 5;
/** generateName prefixes are cut to this length so that prefix + suffix fits a 63-character name. */
export const MAX_GENERATE_NAME_PREFIX_LENGTH = 63 - GENERATED_NAME_SUFFIX_LENGTH;

/** Anything that draws integers in [0, n); core's Random satisfies it. */
export interface IntSource {
  int(n: number): number;
}

/** `prefix` + 5 random characters, the prefix cut to 58 characters (SimpleNameGenerator). */
export function generateObjectName(prefix: string, random: IntSource): string {
  const base = prefix.length > MAX_GENERATE_NAME_PREFIX_LENGTH ? prefix.slice(0, MAX_GENERATE_NAME_PREFIX_LENGTH) : prefix;
  let suffix = '';
  for (let i = 0; i < GENERATED_NAME_SUFFIX_LENGTH; i++) {
    suffix += GENERATED_NAME_ALPHABET[random.int(GENERATED_NAME_ALPHABET.length)] ?? 'x';
  }
  return base + suffix;
}

/** RFC 3339 in UTC at second precision (`2024-05-01T10:00:00Z`), as metav1.Time serializes. */
export function formatRfc3339(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds (`2024-05-01T10:00:00.123000Z`), as metav1.MicroTime serializes. */
export function formatRfc3339Micro(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when it does not parse. */
export function parseRfc3339(text: string): number | undefined {
  const value = Date.parse(text);
  return Number.isNaN(value) ? undefined : value;
}

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: KubeObject): string {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** Splits an objectKey back into namespace ('' when cluster-scoped) and name. */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Reconciles the object's namespace with the request's, as kube-apiserver does: an unset
 * namespace takes the request's; cluster-scoped objects lose theirs; a conflicting one is a 400.
 */
export function ensureObjectNamespace(object: KubeObject, requestNamespace: string, namespaced: boolean): void {
  const metadata = ensureJsonObject(object as JsonObject, 'metadata');
  const expected = namespaced ? requestNamespace : '';
  const actual = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  if (actual === expected) return;
  if (actual === '') {
    metadata.namespace = expected;
    return;
  }
  if (expected === '') {
    delete metadata.namespace;
    return;
  }
  throw new ApiBadRequestError('the namespace of the provided object does not match the namespace sent on the request');
}

/** An owner reference marking `owner` as the managing controller of a dependent. */
export function newControllerRef(owner: KubeObject, gvk: GroupVersionKind): OwnerReference {
  return {
    apiVersion: gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference with controller=true, if any. */
export function getControllerOf(object: KubeObject): OwnerReference | undefined {
  return (object.metadata?.ownerReferences ?? []).find((reference) => reference.controller === true);
}

/** Whether `object` is controlled by the owner with this uid. */
export function isControlledBy(object: KubeObject, ownerUid: string): boolean {
  return getControllerOf(object)?.uid === ownerUid;
}

/** Whether `object` lists the owner with this uid among its owner references. */
export function hasOwnerReference(object: KubeObject, ownerUid: string): boolean {
  return (object.metadata?.ownerReferences ?? []).some((reference) => reference.uid === ownerUid);
}

/** Adds (or replaces, matching by uid) an owner reference. */
export function setOwnerReference(object: KubeObject, reference: OwnerReference): void {
  const metadata = ensureJsonObject(object as JsonObject, 'metadata');
  const existing = Array.isArray(metadata.ownerReferences) ? (metadata.ownerReferences as OwnerReference[]) : [];
  metadata.ownerReferences = [...existing.filter((candidate) => candidate.uid !== reference.uid), reference];
}

/** Removes the owner reference with this uid; returns whether one was removed. */
export function removeOwnerReference(object: KubeObject, ownerUid: string): boolean {
  const metadata = object.metadata;
  if (metadata?.ownerReferences === undefined) return false;
  const before = metadata.ownerReferences.length;
  metadata.ownerReferences = metadata.ownerReferences.filter((reference) => reference.uid !== ownerUid);
  if (metadata.ownerReferences.length === 0) delete metadata.ownerReferences;
  return metadata.ownerReferences === undefined ? before > 0 : metadata.ownerReferences.length !== before;
}

/** Whether an object carries a deletion timestamp (it is being deleted, waiting for finalizers). */
export function isBeingDeleted(object: KubeObject): boolean {
  const timestamp = object.metadata?.deletionTimestamp;
  return typeof timestamp === 'string' && timestamp !== '';
}

/** Whether a value looks like a top-level Kubernetes object (has kind/apiVersion and metadata). */
export function isKubeObject(value: unknown): value is KubeObject {
  return isJsonObject(value) && (value.metadata === undefined || isJsonObject(value.metadata));
}
