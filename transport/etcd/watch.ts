/**
 * Watch service: one bidirectional stream per client context, carrying many watchers.
 *
 * Watch ids belong to the stream, as in etcd: the client may pick one (watch_id, refused when in
 * use on this stream) or the stream assigns the lowest unused one counting up from 0. The store
 * keeps its own ids; this stream maps every response of a watcher to the id the client knows.
 *
 * Invariant: after a watcher's canceled response, nothing more is sent for it; every watcher of a
 * stream is canceled in the store when the stream ends, however it ends (client cancel, client
 * gone, error, server shutdown).
 */
import * as grpc from '@grpc/grpc-js';
import type { ResponseHeader, WatchCreateRequest, WatchHandle, WatchResponse } from '../../raft/index.js';
import { StoreError } from '../../raft/index.js';
import type { HandlerContext } from './call.js';
import { failStream } from './call.js';
import { WireStatusError } from './errors.js';
import { fragmentWatchResponse } from './fragment.js';

/** A WatchRequest as decoded: `requestUnion` names the member that is set. */
interface WireWatchRequest {
  readonly requestUnion?: string;
  readonly createRequest?: WatchCreateRequest | null;
  readonly cancelRequest?: { readonly watchId: number } | null;
}

type WatchCall = grpc.ServerDuplexStream<WireWatchRequest, WatchResponse>;

/** watch_id 0 in a create request: let the stream choose. */
const AUTO_WATCH_ID = 0;
/** The id of a refused create, and of a stream-wide progress notification (etcd's InvalidWatchID). */
export const INVALID_WATCH_ID = -1;
/** etcd's cancel_reason for a watch_id already in use on the stream. */
export const DUPLICATE_WATCH_ID_REASON = 'mvcc: duplicate watch ID provided on the WatchStream';

interface StreamWatcher {
  readonly watchId: number;
  /** Split responses over the size limit (WatchCreateRequest.fragment). */
  readonly fragment: boolean;
  /** Unset only while the store's watch() runs. */
  handle: WatchHandle | undefined;
  /** Its canceled response is out (or will never be); nothing more is sent for it. */
  done: boolean;
}

export function watchService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  return {
    Watch: (call: WatchCall) => new WatchStream(ctx, call).start(),
  };
}

class WatchStream {
  /** Live watchers by the client's id, in creation order. */
  private readonly watchers = new Map<number, StreamWatcher>();
  private nextWatchId = 0;
  /** The watcher whose next progress notification answers the client's progress request. */
  private progressWatcher: StreamWatcher | undefined;
  /** Header of the newest response from the store, for the responses this stream writes itself. */
  private lastHeader: ResponseHeader | undefined;
  private closed = false;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly call: WatchCall,
  ) {}

  start(): void {
    this.call.on('data', (request: WireWatchRequest) => this.onRequest(request));
    // A client that half-closes keeps its watchers, as with etcd, until it cancels the call.
    this.call.on('error', () => this.close());
    this.call.on('cancelled', () => this.close());
    this.call.on('close', () => this.close());
  }

  private onRequest(request: WireWatchRequest): void {
    if (this.closed) return;
    try {
      switch (request.requestUnion) {
        case 'createRequest':
          if (request.createRequest) this.create(request.createRequest);
          break;
        case 'cancelRequest':
          if (request.cancelRequest) this.cancel(request.cancelRequest.watchId);
          break;
        case 'progressRequest':
          this.requestProgress();
          break;
        default:
          // etcd ignores a request it does not know rather than ending every watcher of the stream.
          break;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private create(request: WatchCreateRequest): void {
    let watchId = request.watchId ?? AUTO_WATCH_ID;
    if (watchId === AUTO_WATCH_ID) {
      while (this.watchers.has(this.nextWatchId)) this.nextWatchId++;
      watchId = this.nextWatchId++;
    } else if (this.watchers.has(watchId)) {
      this.writeWithHeader({ watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: DUPLICATE_WATCH_ID_REASON, events: [] });
      return;
    }
    const watcher: StreamWatcher = { watchId, fragment: request.fragment === true, handle: undefined, done: false };
    this.watchers.set(watchId, watcher);
    try {
      // The store may answer (created, even canceled) before watch() returns.
      watcher.handle = this.ctx.api.watch({ ...request, watchId: AUTO_WATCH_ID }, (response) => this.forward(watcher, response));
    } catch (err) {
      this.forget(watcher);
      if (!(err instanceof StoreError)) throw err;
      this.writeWithHeader({ watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: err.message, events: [] });
    }
  }

  private cancel(watchId: number): void {
    const watcher = this.watchers.get(watchId);
    if (!watcher) return; // etcd does not answer a cancel of an unknown id
    // The store may confirm with its own canceled response (forwarded, which marks it done).
    watcher.handle?.cancel();
    if (!watcher.done) {
      this.forget(watcher);
      this.writeWithHeader({ watchId, canceled: true, events: [] });
    }
  }

  /**
   * etcd answers a progress request once per stream, with watch id -1 and the store revision, if
   * the stream has a watcher. It is asked of the oldest watcher; its answer goes out as -1.
   */
  private requestProgress(): void {
    if (this.progressWatcher) return; // the pending answer serves this request too
    const watcher = [...this.watchers.values()].find((w) => !w.done && w.handle);
    if (!watcher?.handle) return;
    this.progressWatcher = watcher;
    watcher.handle.requestProgress();
  }

  /** A response from the store for one watcher. */
  private forward(watcher: StreamWatcher, response: WatchResponse): void {
    if (this.closed || watcher.done) return;
    this.lastHeader = response.header;
    let watchId = watcher.watchId;
    if (watcher === this.progressWatcher && isProgressNotification(response)) {
      watchId = INVALID_WATCH_ID;
      this.progressWatcher = undefined;
    }
    if (response.canceled) this.forget(watcher);
    const out: WatchResponse = { ...response, watchId };
    const responses = watcher.fragment && !response.fragment ? fragmentWatchResponse(out, this.ctx.maxRequestBytes, this.ctx.wire) : [out];
    for (const r of responses) this.write(r);
  }

  /** Marks a watcher finished and drops it from the stream (its id is free again). */
  private forget(watcher: StreamWatcher): void {
    watcher.done = true;
    if (this.watchers.get(watcher.watchId) === watcher) this.watchers.delete(watcher.watchId);
    if (this.progressWatcher === watcher) {
      // Its answer will not come: ask the next watcher.
      this.progressWatcher = undefined;
      this.requestProgress();
    }
  }

  /** A response of the stream's own (refusal, cancel confirmation), with the newest header known. */
  private writeWithHeader(response: Omit<WatchResponse, 'header'>): void {
    if (this.lastHeader) {
      this.write({ header: this.lastHeader, ...response });
      return;
    }
    void this.ctx.api.status().then(
      (status) => {
        this.lastHeader ??= status.header;
        this.write({ header: status.header, ...response });
      },
      (err: unknown) => this.fail(err),
    );
  }

  private write(response: WatchResponse): void {
    if (this.closed) return;
    if (this.call.writableLength >= this.ctx.maxQueuedWatchResponses) {
      // The client does not read: close the stream rather than queue without bound. Unavailable
      // makes etcd clients open a new stream and resume each watcher from its last revision.
      this.fail(new WireStatusError(grpc.status.UNAVAILABLE, `etcdserver: watch stream closed: ${this.call.writableLength} responses unread by the client`));
      return;
    }
    this.call.write(response);
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.close();
    failStream(this.call, this.ctx, 'Watch.Watch', err);
  }

  /** Cancels every watcher in the store; idempotent. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.progressWatcher = undefined;
    const watchers = [...this.watchers.values()];
    this.watchers.clear();
    for (const watcher of watchers) {
      watcher.done = true;
      try {
        watcher.handle?.cancel();
      } catch (err) {
        this.ctx.log.error('canceling a watcher of a closed stream failed', { watchId: watcher.watchId, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

/** An empty response that only reports the store's revision (etcd's IsProgressNotify). */
function isProgressNotification(response: WatchResponse): boolean {
  return response.events.length === 0 && !response.created && !response.canceled && !response.compactRevision && !response.fragment;
}
