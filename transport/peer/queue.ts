import type { Message } from '../../raft/index.js';
import { assert } from '../../core/index.js';

/** Default bound on messages queued for one peer (etcd's stream buffer holds 4096). */
export const PEER_QUEUE_MAX_MESSAGES = 4096;
/** Default bound on the estimated bytes queued for one peer. */
export const PEER_QUEUE_MAX_BYTES = 64 * 1024 * 1024;

/** The bounds of one peer's send queue. */
export interface PeerQueueBounds {
  readonly maxMessages: number;
  /** Bound on the estimated encoded bytes queued (estimatePeerMessageBytes). */
  readonly maxBytes: number;
}

/** Dropping the head only pays for compaction once this many slots are dead. */
const COMPACT_AFTER_SLOTS = 1024;

/**
 * Messages waiting for one peer's stream (while it drains, or between a send and the flush).
 * Bounded: a push that would exceed a bound first drops the oldest message that is not a
 * snapshot chunk (Raft retransmits appends and heartbeats; a lost chunk costs a whole resend
 * round), or the oldest chunk when only chunks are queued. A message larger than maxBytes
 * alone is still queued once the queue is otherwise empty, so no message is unsendable.
 *
 * Invariant: bytes === sum of sizes[head..]; length <= maxMessages.
 */
export class PeerQueue {
  private items: Message[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(private readonly bounds: PeerQueueBounds) {
    assert(bounds.maxMessages >= 1 && bounds.maxBytes >= 1, 'peer queue bounds must be positive');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Queues m (of estimated size `bytes`); returns how many older messages were dropped for it. */
  push(m: Message, bytes: number): number {
    let dropped = 0;
    while (this.length > 0 && (this.length + 1 > this.bounds.maxMessages || this.queuedBytes + bytes > this.bounds.maxBytes)) {
      this.dropOldest();
      dropped++;
    }
    this.items.push(m);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    return dropped;
  }

  /**
   * Removes and returns the oldest messages whose sizes sum to at most maxBytes (at least one
   * message when the queue is not empty), in queue order.
   */
  take(maxBytes: number): Message[] {
    const start = this.head;
    let end = start;
    let bytes = 0;
    while (end < this.items.length && (end === start || bytes + this.sizes[end]! <= maxBytes)) {
      bytes += this.sizes[end]!;
      end++;
    }
    const out = this.items.slice(start, end);
    this.queuedBytes -= bytes;
    this.head = end;
    this.compact();
    return out;
  }

  /** Empties the queue; returns how many messages were in it. */
  clear(): number {
    const n = this.length;
    this.items.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    return n;
  }

  private dropOldest(): void {
    let victim = this.head;
    while (victim < this.items.length && this.items[victim]!.type === 'MsgSnap') victim++;
    if (victim === this.items.length) victim = this.head;
    this.queuedBytes -= this.sizes[victim]!;
    if (victim === this.head) {
      this.head++;
      this.compact();
    } else {
      this.items.splice(victim, 1);
      this.sizes.splice(victim, 1);
    }
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.sizes.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_SLOTS && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
