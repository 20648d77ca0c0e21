// Pods per controlling owner per node, kept as one dense array per owner indexed by the node's
// ordinal (SchedulerNodeInfo.ordinal). Default spreading reads a node's count for every feasible
// node of every attempt; an array load there replaces a hash lookup into a per-node map, which is
// what made spreading the largest cost of an attempt on 1,000 nodes.
//
// Invariants: for every owner uid kept, `total` is the sum of `perNode`, and `perNode[o]` is the
// number of cached pods of that owner on the node with ordinal `o` (an index past the array's end
// means 0); owners whose total drops to 0 are dropped.

/** Slots an owner's array starts with; it doubles as ordinals grow (so it never exceeds twice the node count). */
export const CONTROLLER_COUNTS_INITIAL_SLOTS = 64;

interface OwnerCounts {
  total: number;
  perNode: Int32Array;
}

export class ControllerPodCounts {
  private readonly byOwner = new Map<string, OwnerCounts>();

  /** Counts one pod of `controllerUid` more (`by` 1) or less (−1) on the node with `ordinal`. '' (no owner) is not counted. */
  add(controllerUid: string, ordinal: number, by: 1 | -1): void {
    if (controllerUid === '' || ordinal < 0) return;
    let owner = this.byOwner.get(controllerUid);
    if (owner === undefined) {
      if (by < 0) return;
      owner = { total: 0, perNode: new Int32Array(slotsFor(ordinal)) };
      this.byOwner.set(controllerUid, owner);
    } else if (ordinal >= owner.perNode.length) {
      if (by < 0) return;
      const grown = new Int32Array(slotsFor(ordinal, owner.perNode.length));
      grown.set(owner.perNode);
      owner.perNode = grown;
    }
    const next = owner.perNode[ordinal]! + by;
    if (next < 0) return;
    owner.perNode[ordinal] = next;
    owner.total += by;
    if (owner.total === 0) this.byOwner.delete(controllerUid);
  }

  /**
   * The owner's counts by node ordinal, or undefined when it has no cached pod. Shared: do not
   * mutate; valid until the cache next changes (a later add may replace the array).
   */
  perNode(controllerUid: string): Int32Array | undefined {
    return this.byOwner.get(controllerUid)?.perNode;
  }

  /** The owner's cached pods on all nodes. */
  total(controllerUid: string): number {
    return this.byOwner.get(controllerUid)?.total ?? 0;
  }

  /** Owners with at least one cached pod. */
  get ownerCount(): number {
    return this.byOwner.size;
  }
}

function slotsFor(ordinal: number, from = CONTROLLER_COUNTS_INITIAL_SLOTS): number {
  let slots = Math.max(from, CONTROLLER_COUNTS_INITIAL_SLOTS);
  while (slots <= ordinal) slots *= 2;
  return slots;
}

/** The count at `ordinal` of an owner's array from ControllerPodCounts.perNode (0 past its end or without one). */
export function controllerPodsOnNode(perNode: Int32Array | undefined, ordinal: number): number {
  if (perNode === undefined || ordinal < 0 || ordinal >= perNode.length) return 0;
  return perNode[ordinal]!;
}
