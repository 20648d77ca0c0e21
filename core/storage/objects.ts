/**
 * How objects are stored: JSON without `metadata.resourceVersion` (the storage owns it, as kube's
 * versioner clears it before writing), and decoded with the revision that last wrote them.
 */
import { StorageInvalidObjectError, StorageInvalidResourceVersionError } from './errors.js';
import type { StorageObject } from './types.js';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * A resourceVersion as a revision (apiserver's APIObjectVersioner.ParseResourceVersion): '' is 0;
 * anything but a decimal unsigned integer is StorageInvalidResourceVersionError.
 */
export function parseResourceVersion(resourceVersion: string | undefined): number {
  if (resourceVersion === undefined || resourceVersion === '') return 0;
  if (!DECIMAL.test(resourceVersion)) throw new StorageInvalidResourceVersionError(resourceVersion);
  const n = Number(resourceVersion);
  if (!Number.isSafeInteger(n)) throw new StorageInvalidResourceVersionError(resourceVersion);
  return n;
}

/** The object's metadata, or undefined when it has none or it is not an object. */
export function storageObjectMetadata(object: StorageObject): Record<string, unknown> | undefined {
  const m = object.metadata;
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined;
}

/** `metadata.resourceVersion`, '' when unset. */
export function storageObjectResourceVersion(object: StorageObject): string {
  const rv = storageObjectMetadata(object)?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

/** `metadata.uid`, '' when unset. */
export function storageObjectUid(object: StorageObject): string {
  const uid = storageObjectMetadata(object)?.uid;
  return typeof uid === 'string' ? uid : '';
}

/** The stored form of `object`: its JSON without metadata.resourceVersion. The input is not modified. */
export function encodeStorageObject(key: string, object: StorageObject): string {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new StorageInvalidObjectError(key, 'the object to store is not a JSON object');
  }
  let out: StorageObject = object;
  if (object.metadata !== undefined) {
    const metadata = storageObjectMetadata(object);
    if (metadata === undefined) throw new StorageInvalidObjectError(key, 'metadata is not an object');
    if ('resourceVersion' in metadata) {
      const { resourceVersion: _dropped, ...rest } = metadata;
      out = { ...object, metadata: rest };
    }
  }
  try {
    return JSON.stringify(out);
  } catch (err) {
    // A cycle or a BigInt: not JSON.
    throw new StorageInvalidObjectError(key, `the object is not JSON-serializable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A fresh object from its stored form, with metadata.resourceVersion = `revision`. */
export function decodeStorageObject(key: string, value: string, revision: number): StorageObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new StorageInvalidObjectError(key, `stored value is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageInvalidObjectError(key, 'stored value is not a JSON object');
  }
  const object = parsed as StorageObject;
  const metadata = storageObjectMetadata(object) ?? {};
  metadata.resourceVersion = String(revision);
  object.metadata = metadata;
  return object;
}
