import type { Message, NodeId } from '../core/index.js';

/**
 * How a store member reaches its Raft peers (hashicorp/raft's Transport). Implemented over gRPC
 * streams in transport/peer, and in memory for tests.
 *
 * Contract: send() never blocks and never throws; messages to an unreachable peer are dropped
 * (Raft retransmits) and reported through `onUnreachable`. Messages to one peer are delivered in
 * the order sent, batched (many per wire message). Delivery to the local handler is in order
 * per sending peer.
 */
export interface RaftTransport {
  /** Queues messages for their `to` peers. */
  send(messages: readonly Message[]): void;
  /** Sets or changes a peer's address (peer URL, e.g. http://127.0.0.1:2380). */
  addPeer(id: NodeId, url: string): void;
  removePeer(id: NodeId): void;
  /** The handler of messages arriving from peers; set once before start(). */
  onReceive(handler: (messages: Message[]) => void): void;
  /** Called when a peer could not be reached, so Raft can pause replication to it. */
  onUnreachable(handler: (id: NodeId) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
