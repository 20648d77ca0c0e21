/**
 * Serving the kubelet service on a gRPC server. Every call is authenticated first, then decoded,
 * then handed to the handlers; every failure ends the call with the Status the handler's error
 * maps to (resourceApiStatusOf), never with an exception inside gRPC.
 *
 * A streaming call sends its response headers only once the handler accepted it (the container
 * exists and has a log, the exec started), so a client can tell "refused" from "accepted, no
 * output yet" before it answers its own caller.
 */
import * as grpc from '@grpc/grpc-js';
import type { ResourceApiStatus } from '../../core/index.js';
import { failureStatus, resourceApiStatusOf } from '../../core/index.js';
import { bearerTokenOf } from '../resource/index.js';
import { KUBELET_LOG_CHUNK_MAX_BYTES, KUBELET_SERVICE_DEFINITION } from './service.js';
import { kubeletServiceErrorOf } from './status.js';
import type { KubeletExecOpen, KubeletLogRequest, KubeletStatsSummary } from './wire.js';
import { decodeExecInput, decodeLogRequest, encodeExecOutput, encodeStatsSummary, KubeletWireFormatError } from './wire.js';

/** A running exec as the handlers give it (the shape of the runtime's ExecSession). */
export interface KubeletExecSession {
  writeStdin(data: Uint8Array): void;
  closeStdin(): void;
  resize(columns: number, rows: number): void;
  onStdout(handler: (data: Uint8Array) => void): void;
  onStderr(handler: (data: Uint8Array) => void): void;
  /** Resolves with the exit code once the command exited and its output is drained. */
  readonly exited: Promise<number>;
  kill(): void;
}

/** What the kubelet does for each call; errors are thrown as Statuses (ResourceApiError or anything with toStatus). */
export interface KubeletServiceHandlers {
  /**
   * Resolves once the log can be read (rejects before any byte for an unknown pod or container,
   * or one not started yet); the iterable yields the log's bytes and ends with the log, or when
   * `signal` aborts (the caller went away).
   */
  containerLogs(request: KubeletLogRequest, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  exec(open: KubeletExecOpen): Promise<KubeletExecSession>;
  statsSummary(): Promise<KubeletStatsSummary>;
}

export interface KubeletServiceOptions {
  /** Whether a bearer token (undefined when the call had none) may use the kubelet. */
  readonly authenticate: (token: string | undefined) => boolean;
  readonly logChunkMaxBytes?: number;
}

const UNAUTHORIZED = failureStatus(401, 'Unauthorized', 'Unauthorized');

function statusOfFailure(err: unknown): ResourceApiStatus {
  if (err instanceof KubeletWireFormatError) return failureStatus(400, 'BadRequest', `malformed request: ${err.message}`);
  return resourceApiStatusOf(err);
}

/** Adds the kubelet service to `server`; returns the number of open streaming calls, for shutdown and metrics. */
export function addKubeletService(server: grpc.Server, handlers: KubeletServiceHandlers, options: KubeletServiceOptions): { readonly openStreams: () => number } {
  const chunkMax = options.logChunkMaxBytes ?? KUBELET_LOG_CHUNK_MAX_BYTES;
  let open = 0;
  const admitted = (metadata: grpc.Metadata): boolean => {
    try {
      return options.authenticate(bearerTokenOf(metadata));
    } catch {
      return false;
    }
  };

  const containerLogs = (call: grpc.ServerWritableStream<Buffer, Buffer>): void => {
    const abort = new AbortController();
    let finished = false;
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      abort.abort();
      call.emit('error', kubeletServiceErrorOf(statusOfFailure(err)));
    };
    call.on('cancelled', () => {
      finished = true;
      abort.abort();
    });
    call.on('error', () => abort.abort());
    if (!admitted(call.metadata)) return fail(new StatusCarrier(UNAUTHORIZED));
    open++;
    void (async () => {
      try {
        const lines = await handlers.containerLogs(decodeLogRequest(call.request), abort.signal);
        if (finished) return;
        call.sendMetadata(new grpc.Metadata());
        await streamBatched(call, lines, chunkMax, abort.signal);
        if (!finished) {
          finished = true;
          call.end();
        }
      } catch (err) {
        fail(err);
      } finally {
        open--;
      }
    })();
  };

  const exec = (call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
    let session: KubeletExecSession | undefined;
    let opening = false;
    let finished = false;
    /** Input that arrived while the session was starting; bounded by the client's own flow control. */
    const early: Buffer[] = [];
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      session?.kill();
      call.emit('error', kubeletServiceErrorOf(statusOfFailure(err)));
    };
    const apply = (bytes: Buffer): void => {
      const input = decodeExecInput(bytes);
      if (session === undefined) throw new KubeletWireFormatError('exec input before the session opened');
      if (input.type === 'stdin') session.writeStdin(input.data);
      else if (input.type === 'stdinClose') session.closeStdin();
      else if (input.type === 'resize') session.resize(input.width, input.height);
      else throw new KubeletWireFormatError('a second exec open');
    };
    call.on('cancelled', () => {
      finished = true;
      session?.kill();
    });
    call.on('error', () => session?.kill());
    if (!admitted(call.metadata)) return fail(new StatusCarrier(UNAUTHORIZED));
    call.on('end', () => session?.closeStdin());
    call.on('data', (bytes: Buffer) => {
      if (finished) return;
      try {
        if (session !== undefined) return apply(bytes);
        if (opening) {
          early.push(bytes);
          return;
        }
        const first = decodeExecInput(bytes);
        if (first.type !== 'open') throw new KubeletWireFormatError('the first exec input must open the session');
        opening = true;
        open++;
        void handlers.exec(first.open).then(
          (s) => {
            session = s;
            if (finished) return s.kill();
            call.sendMetadata(new grpc.Metadata());
            s.onStdout((data) => void (finished || call.write(encodeExecOutput({ type: 'stdout', data }))));
            s.onStderr((data) => void (finished || call.write(encodeExecOutput({ type: 'stderr', data }))));
            try {
              for (const b of early.splice(0)) apply(b);
            } catch (err) {
              fail(err);
              return;
            }
            void s.exited.then(
              (exitCode) => {
                open--;
                if (finished) return;
                finished = true;
                call.write(encodeExecOutput({ type: 'exit', exitCode }));
                call.end();
              },
              (err: unknown) => {
                open--;
                fail(err);
              },
            );
          },
          (err: unknown) => {
            open--;
            fail(err);
          },
        );
      } catch (err) {
        fail(err);
      }
    });
  };

  const statsSummary: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    if (!admitted(call.metadata)) return callback(kubeletServiceErrorOf(UNAUTHORIZED));
    void handlers.statsSummary().then(
      (summary) => callback(null, encodeStatsSummary(summary)),
      (err: unknown) => callback(kubeletServiceErrorOf(statusOfFailure(err))),
    );
  };

  server.addService(KUBELET_SERVICE_DEFINITION, { ContainerLogs: containerLogs, Exec: exec, StatsSummary: statsSummary });
  return { openStreams: () => open };
}

/** Lets a bare Status travel through statusOfFailure like any error that carries one. */
class StatusCarrier extends Error {
  constructor(readonly status: ResourceApiStatus) {
    super(status.message);
  }
  toStatus(): ResourceApiStatus {
    return this.status;
  }
}

/**
 * Writes the iterable's bytes in messages of up to `chunkMax` bytes: what arrives in one turn
 * goes out together; a full message waits for the stream to drain (a slow reader holds the
 * log reader back instead of growing a buffer).
 */
async function streamBatched(call: grpc.ServerWritableStream<Buffer, Buffer>, source: AsyncIterable<Uint8Array>, chunkMax: number, signal: AbortSignal): Promise<void> {
  let pending: Buffer[] = [];
  let size = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): boolean => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (size === 0 || signal.aborted) return true;
    const message = Buffer.concat(pending, size);
    pending = [];
    size = 0;
    return call.write(message);
  };
  try {
    for await (const piece of source) {
      if (signal.aborted) break;
      let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      while (rest.byteLength > 0) {
        const take = rest.subarray(0, chunkMax - size);
        pending.push(take);
        size += take.byteLength;
        rest = rest.subarray(take.byteLength);
        if (size >= chunkMax && !flush()) await drained(call, signal);
      }
      scheduled ??= setImmediate(flush);
    }
  } finally {
    flush();
  }
}

function drained(call: grpc.ServerWritableStream<Buffer, Buffer>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done);
  });
}
