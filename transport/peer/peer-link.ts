/**
 * The sending side of one peer: a gRPC channel, one long-lived Stream call on it, and a bounded
 * queue in front of the call. Owned and driven by GrpcRaftTransport.
 *
 * States: idle (no stream) → dialing (stream opened, not yet accepted) → active (the peer sent
 * its response headers) → backoff (the stream broke; new messages are dropped until redialAt)
 * → idle on the next flush after redialAt. closed is final.
 *
 * Frames may be written while dialing: gRPC buffers them until the call starts. A broken stream
 * loses what gRPC had buffered or in flight (Raft retransmits); messages still in the queue are
 * dropped and counted, and the transport reports the peer unreachable.
 */
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../../raft/index.js';
import { PEER_MAX_FRAME_BYTES, PEER_CHANNEL_OPTIONS, PEER_METADATA, PEER_PROBE_PATH, PEER_STREAM_PATH, peerTarget } from './grpc-service.js';
import type { PeerTransportLogger } from './logger.js';
import type { PeerQueueBounds } from './queue.js';
import { PeerQueue } from './queue.js';
import type { LinkCounters } from './stats.js';
import { encodePeerFrame, estimatePeerMessageBytes } from './wire.js';

export interface PeerLinkConfig {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly queueBounds: PeerQueueBounds;
  /** A frame is cut once its messages' estimated size reaches this. */
  readonly frameTargetBytes: number;
  /** Wait after a broken stream before dialing again. */
  readonly redialDelayMs: number;
  /** Wait after the peer refused a stream (another cluster or member) before dialing again. */
  readonly rejectedRedialDelayMs: number;
  /** A stream not accepted within this is cancelled (a peer that accepts TCP but never answers). */
  readonly dialTimeoutMs: number;
  readonly probeTimeoutMs: number;
  readonly logger: PeerTransportLogger;
}

/** What the link tells its transport; called outside of send(), never re-entrantly. */
export interface PeerLinkEvents {
  unreachable(id: NodeId): void;
  roundTrip(id: NodeId, seconds: number): void;
}

type LinkState = 'idle' | 'dialing' | 'active' | 'backoff' | 'closed';

const identity = (b: Buffer): Buffer => b;
const EMPTY = Buffer.alloc(0);

export class PeerLink {
  private readonly client: grpc.Client;
  private readonly queue: PeerQueue;
  private state: LinkState = 'idle';
  /** The current call; undefined unless dialing or active. */
  private stream: grpc.ClientWritableStream<Buffer> | undefined;
  private awaitingDrain = false;
  private dialTimer: NodeJS.Timeout | undefined;
  /** performance.now() before which no stream is opened (state backoff). */
  private redialAt = 0;
  /** Messages were dropped as unreachable since the last flush: report it then. */
  private unreachablePending = false;
  /** Whether any stream to the peer was ever accepted, so later acceptances are reconnects. */
  private acceptedBefore = false;
  /** Whether the peer is currently logged as inactive (logs only transitions). */
  private loggedInactive = false;
  private probeInFlight = false;

  constructor(
    readonly id: NodeId,
    readonly url: string,
    readonly counters: LinkCounters,
    private readonly config: PeerLinkConfig,
    private readonly events: PeerLinkEvents,
  ) {
    this.client = new grpc.Client(peerTarget(url), grpc.credentials.createInsecure(), PEER_CHANNEL_OPTIONS);
    this.queue = new PeerQueue(config.queueBounds);
  }

  /** A stream is open and the peer accepted it. */
  get active(): boolean {
    return this.state === 'active';
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  /** Queues m for the next flush, or drops it while the peer is unreachable. Never throws. */
  enqueue(m: Message): void {
    if (this.state === 'closed') return;
    if (this.state === 'backoff' && performance.now() < this.redialAt) {
      this.counters.messagesDroppedUnreachable++;
      this.unreachablePending = true;
      return;
    }
    const dropped = this.queue.push(m, estimatePeerMessageBytes(m));
    if (dropped > 0) {
      this.counters.messagesDroppedOverflow += dropped;
      // As etcd does for a full buffer: Raft then probes this follower instead of pipelining.
      this.unreachablePending = true;
    }
  }

  /** Writes queued messages as frames until the queue is empty or the stream pushes back. */
  flush(): void {
    if (this.unreachablePending) {
      this.unreachablePending = false;
      this.events.unreachable(this.id);
    }
    if (this.state === 'closed' || this.queue.length === 0) return;
    // enqueue() queues nothing in backoff before redialAt, so a queued message means it is time.
    if (this.state === 'backoff' || this.state === 'idle') this.dial();
    if (!this.awaitingDrain) this.writeFrames();
  }

  /** Sends a round-trip probe unless one is outstanding; a sample goes to events.roundTrip. */
  probe(): void {
    if (this.state === 'closed' || this.probeInFlight) return;
    this.probeInFlight = true;
    const startedAt = performance.now();
    this.client.makeUnaryRequest(PEER_PROBE_PATH, identity, identity, EMPTY, this.metadata(), { deadline: Date.now() + this.config.probeTimeoutMs }, (err) => {
      this.probeInFlight = false;
      if (err || this.state === 'closed') return;
      const seconds = (performance.now() - startedAt) / 1000;
      this.counters.roundTripSeconds = seconds;
      this.events.roundTrip(this.id, seconds);
    });
  }

  /** Cancels the stream, drops the queue and closes the channel. Final. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.counters.messagesDroppedUnreachable += this.queue.clear();
    this.clearDialTimer();
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.client.close();
  }

  private dial(): void {
    const stream = this.client.makeClientStreamRequest(PEER_STREAM_PATH, identity, identity, this.metadata(), {}, (err) => {
      this.onStreamEnd(stream, err ?? undefined);
    });
    this.stream = stream;
    this.state = 'dialing';
    this.awaitingDrain = false;
    this.counters.streamsOpened++;
    stream.on('metadata', () => this.onAccepted(stream));
    // Writable-side failures (a write after the call ended); the call's status comes to the callback.
    stream.on('error', (err: Error) => this.onStreamEnd(stream, err));
    this.dialTimer = setTimeout(() => {
      if (this.stream === stream && this.state === 'dialing') {
        this.config.logger.warn('peer did not accept the stream in time', { peer: this.id, url: this.url, dialTimeoutMs: this.config.dialTimeoutMs });
        stream.cancel();
      }
    }, this.config.dialTimeoutMs);
    this.dialTimer.unref();
  }

  private writeFrames(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    while (this.queue.length > 0) {
      const batch = this.queue.take(this.config.frameTargetBytes);
      for (const frame of this.encode(batch)) {
        this.counters.framesSent++;
        this.counters.messagesSent += frame.messages;
        this.counters.bytesSent += frame.bytes.byteLength;
        if (!stream.write(frame.bytes)) this.awaitingDrain = true;
      }
      if (this.awaitingDrain) {
        stream.once('drain', () => {
          if (this.stream !== stream) return;
          this.awaitingDrain = false;
          this.writeFrames();
        });
        return;
      }
    }
  }

  /**
   * Frames for a batch: one, unless it encodes over PEER_MAX_FRAME_BYTES (the estimate was low) or
   * does not encode at all (a malformed message: a bug in the caller); then message by
   * message, dropping the ones that still fail.
   */
  private encode(batch: readonly Message[]): { bytes: Buffer; messages: number }[] {
    const whole = this.tryEncode(batch);
    if (whole !== undefined && whole.byteLength <= PEER_MAX_FRAME_BYTES) return [{ bytes: whole, messages: batch.length }];
    if (batch.length === 1) {
      this.dropInvalid(batch[0]!, whole);
      return [];
    }
    const frames: { bytes: Buffer; messages: number }[] = [];
    for (const m of batch) {
      const one = this.tryEncode([m]);
      if (one !== undefined && one.byteLength <= PEER_MAX_FRAME_BYTES) frames.push({ bytes: one, messages: 1 });
      else this.dropInvalid(m, one);
    }
    return frames;
  }

  private tryEncode(batch: readonly Message[]): Buffer | undefined {
    try {
      return encodePeerFrame(batch);
    } catch {
      return undefined;
    }
  }

  /** Drops m, which did not encode (encoded undefined) or encoded over PEER_MAX_FRAME_BYTES. */
  private dropInvalid(m: Message, encoded: Buffer | undefined): void {
    this.counters.messagesDroppedInvalid++;
    const reason = encoded === undefined ? 'does not encode' : `encodes to ${encoded.byteLength} bytes, over the frame limit of ${PEER_MAX_FRAME_BYTES}`;
    this.config.logger.warn('dropped a message that cannot be sent', { peer: this.id, type: m.type, index: m.index, reason });
  }

  private onAccepted(stream: grpc.ClientWritableStream<Buffer>): void {
    if (this.stream !== stream || this.state !== 'dialing') return;
    this.clearDialTimer();
    this.state = 'active';
    if (this.acceptedBefore) this.counters.reconnects++;
    this.acceptedBefore = true;
    if (this.loggedInactive) {
      this.loggedInactive = false;
      this.config.logger.info('peer became active', { peer: this.id, url: this.url });
    }
  }

  private onStreamEnd(stream: grpc.ClientWritableStream<Buffer>, err: Error | undefined): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.awaitingDrain = false;
    this.clearDialTimer();
    if (this.state === 'closed') return;
    const code = (err as Partial<grpc.ServiceError> | undefined)?.code;
    const rejected = code === grpc.status.FAILED_PRECONDITION || code === grpc.status.INVALID_ARGUMENT || code === grpc.status.UNIMPLEMENTED;
    this.counters.streamFailures++;
    this.state = 'backoff';
    this.redialAt = performance.now() + (rejected ? this.config.rejectedRedialDelayMs : this.config.redialDelayMs);
    this.counters.messagesDroppedUnreachable += this.queue.clear();
    if (!this.loggedInactive) {
      this.loggedInactive = true;
      const fields = { peer: this.id, url: this.url, code: code === undefined ? undefined : grpc.status[code], error: err?.message ?? 'stream ended' };
      if (rejected) this.config.logger.warn('peer refused the stream', fields);
      else this.config.logger.warn('peer became inactive', fields);
    }
    // Reported from a grpc callback, so never inside the caller's send().
    this.events.unreachable(this.id);
  }

  private clearDialTimer(): void {
    if (this.dialTimer !== undefined) {
      clearTimeout(this.dialTimer);
      this.dialTimer = undefined;
    }
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set(PEER_METADATA.clusterId, this.config.clusterId);
    md.set(PEER_METADATA.from, String(this.config.selfId));
    md.set(PEER_METADATA.to, String(this.id));
    return md;
  }
}
