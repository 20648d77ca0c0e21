import type { NodeId } from '../../raft/index.js';

/**
 * What a peer transport counts per peer, in both directions, for the member's /metrics
 * (etcd_network_peer_sent_bytes_total, …_received_bytes_total, …_round_trip_time_seconds).
 * Counters only grow; `active`, `queuedMessages` and `roundTripSeconds` are gauges.
 * Bytes are frame payload bytes (msgpack), without gRPC and HTTP/2 framing.
 */
export interface PeerLinkStats {
  readonly peerId: NodeId;
  /** A stream to the peer is open and the peer accepted it. */
  readonly active: boolean;
  /** Messages handed to the peer's stream (one frame carries many). */
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly framesSent: number;
  /** Messages delivered to the local handler from this peer. */
  readonly messagesReceived: number;
  readonly bytesReceived: number;
  readonly framesReceived: number;
  /** Dropped from a full send queue (the peer or the network is slower than this member). */
  readonly messagesDroppedOverflow: number;
  /** Dropped because the peer was unreachable: its stream broke, or it is waiting to redial. */
  readonly messagesDroppedUnreachable: number;
  /** Dropped because the message alone encodes over the frame limit, or does not encode. */
  readonly messagesDroppedInvalid: number;
  /** Streams opened to the peer (first dial, and every redial). */
  readonly streamsOpened: number;
  /** Streams the peer accepted after an earlier stream to it had broken. */
  readonly reconnects: number;
  /** Streams that ended in an error, accepted or not. */
  readonly streamFailures: number;
  readonly queuedMessages: number;
  /** The latest round-trip-time sample, in seconds; undefined until one succeeds. */
  readonly roundTripSeconds: number | undefined;
}

export interface PeerTransportStats {
  /** Every peer added, and every peer heard from; sorted by id. */
  readonly peers: readonly PeerLinkStats[];
  /** Messages sent to an id that was never added (or was removed). */
  readonly messagesDroppedUnknownPeer: number;
  /** Messages sent before start() or after stop(). */
  readonly messagesDroppedStopped: number;
  /** Messages received whose `to` is not this member, or that arrived with no handler set. */
  readonly messagesDroppedInbound: number;
  /** Inbound calls (streams, probes) refused: other cluster, other member id, bad metadata, not serving, or a malformed frame. */
  readonly callsRejected: number;
}

/** The metrics hooks both transports offer next to RaftTransport. */
export interface PeerTransportMetrics {
  stats(): PeerTransportStats;
  /** Called with every round-trip-time sample (seconds), e.g. to observe a histogram. */
  onRoundTrip(handler: (id: NodeId, seconds: number) => void): void;
}

/** The mutable counters behind one PeerLinkStats. */
export class LinkCounters {
  messagesSent = 0;
  bytesSent = 0;
  framesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  framesReceived = 0;
  messagesDroppedOverflow = 0;
  messagesDroppedUnreachable = 0;
  messagesDroppedInvalid = 0;
  streamsOpened = 0;
  reconnects = 0;
  streamFailures = 0;
  roundTripSeconds: number | undefined = undefined;

  snapshot(peerId: NodeId, active: boolean, queuedMessages: number): PeerLinkStats {
    return {
      peerId,
      active,
      messagesSent: this.messagesSent,
      bytesSent: this.bytesSent,
      framesSent: this.framesSent,
      messagesReceived: this.messagesReceived,
      bytesReceived: this.bytesReceived,
      framesReceived: this.framesReceived,
      messagesDroppedOverflow: this.messagesDroppedOverflow,
      messagesDroppedUnreachable: this.messagesDroppedUnreachable,
      messagesDroppedInvalid: this.messagesDroppedInvalid,
      streamsOpened: this.streamsOpened,
      reconnects: this.reconnects,
      streamFailures: this.streamFailures,
      queuedMessages,
      roundTripSeconds: this.roundTripSeconds,
    };
  }
}

/** The transport-wide counters behind PeerTransportStats. */
export class TransportCounters {
  messagesDroppedUnknownPeer = 0;
  messagesDroppedStopped = 0;
  messagesDroppedInbound = 0;
  callsRejected = 0;
}
