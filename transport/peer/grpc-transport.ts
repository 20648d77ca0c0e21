/**
 * GrpcRaftTransport: raft/server's RaftTransport over gRPC streams between store members.
 *
 * Sending: send() sorts messages into per-peer queues and schedules one flush with
 * setImmediate, so everything a member produces in one event-loop turn (a Ready, or several)
 * leaves as one frame per peer, or a few when it is large (PEER_FRAME_TARGET_BYTES). Each peer has
 * one long-lived stream (PeerLink); a stream that pushes back (write() false) is not written
 * again until 'drain', while its queue absorbs new messages up to its bounds.
 *
 * Receiving: the Peer service is registered on a gRPC server, the member's (register) or the
 * transport's own (listen). Each inbound stream is admitted by its metadata (cluster id, the
 * member id it is for, the sender's id) and its frames are handed to the receive handler in
 * order, one call per frame.
 *
 * Failures: a stream that breaks or is refused reports onUnreachable(peer) once; messages for
 * the peer are then dropped for redialDelayMs, after which the next send dials again. The
 * channel reconnects with a backoff capped at PEER_RECONNECT_BACKOFF_MAX_MS, so a peer that restarts
 * is reached within about a second of coming back.
 */
import * as grpc from '@grpc/grpc-js';
import { assert } from '../../core/index.js';
import type { Message, NodeId, RaftTransport } from '../../raft/index.js';
import { PeerWireFormatError } from './errors.js';
import { bindPeerServer, createPeerServer, PEER_METADATA, PEER_SERVICE_DEFINITION, peerTarget } from './grpc-service.js';
import type { PeerTransportLogger } from './logger.js';
import { SILENT_LOGGER } from './logger.js';
import { PeerLink } from './peer-link.js';
import { PEER_QUEUE_MAX_BYTES, PEER_QUEUE_MAX_MESSAGES } from './queue.js';
import type { PeerLinkConfig, PeerLinkEvents } from './peer-link.js';
import type { PeerTransportMetrics, PeerTransportStats } from './stats.js';
import { LinkCounters, TransportCounters } from './stats.js';
import { decodePeerFrame } from './wire.js';

/** Default size at which a frame is cut: large enough for thousands of small messages. */
export const PEER_FRAME_TARGET_BYTES = 512 * 1024;
/** Default wait after a broken stream before the next send dials again. */
export const PEER_REDIAL_DELAY_MS = 100;
/** Default wait after a peer refused a stream (wrong cluster or member): a config error, not a blip. */
export const PEER_REJECTED_REDIAL_DELAY_MS = 1_000;
/** Default time a peer has to accept a stream. */
export const PEER_DIAL_TIMEOUT_MS = 5_000;
/** Default interval between round-trip probes of each peer (etcd probes every 5 s too). */
export const PEER_PROBE_INTERVAL_MS = 5_000;
export const PEER_PROBE_TIMEOUT_MS = 2_000;
/** Grace for an owned server's open connections at stop() before they are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface GrpcRaftTransportOptions {
  readonly selfId: NodeId;
  /** Members of other clusters are refused, both ways. */
  readonly clusterId: string;
  readonly logger?: PeerTransportLogger;
  readonly queueMaxMessages?: number;
  readonly queueMaxBytes?: number;
  readonly frameTargetBytes?: number;
  readonly redialDelayMs?: number;
  readonly rejectedRedialDelayMs?: number;
  readonly dialTimeoutMs?: number;
  /** 0 turns probing off. */
  readonly probeIntervalMs?: number;
  readonly probeTimeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);

/** An admitted inbound stream, so stop() can end it. */
interface InboundStream {
  finish(err: Partial<grpc.StatusObject> | null): void;
}

type Lifecycle = 'new' | 'started' | 'stopped';

/**
 * Implements raft/server's RaftTransport (send never blocks or throws; per-peer order; batched;
 * unreachable peers reported), plus PeerTransportMetrics.
 */
export class GrpcRaftTransport implements RaftTransport, PeerTransportMetrics {
  readonly selfId: NodeId;
  readonly clusterId: string;
  private readonly logger: PeerTransportLogger;
  private readonly linkConfig: PeerLinkConfig;
  private readonly linkEvents: PeerLinkEvents;
  private readonly probeIntervalMs: number;
  private readonly links = new Map<NodeId, PeerLink>();
  /** Per peer, surviving address changes and removal so counters never go back. */
  private readonly peerCounters = new Map<NodeId, LinkCounters>();
  private readonly counters = new TransportCounters();
  private readonly dirty = new Set<PeerLink>();
  private readonly inbound = new Set<InboundStream>();
  private flushScheduled = false;
  private lifecycle: Lifecycle = 'new';
  private ownedServer: grpc.Server | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private receiveHandler: ((messages: Message[]) => void) | undefined;
  private unreachableHandler: ((id: NodeId) => void) | undefined;
  private roundTripHandler: ((id: NodeId, seconds: number) => void) | undefined;

  constructor(options: GrpcRaftTransportOptions) {
    this.selfId = options.selfId;
    this.clusterId = options.clusterId;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.probeIntervalMs = options.probeIntervalMs ?? PEER_PROBE_INTERVAL_MS;
    this.linkConfig = {
      selfId: options.selfId,
      clusterId: options.clusterId,
      queueBounds: { maxMessages: options.queueMaxMessages ?? PEER_QUEUE_MAX_MESSAGES, maxBytes: options.queueMaxBytes ?? PEER_QUEUE_MAX_BYTES },
      frameTargetBytes: options.frameTargetBytes ?? PEER_FRAME_TARGET_BYTES,
      redialDelayMs: options.redialDelayMs ?? PEER_REDIAL_DELAY_MS,
      rejectedRedialDelayMs: options.rejectedRedialDelayMs ?? PEER_REJECTED_REDIAL_DELAY_MS,
      dialTimeoutMs: options.dialTimeoutMs ?? PEER_DIAL_TIMEOUT_MS,
      probeTimeoutMs: options.probeTimeoutMs ?? PEER_PROBE_TIMEOUT_MS,
      logger: this.logger,
    };
    this.linkEvents = {
      unreachable: (id) => this.reportUnreachable(id),
      roundTrip: (id, seconds) => {
        const handler = this.roundTripHandler;
        if (handler !== undefined) this.callHandler('round-trip', id, () => handler(id, seconds));
      },
    };
  }

  /** Adds the Peer service to a server the member owns (before or after it is bound). */
  register(server: grpc.Server): void {
    server.addService(PEER_SERVICE_DEFINITION, {
      Stream: (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => this.acceptStream(call, callback),
      Probe: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const refusal = this.admit(call.metadata);
        callback(typeof refusal === 'number' ? null : refusal, EMPTY);
      },
    });
  }

  /**
   * Serves the Peer service on a server of its own, bound to peerUrl (`http://host:port`, port
   * 0 for any); returns the bound port. stop() shuts that server down. A member that serves
   * other services on its peer URL uses createPeerServer, register and bindPeerServer instead.
   */
  async listen(peerUrl: string): Promise<number> {
    assert(this.ownedServer === undefined, 'GrpcRaftTransport.listen called twice');
    const server = createPeerServer();
    this.register(server);
    this.ownedServer = server;
    return bindPeerServer(server, peerUrl);
  }

  send(messages: readonly Message[]): void {
    if (this.lifecycle !== 'started') {
      this.counters.messagesDroppedStopped += messages.length;
      return;
    }
    for (const m of messages) {
      const link = this.links.get(m.to);
      if (link === undefined) {
        this.counters.messagesDroppedUnknownPeer++;
        continue;
      }
      try {
        link.enqueue(m);
      } catch (err) {
        // Only a malformed message (a caller's bug) gets here; the contract forbids throwing.
        link.counters.messagesDroppedInvalid++;
        this.logger.warn('dropped a malformed message', { peer: m.to, error: String(err) });
        continue;
      }
      this.dirty.add(link);
    }
    if (!this.flushScheduled && this.dirty.size > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Sets a peer's URL; a new URL closes the old stream. Throws InvalidPeerUrlError for a URL
   * that is not `http://host:port`. Ignored after stop().
   */
  addPeer(id: NodeId, url: string): void {
    peerTarget(url);
    const existing = this.links.get(id);
    if (existing?.url === url || this.lifecycle === 'stopped') return;
    const link = new PeerLink(id, url, this.countersOf(id), this.linkConfig, this.linkEvents);
    existing?.close();
    this.links.set(id, link);
  }

  removePeer(id: NodeId): void {
    const link = this.links.get(id);
    if (link === undefined) return;
    link.close();
    this.links.delete(id);
    this.dirty.delete(link);
  }

  onReceive(handler: (messages: Message[]) => void): void {
    this.receiveHandler = handler;
  }

  onUnreachable(handler: (id: NodeId) => void): void {
    this.unreachableHandler = handler;
  }

  onRoundTrip(handler: (id: NodeId, seconds: number) => void): void {
    this.roundTripHandler = handler;
  }

  /** Starts accepting streams and sending; probes peers every probeIntervalMs. */
  start(): Promise<void> {
    if (this.lifecycle !== 'new') return Promise.resolve();
    this.lifecycle = 'started';
    if (this.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => {
        for (const link of this.links.values()) link.probe();
      }, this.probeIntervalMs);
      this.probeTimer.unref();
    }
    return Promise.resolve();
  }

  /**
   * Closes every outbound stream and channel (queued messages are dropped), ends inbound
   * streams with UNAVAILABLE, and shuts down the owned server if any. Final.
   */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    for (const link of this.links.values()) link.close();
    this.dirty.clear();
    for (const stream of [...this.inbound]) stream.finish({ code: grpc.status.UNAVAILABLE, details: `member ${this.selfId} is stopping` });
    const server = this.ownedServer;
    if (server !== undefined) await shutdown(server);
  }

  stats(): PeerTransportStats {
    const ids = [...this.peerCounters.keys()].sort((a, b) => a - b);
    return {
      peers: ids.map((id) => {
        const link = this.links.get(id);
        return this.peerCounters.get(id)!.snapshot(id, link?.active ?? false, link?.queuedMessages ?? 0);
      }),
      messagesDroppedUnknownPeer: this.counters.messagesDroppedUnknownPeer,
      messagesDroppedStopped: this.counters.messagesDroppedStopped,
      messagesDroppedInbound: this.counters.messagesDroppedInbound,
      callsRejected: this.counters.callsRejected,
    };
  }

  private flush(): void {
    this.flushScheduled = false;
    const links = [...this.dirty];
    this.dirty.clear();
    for (const link of links) link.flush();
  }

  private reportUnreachable(id: NodeId): void {
    if (this.lifecycle !== 'started') return;
    const handler = this.unreachableHandler;
    if (handler !== undefined) this.callHandler('unreachable', id, () => handler(id));
  }

  /** Runs a member's handler from a gRPC callback, where an exception would only derail gRPC. */
  private callHandler(name: string, peer: NodeId, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.logger.warn(`${name} handler threw`, { peer, error: err instanceof Error ? err.stack : String(err) });
    }
  }

  private countersOf(id: NodeId): LinkCounters {
    let c = this.peerCounters.get(id);
    if (c === undefined) {
      c = new LinkCounters();
      this.peerCounters.set(id, c);
    }
    return c;
  }

  /** The sender's id when the call may proceed, else the status to refuse it with. */
  private admit(md: grpc.Metadata): NodeId | grpc.ServerErrorResponse {
    const refuse = (code: grpc.status, details: string): grpc.ServerErrorResponse => {
      this.counters.callsRejected++;
      this.logger.warn('refused a peer call', { code: grpc.status[code], details });
      return { name: 'PeerRefused', message: details, code, details };
    };
    if (this.lifecycle !== 'started') return refuse(grpc.status.UNAVAILABLE, `member ${this.selfId} is not serving`);
    const clusterId = metadataText(md, PEER_METADATA.clusterId);
    if (clusterId !== this.clusterId) return refuse(grpc.status.FAILED_PRECONDITION, `cluster id mismatch: this member is in ${JSON.stringify(this.clusterId)}, the caller in ${JSON.stringify(clusterId)}`);
    const from = parseNodeId(metadataText(md, PEER_METADATA.from));
    const to = parseNodeId(metadataText(md, PEER_METADATA.to));
    if (from === undefined || to === undefined) return refuse(grpc.status.INVALID_ARGUMENT, `missing or invalid ${PEER_METADATA.from} / ${PEER_METADATA.to}`);
    if (to !== this.selfId) return refuse(grpc.status.FAILED_PRECONDITION, `member id mismatch: the call is for member ${to}, this is member ${this.selfId}`);
    return from;
  }

  private acceptStream(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void {
    const from = this.admit(call.metadata);
    if (typeof from !== 'number') {
      callback(from);
      return;
    }
    const counters = this.countersOf(from);
    let done = false;
    const stream: InboundStream = {
      finish: (err) => {
        if (done) return;
        done = true;
        this.inbound.delete(stream);
        callback(err, EMPTY);
      },
    };
    this.inbound.add(stream);
    call.on('data', (frame: Buffer) => {
      if (done) return;
      let messages: Message[];
      try {
        messages = decodePeerFrame(frame);
      } catch (err) {
        if (!(err instanceof PeerWireFormatError)) throw err;
        this.counters.callsRejected++;
        this.logger.warn('refused a malformed frame', { peer: from, error: err.message });
        stream.finish({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
        return;
      }
      counters.framesReceived++;
      counters.bytesReceived += frame.byteLength;
      this.deliver(from, messages, counters);
    });
    call.on('end', () => stream.finish(null));
    call.on('error', (err: Error) => {
      this.logger.info('inbound peer stream failed', { peer: from, error: err.message });
      done = true;
      this.inbound.delete(stream);
    });
    call.on('cancelled', () => {
      done = true;
      this.inbound.delete(stream);
    });
    call.sendMetadata(new grpc.Metadata());
  }

  private deliver(from: NodeId, messages: Message[], counters: LinkCounters): void {
    let accepted = messages;
    if (messages.some((m) => m.to !== this.selfId)) {
      accepted = messages.filter((m) => m.to === this.selfId);
      this.counters.messagesDroppedInbound += messages.length - accepted.length;
    }
    const handler = this.receiveHandler;
    if (handler === undefined || this.lifecycle !== 'started') {
      this.counters.messagesDroppedInbound += accepted.length;
      return;
    }
    if (accepted.length === 0) return;
    counters.messagesReceived += accepted.length;
    this.callHandler('receive', from, () => handler(accepted));
  }
}

function metadataText(md: grpc.Metadata, key: string): string | undefined {
  const value = md.get(key)[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

function parseNodeId(text: string | undefined): NodeId | undefined {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** Graceful shutdown, cut short after SHUTDOWN_GRACE_MS. */
function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
