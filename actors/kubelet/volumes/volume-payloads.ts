// The files a configMap, secret, downwardAPI or projected volume holds, computed from the pod
// and the objects it refers to (MakePayload of kubelet's volume plugins).

import type { ConfigMap, Container, DownwardApiVolumeFile, KeyToPath, Pod, Secret } from '../../../core/index.js';
import { containerResourceValue, podMetadataFieldValue, type DownwardNodeContext } from '../env/index.js';
import type { FileProjection } from './atomic-writer.js';

/** Mode of projected files when the volume sets none: 0644, as the API server defaults it. */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

/** A payload under construction; a later file at the same path replaces an earlier one. */
export type MutablePayload = Map<string, FileProjection>;

/** Thrown when a payload cannot be built; its message is kubelet's detail text. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

function text(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

/** Adds a ConfigMap's files (all keys, or `items`); `configMap` undefined adds nothing. */
export function addConfigMapPayload(
  payload: MutablePayload,
  configMap: ConfigMap | undefined,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): void {
  if (configMap === undefined) return;
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(configMap.data ?? {})) data.set(key, text(value));
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
  addKeyedPayload(payload, data, items, defaultMode, optional, 'configmap references non-existent config key');
}

/** Adds a Secret's files, decoded from base64; `secret` undefined adds nothing. */
export function addSecretPayload(
  payload: MutablePayload,
  secret: Secret | undefined,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): void {
  if (secret === undefined) return;
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(secret.data ?? {})) data.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) data.set(key, text(value));
  addKeyedPayload(payload, data, items, defaultMode, optional, 'references non-existent secret key');
}

function addKeyedPayload(
  payload: MutablePayload,
  data: ReadonlyMap<string, Uint8Array>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean,
  missingKeyText: string,
): void {
  const mode = defaultMode ?? DEFAULT_VOLUME_FILE_MODE;
  if (items === undefined || items.length === 0) {
    for (const [key, bytes] of data) payload.set(key, { data: bytes, mode });
    return;
  }
  for (const item of items) {
    const bytes = data.get(item.key);
    if (bytes === undefined) {
      if (optional) continue;
      throw new PayloadError(`${missingKeyText}: ${item.key}`);
    }
    payload.set(item.path, { data: bytes, mode: item.mode ?? mode });
  }
}

/**
 * Adds downward API files: metadata fieldRefs, and resourceFieldRefs of the named container
 * (limits default to the node's allocatable). Throws PayloadError for an unsupported field.
 */
export function addDownwardApiPayload(
  payload: MutablePayload,
  pod: Pod,
  items: readonly DownwardApiVolumeFile[] | undefined,
  defaultMode: number | undefined,
  nodeAllocatable: DownwardNodeContext['nodeAllocatable'],
): void {
  const mode = defaultMode ?? DEFAULT_VOLUME_FILE_MODE;
  for (const item of items ?? []) {
    let value: string;
    try {
      if (item.fieldRef !== undefined) {
        value = podMetadataFieldValue(pod, item.fieldRef.fieldPath);
      } else if (item.resourceFieldRef !== undefined) {
        const ref = item.resourceFieldRef;
        const container = findContainer(pod, ref.containerName ?? '');
        if (container === undefined) throw new PayloadError(`container ${ref.containerName ?? ''} not found`);
        value = containerResourceValue(container, ref.resource, ref.divisor, nodeAllocatable);
      } else {
        continue;
      }
    } catch (error) {
      if (error instanceof PayloadError) throw error;
      throw new PayloadError(error instanceof Error ? error.message : String(error));
    }
    payload.set(item.path, { data: text(value), mode: item.mode ?? mode });
  }
}

function findContainer(pod: Pod, name: string): Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
}
