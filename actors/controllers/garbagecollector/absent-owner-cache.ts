// Owner uids verified absent by a live read, so that many dependents of one deleted owner cost
// one GET, not one each (kube's absentOwnerCache, an LRU of 500). A uid never comes back: once
// an object with a uid is gone, no object will have that uid again.

/** Absent owner uids remembered (kube's size). */
export const ABSENT_OWNER_CACHE_SIZE = 500;

export class AbsentOwnerCache {
  /** Insertion-ordered; re-adding moves a uid to the end, so the first entry is the least recent. */
  private readonly uids = new Set<string>();

  constructor(private readonly capacity = ABSENT_OWNER_CACHE_SIZE) {}

  add(uid: string): void {
    this.uids.delete(uid);
    this.uids.add(uid);
    if (this.uids.size > this.capacity) {
      const oldest = this.uids.values().next();
      if (oldest.done !== true) this.uids.delete(oldest.value);
    }
  }

  has(uid: string): boolean {
    if (!this.uids.has(uid)) return false;
    this.add(uid);
    return true;
  }

  get size(): number {
    return this.uids.size;
  }
}
