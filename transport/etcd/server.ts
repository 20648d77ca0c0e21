/**
 * etcd's v3 gRPC API over a KvStoreApi: KV, Watch, Lease, Cluster, Maintenance and Auth, wire
 * compatible with etcdctl 3.4 and etcd's client libraries. Either a server of its own
 * (createEtcdGrpcServer) or the services added to a server the member already runs
 * (addEtcdServices, with etcdServerOptions merged into that server's options).
 */
import * as grpc from '@grpc/grpc-js';
import type { KvStoreApi } from '../../raft/index.js';
import { authService } from './auth.js';
import type { HandlerContext } from './call.js';
import { clusterService } from './cluster.js';
import type { EtcdServerLogger } from './errors.js';
import { stderrLogger } from './errors.js';
import { kvService } from './kv.js';
import { leaseService } from './lease.js';
import { maintenanceService } from './maintenance.js';
import { watchService } from './watch.js';
import { createEtcdWire } from './wire.js';

/** etcd's default --max-request-bytes. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/**
 * etcd lets gRPC receive this much beyond --max-request-bytes and checks the limit itself, so a
 * request a little over the limit is refused with "etcdserver: request is too large".
 */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface EtcdGrpcServerOptions {
  /** etcd's --max-request-bytes: the largest write request accepted. Default 1.5 MiB. */
  readonly maxRequestBytes?: number;
  /** Deadline handed to the store when the client sets none. Default 5000 ms. */
  readonly defaultDeadlineMs?: number;
  /** HTTP/2 streams per client connection. Default 4096. */
  readonly maxConcurrentStreams?: number;
  /** Idle time before the server pings a client (etcd: --grpc-keepalive-interval, 2 h). */
  readonly keepaliveTimeMs?: number;
  /** How long an unanswered ping waits before the connection is closed (etcd: 20 s). */
  readonly keepaliveTimeoutMs?: number;
  /** Unread responses a watch stream may queue before it is closed. Default 4096. */
  readonly maxQueuedWatchResponses?: number;
  /** Keep-alives a lease stream may have waiting before it stops reading. Default 1024. */
  readonly maxQueuedKeepAlives?: number;
  /** How long close() lets calls finish before it cancels them (watch streams never finish). Default 1000 ms. */
  readonly shutdownGraceMs?: number;
  readonly logger?: EtcdServerLogger;
}

/**
 * The grpc.Server options the etcd services need. Client pings are never refused: grpc-js has no
 * ping enforcement, which is more permissive than etcd's (pings at most every 5 s, also without
 * an open stream) and so accepts everything etcd accepts, including etcdctl's 2 s keepalive.
 */
export function etcdServerOptions(opts: EtcdGrpcServerOptions = {}): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': (opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES) + GRPC_OVERHEAD_BYTES,
    // etcd sends responses of any size (math.MaxInt32); large ranges are the client's to limit.
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': opts.maxConcurrentStreams ?? 4096,
    'grpc.keepalive_time_ms': opts.keepaliveTimeMs ?? 2 * 60 * 60 * 1000,
    'grpc.keepalive_timeout_ms': opts.keepaliveTimeoutMs ?? 20_000,
  };
}

/** Adds etcdserverpb's six services, served by `api`, to `server`. */
export function addEtcdServices(server: grpc.Server, api: KvStoreApi, opts: EtcdGrpcServerOptions = {}): void {
  const wire = createEtcdWire();
  const ctx: HandlerContext = {
    api,
    wire,
    log: opts.logger ?? stderrLogger,
    maxRequestBytes: opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    defaultDeadlineMs: opts.defaultDeadlineMs ?? 5000,
    maxQueuedWatchResponses: opts.maxQueuedWatchResponses ?? 4096,
    maxQueuedKeepAlives: opts.maxQueuedKeepAlives ?? 1024,
  };
  server.addService(wire.services.KV, kvService(ctx));
  server.addService(wire.services.Watch, watchService(ctx));
  server.addService(wire.services.Lease, leaseService(ctx));
  server.addService(wire.services.Cluster, clusterService(ctx));
  server.addService(wire.services.Maintenance, maintenanceService(ctx));
  server.addService(wire.services.Auth, authService(ctx));
}

export interface EtcdGrpcServer {
  readonly server: grpc.Server;
  /** Binds host:port without TLS (port 0: any free port) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls, lets running ones finish for shutdownGraceMs, then cancels them. */
  close(): Promise<void>;
}

export function createEtcdGrpcServer(api: KvStoreApi, opts: EtcdGrpcServerOptions = {}): EtcdGrpcServer {
  const server = new grpc.Server(etcdServerOptions(opts));
  addEtcdServices(server, api, opts);
  const graceMs = opts.shutdownGraceMs ?? 1000;
  return {
    server,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
      }),
    close: () =>
      new Promise((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
