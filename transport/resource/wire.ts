/**
 * The resource API wire format, v1: every message is msgpack (no msgpackr extensions, so any
 * msgpack implementation reads it). Requests are maps:
 *
 *   Get     {ref}                          ref      = {group, version, resource, namespace?, name}
 *   List    {resource, options}            resource = {group, version, resource}
 *   Create / Update / UpdateStatus  {resource, object, options}
 *   Patch   {ref, patchType, patch, options}
 *   Delete  {ref, options}
 *   Watch   {resource, options}
 *
 * Responses: the object; for List {items, resourceVersion, continue?}. A watch message (frame)
 * is an array of events, each [typeCode, object]; ERROR events carry a Status. Objects are
 * Kubernetes JSON and travel as msgpack maps.
 */
import { Packr, Unpackr } from 'msgpackr';
import type { GroupVersionResource, ResourceApiStatus, ResourceListResult, ResourceObject, ResourceObjectRef, ResourcePatchType, ResourceWatchEvent, ResourceWatchEventType } from '../../core/index.js';
import { BoundedIdentityCache, isResourceApiStatus, MSGPACK_ARRAY, msgpackHeader, packBounded } from '../../core/index.js';
import { RESOURCE_STATUS_TRAILER_MAX_BYTES } from './service.js';

/**
 * Thrown when bytes received are not a message of the v1 format: a peer of another version or a
 * bug, never bad user input (which the API server answers with a Status). Answered with
 * INVALID_ARGUMENT by servers; clients report it as a failed call.
 */
export class ResourceWireFormatError extends Error {
  override readonly name = 'ResourceWireFormatError';
}

// Like JSON.stringify: properties whose value is undefined are left out (skipValues, which
// msgpackr's typings omit), undefined array items become nil.
const PACK_OPTIONS: NonNullable<ConstructorParameters<typeof Packr>[0]> & { skipValues: unknown[] } = { useRecords: false, skipValues: [undefined], encodeUndefinedAsNil: true };
const packr = new Packr(PACK_OPTIONS);
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Wire codes of watch event types. Append only. */
const EVENT_TYPE_CODES: Readonly<Record<ResourceWatchEventType, number>> = { ADDED: 0, MODIFIED: 1, DELETED: 2, BOOKMARK: 3, ERROR: 4 };
const EVENT_TYPES: readonly ResourceWatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];

export function encodeResourceMessage(value: unknown): Buffer {
  return packBounded(packr, value);
}

export function decodeResourceMessage(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch (err) {
    throw new ResourceWireFormatError(`not msgpack: ${(err as Error).message}`);
  }
}

// ---- Request bodies, as the server reads them ----

export interface RefRequest {
  readonly ref: ResourceObjectRef;
  readonly options: Record<string, unknown>;
}

export interface ResourceRequest {
  readonly resource: GroupVersionResource;
  readonly options: Record<string, unknown>;
}

export interface ObjectRequest extends ResourceRequest {
  readonly object: ResourceObject;
}

export interface PatchRequest extends RefRequest {
  readonly patchType: ResourcePatchType;
  readonly patch: unknown;
}

export function decodeRefRequest(bytes: Uint8Array): RefRequest {
  const body = mapOf(decodeResourceMessage(bytes), 'request');
  return { ref: refOf(body['ref']), options: optionsOf(body['options']) };
}

export function decodeResourceRequest(bytes: Uint8Array): ResourceRequest {
  const body = mapOf(decodeResourceMessage(bytes), 'request');
  return { resource: resourceOf(body['resource']), options: optionsOf(body['options']) };
}

export function decodeObjectRequest(bytes: Uint8Array): ObjectRequest {
  const body = mapOf(decodeResourceMessage(bytes), 'request');
  return { resource: resourceOf(body['resource']), object: mapOf(body['object'], 'object') as ResourceObject, options: optionsOf(body['options']) };
}

export function decodePatchRequest(bytes: Uint8Array): PatchRequest {
  const body = mapOf(decodeResourceMessage(bytes), 'request');
  const patchType = body['patchType'];
  if (patchType !== 'strategic' && patchType !== 'merge' && patchType !== 'json') throw new ResourceWireFormatError(`unknown patchType ${JSON.stringify(patchType)}`);
  return { ref: refOf(body['ref']), patchType, patch: body['patch'], options: optionsOf(body['options']) };
}

// ---- Responses, as the client reads them ----

export function decodeObjectResponse(bytes: Uint8Array): ResourceObject {
  return mapOf(decodeResourceMessage(bytes), 'response') as ResourceObject;
}

export function decodeListResponse(bytes: Uint8Array): ResourceListResult {
  const body = mapOf(decodeResourceMessage(bytes), 'response');
  const items = body['items'];
  if (!Array.isArray(items)) throw new ResourceWireFormatError('list response without items');
  const resourceVersion = str(body['resourceVersion'], 'resourceVersion');
  const cont = body['continue'];
  const result = { items: items.map((item) => mapOf(item, 'item') as ResourceObject), resourceVersion };
  return typeof cont === 'string' && cont !== '' ? { ...result, continue: cont } : result;
}

/** A list result as sent: `continue` only when present. */
export function encodeListResponse(result: ResourceListResult): Buffer {
  const body: Record<string, unknown> = { items: result.items, resourceVersion: result.resourceVersion };
  if (result.continue !== undefined && result.continue !== '') body['continue'] = result.continue;
  return encodeResourceMessage(body);
}

// ---- Watch frames ----

/** Frozen watch objects whose encoded bytes are kept for the other watchers of the same change. */
export const WATCH_OBJECT_BYTES_CACHE = 1024;

/**
 * Encoded bytes of recent watch objects, by identity. The API server hands every watcher of a
 * change the same frozen object, so a change several clients watch is encoded once. Bounded to
 * the last WATCH_OBJECT_BYTES_CACHE objects (insertion order), as the JSON lines are.
 */
const objectBytes = new BoundedIdentityCache<object, Buffer>(WATCH_OBJECT_BYTES_CACHE);

function encodedWatchObject(object: unknown): Buffer {
  // A copy: msgpackr returns a view of its shared buffer, which the next pack overwrites.
  const encode = (): Buffer => Buffer.from(encodeResourceMessage(object));
  if (typeof object !== 'object' || object === null || !Object.isFrozen(object)) return encode();
  return objectBytes.getOrMake(object, encode);
}

/**
 * Events [start, end) as one frame: a msgpack array of [typeCode, object] pairs, assembled from
 * each object's encoding (shared between watchers, see encodedWatchObject); the same bytes as
 * packing the array whole.
 */
export function encodeWatchFrame(events: readonly ResourceWatchEvent[], start = 0, end = events.length): Buffer {
  const parts: Buffer[] = [msgpackHeader(MSGPACK_ARRAY, end - start)];
  for (let i = start; i < end; i++) {
    const event = events[i]!;
    parts.push(Buffer.of(0x92, EVENT_TYPE_CODES[event.type]), encodedWatchObject(event.object));
  }
  return Buffer.concat(parts);
}

/** Decodes a frame whole; throws ResourceWireFormatError for anything but a v1 frame. */
export function decodeWatchFrame(bytes: Uint8Array): ResourceWatchEvent[] {
  const wire = decodeResourceMessage(bytes);
  if (!Array.isArray(wire)) throw new ResourceWireFormatError('watch frame is not an array');
  return wire.map((entry: unknown): ResourceWatchEvent => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new ResourceWireFormatError('watch event is not a [type, object] pair');
    const type = EVENT_TYPES[entry[0] as number];
    if (type === undefined) throw new ResourceWireFormatError(`unknown watch event type code ${String(entry[0])}`);
    const object: unknown = entry[1];
    if (type === 'ERROR') {
      if (!isResourceApiStatus(object)) throw new ResourceWireFormatError('ERROR watch event without a Status');
      return { type, object };
    }
    return { type, object: mapOf(object, 'watch object') as ResourceObject };
  });
}

// ---- Status trailer ----

/** The Status as trailer bytes, shortened to RESOURCE_STATUS_TRAILER_MAX_BYTES if need be. */
export function encodeStatusTrailer(status: ResourceApiStatus): Buffer {
  let bytes = encodeResourceMessage(status);
  if (bytes.byteLength <= RESOURCE_STATUS_TRAILER_MAX_BYTES) return bytes;
  const { details, ...rest } = status;
  const shorter: ResourceApiStatus = details === undefined ? rest : { ...rest, details: { ...details, causes: [] } };
  bytes = encodeResourceMessage(shorter);
  if (bytes.byteLength <= RESOURCE_STATUS_TRAILER_MAX_BYTES) return bytes;
  return encodeResourceMessage({ ...shorter, message: (shorter.message ?? '').slice(0, RESOURCE_STATUS_TRAILER_MAX_BYTES / 4) });
}

export function decodeStatusTrailer(bytes: Uint8Array): ResourceApiStatus | undefined {
  try {
    const status = decodeResourceMessage(bytes);
    return isResourceApiStatus(status) ? status : undefined;
  } catch {
    return undefined;
  }
}

// ---- Field checks ----

function mapOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) throw new ResourceWireFormatError(`${what} is not a map`);
  return value as Record<string, unknown>;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ResourceWireFormatError(`${what} is not a string`);
  return value;
}

function resourceOf(value: unknown): GroupVersionResource {
  const m = mapOf(value, 'resource');
  return { group: str(m['group'], 'group'), version: str(m['version'], 'version'), resource: str(m['resource'], 'resource') };
}

function refOf(value: unknown): ResourceObjectRef {
  const m = mapOf(value, 'ref');
  const ref = { ...resourceOf(value), name: str(m['name'], 'name') };
  const namespace = m['namespace'];
  if (namespace === undefined || namespace === null || namespace === '') return ref;
  return { ...ref, namespace: str(namespace, 'namespace') };
}

/** Options as a map with nil values dropped (msgpack nil stands for an absent option). */
function optionsOf(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(mapOf(value, 'options'))) if (v !== undefined && v !== null) out[key] = v;
  return out;
}
