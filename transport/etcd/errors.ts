/**
 * The one place store errors become gRPC statuses. A StoreError keeps its code and etcd's exact
 * message as the status details: etcd clients map errors by that text (clientv3's rpctypes), so
 * etcdctl prints `Error: etcdserver: key is not provided` as it does against etcd.
 */
import * as grpc from '@grpc/grpc-js';
import type { EtcdErrorCode } from '../../raft/index.js';
import { StoreError } from '../../raft/index.js';

/** Structured error log of the etcd API server; the default writes JSON lines to stderr. */
export interface EtcdServerLogger {
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

export const stderrLogger: EtcdServerLogger = {
  error(message, fields) {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', component: 'etcd-grpc', msg: message, ...fields })}\n`);
  },
};

const GRPC_CODES: Readonly<Record<EtcdErrorCode, grpc.status>> = {
  InvalidArgument: grpc.status.INVALID_ARGUMENT,
  NotFound: grpc.status.NOT_FOUND,
  OutOfRange: grpc.status.OUT_OF_RANGE,
  FailedPrecondition: grpc.status.FAILED_PRECONDITION,
  ResourceExhausted: grpc.status.RESOURCE_EXHAUSTED,
  Unavailable: grpc.status.UNAVAILABLE,
  DeadlineExceeded: grpc.status.DEADLINE_EXCEEDED,
  AlreadyExists: grpc.status.ALREADY_EXISTS,
  PermissionDenied: grpc.status.PERMISSION_DENIED,
};

/** A request this server understands but does not serve (etcd would); answered Unimplemented. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown by the wire layer itself to end a call with a given status. */
export class WireStatusError extends Error {
  constructor(
    readonly grpcCode: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type ServiceError = grpc.ServerErrorResponse;

/**
 * The status a failed call ends with. Errors that are not ours (a bug, a broken invariant) become
 * Internal and are logged with the method; typed errors are the caller's business and are not.
 */
export function toServiceError(err: unknown, method: string, log: EtcdServerLogger): ServiceError {
  if (err instanceof StoreError) return status(GRPC_CODES[err.code], err.message);
  if (err instanceof UnsupportedError) return status(grpc.status.UNIMPLEMENTED, err.message);
  if (err instanceof WireStatusError) return status(err.grpcCode, err.message);
  const message = err instanceof Error ? err.message : String(err);
  log.error('etcd API call failed', { method, error: message, stack: err instanceof Error ? err.stack : undefined });
  return status(grpc.status.INTERNAL, message);
}

function status(code: grpc.status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details });
}
