/**
 * What every handler shares: the store, the wire, the limits, and the plumbing that turns a
 * promise into a gRPC answer (deadline in, typed error out) and ends streams with a status.
 */
import type { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { KvStoreApi } from '../../raft/index.js';
import { RequestTooLargeError } from '../../raft/index.js';
import type { EtcdServerLogger } from './errors.js';
import { toServiceError } from './errors.js';
import type { EtcdWire } from './wire.js';

export interface HandlerContext {
  readonly api: KvStoreApi;
  readonly wire: EtcdWire;
  readonly log: EtcdServerLogger;
  /** Requests that propose a write are refused above this many bytes (etcd's --max-request-bytes). */
  readonly maxRequestBytes: number;
  /** Deadline handed to the store when the client set none. */
  readonly defaultDeadlineMs: number;
  /** Responses a watch stream may have queued for a client that does not read before it is closed. */
  readonly maxQueuedWatchResponses: number;
  /** Keep-alive requests a lease stream may have waiting before it stops reading from the client. */
  readonly maxQueuedKeepAlives: number;
}

/** What every grpc-js server call offers: its deadline and its events ('cancelled', 'close', …). */
export type ServerCall = EventEmitter & { getDeadline(): grpc.Deadline };

/** Milliseconds left until the client's deadline, or the default when it set none. */
export function deadlineMsOf(call: ServerCall, defaultMs: number): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return defaultMs;
  return Math.max(0, at - Date.now());
}

/** A unary handler from a promise-returning one: the answer, or its error mapped to a status. */
export function unary<Req, Res>(ctx: HandlerContext, method: string, handler: (request: Req, deadlineMs: number) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let result: Promise<Res>;
    try {
      result = handler(call.request, deadlineMsOf(call, ctx.defaultDeadlineMs));
    } catch (err) {
      result = Promise.reject(err);
    }
    void result.then(
      (response) => callback(null, response),
      (err: unknown) => callback(toServiceError(err, method, ctx.log)),
    );
  };
}

/** Refuses a write request larger than the limit, measured as it arrived. */
export function checkRequestSize(ctx: HandlerContext, request: object): void {
  const bytes = ctx.wire.requestBytes(request);
  if (bytes !== undefined && bytes > ctx.maxRequestBytes) throw new RequestTooLargeError();
}

/** A server-side stream, readable or not, as far as ending it goes. */
type EndableStream = ServerCall & { end(): void };

/**
 * Ends a stream with an error status. grpc-js turns an 'error' event on a server stream into its
 * final status (after what is already queued).
 */
export function failStream(call: EndableStream, ctx: HandlerContext, method: string, err: unknown): void {
  call.emit('error', toServiceError(err, method, ctx.log));
}

/** Resolves once the stream can take more writes, or it is gone. */
export function writable(call: ServerCall): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      call.off('cancelled', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    call.on('cancelled', done);
  });
}
