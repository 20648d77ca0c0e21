/**
 * Serving a ResourceClient implementation (the API server) as `flotilla.resource.v1.ResourceApi`
 * on a gRPC server. Every call is authenticated first (when an authenticator is given), then
 * decoded, then handed to the implementation; every failure ends the call with the Status the
 * implementation's error maps to (see status.ts), never with an exception inside gRPC.
 */
import * as grpc from '@grpc/grpc-js';
import type { ResourceApiStatus, ResourceClient, ResourceDeleteOptions, ResourceListOptions, ResourceUpdateOptions, ResourceWatchOptions } from '../../core/index.js';
import { failureStatus, resourceApiStatusOf } from '../../core/index.js';
import { RESOURCE_SERVICE_DEFINITION, RESOURCE_WATCH_BATCH_MAX_EVENTS, RESOURCE_WATCH_MAX_QUEUED_EVENTS } from './service.js';
import { serviceErrorOfStatus } from './status.js';
import { ServerWatchStream } from './watch-stream.js';
import { decodeObjectRequest, decodePatchRequest, decodeRefRequest, decodeResourceRequest, encodeListResponse, encodeResourceMessage, ResourceWireFormatError } from './wire.js';

/** Who made a call, as an authenticator established it. */
export interface ResourceApiUser {
  readonly name: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
}

/**
 * Decides who a call is from, from its metadata (see bearerTokenOf); returns an Error to refuse
 * it with 401 (a ResourceApiError's own Status is kept).
 */
export type ResourceApiAuthenticator = (metadata: grpc.Metadata) => ResourceApiUser | Error;

export interface ResourceApiServiceOptions {
  /** Absent: every call is served, with no user. */
  readonly authenticate?: ResourceApiAuthenticator;
  /** The implementation to serve a call of `user` with (authorization, audit); default the one given. */
  readonly clientForUser?: (user: ResourceApiUser | undefined) => ResourceClient;
  readonly watchBatchMaxEvents?: number;
  readonly watchMaxQueuedEvents?: number;
}

export interface ResourceApiService {
  readonly openWatches: number;
  /** Ends every open watch with 503 ServiceUnavailable (before a server shuts down); clients resume elsewhere. */
  closeWatches(): void;
}

/** The token of an `authorization: Bearer <token>` metadata entry, if any. */
export function bearerTokenOf(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  const text = typeof value === 'string' ? value : value?.toString('utf8');
  const match = text === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(text);
  return match?.[1];
}

/** An authenticator accepting exactly the given bearer tokens. */
export function staticTokenAuthenticator(tokens: ReadonlyMap<string, ResourceApiUser>): ResourceApiAuthenticator {
  return (metadata) => {
    const token = bearerTokenOf(metadata);
    const user = token === undefined ? undefined : tokens.get(token);
    return user ?? new Error(token === undefined ? 'no bearer token' : 'invalid bearer token');
  };
}

const UNAUTHORIZED = failureStatus(401, 'Unauthorized', 'Unauthorized');

type Admission = { readonly client: ResourceClient } | { readonly refusal: ResourceApiStatus };

/** Adds the ResourceApi service to `server` (before or after it is bound). */
export function addResourceApiService(server: grpc.Server, impl: ResourceClient, options: ResourceApiServiceOptions = {}): ResourceApiService {
  const streams = new Set<ServerWatchStream>();
  const limits = {
    batchMaxEvents: options.watchBatchMaxEvents ?? RESOURCE_WATCH_BATCH_MAX_EVENTS,
    maxQueuedEvents: options.watchMaxQueuedEvents ?? RESOURCE_WATCH_MAX_QUEUED_EVENTS,
  };

  const admit = (metadata: grpc.Metadata): Admission => {
    let user: ResourceApiUser | undefined;
    if (options.authenticate !== undefined) {
      let result: ResourceApiUser | Error;
      try {
        result = options.authenticate(metadata);
      } catch (err) {
        result = err instanceof Error ? err : new Error(String(err));
      }
      if (result instanceof Error) {
        const own = resourceApiStatusOf(result);
        return { refusal: own.code === 401 ? own : UNAUTHORIZED };
      }
      user = result;
    }
    return { client: options.clientForUser?.(user) ?? impl };
  };

  /** A unary handler: admit, decode, run, answer; every failure becomes a Status. */
  function unary<Req>(decode: (bytes: Buffer) => Req, run: (client: ResourceClient, request: Req) => Promise<Buffer>): grpc.handleUnaryCall<Buffer, Buffer> {
    return (call, callback) => {
      const admission = admit(call.metadata);
      if ('refusal' in admission) {
        callback(serviceErrorOfStatus(admission.refusal));
        return;
      }
      let result: Promise<Buffer>;
      try {
        result = run(admission.client, decode(call.request));
      } catch (err) {
        result = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      void result.then(
        (response) => callback(null, response),
        (err: unknown) => callback(serviceErrorOfStatus(statusOfFailure(err))),
      );
    };
  }

  const encodeObject = (object: unknown): Buffer => encodeResourceMessage(object);

  server.addService(RESOURCE_SERVICE_DEFINITION, {
    Get: unary(decodeRefRequest, async (client, req) => encodeObject(await client.get(req.ref))),
    List: unary(decodeResourceRequest, async (client, req) => encodeListResponse(await client.list(req.resource, req.options as ResourceListOptions))),
    Create: unary(decodeObjectRequest, async (client, req) => encodeObject(await client.create(req.resource, req.object, req.options as ResourceUpdateOptions))),
    Update: unary(decodeObjectRequest, async (client, req) => encodeObject(await client.update(req.resource, req.object, req.options as ResourceUpdateOptions))),
    UpdateStatus: unary(decodeObjectRequest, async (client, req) => encodeObject(await client.updateStatus(req.resource, req.object, req.options as ResourceUpdateOptions))),
    Patch: unary(decodePatchRequest, async (client, req) => encodeObject(await client.patch(req.ref, req.patchType, req.patch, req.options as ResourceUpdateOptions))),
    Delete: unary(decodeRefRequest, async (client, req) => encodeObject(await client.delete(req.ref, req.options as ResourceDeleteOptions))),
    Watch: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const stream = new ServerWatchStream(call, limits, (s) => streams.delete(s));
      streams.add(stream);
      const admission = admit(call.metadata);
      if ('refusal' in admission) {
        stream.finish(admission.refusal);
        return;
      }
      let request: ReturnType<typeof decodeResourceRequest>;
      try {
        request = decodeResourceRequest(call.request);
      } catch (err) {
        stream.finish(statusOfFailure(err));
        return;
      }
      const watchOptions = { resourceVersion: '', ...request.options } as ResourceWatchOptions;
      try {
        const watch = admission.client.watch(
          request.resource,
          watchOptions,
          (events) => stream.enqueue(events),
          (err) => stream.finish(err === undefined ? undefined : resourceApiStatusOf(err)),
        );
        stream.attach(watch);
      } catch (err) {
        stream.finish(statusOfFailure(err));
      }
    },
  });

  return {
    get openWatches() {
      return streams.size;
    },
    closeWatches() {
      const status = failureStatus(503, 'ServiceUnavailable', 'the server is shutting down');
      for (const stream of [...streams]) stream.finish(status);
    },
  };
}

/** The Status for a failure: a malformed request is 400, else the implementation's own Status. */
function statusOfFailure(err: unknown): ResourceApiStatus {
  if (err instanceof ResourceWireFormatError) return failureStatus(400, 'BadRequest', `malformed request: ${err.message}`);
  return resourceApiStatusOf(err);
}
