/**
 * RaftTransport in memory, for tests of the store member (hashicorp/raft's InmemTransport):
 * transports made by one InMemoryNetwork reach each other by URL, with the same contract and
 * batching as GrpcRaftTransport (one delivery per peer per event-loop turn, in order, bounded
 * queues) and, by default, every frame round-trips through the wire codec so a message that
 * would not survive the network does not survive here either.
 *
 * Faults: cut a link one way (cutLink), isolate a member, or stop a member; messages that cannot
 * be delivered are dropped and the sender's onUnreachable fires, as with gRPC.
 *
 * Unlike GrpcRaftTransport, an exception from a receive handler is not caught: it escapes the
 * delivering setImmediate, so a test sees the bug instead of a log line.
 */
import type { Message, NodeId, RaftTransport } from '../../raft/index.js';
import { PEER_QUEUE_MAX_BYTES, PEER_QUEUE_MAX_MESSAGES, PeerQueue } from './queue.js';
import type { PeerTransportMetrics, PeerTransportStats } from './stats.js';
import { LinkCounters, TransportCounters } from './stats.js';
import { decodePeerFrame, encodePeerFrame, estimatePeerMessageBytes } from './wire.js';

export interface InMemoryTransportOptions {
  /** Where peers reach this member; default InMemoryNetwork.urlOf(selfId). */
  readonly url?: string;
  /** Encode and decode every frame (default true); off only to save time in very large tests. */
  readonly roundTripWire?: boolean;
  readonly queueMaxMessages?: number;
}

/** The hub: which member serves which URL, and which links are cut. */
export class InMemoryNetwork {
  private readonly serving = new Map<string, InMemoryTransport>();
  private readonly cutLinks = new Set<string>();
  private readonly isolated = new Set<NodeId>();

  /** The default URL of a member. */
  static urlOf(id: NodeId): string {
    return `memory://member-${id}`;
  }

  transport(selfId: NodeId, options: InMemoryTransportOptions = {}): InMemoryTransport {
    return new InMemoryTransport(this, selfId, options);
  }

  /** Drops messages from → to (one direction) until healLink or heal. */
  cutLink(from: NodeId, to: NodeId): void {
    this.cutLinks.add(linkKey(from, to));
  }

  healLink(from: NodeId, to: NodeId): void {
    this.cutLinks.delete(linkKey(from, to));
  }

  /** Drops every message to or from id until heal. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  /** Restores every link. */
  heal(): void {
    this.cutLinks.clear();
    this.isolated.clear();
  }

  /** @internal The started member serving url, if from may reach it. */
  route(from: NodeId, url: string): InMemoryTransport | undefined {
    const target = this.serving.get(url);
    if (target === undefined || this.isolated.has(from) || this.isolated.has(target.selfId) || this.cutLinks.has(linkKey(from, target.selfId))) return undefined;
    return target;
  }

  /** @internal */
  serve(url: string, transport: InMemoryTransport): void {
    this.serving.set(url, transport);
  }

  /** @internal */
  unserve(url: string, transport: InMemoryTransport): void {
    if (this.serving.get(url) === transport) this.serving.delete(url);
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

interface MemoryPeer {
  readonly url: string;
  readonly queue: PeerQueue;
  overflowed: boolean;
}

type Lifecycle = 'new' | 'started' | 'stopped';

/** One member's end of an InMemoryNetwork; implements raft/server's RaftTransport. */
export class InMemoryTransport implements RaftTransport, PeerTransportMetrics {
  readonly url: string;
  private readonly roundTripWire: boolean;
  private readonly queueMaxMessages: number;
  private readonly peers = new Map<NodeId, MemoryPeer>();
  private readonly peerCounters = new Map<NodeId, LinkCounters>();
  private readonly counters = new TransportCounters();
  private readonly dirty = new Set<NodeId>();
  private flushScheduled = false;
  private lifecycle: Lifecycle = 'new';
  private receiveHandler: ((messages: Message[]) => void) | undefined;
  private unreachableHandler: ((id: NodeId) => void) | undefined;

  constructor(
    private readonly network: InMemoryNetwork,
    readonly selfId: NodeId,
    options: InMemoryTransportOptions,
  ) {
    this.url = options.url ?? InMemoryNetwork.urlOf(selfId);
    this.roundTripWire = options.roundTripWire ?? true;
    this.queueMaxMessages = options.queueMaxMessages ?? PEER_QUEUE_MAX_MESSAGES;
  }

  send(messages: readonly Message[]): void {
    if (this.lifecycle !== 'started') {
      this.counters.messagesDroppedStopped += messages.length;
      return;
    }
    for (const m of messages) {
      const peer = this.peers.get(m.to);
      if (peer === undefined) {
        this.counters.messagesDroppedUnknownPeer++;
        continue;
      }
      const dropped = peer.queue.push(m, estimatePeerMessageBytes(m));
      if (dropped > 0) {
        this.countersOf(m.to).messagesDroppedOverflow += dropped;
        peer.overflowed = true;
      }
      this.dirty.add(m.to);
    }
    if (!this.flushScheduled && this.dirty.size > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  addPeer(id: NodeId, url: string): void {
    if (this.peers.get(id)?.url === url) return;
    this.peers.set(id, { url, queue: new PeerQueue({ maxMessages: this.queueMaxMessages, maxBytes: PEER_QUEUE_MAX_BYTES }), overflowed: false });
    this.countersOf(id);
  }

  removePeer(id: NodeId): void {
    this.peers.delete(id);
    this.dirty.delete(id);
  }

  onReceive(handler: (messages: Message[]) => void): void {
    this.receiveHandler = handler;
  }

  onUnreachable(handler: (id: NodeId) => void): void {
    this.unreachableHandler = handler;
  }

  /** There is no network delay to sample: no round-trip samples are produced. */
  onRoundTrip(_handler: (id: NodeId, seconds: number) => void): void {}

  start(): Promise<void> {
    if (this.lifecycle === 'new') {
      this.lifecycle = 'started';
      this.network.serve(this.url, this);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.lifecycle !== 'stopped') {
      this.lifecycle = 'stopped';
      this.network.unserve(this.url, this);
      this.dirty.clear();
      for (const peer of this.peers.values()) peer.queue.clear();
    }
    return Promise.resolve();
  }

  stats(): PeerTransportStats {
    const ids = [...this.peerCounters.keys()].sort((a, b) => a - b);
    return {
      peers: ids.map((id) => this.peerCounters.get(id)!.snapshot(id, this.lifecycle === 'started' && this.peers.has(id), this.peers.get(id)?.queue.length ?? 0)),
      messagesDroppedUnknownPeer: this.counters.messagesDroppedUnknownPeer,
      messagesDroppedStopped: this.counters.messagesDroppedStopped,
      messagesDroppedInbound: this.counters.messagesDroppedInbound,
      callsRejected: this.counters.callsRejected,
    };
  }

  /** @internal Delivery from a peer's flush. */
  receive(from: NodeId, messages: Message[], bytes: number): void {
    const counters = this.countersOf(from);
    counters.framesReceived++;
    counters.bytesReceived += bytes;
    const handler = this.receiveHandler;
    if (handler === undefined || this.lifecycle !== 'started') {
      this.counters.messagesDroppedInbound += messages.length;
      return;
    }
    counters.messagesReceived += messages.length;
    handler(messages);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.lifecycle !== 'started') return;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const peer = this.peers.get(id);
      if (peer === undefined) continue;
      const counters = this.countersOf(id);
      const messages = peer.queue.take(Number.POSITIVE_INFINITY);
      const target = this.network.route(this.selfId, peer.url);
      // A URL served by another member is refused, as a gRPC peer refuses a stream for another id.
      if (target === undefined || target.selfId !== id) {
        counters.messagesDroppedUnreachable += messages.length;
        this.unreachableHandler?.(id);
        continue;
      }
      if (peer.overflowed) {
        peer.overflowed = false;
        this.unreachableHandler?.(id);
      }
      let delivered = messages;
      let bytes = 0;
      if (this.roundTripWire) {
        const frame = encodePeerFrame(messages);
        bytes = frame.byteLength;
        delivered = decodePeerFrame(frame);
      }
      counters.framesSent++;
      counters.messagesSent += messages.length;
      counters.bytesSent += bytes;
      target.receive(this.selfId, delivered, bytes);
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
}
