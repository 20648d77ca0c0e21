/**
 * LocalEtcdKvClient: the etcd calls the API server's storage makes (EtcdKvClient), answered in
 * process by the store member that `flotilla master` runs beside it. The requests and responses
 * are etcd's v3 messages as over gRPC, and the member serves them exactly as it serves its gRPC
 * clients (KvStoreApi: writes through Raft, linearizable reads through ReadIndex, watches from
 * its MVCC hub), but without a gRPC client and server between two halves of one process: on
 * this 2-core machine those two stacks cost more CPU per request than the store's own work.
 *
 * Watch responses are handed on in a microtask rather than from inside the member's apply loop,
 * so the API server's event handling never runs in the middle of a Raft Ready; their order is
 * kept. Errors are the store's StoreError classes, which storageErrorFromEtcd maps by class.
 */
import type { CompactionRequest, CompactionResponse, KvStoreApi, LeaseGrantResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse, WatchCreateRequest, WatchHandle, WatchResponse } from '../../raft/index.js';
import { StoppedError } from '../../raft/index.js';
import type { EtcdWatch } from '../etcd/index.js';
import type { EtcdKvClient } from './etcd-kv.js';

/** Deadline of each request, as EtcdClient's default. */
const DEFAULT_TIMEOUT_MS = 5_000;

export class LocalEtcdKvClient implements EtcdKvClient {
  private closed = false;
  private readonly watches = new Set<WatchHandle>();

  constructor(
    private readonly api: KvStoreApi,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  range(req: RangeRequest): Promise<RangeResponse> {
    return this.open((api) => api.range(req, this.timeoutMs));
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    return this.open((api) => api.txn(req, this.timeoutMs));
  }

  compact(req: CompactionRequest): Promise<CompactionResponse> {
    return this.open((api) => api.compact(req, this.timeoutMs));
  }

  /** `id` 0: the store chooses. */
  leaseGrant(ttlSeconds: number, id = 0): Promise<LeaseGrantResponse> {
    return this.open((api) => api.leaseGrant({ TTL: ttlSeconds, ID: id }, this.timeoutMs));
  }

  /** A call to the store, or StoppedError (as from a stopped store) once the client is closed. */
  private open<T>(call: (api: KvStoreApi) => Promise<T>): Promise<T> {
    return this.closed ? Promise.reject(new StoppedError()) : call(this.api);
  }

  /**
   * A watch as EtcdClient opens one: `created` resolves with the created response (or rejects
   * when the store refuses the watch, which onError also reports), and onResponse gets every
   * response after it, cancellation included.
   */
  watch(req: WatchCreateRequest, onResponse: (r: WatchResponse) => void, onError: (e: Error) => void): EtcdWatch {
    let resolveCreated!: (r: WatchResponse) => void;
    let rejectCreated!: (e: Error) => void;
    const created = new Promise<WatchResponse>((resolve, reject) => {
      resolveCreated = resolve;
      rejectCreated = reject;
    });
    let isCreated = false;
    let ended = false;
    let queue: WatchResponse[] = [];
    const deliver = (): void => {
      const batch = queue;
      queue = [];
      for (const r of batch) {
        if (ended) return;
        if (!isCreated && r.created === true) {
          isCreated = true;
          resolveCreated(r);
          if (r.canceled === true) onResponse(r);
          continue;
        }
        onResponse(r);
      }
    };
    const fail = (e: Error): void => {
      if (ended) return;
      ended = true;
      if (!isCreated) rejectCreated(e);
      onError(e);
    };
    let handle: WatchHandle | undefined;
    if (this.closed) {
      queueMicrotask(() => fail(new StoppedError()));
    } else {
      try {
        handle = this.api.watch(req, (r) => {
          if (ended) return;
          if (queue.push(r) === 1) queueMicrotask(deliver);
        });
        this.watches.add(handle);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        queueMicrotask(() => fail(e));
      }
    }
    return {
      created,
      requestProgress: () => {
        if (!ended) handle?.requestProgress();
      },
      cancel: () => {
        ended = true;
        if (handle !== undefined) {
          this.watches.delete(handle);
          handle.cancel();
        }
      },
    };
  }

  /** Cancels the open watches; later calls reject with StoppedError. The member is the caller's. */
  close(): void {
    this.closed = true;
    for (const w of this.watches) w.cancel();
    this.watches.clear();
  }
}
