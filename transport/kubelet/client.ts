/**
 * KubeletClient: the API server's side of the kubelet service, one per kubelet address (kept in
 * a KubeletClientPool). Streaming calls resolve only once the kubelet accepted them (its response
 * headers arrived) and reject with the kubelet's Status otherwise, so the API server can still
 * answer its own client with a proper error; the unary StatsSummary has a deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { failureStatus, ResourceApiError } from '../../core/index.js';
import { KUBELET_CHANNEL_OPTIONS, KUBELET_OPEN_TIMEOUT_MS, KUBELET_SERVICE_DEFINITION, KUBELET_STATS_TIMEOUT_MS, kubeletMethodPath } from './service.js';
import type { KubeletExecSession } from './server.js';
import { kubeletErrorOf } from './status.js';
import type { KubeletExecOpen, KubeletLogRequest, KubeletStatsSummary } from './wire.js';
import { decodeExecOutput, decodeStatsSummary, encodeExecInput, encodeLogRequest, KubeletWireFormatError } from './wire.js';

export interface KubeletClientOptions {
  /** `host:port` of the kubelet's service. */
  readonly address: string;
  /** Sent as `authorization: Bearer <token>`; a function is asked on every call. */
  readonly token?: string | (() => string | undefined);
  /** Default: plaintext. */
  readonly credentials?: grpc.ChannelCredentials;
  /** How long a logs or exec call may wait for the kubelet to accept it. */
  readonly openTimeoutMs?: number;
}

const KubeletApiClient = grpc.makeGenericClientConstructor(KUBELET_SERVICE_DEFINITION, 'Kubelet');
const identity = (b: Buffer): Buffer => b;

export class KubeletClient {
  private readonly client: grpc.Client;
  private readonly openTimeoutMs: number;

  constructor(private readonly options: KubeletClientOptions) {
    this.client = new KubeletApiClient(options.address, options.credentials ?? grpc.credentials.createInsecure(), { ...KUBELET_CHANNEL_OPTIONS });
    this.openTimeoutMs = options.openTimeoutMs ?? KUBELET_OPEN_TIMEOUT_MS;
  }

  get address(): string {
    return this.options.address;
  }

  /**
   * The container's log as byte chunks. Resolves once the kubelet accepted the request; aborting
   * `signal` cancels the call (the iterable then ends).
   */
  containerLogs(request: KubeletLogRequest, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const call = this.client.makeServerStreamRequest(kubeletMethodPath('ContainerLogs'), identity, identity, encodeLogRequest(request), this.metadata(), {});
    const what = `kubelet ${this.options.address}`;
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) call.cancel();
    return new Promise((resolve, reject) => {
      let accepted = false;
      const timer = setTimeout(() => {
        if (accepted) return;
        call.cancel();
        reject(new ResourceApiError(failureStatus(504, 'Timeout', `${what}: the kubelet did not accept the log request in time`)));
      }, this.openTimeoutMs);
      call.on('metadata', () => {
        accepted = true;
        clearTimeout(timer);
        resolve(readLogChunks(call, what, () => signal?.removeEventListener('abort', onAbort)));
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (accepted) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(kubeletErrorOf(err, what));
      });
    });
  }

  /** Starts `open.command` in the container; resolves once it runs. */
  exec(open: KubeletExecOpen): Promise<KubeletExecSession> {
    const call = this.client.makeBidiStreamRequest(kubeletMethodPath('Exec'), identity, identity, this.metadata(), {});
    const what = `kubelet ${this.options.address}`;
    call.write(encodeExecInput({ type: 'open', open }));
    return new Promise((resolve, reject) => {
      let accepted = false;
      const timer = setTimeout(() => {
        if (accepted) return;
        call.cancel();
        reject(new ResourceApiError(failureStatus(504, 'Timeout', `${what}: the kubelet did not start the command in time`)));
      }, this.openTimeoutMs);
      const session = new ClientExecSession(call, what);
      call.on('metadata', () => {
        accepted = true;
        clearTimeout(timer);
        resolve(session);
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (accepted) return session.fail(kubeletErrorOf(err, what));
        clearTimeout(timer);
        reject(kubeletErrorOf(err, what));
      });
    });
  }

  /** The node's and its pods' resource usage. */
  statsSummary(timeoutMs = KUBELET_STATS_TIMEOUT_MS): Promise<KubeletStatsSummary> {
    const what = `kubelet ${this.options.address}`;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(kubeletMethodPath('StatsSummary'), identity, identity, Buffer.alloc(0), this.metadata(), { deadline: Date.now() + timeoutMs }, (err, response) => {
        if (err !== null) return reject(kubeletErrorOf(err, what));
        try {
          resolve(decodeStatsSummary(response ?? Buffer.alloc(0)));
        } catch (decodeErr) {
          reject(new ResourceApiError(failureStatus(500, 'InternalError', `${what}: ${(decodeErr as Error).message}`)));
        }
      });
    });
  }

  close(): void {
    this.client.close();
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    if (token !== undefined && token !== '') metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  }
}

/** The call's messages as an async iterable; a failure after the start is thrown from the iteration. */
async function* readLogChunks(call: grpc.ClientReadableStream<Buffer>, what: string, done: () => void): AsyncIterable<Buffer> {
  try {
    for await (const chunk of call as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    const code = (err as Partial<grpc.ServiceError>).code;
    // A call we cancelled (the reader went away) simply ends.
    if (code !== grpc.status.CANCELLED) throw kubeletErrorOf(err as grpc.ServiceError, what);
  } finally {
    call.cancel();
    done();
  }
}

/**
 * A remote exec: output that arrives before a handler is set is kept (the handlers are set right
 * after exec() resolves, so this holds at most what one turn delivers).
 */
class ClientExecSession implements KubeletExecSession {
  readonly exited: Promise<number>;
  private resolveExited!: (code: number) => void;
  private rejectExited!: (err: Error) => void;
  private stdoutHandler: ((data: Uint8Array) => void) | undefined;
  private stderrHandler: ((data: Uint8Array) => void) | undefined;
  private readonly earlyStdout: Uint8Array[] = [];
  private readonly earlyStderr: Uint8Array[] = [];
  private ended = false;

  constructor(private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>, private readonly what: string) {
    this.exited = new Promise((resolve, reject) => {
      this.resolveExited = resolve;
      this.rejectExited = reject;
    });
    // A caller that never awaits `exited` must not see an unhandled rejection.
    this.exited.catch(() => undefined);
    call.on('data', (bytes: Buffer) => {
      try {
        const out = decodeExecOutput(bytes);
        if (out.type === 'exit') {
          this.ended = true;
          this.resolveExited(out.exitCode);
        } else if (out.type === 'stdout') {
          if (this.stdoutHandler) this.stdoutHandler(out.data);
          else this.earlyStdout.push(out.data);
        } else if (this.stderrHandler) this.stderrHandler(out.data);
        else this.earlyStderr.push(out.data);
      } catch (err) {
        this.fail(err instanceof KubeletWireFormatError ? new ResourceApiError(failureStatus(500, 'InternalError', `${what}: ${err.message}`)) : (err as Error));
      }
    });
    call.on('end', () => {
      if (!this.ended) this.fail(new ResourceApiError(failureStatus(500, 'InternalError', `${what}: the exec ended without an exit code`)));
    });
  }

  fail(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.call.cancel();
    this.rejectExited(err);
  }

  writeStdin(data: Uint8Array): void {
    if (!this.ended) this.call.write(encodeExecInput({ type: 'stdin', data }));
  }

  closeStdin(): void {
    if (!this.ended) this.call.write(encodeExecInput({ type: 'stdinClose' }));
  }

  resize(columns: number, rows: number): void {
    if (!this.ended) this.call.write(encodeExecInput({ type: 'resize', width: columns, height: rows }));
  }

  onStdout(handler: (data: Uint8Array) => void): void {
    this.stdoutHandler = handler;
    for (const d of this.earlyStdout.splice(0)) handler(d);
  }

  onStderr(handler: (data: Uint8Array) => void): void {
    this.stderrHandler = handler;
    for (const d of this.earlyStderr.splice(0)) handler(d);
  }

  kill(): void {
    this.fail(new ResourceApiError(failureStatus(500, 'InternalError', `${this.what}: the exec was cancelled`)));
  }
}

/** Most kubelet clients a pool keeps; past it the least recently used is closed. */
export const KUBELET_CLIENT_POOL_MAX = 256;

/** One KubeletClient per kubelet address, least recently used closed past the bound. */
export class KubeletClientPool {
  private readonly clients = new Map<string, KubeletClient>();

  constructor(private readonly options: Omit<KubeletClientOptions, 'address'> & { readonly maxClients?: number } = {}) {}

  clientFor(address: string): KubeletClient {
    let client = this.clients.get(address);
    if (client !== undefined) {
      this.clients.delete(address);
      this.clients.set(address, client);
      return client;
    }
    client = new KubeletClient({ ...this.options, address });
    this.clients.set(address, client);
    const max = this.options.maxClients ?? KUBELET_CLIENT_POOL_MAX;
    while (this.clients.size > max) {
      const [oldest, c] = this.clients.entries().next().value as [string, KubeletClient];
      this.clients.delete(oldest);
      c.close();
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
