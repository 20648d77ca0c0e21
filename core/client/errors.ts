// The client side of API errors: every failure a ResourceClient reports is a ResourceApiError
// carrying the Kubernetes Status the server answered with (or one describing why no server
// answered), so callers branch on `code`/`reason`, never on messages.

import type { GroupVersionResource } from './object.js';
import { groupResourceTextOf } from './object.js';

/** Status.details as the client reads it. */
export interface ResourceApiStatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** A meta/v1 Status, as kube-apiserver sends it for a failed request. */
export interface ResourceApiStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata?: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: ResourceApiStatusDetails;
  code: number;
}

/**
 * Thrown (or passed to a watch's onClose) by every ResourceClient when a request fails: the
 * server's Status, or for failures before any server answered, a 503 ServiceUnavailable or 504
 * Timeout Status built by the client.
 */
export class ResourceApiError extends Error {
  override readonly name = 'ResourceApiError';
  readonly code: number;
  /** The Status reason (`NotFound`, `Conflict`, …); '' when the Status had none. */
  readonly reason: string;

  constructor(readonly status: ResourceApiStatus) {
    super(status.message ?? `request failed with status ${status.code}`);
    this.code = status.code;
    this.reason = status.reason ?? '';
  }
}

/** True for a value shaped like a Status (what ERROR watch events and error bodies carry). */
export function isResourceApiStatus(value: unknown): value is ResourceApiStatus {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['kind'] === 'Status' && typeof v['code'] === 'number';
}

interface StatusCarrier {
  toStatus(): unknown;
}

function hasToStatus(err: unknown): err is StatusCarrier {
  return typeof err === 'object' && err !== null && typeof (err as Partial<StatusCarrier>).toStatus === 'function';
}

/**
 * The Status to send for an error thrown by an API implementation: its own (ResourceApiError, or
 * any error with a `toStatus()` method, as core/api's errors have), else a 500 InternalError
 * (kube-apiserver's wording) so an unexpected exception never leaks as a transport failure.
 */
export function resourceApiStatusOf(err: unknown): ResourceApiStatus {
  if (err instanceof ResourceApiError) return err.status;
  if (hasToStatus(err)) {
    const status = err.toStatus();
    if (isResourceApiStatus(status)) return status;
  }
  const message = err instanceof Error ? err.message : String(err);
  return failureStatus(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** The ResourceApiError of any error thrown by an implementation (see resourceApiStatusOf). */
export function toResourceApiError(err: unknown): ResourceApiError {
  return err instanceof ResourceApiError ? err : new ResourceApiError(resourceApiStatusOf(err));
}

function codeOf(err: unknown): number | undefined {
  if (err instanceof ResourceApiError) return err.code;
  if (isResourceApiStatus(err)) return err.code;
  return undefined;
}

/** 404: the object (or resource) does not exist. */
export function isNotFound(err: unknown): boolean {
  return codeOf(err) === 404;
}

/** 409 Conflict: a resourceVersion or uid precondition failed (not AlreadyExists). */
export function isConflict(err: unknown): boolean {
  return codeOf(err) === 409 && reasonOf(err) === 'Conflict';
}

/** 409 AlreadyExists: create of a name that is taken. */
export function isAlreadyExists(err: unknown): boolean {
  return codeOf(err) === 409 && reasonOf(err) === 'AlreadyExists';
}

/**
 * 410: the requested resourceVersion or continue token is no longer available (reason `Expired`
 * or `Gone`). A list+watch client must relist.
 */
export function isGone(err: unknown): boolean {
  return codeOf(err) === 410;
}

function reasonOf(err: unknown): string {
  if (err instanceof ResourceApiError) return err.reason;
  if (isResourceApiStatus(err)) return err.reason ?? '';
  return '';
}

/** A Failure Status, fields in Kubernetes' order. */
export function failureStatus(code: number, reason: string, message: string, details?: ResourceApiStatusDetails): ResourceApiStatus {
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason } as const;
  return details === undefined ? { ...base, code } : { ...base, details, code };
}

function objectDetails(resource: GroupVersionResource, name: string): ResourceApiStatusDetails {
  const details: ResourceApiStatusDetails = {};
  if (name !== '') details.name = name;
  if (resource.group !== '') details.group = resource.group;
  details.kind = resource.resource;
  return details;
}

/** 404 `pods "x" not found`. */
export function resourceNotFoundError(resource: GroupVersionResource, name: string): ResourceApiError {
  const message = `${groupResourceTextOf(resource)} "${name}" not found`;
  return new ResourceApiError(failureStatus(404, 'NotFound', message, objectDetails(resource, name)));
}

/** 409 `pods "x" already exists`. */
export function resourceAlreadyExistsError(resource: GroupVersionResource, name: string): ResourceApiError {
  const message = `${groupResourceTextOf(resource)} "${name}" already exists`;
  return new ResourceApiError(failureStatus(409, 'AlreadyExists', message, objectDetails(resource, name)));
}

/** 409 Conflict, with kube-apiserver's optimistic-lock wording unless `why` says otherwise. */
export function resourceConflictError(resource: GroupVersionResource, name: string, why?: string): ResourceApiError {
  const cause = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  const message = `Operation cannot be fulfilled on ${groupResourceTextOf(resource)} "${name}": ${cause}`;
  return new ResourceApiError(failureStatus(409, 'Conflict', message, objectDetails(resource, name)));
}

/** 410 Expired: a watch or list asked for a resourceVersion older than the retained history. */
export function resourceExpiredError(message: string): ResourceApiError {
  return new ResourceApiError(failureStatus(410, 'Expired', message));
}

/** 400 BadRequest. */
export function resourceBadRequestError(message: string): ResourceApiError {
  return new ResourceApiError(failureStatus(400, 'BadRequest', message));
}

/** 422 Invalid for one object (used by the in-memory client for the few checks it makes). */
export function resourceInvalidError(kind: string, name: string, field: string, message: string): ResourceApiError {
  const text = `${kind} "${name}" is invalid: ${field}: ${message}`;
  return new ResourceApiError(failureStatus(422, 'Invalid', text, { name, kind, causes: [{ reason: 'FieldValueInvalid', message, field }] }));
}

/** 503 ServiceUnavailable: no server could be reached (built by clients, not sent by servers). */
export function resourceUnavailableError(message: string): ResourceApiError {
  return new ResourceApiError(failureStatus(503, 'ServiceUnavailable', message));
}

/** 504 Timeout: the request's deadline passed before an answer (built by clients). */
export function resourceTimeoutError(message: string): ResourceApiError {
  return new ResourceApiError(failureStatus(504, 'Timeout', message));
}

/** 401 Unauthorized. */
export function resourceUnauthorizedError(message = 'Unauthorized'): ResourceApiError {
  return new ResourceApiError(failureStatus(401, 'Unauthorized', message));
}
