// Kubernetes Status ↔ gRPC status, at the one place each side meets the wire.

import * as grpc from '@grpc/grpc-js';
import type { ResourceApiStatus } from '../../core/index.js';
import { failureStatus, ResourceApiError, resourceTimeoutError, resourceUnavailableError } from '../../core/index.js';
import { grpcCodeOfHttpStatus, RESOURCE_STATUS_TRAILER } from './service.js';
import { decodeStatusTrailer, encodeStatusTrailer } from './wire.js';

/** The gRPC error a server ends a call with for `status`: mapped code, Status in the trailer. */
export function serviceErrorOfStatus(status: ResourceApiStatus): grpc.ServerErrorResponse {
  const metadata = new grpc.Metadata();
  metadata.set(RESOURCE_STATUS_TRAILER, encodeStatusTrailer(status));
  const details = status.message ?? status.reason ?? `status ${status.code}`;
  return { name: 'ResourceApiStatus', message: details, code: grpcCodeOfHttpStatus(status.code, status.reason ?? ''), details, metadata };
}

/** The Status a server put in the trailer of a failed call, or undefined when no server answered. */
export function statusOfServiceError(err: Partial<grpc.ServiceError>): ResourceApiStatus | undefined {
  const value = err.metadata?.get(RESOURCE_STATUS_TRAILER)[0];
  if (value === undefined || typeof value === 'string') return undefined;
  return decodeStatusTrailer(value);
}

/** The error a client reports for a failed call: the server's Status, else one for the gRPC failure. */
export function resourceErrorOfServiceError(err: Partial<grpc.ServiceError>, what: string): ResourceApiError {
  const status = statusOfServiceError(err);
  if (status !== undefined) return new ResourceApiError(status);
  const details = err.details ?? err.message ?? 'unknown error';
  switch (err.code) {
    case grpc.status.DEADLINE_EXCEEDED:
      return resourceTimeoutError(`${what}: the deadline passed before the server answered (${details})`);
    case grpc.status.UNAVAILABLE:
      return resourceUnavailableError(`${what}: ${details}`);
    case grpc.status.UNAUTHENTICATED:
      return new ResourceApiError(failureStatus(401, 'Unauthorized', details));
    case grpc.status.INVALID_ARGUMENT:
      return new ResourceApiError(failureStatus(400, 'BadRequest', `${what}: ${details}`));
    case grpc.status.CANCELLED:
      return resourceUnavailableError(`${what}: cancelled (${details})`);
    default:
      return new ResourceApiError(failureStatus(500, 'InternalError', `${what}: ${details}`));
  }
}
