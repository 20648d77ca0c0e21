// The server side of one Watch call: queues the implementation's events, sends them in frames of
// up to `batchMaxEvents` (a frame goes when that many are queued, or on the next turn of the event
// loop, as the peer transport batches), honours the stream's backpressure, and drops a client
// that falls `maxQueuedEvents` behind by ending the stream cleanly (it resumes from its last
// resourceVersion, as after kube-apiserver drops a slow watcher).

import type * as grpc from '@grpc/grpc-js';
import type { ResourceApiStatus, ResourceWatch, ResourceWatchEvent } from '../../core/index.js';
import { serviceErrorOfStatus } from './status.js';
import { encodeWatchFrame } from './wire.js';

export interface WatchStreamLimits {
  readonly batchMaxEvents: number;
  readonly maxQueuedEvents: number;
}

export class ServerWatchStream {
  private queue: ResourceWatchEvent[] = [];
  private flushScheduled = false;
  private waitingForDrain = false;
  private finished = false;
  private watch: ResourceWatch | undefined;

  constructor(
    private readonly call: grpc.ServerWritableStream<Buffer, Buffer>,
    private readonly limits: WatchStreamLimits,
    private readonly onFinished: (stream: ServerWatchStream) => void,
  ) {
    call.on('cancelled', () => this.abandon());
    // A write to a stream the client has gone from fails here; 'cancelled' does the cleanup.
    call.on('error', () => this.abandon());
    call.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
  }

  /** The implementation's watch, stopped when the client goes or the stream ends. */
  attach(watch: ResourceWatch): void {
    if (this.finished) watch.stop();
    else this.watch = watch;
  }

  enqueue(events: readonly ResourceWatchEvent[]): void {
    if (this.finished) return;
    for (const event of events) this.queue.push(event);
    if (this.queue.length > this.limits.maxQueuedEvents) {
      this.queue = [];
      this.finish(undefined);
      return;
    }
    if (this.queue.length >= this.limits.batchMaxEvents) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Ends the call after what is queued: cleanly, or with `status`. */
  finish(status: ResourceApiStatus | undefined): void {
    if (this.finished) return;
    this.writeAll();
    this.finished = true;
    this.release();
    if (status === undefined) this.call.end();
    else this.call.emit('error', serviceErrorOfStatus(status));
  }

  private flush(): void {
    if (this.finished) return;
    while (this.queue.length > 0 && !this.waitingForDrain) {
      const count = Math.min(this.queue.length, this.limits.batchMaxEvents);
      const frame = encodeWatchFrame(this.queue, 0, count);
      this.queue.splice(0, count);
      if (!this.call.write(frame)) this.waitingForDrain = true;
    }
  }

  /** Writes everything queued regardless of backpressure (bounded by maxQueuedEvents). */
  private writeAll(): void {
    for (let start = 0; start < this.queue.length; start += this.limits.batchMaxEvents) {
      this.call.write(encodeWatchFrame(this.queue, start, Math.min(this.queue.length, start + this.limits.batchMaxEvents)));
    }
    this.queue = [];
  }

  /** The client is gone: stop the implementation's watch, send nothing more. */
  private abandon(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue = [];
    this.release();
  }

  private release(): void {
    this.watch?.stop();
    this.watch = undefined;
    this.onFinished(this);
  }
}
