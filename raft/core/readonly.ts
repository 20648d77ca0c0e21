import type { Message, NodeId } from './types.js';

/** A ReadIndex request awaiting confirmation that the leader still leads a quorum. */
interface ReadIndexStatus {
  readonly req: Message;
  /** The commit index when the request arrived: the read must observe at least this. */
  readonly index: number;
  readonly acks: Set<NodeId>;
}

/**
 * The leader's queue of ReadIndex requests (§6.4 of the Raft thesis). Each request records the
 * commit index on arrival; a heartbeat round carrying its context confirms leadership, and
 * once a quorum acknowledges it, it and every earlier request are released.
 * Bound: at most `maxPending` requests queue; beyond that requests are refused.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  constructor(readonly maxPending: number) {}

  full(): boolean {
    return this.queue.length >= this.maxPending;
  }

  has(ctx: string): boolean {
    return this.pending.has(ctx);
  }

  add(index: number, req: Message): void {
    const ctx = req.context ?? '';
    if (this.pending.has(ctx)) return;
    this.pending.set(ctx, { req, index, acks: new Set() });
    this.queue.push(ctx);
  }

  /** Records an acknowledgement of ctx's heartbeat; returns who has acknowledged, or undefined. */
  recvAck(id: NodeId, ctx: string): ReadonlySet<NodeId> | undefined {
    const rs = this.pending.get(ctx);
    if (!rs) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Releases ctx and every request queued before it, returning them in order. */
  advance(ctx: string): { req: Message; index: number }[] {
    const i = this.queue.indexOf(ctx);
    if (i < 0) return [];
    const released = this.queue.slice(0, i + 1);
    this.queue = this.queue.slice(i + 1);
    const out: { req: Message; index: number }[] = [];
    for (const c of released) {
      const rs = this.pending.get(c);
      if (rs) out.push({ req: rs.req, index: rs.index });
      this.pending.delete(c);
    }
    return out;
  }

  lastPendingRequestCtx(): string | undefined {
    return this.queue[this.queue.length - 1];
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
