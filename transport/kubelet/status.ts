// Kubernetes Status ↔ gRPC status for the kubelet service, at the one place each side meets the wire.

import * as grpc from '@grpc/grpc-js';
import type { ResourceApiStatus } from '../../core/index.js';
import { failureStatus, isResourceApiStatus, ResourceApiError } from '../../core/index.js';
import { grpcCodeOfHttpStatus } from '../resource/index.js';
import { KUBELET_STATUS_TRAILER, KUBELET_STATUS_TRAILER_MAX_BYTES } from './service.js';
import { decodeKubeletMessage, encodeKubeletMessage } from './wire.js';

/** The gRPC error a kubelet ends a call with for `status`: mapped code, Status in the trailer. */
export function kubeletServiceErrorOf(status: ResourceApiStatus): grpc.ServerErrorResponse {
  const metadata = new grpc.Metadata();
  let bytes = encodeKubeletMessage(status);
  if (bytes.byteLength > KUBELET_STATUS_TRAILER_MAX_BYTES) {
    bytes = encodeKubeletMessage({ ...status, details: undefined, message: (status.message ?? '').slice(0, KUBELET_STATUS_TRAILER_MAX_BYTES / 4) });
  }
  metadata.set(KUBELET_STATUS_TRAILER, bytes);
  const details = status.message ?? status.reason ?? `status ${status.code}`;
  return { name: 'KubeletStatus', message: details, code: grpcCodeOfHttpStatus(status.code, status.reason ?? ''), details, metadata };
}

/**
 * The error a client reports for a failed kubelet call: the kubelet's own Status when it sent
 * one, else a Status for the transport failure (`what` names the kubelet, e.g. its address).
 */
export function kubeletErrorOf(err: Partial<grpc.ServiceError>, what: string): ResourceApiError {
  const value = err.metadata?.get(KUBELET_STATUS_TRAILER)[0];
  if (value !== undefined && typeof value !== 'string') {
    try {
      const status = decodeKubeletMessage(value);
      if (isResourceApiStatus(status)) return new ResourceApiError(status);
    } catch {
      // not a Status: report the transport failure below
    }
  }
  const details = err.details ?? err.message ?? 'unknown error';
  switch (err.code) {
    case grpc.status.DEADLINE_EXCEEDED:
      return new ResourceApiError(failureStatus(504, 'Timeout', `${what}: the kubelet did not answer in time (${details})`));
    case grpc.status.UNAVAILABLE:
      return new ResourceApiError(failureStatus(503, 'ServiceUnavailable', `${what}: ${details}`));
    case grpc.status.UNAUTHENTICATED:
      return new ResourceApiError(failureStatus(401, 'Unauthorized', `${what}: ${details}`));
    default:
      return new ResourceApiError(failureStatus(500, 'InternalError', `${what}: ${details}`));
  }
}
