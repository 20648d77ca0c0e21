import type { SeededRandom } from '../../core/index.js';
import type { Message, NodeId } from '../../raft/index.js';

/** Fault rates of the simulated network for one phase of a run. */
export interface NetworkFaults {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice. */
  duplicateRate: number;
  /** Each message is delayed by a uniform number of ticks in [1, maxDelayTicks]; varied delays reorder. */
  maxDelayTicks: number;
}

export const HEALTHY_NETWORK: NetworkFaults = { dropRate: 0, duplicateRate: 0, maxDelayTicks: 1 };

/**
 * A seeded network of ticks: each message gets a delivery tick, messages due on the same tick
 * are delivered in a shuffled order, and a directed block list models partitions (symmetric
 * ones block both directions, one-way ones a single direction).
 * Bound: at most `maxInFlight` messages are queued; beyond that new ones are lost (a full NIC).
 */
export class SimNetwork {
  private readonly buckets = new Map<number, Message[]>();
  private readonly blocked = new Set<string>();
  private inFlight = 0;
  faults: NetworkFaults = HEALTHY_NETWORK;
  sent = 0;
  dropped = 0;

  constructor(private readonly rnd: SeededRandom, private readonly maxInFlight = 100_000) {}

  send(now: number, m: Message): void {
    this.sent++;
    if (this.inFlight >= this.maxInFlight || this.rnd.chance(this.faults.dropRate)) {
      this.dropped++;
      return;
    }
    const copies = this.rnd.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const at = now + 1 + this.rnd.int(this.faults.maxDelayTicks);
      let b = this.buckets.get(at);
      if (!b) this.buckets.set(at, (b = []));
      b.push(m);
      this.inFlight++;
    }
  }

  /** Messages due at `now` that a partition does not block, in a seeded random order. */
  due(now: number): Message[] {
    const b = this.buckets.get(now);
    if (!b) return [];
    this.buckets.delete(now);
    this.inFlight -= b.length;
    for (let i = b.length - 1; i > 0; i--) {
      const j = this.rnd.int(i + 1);
      const t = b[i]!;
      b[i] = b[j]!;
      b[j] = t;
    }
    return b.filter((m) => !this.isBlocked(m.from, m.to));
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  blockOneWay(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`);
  }

  /** Cuts every link between the two sides, both ways. */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) {
      for (const y of b) {
        this.blockOneWay(x, y);
        this.blockOneWay(y, x);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  describeBlocks(): string {
    return [...this.blocked].sort().join(' ');
  }
}
