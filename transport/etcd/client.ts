import * as grpc from '@grpc/grpc-js';
import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  MemberListResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchResponse,
} from '../../raft/index.js';
import { loadEtcdProtos } from './protos.js';

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

interface ServiceClient extends grpc.Client {
  [method: string]: unknown;
}

type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, options: grpc.ClientOptions) => ServiceClient;

/** An etcd error as the client sees it: the gRPC code and etcd's message. */
export class EtcdClientError extends Error {
  override readonly name = 'EtcdClientError';
  constructor(readonly code: grpc.status, readonly details: string, readonly endpoint: string) {
    super(`${grpc.status[code] ?? code}: ${details} (${endpoint})`);
  }
}

export interface EtcdClientOptions {
  /** host:port of each member. */
  readonly endpoints: readonly string[];
  /** Deadline of each unary call. Default 5 s. */
  readonly timeoutMs?: number;
}

const CHANNEL_OPTIONS: grpc.ClientOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

/** Connection-level failures on which another endpoint is tried. */
const FAILOVER_CODES = new Set([grpc.status.UNAVAILABLE]);

/** A watch opened with EtcdClient.watch. */
export interface EtcdWatch {
  /** Resolves with the created response (its watchId). */
  readonly created: Promise<WatchResponse>;
  /** Asks for a progress notification (a WatchProgressRequest on the watch's stream; etcd >= 3.4). */
  requestProgress(): void;
  cancel(): void;
}

/**
 * A small etcd v3 client over gRPC for any etcd-compatible endpoints (Flotilla's store or etcd
 * itself). Unary calls carry a deadline; on a connection failure (UNAVAILABLE) the call moves
 * to the next endpoint, for reads always and for writes only when `retryWrites` is set (a write
 * that reached a member may have been applied). Clients of one endpoint share one channel.
 */
export class EtcdClient {
  private readonly kv: ServiceClient[];
  private readonly watchClients: ServiceClient[];
  private readonly lease: ServiceClient[];
  private readonly cluster: ServiceClient[];
  private readonly maintenance: ServiceClient[];
  private current = 0;
  private readonly timeoutMs: number;
  readonly endpoints: readonly string[];

  constructor(o: EtcdClientOptions) {
    if (o.endpoints.length === 0) throw new Error('EtcdClient needs at least one endpoint');
    this.endpoints = o.endpoints.map((e) => e.replace(/^https?:\/\//, ''));
    this.timeoutMs = o.timeoutMs ?? 5_000;
    const pkg = grpc.loadPackageDefinition(loadEtcdProtos()) as unknown as { etcdserverpb: Record<string, ServiceCtor> };
    const make = (name: string): ServiceClient[] =>
      this.endpoints.map((ep, i) => {
        const Ctor = pkg.etcdserverpb[name]!;
        // Services on one endpoint share its channel.
        const first = name === 'KV' ? undefined : this.kv[i];
        return new Ctor(ep, grpc.credentials.createInsecure(), first ? { ...CHANNEL_OPTIONS, channelOverride: first.getChannel() } : CHANNEL_OPTIONS);
      });
    this.kv = make('KV');
    this.watchClients = make('Watch');
    this.lease = make('Lease');
    this.cluster = make('Cluster');
    this.maintenance = make('Maintenance');
  }

  /** Pins calls to one endpoint (by index), e.g. one bench client per member. */
  pin(index: number): void {
    this.current = index % this.endpoints.length;
  }

  private call<T>(clients: ServiceClient[], method: string, req: unknown, retry: boolean, endpoint?: number): Promise<T> {
    const attempts = retry ? clients.length : 1;
    const start = endpoint ?? this.current;
    const tryAt = (n: number): Promise<T> => {
      const i = (start + n) % clients.length;
      const client = clients[i]!;
      const fn = client[method] as Unary;
      return new Promise<T>((resolve, reject) => {
        fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, res) => {
          if (!err) {
            resolve(res as T);
            return;
          }
          const e = new EtcdClientError(err.code, err.details, this.endpoints[i]!);
          if (n + 1 < attempts && FAILOVER_CODES.has(err.code)) {
            this.current = (i + 1) % clients.length;
            tryAt(n + 1).then(resolve, reject);
          } else {
            reject(e);
          }
        });
      });
    };
    return tryAt(0);
  }

  range(req: RangeRequest, endpoint?: number): Promise<RangeResponse> {
    return this.call(this.kv, 'range', req, true, endpoint);
  }

  put(req: PutRequest, opts: { retryWrites?: boolean; endpoint?: number } = {}): Promise<PutResponse> {
    return this.call(this.kv, 'put', req, opts.retryWrites ?? false, opts.endpoint);
  }

  deleteRange(req: DeleteRangeRequest, opts: { retryWrites?: boolean; endpoint?: number } = {}): Promise<DeleteRangeResponse> {
    return this.call(this.kv, 'deleteRange', req, opts.retryWrites ?? false, opts.endpoint);
  }

  txn(req: TxnRequest, opts: { retryWrites?: boolean; endpoint?: number } = {}): Promise<TxnResponse> {
    return this.call(this.kv, 'txn', req, opts.retryWrites ?? false, opts.endpoint);
  }

  compact(req: CompactionRequest): Promise<unknown> {
    return this.call(this.kv, 'compact', req, true);
  }

  /** `id` 0: the store chooses (etcd's are random int64s, beyond what a number holds exactly). */
  leaseGrant(ttlSeconds: number, id = 0): Promise<LeaseGrantResponse> {
    return this.call(this.lease, 'leaseGrant', { TTL: ttlSeconds, ID: id }, false);
  }

  leaseRevoke(id: number): Promise<unknown> {
    return this.call(this.lease, 'leaseRevoke', { ID: id }, true);
  }

  leaseTimeToLive(id: number, keys = false): Promise<LeaseTimeToLiveResponse> {
    return this.call(this.lease, 'leaseTimeToLive', { ID: id, keys }, true);
  }

  memberList(): Promise<MemberListResponse> {
    return this.call(this.cluster, 'memberList', { linearizable: false }, true);
  }

  status(endpoint: number): Promise<StatusResponse> {
    return this.call(this.maintenance, 'status', {}, false, endpoint);
  }

  /**
   * Opens a watch on its own stream. `onEvents` receives every response after the created one
   * (events, progress notifications, cancellation). Stream errors end the watch via onError.
   */
  watch(req: WatchCreateRequest, onResponse: (r: WatchResponse) => void, onError: (e: Error) => void, endpoint?: number): EtcdWatch {
    const i = (endpoint ?? this.current) % this.endpoints.length;
    const client = this.watchClients[i]!;
    const stream = (client.watch as (meta?: grpc.Metadata) => grpc.ClientDuplexStream<unknown, WatchResponse>).call(client);
    let resolveCreated!: (r: WatchResponse) => void;
    let rejectCreated!: (e: Error) => void;
    const created = new Promise<WatchResponse>((res, rej) => {
      resolveCreated = res;
      rejectCreated = rej;
    });
    let isCreated = false;
    let ended = false;
    stream.on('data', (r: WatchResponse) => {
      if (!isCreated && r.created) {
        isCreated = true;
        resolveCreated(r);
        if (r.canceled) onResponse(r);
        return;
      }
      onResponse(r);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      if (ended && err.code === grpc.status.CANCELLED) return;
      const e = new EtcdClientError(err.code, err.details, this.endpoints[i]!);
      if (!isCreated) rejectCreated(e);
      onError(e);
    });
    stream.on('end', () => undefined);
    stream.write({ createRequest: req });
    return {
      created,
      requestProgress: () => {
        if (!ended) stream.write({ progressRequest: {} });
      },
      cancel: () => {
        ended = true;
        stream.cancel();
      },
    };
  }

  close(): void {
    for (const c of [...this.watchClients, ...this.lease, ...this.cluster, ...this.maintenance, ...this.kv]) c.close();
  }
}
