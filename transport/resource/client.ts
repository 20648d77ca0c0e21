/**
 * GrpcResourceClient: core/client's ResourceClient over `flotilla.resource.v1.ResourceApi`, to a
 * list of masters. Every unary call has a deadline. A call goes to the master that answered last;
 * when it cannot be reached the client moves on to the next master, within the same deadline:
 *
 *   - reads (get, list) always;
 *   - writes only when a replay cannot apply them twice: the write carries a resourceVersion or
 *     uid precondition, or it certainly never left this process (the channel to that master
 *     never became ready, so nothing was sent);
 *   - a master's own 503 Status moves reads on too (it is up but cannot serve).
 *
 * Any other Status a server answered with is final. Watches are not retried here: a failed watch
 * ends through onClose and moves the client to the next master, and the informer resumes it.
 */
import * as grpc from '@grpc/grpc-js';
import type {
  GroupVersionResource,
  ResourceClient,
  ResourceCreateOptions,
  ResourceDeleteOptions,
  ResourceListOptions,
  ResourceListResult,
  ResourceObject,
  ResourceObjectRef,
  ResourcePatchType,
  ResourceUpdateOptions,
  ResourceWatch,
  ResourceWatchCloseHandler,
  ResourceWatchEventsHandler,
  ResourceWatchOptions,
} from '../../core/index.js';
import { ResourceApiError, resourceTimeoutError, resourceUnavailableError, toResourceApiError } from '../../core/index.js';
import type { ResourceUnaryMethod } from './service.js';
import { RESOURCE_CHANNEL_OPTIONS, RESOURCE_SERVICE_DEFINITION, resourceMethodPath } from './service.js';
import { resourceErrorOfServiceError, statusOfServiceError } from './status.js';
import { decodeListResponse, decodeObjectResponse, decodeWatchFrame, encodeResourceMessage } from './wire.js';

/** Default deadline of a unary call, failover included. */
export const RESOURCE_CALL_TIMEOUT_MS = 10_000;
/** How long a write waits for a master's channel to be ready before trying the next master. */
export const RESOURCE_CONNECT_TIMEOUT_MS = 2_000;

export interface GrpcResourceClientOptions {
  /** `host:port` of every master; tried in order, starting with the first. */
  readonly masters: readonly string[];
  /** Sent as `authorization: Bearer <token>`; a function is asked on every call (rotation). */
  readonly token?: string | (() => string);
  readonly callTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Default: plaintext. */
  readonly credentials?: grpc.ChannelCredentials;
  readonly channelOptions?: grpc.ChannelOptions;
}

const ResourceApiClient = grpc.makeGenericClientConstructor(RESOURCE_SERVICE_DEFINITION, 'ResourceApi');
const identity = (b: Buffer): Buffer => b;

export class GrpcResourceClient implements ResourceClient {
  private readonly masters: readonly string[];
  private readonly clients: (grpc.Client | undefined)[];
  private readonly callTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  /** Index of the master to try first: the one that answered last. */
  private current = 0;
  private closed = false;
  /** stop() of every open watch, so close() can end them. */
  private readonly watchStops = new Set<() => void>();

  constructor(private readonly options: GrpcResourceClientOptions) {
    if (options.masters.length === 0) throw new RangeError('GrpcResourceClient needs at least one master');
    this.masters = [...options.masters];
    this.clients = this.masters.map(() => undefined);
    this.callTimeoutMs = options.callTimeoutMs ?? RESOURCE_CALL_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? RESOURCE_CONNECT_TIMEOUT_MS;
  }

  /** The master the next call goes to first. */
  get currentMaster(): string {
    return this.masters[this.current]!;
  }

  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T> {
    return this.unary('Get', { ref }, true, decodeObjectResponse) as Promise<T>;
  }

  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options: ResourceListOptions = {}): Promise<ResourceListResult<T>> {
    return this.unary('List', { resource, options }, true, decodeListResponse) as Promise<ResourceListResult<T>>;
  }

  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceCreateOptions = {}): Promise<T> {
    return this.unary('Create', { resource, object, options }, options.dryRun === true, decodeObjectResponse) as Promise<T>;
  }

  update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.unary('Update', { resource, object, options }, replaySafeUpdate(object, options), decodeObjectResponse) as Promise<T>;
  }

  updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.unary('UpdateStatus', { resource, object, options }, replaySafeUpdate(object, options), decodeObjectResponse) as Promise<T>;
  }

  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.unary('Patch', { ref, patchType, patch, options }, options.dryRun === true, decodeObjectResponse) as Promise<T>;
  }

  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, options: ResourceDeleteOptions = {}): Promise<T> {
    const pre = options.preconditions;
    const replaySafe = options.dryRun === true || (pre?.resourceVersion ?? '') !== '' || (pre?.uid ?? '') !== '';
    return this.unary('Delete', { ref, options }, replaySafe, decodeObjectResponse) as Promise<T>;
  }

  watch(resource: GroupVersionResource, options: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch {
    if (this.closed) {
      let stopped = false;
      queueMicrotask(() => stopped || onClose(resourceUnavailableError('the resource client is closed')));
      return { stop: () => void (stopped = true) };
    }
    const index = this.current;
    const call = this.clientAt(index).makeServerStreamRequest(resourceMethodPath('Watch'), identity, identity, encodeResourceMessage({ resource, options }), this.metadata(), {});
    let done = false;
    const stop = (): void => {
      if (done) return;
      done = true;
      this.watchStops.delete(stop);
      call.cancel();
    };
    const finish = (err?: Error): void => {
      if (done) return;
      stop();
      onClose(err);
    };
    this.watchStops.add(stop);
    let status: grpc.StatusObject | undefined;
    let ended = false;
    // Ends after both the final status and the last message are in ('end' follows the last 'data').
    const settle = (): void => {
      if (status === undefined || !ended) return;
      if (status.code === grpc.status.OK) {
        finish();
        return;
      }
      // Unreachable, or up but unable to serve (a 503 Status, e.g. shutting down): the next watch goes elsewhere.
      if (isConnectionLoss(status.code)) this.failedOver(index);
      finish(resourceErrorOfServiceError(status, `watch ${resource.resource} on ${this.masters[index]!}`));
    };
    call.on('data', (frame: Buffer) => {
      if (done) return;
      try {
        onEvents(decodeWatchFrame(frame));
      } catch (err) {
        finish(toResourceApiError(err));
      }
    });
    call.on('end', () => {
      ended = true;
      settle();
    });
    call.on('status', (s: grpc.StatusObject) => {
      status = s;
      settle();
    });
    // The status event reports the same failure; without a listener an 'error' would be thrown.
    call.on('error', () => undefined);
    return { stop };
  }

  /** Cancels open watches (without calling their onClose) and closes every channel. Final. */
  close(): void {
    this.closed = true;
    for (const stop of [...this.watchStops]) stop();
    for (const client of this.clients) client?.close();
  }

  private clientAt(index: number): grpc.Client {
    if (this.closed) throw resourceUnavailableError('the resource client is closed');
    let client = this.clients[index];
    if (client === undefined) {
      client = new ResourceApiClient(this.masters[index]!, this.options.credentials ?? grpc.credentials.createInsecure(), { ...RESOURCE_CHANNEL_OPTIONS, ...this.options.channelOptions });
      this.clients[index] = client;
    }
    return client;
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    if (token !== undefined && token !== '') metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  }

  /** After `index` failed to answer: the next call starts at the master after it. */
  private failedOver(index: number): void {
    if (this.current === index) this.current = (index + 1) % this.masters.length;
  }

  private async unary<R>(method: ResourceUnaryMethod, body: unknown, replaySafe: boolean, decode: (bytes: Buffer) => R): Promise<R> {
    if (this.closed) throw resourceUnavailableError('the resource client is closed');
    const request = encodeResourceMessage(body);
    const deadlineMs = Date.now() + this.callTimeoutMs;
    const what = `${method} ${describe(body)}`;
    let lastError: ResourceApiError | undefined;
    const first = this.current;
    for (let attempt = 0; attempt < this.masters.length; attempt++) {
      if (Date.now() >= deadlineMs) break;
      const index = (first + attempt) % this.masters.length;
      const client = this.clientAt(index);
      const lastCandidate = attempt === this.masters.length - 1;
      if (!replaySafe && !(await channelReady(client, Math.min(deadlineMs, Date.now() + this.connectTimeoutMs), !lastCandidate))) {
        lastError = resourceUnavailableError(`${what}: master ${this.masters[index]!} is unreachable`);
        this.failedOver(index);
        continue;
      }
      try {
        const response = await call(client, resourceMethodPath(method), request, this.metadata(), deadlineMs);
        this.current = index;
        return decodeOrFail(decode, response);
      } catch (err) {
        if (err instanceof ResourceApiError) throw err;
        const serviceError = err as grpc.ServiceError;
        const error = resourceErrorOfServiceError(serviceError, `${what} on ${this.masters[index]!}`);
        const answered = statusOfServiceError(serviceError) !== undefined;
        const unreachable = isConnectionLoss(serviceError.code);
        if (unreachable && !answered) this.failedOver(index);
        // A write that may have reached a server is never replayed; a server's own Status is final unless it is 503 to a read.
        if (!unreachable || !replaySafe) throw error;
        lastError = error;
      }
    }
    throw lastError ?? resourceTimeoutError(`${what}: the deadline passed before any master answered`);
  }
}

/**
 * UNAVAILABLE, or CANCELLED when we did not cancel: a server shutting down cuts its streams with
 * RST_STREAM(CANCEL), which grpc-js reports as CANCELLED.
 */
function isConnectionLoss(code: grpc.status): boolean {
  return code === grpc.status.UNAVAILABLE || code === grpc.status.CANCELLED;
}

/** The decoded response; a response that is not one becomes a 500 (the server is of another version, or broken). */
function decodeOrFail<R>(decode: (bytes: Buffer) => R, response: Buffer): R {
  try {
    return decode(response);
  } catch (err) {
    throw toResourceApiError(err);
  }
}

function replaySafeUpdate(object: ResourceObject, options: ResourceUpdateOptions): boolean {
  return options.dryRun === true || (object.metadata?.resourceVersion ?? '') !== '';
}

function describe(body: unknown): string {
  const b = body as { ref?: ResourceObjectRef; resource?: GroupVersionResource };
  if (b.ref !== undefined) return `${b.ref.resource} ${b.ref.namespace ? `${b.ref.namespace}/` : ''}${b.ref.name}`;
  return b.resource?.resource ?? '';
}

/**
 * Whether the channel to a master is ready (connecting it if idle) before `deadlineMs`. With
 * `failFast`, a channel in TRANSIENT_FAILURE (its last connect was refused or timed out) counts
 * as not ready at once, so a write moves on to the next master without waiting for a redial.
 */
function channelReady(client: grpc.Client, deadlineMs: number, failFast: boolean): Promise<boolean> {
  const channel = client.getChannel();
  return new Promise((resolve) => {
    const check = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === grpc.connectivityState.READY) return resolve(true);
      if (state === grpc.connectivityState.SHUTDOWN || (failFast && state === grpc.connectivityState.TRANSIENT_FAILURE)) return resolve(false);
      if (Date.now() >= deadlineMs) return resolve(false);
      channel.watchConnectivityState(state, deadlineMs, (err) => (err ? resolve(false) : check()));
    };
    check();
  });
}

function call(client: grpc.Client, path: string, request: Buffer, metadata: grpc.Metadata, deadlineMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, request, metadata, { deadline: deadlineMs }, (err, response) => {
      if (err !== null) reject(err);
      else if (response === undefined) reject(new ResourceApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'empty response', reason: 'InternalError', code: 500 }));
      else resolve(response);
    });
  });
}
