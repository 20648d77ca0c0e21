/**
 * Lease service. Keep-alives arrive on a bidirectional stream and are renewed one at a time, in
 * order, as etcd does; a lease that does not exist is answered with TTL 0, not an error, so the
 * client drops it and the stream lives on.
 */
import type * as grpc from '@grpc/grpc-js';
import type { LeaseGrantRequest, LeaseKeepAliveResponse } from '../../raft/index.js';
import { LeaseNotFoundError } from '../../raft/index.js';
import type { HandlerContext } from './call.js';
import { deadlineMsOf, failStream, unary, writable } from './call.js';

interface LeaseIdRequest {
  readonly ID: number;
}

interface LeaseTimeToLiveRequest {
  readonly ID: number;
  readonly keys: boolean;
}

type KeepAliveCall = grpc.ServerDuplexStream<LeaseIdRequest, LeaseKeepAliveResponse>;

export function leaseService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  const { api } = ctx;
  return {
    LeaseGrant: unary(ctx, 'Lease.LeaseGrant', (req: LeaseGrantRequest, deadlineMs) => api.leaseGrant(req, deadlineMs)),
    LeaseRevoke: unary(ctx, 'Lease.LeaseRevoke', (req: LeaseIdRequest, deadlineMs) => api.leaseRevoke(req.ID, deadlineMs)),
    LeaseTimeToLive: unary(ctx, 'Lease.LeaseTimeToLive', (req: LeaseTimeToLiveRequest, deadlineMs) => api.leaseTimeToLive(req.ID, req.keys, deadlineMs)),
    LeaseLeases: unary(ctx, 'Lease.LeaseLeases', (_req: object, deadlineMs) => api.leaseLeases(deadlineMs)),
    LeaseKeepAlive: (call: KeepAliveCall) => new KeepAliveStream(ctx, call).start(),
  };
}

class KeepAliveStream {
  /** Lease ids to renew, in arrival order; reading from the client pauses at ctx.maxQueuedKeepAlives. */
  private readonly queue: number[] = [];
  private draining = false;
  private paused = false;
  /** The client half-closed: end the call once the queue is answered. */
  private ended = false;
  private closed = false;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly call: KeepAliveCall,
  ) {}

  start(): void {
    this.call.on('data', (request: LeaseIdRequest) => {
      if (this.closed) return;
      this.queue.push(request.ID);
      if (this.queue.length >= this.ctx.maxQueuedKeepAlives && !this.paused) {
        this.paused = true;
        this.call.pause();
      }
      void this.drain();
    });
    this.call.on('end', () => {
      this.ended = true;
      void this.drain();
    });
    this.call.on('error', () => this.close());
    this.call.on('cancelled', () => this.close());
    this.call.on('close', () => this.close());
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let id = this.queue.shift(); id !== undefined && !this.closed; id = this.queue.shift()) {
        const response = await this.renew(id);
        if (this.closed) return;
        if (!this.call.write(response)) await writable(this.call);
        if (this.paused && this.queue.length < this.ctx.maxQueuedKeepAlives / 2) {
          this.paused = false;
          this.call.resume();
        }
      }
      if (this.ended && !this.closed) {
        this.close();
        this.call.end();
      }
    } catch (err) {
      if (!this.closed) {
        this.close();
        failStream(this.call, this.ctx, 'Lease.LeaseKeepAlive', err);
      }
    } finally {
      this.draining = false;
    }
  }

  private async renew(id: number): Promise<LeaseKeepAliveResponse> {
    try {
      return await this.ctx.api.leaseKeepAlive(id, deadlineMsOf(this.call, this.ctx.defaultDeadlineMs));
    } catch (err) {
      if (!(err instanceof LeaseNotFoundError)) throw err;
      return { header: (await this.ctx.api.status()).header, ID: id, TTL: 0 };
    }
  }

  private close(): void {
    this.closed = true;
    this.queue.length = 0;
  }
}
