// Typed API errors, each mapped once to the Kubernetes Status kube-apiserver would return
// (same reason, code, message and details), so the HTTP layer only calls toStatus().
import { aggregateFieldErrors, type ApiFieldError } from './field-errors.js';
import type { Status, StatusCause, StatusDetails, StatusReason } from './types/meta.js';

/** The group and plural resource an error is about (`{group:'apps', resource:'deployments'}`). */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** The group and kind an Invalid error is about (`{group:'apps', kind:'Deployment'}`). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

function groupResourceText(target: GroupResource): string {
  return target.group === '' ? target.resource : `${target.resource}.${target.group}`;
}

function groupKindText(target: GroupKind): string {
  return target.group === '' ? target.kind : `${target.kind}.${target.group}`;
}

/** Details naming one object, leaving out empty fields as Kubernetes' omitempty does. */
function objectDetails(target: GroupResource, name: string, extra: Partial<StatusDetails> = {}): StatusDetails {
  const details: StatusDetails = {};
  if (name !== '') details.name = name;
  if (target.group !== '') details.group = target.group;
  if (target.resource !== '') details.kind = target.resource;
  return { ...details, ...extra };
}

/**
 * Base of every error the API returns to clients. Thrown by the API layers; converted to a
 * Status response with toStatus(). Compare by class or by `reason`/`code`, never by message.
 */
export abstract class ApiStatusError extends Error {
  abstract readonly reason: StatusReason;
  abstract readonly code: number;
  readonly details: StatusDetails | undefined;

  constructor(message: string, details?: StatusDetails) {
    super(message);
    this.details = details;
  }

  /** The exact Status body kube-apiserver sends for this error, fields in Kubernetes' order. */
  toStatus(): Status {
    const base: Omit<Status, 'code'> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message };
    // Kubernetes' StatusReasonUnknown is the empty string, which omitempty drops from the JSON.
    if (this.reason !== 'Unknown') base.reason = this.reason;
    const details = this.details;
    if (details !== undefined && Object.keys(details).length > 0) return { ...base, details, code: this.code };
    return { ...base, code: this.code };
  }
}

/** Thrown when a request is malformed (bad query parameter, undecodable body, strict-decoding failure). 400. */
export class ApiBadRequestError extends ApiStatusError {
  override readonly name = 'ApiBadRequestError';
  readonly reason = 'BadRequest';
  readonly code = 400;
}

/** Thrown when the client is not authenticated. 401. */
export class ApiUnauthorizedError extends ApiStatusError {
  override readonly name = 'ApiUnauthorizedError';
  readonly reason = 'Unauthorized';
  readonly code = 401;
  constructor(message = '') {
    super(message === '' ? 'not authorized' : message);
  }
}

/** Thrown when an authenticated client may not perform the request, or admission refuses it. 403. */
export class ApiForbiddenError extends ApiStatusError {
  override readonly name = 'ApiForbiddenError';
  readonly reason = 'Forbidden';
  readonly code = 403;
  constructor(
    readonly target: GroupResource,
    readonly objectName: string,
    readonly causeMessage: string,
  ) {
    const message =
      target.resource === '' && target.group === ''
        ? `forbidden: ${causeMessage}`
        : objectName === ''
          ? `${groupResourceText(target)} is forbidden: ${causeMessage}`
          : `${groupResourceText(target)} "${objectName}" is forbidden: ${causeMessage}`;
    super(message, objectDetails(target, objectName));
  }
}

/** Thrown when the named object does not exist. 404 `pods "x" not found`. */
export class ApiNotFoundError extends ApiStatusError {
  override readonly name = 'ApiNotFoundError';
  readonly reason = 'NotFound';
  readonly code = 404;
  constructor(
    readonly target: GroupResource,
    readonly objectName: string,
  ) {
    super(`${groupResourceText(target)} "${objectName}" not found`, objectDetails(target, objectName));
  }
}

/** Thrown when a resource does not support a verb (e.g. deletecollection on namespaces). 405. */
export class ApiMethodNotAllowedError extends ApiStatusError {
  override readonly name = 'ApiMethodNotAllowedError';
  readonly reason = 'MethodNotAllowed';
  readonly code = 405;
  constructor(
    readonly target: GroupResource,
    readonly action: string,
  ) {
    super(`${action} is not supported on resources of kind "${groupResourceText(target)}"`, objectDetails(target, ''));
  }
}

/** Thrown when no acceptable response media type can be produced. 406. */
export class ApiNotAcceptableError extends ApiStatusError {
  override readonly name = 'ApiNotAcceptableError';
  readonly reason = 'NotAcceptable';
  readonly code = 406;
  constructor(readonly acceptedTypes: readonly string[]) {
    super(`only the following media types are accepted: ${acceptedTypes.join(', ')}`);
  }
}

/** Thrown when creating an object whose name is taken. 409 `pods "x" already exists`. */
export class ApiAlreadyExistsError extends ApiStatusError {
  override readonly name = 'ApiAlreadyExistsError';
  readonly reason = 'AlreadyExists';
  readonly code = 409;
  constructor(
    readonly target: GroupResource,
    readonly objectName: string,
  ) {
    super(`${groupResourceText(target)} "${objectName}" already exists`, objectDetails(target, objectName));
  }
}

/** Thrown when a generated name collided; the client may retry after `retryAfterSeconds`. 409. */
export class ApiGenerateNameConflictError extends ApiStatusError {
  override readonly name = 'ApiGenerateNameConflictError';
  readonly reason = 'AlreadyExists';
  readonly code = 409;
  constructor(
    readonly target: GroupResource,
    readonly objectName: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `${groupResourceText(target)} "${objectName}" already exists, the server was not able to generate a unique name for the object`,
      objectDetails(target, objectName, retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
    );
  }
}

/** The reason Kubernetes gives for a failed optimistic-concurrency update. */
export const OPTIMISTIC_LOCK_ERROR_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/**
 * Thrown when an update cannot be applied as given — most often a stale resourceVersion
 * (the default cause) or a failed precondition. 409.
 */
export class ApiConflictError extends ApiStatusError {
  override readonly name = 'ApiConflictError';
  readonly reason = 'Conflict';
  readonly code = 409;
  constructor(
    readonly target: GroupResource,
    readonly objectName: string,
    readonly causeMessage: string = OPTIMISTIC_LOCK_ERROR_MESSAGE,
  ) {
    super(`Operation cannot be fulfilled on ${groupResourceText(target)} "${objectName}": ${causeMessage}`, objectDetails(target, objectName));
  }
}

/** Thrown when requested content is gone without a more specific reason. 410 reason Gone. */
export class ApiGoneError extends ApiStatusError {
  override readonly name = 'ApiGoneError';
  readonly reason = 'Gone';
  readonly code = 410;
}

/**
 * Thrown when a list or watch asks for a resourceVersion that has been compacted away.
 * 410 reason Expired; clients relist. Message: `too old resource version: 5 (10)`.
 */
export class ApiResourceExpiredError extends ApiStatusError {
  override readonly name = 'ApiResourceExpiredError';
  readonly reason = 'Expired';
  readonly code = 410;

  /** The error for a request at `requested` when the oldest still available revision is `oldest`. */
  static tooOldResourceVersion(requested: number | bigint, oldest: number | bigint): ApiResourceExpiredError {
    return new ApiResourceExpiredError(`too old resource version: ${requested} (${oldest})`);
  }
}

/** Thrown when a request body exceeds the size limit. 413. */
export class ApiRequestEntityTooLargeError extends ApiStatusError {
  override readonly name = 'ApiRequestEntityTooLargeError';
  readonly reason = 'RequestEntityTooLarge';
  readonly code = 413;
  constructor(detail: string) {
    super(`Request entity too large: ${detail}`);
  }
}

/** Thrown when the request body's Content-Type is not one the endpoint decodes. 415. */
export class ApiUnsupportedMediaTypeError extends ApiStatusError {
  override readonly name = 'ApiUnsupportedMediaTypeError';
  readonly reason = 'UnsupportedMediaType';
  readonly code = 415;
  constructor(readonly acceptedTypes: readonly string[]) {
    super(`the body of the request was in an unknown format - accepted media types include: ${acceptedTypes.join(', ')}`);
  }
}

/**
 * Thrown when an object fails validation. 422 with one cause per field error:
 * `Pod "x" is invalid: spec.containers[0].image: Required value`.
 */
export class ApiInvalidError extends ApiStatusError {
  override readonly name = 'ApiInvalidError';
  readonly reason = 'Invalid';
  readonly code = 422;
  constructor(
    readonly target: GroupKind,
    readonly objectName: string,
    readonly fieldErrors: readonly ApiFieldError[],
  ) {
    const aggregate = aggregateFieldErrors(fieldErrors);
    const subject = `${groupKindText(target)} "${objectName}" is invalid`;
    const causes: StatusCause[] = fieldErrors.map((error) => ({ reason: error.type, message: error.message, field: error.field }));
    const details: StatusDetails = {};
    if (objectName !== '') details.name = objectName;
    if (target.group !== '') details.group = target.group;
    if (target.kind !== '') details.kind = target.kind;
    details.causes = causes;
    super(aggregate === '' ? subject : `${subject}: ${aggregate}`, details);
  }
}

/** Thrown when the server sheds load; the client should retry after `retryAfterSeconds`. 429. */
export class ApiTooManyRequestsError extends ApiStatusError {
  override readonly name = 'ApiTooManyRequestsError';
  readonly reason = 'TooManyRequests';
  readonly code = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, retryAfterSeconds > 0 ? { retryAfterSeconds } : undefined);
  }
}

/** Thrown for failures that are the server's fault (storage errors, bugs). 500 `Internal error occurred: …`. */
export class ApiInternalError extends ApiStatusError {
  override readonly name = 'ApiInternalError';
  readonly reason = 'InternalError';
  readonly code = 500;
  constructor(readonly causeMessage: string) {
    super(`Internal error occurred: ${causeMessage}`, { causes: [{ message: causeMessage }] });
  }
}

/** Thrown when an operation against storage timed out and may be retried. 500 reason ServerTimeout. */
export class ApiServerTimeoutError extends ApiStatusError {
  override readonly name = 'ApiServerTimeoutError';
  readonly reason = 'ServerTimeout';
  readonly code = 500;
  constructor(
    readonly target: GroupResource,
    readonly operation: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `The ${operation} operation against ${groupResourceText(target)} could not be completed at this time, please try again.`,
      objectDetails(target, operation, retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
    );
  }
}

/** Thrown when the server cannot serve now (no store leader, shutting down). 503. */
export class ApiServiceUnavailableError extends ApiStatusError {
  override readonly name = 'ApiServiceUnavailableError';
  readonly reason = 'ServiceUnavailable';
  readonly code = 503;
}

/** Thrown when a request did not complete in time; it may still take effect. 504 `Timeout: …`. */
export class ApiTimeoutError extends ApiStatusError {
  override readonly name = 'ApiTimeoutError';
  readonly reason = 'Timeout';
  readonly code = 504;
  constructor(
    message: string,
    readonly retryAfterSeconds = 0,
    causes?: StatusCause[],
  ) {
    const details: StatusDetails = {};
    if (causes !== undefined) details.causes = causes;
    if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
    super(`Timeout: ${message}`, details);
  }

  /** A read at a resourceVersion the store has not reached yet (Kubernetes' TooLargeResourceVersion). */
  static tooLargeResourceVersion(requested: number | bigint, current: number | bigint): ApiTimeoutError {
    return new ApiTimeoutError(`Too large resource version: ${requested}, current: ${current}`, 1, [
      { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
    ]);
  }
}

/**
 * Thrown for failures Kubernetes reports without a reason: errors that reach the API edge
 * without being a Status (e.g. storage's `resourceVersion should not be set on objects to be
 * created`). The Status has no `reason` field.
 */
export class ApiUnknownError extends ApiStatusError {
  override readonly name = 'ApiUnknownError';
  readonly reason = 'Unknown';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Kubernetes' generic 422 (NewGenericServerResponse): a request refused without a field to
 * blame, e.g. a JSON patch whose `test` operation failed. kubectl prints
 * `The request is invalid: the server rejected our request due to an error in our request`.
 */
export class ApiRejectedRequestError extends ApiStatusError {
  override readonly name = 'ApiRejectedRequestError';
  readonly reason = 'Invalid';
  readonly code = 422;
  constructor(readonly causeMessage: string) {
    // kube sends no details: the cause is only logged. kubectl would print a cause after the message.
    super('the server rejected our request due to an error in our request');
  }
}

/**
 * The BadRequest kube-apiserver returns when a body cannot be decoded as the kind, e.g.
 * `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`.
 */
export function cannotBeHandledError(kind: string, version: string, problem: string): ApiBadRequestError {
  return new ApiBadRequestError(`${kind} in version "${version}" cannot be handled as a ${kind}: ${problem}`);
}

/** `strict decoding error: unknown field "a", unknown field "b"`, as apimachinery joins them. */
export function strictDecodingMessage(unknownFieldPaths: readonly string[]): string {
  return `strict decoding error: ${unknownFieldPaths.map((path) => `unknown field "${path}"`).join(', ')}`;
}

/** Whether a thrown value is an ApiStatusError (for the edge that maps errors to responses). */
export function isApiStatusError(error: unknown): error is ApiStatusError {
  return error instanceof ApiStatusError;
}

/**
 * The Status for any thrown value: its own for ApiStatusErrors; otherwise, as kube-apiserver
 * treats errors that are not Statuses, a 500 with the error's message and no reason.
 */
export function statusForError(error: unknown): Status {
  if (error instanceof ApiStatusError) return error.toStatus();
  const message = error instanceof Error ? error.message : String(error);
  return new ApiUnknownError(500, message).toStatus();
}
