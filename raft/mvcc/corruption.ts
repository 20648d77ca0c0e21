/**
 * Thrown when the store's data fails a check: a backend value's checksum or frame (codec.ts), the
 * format record (a store of another on-disk format), or a snapshot payload's checksum or records.
 * At open (load.ts) it stops MvccStore.open: the member must refuse to start rather than serve
 * wrong data. Found later, by a read of the history, it fails the store: every later call throws
 * it, and no read or watch returns the damaged record. Recovery is an operator's job (restore the
 * data dir from a backup, or remove the member and add it back empty so it is sent a snapshot).
 */
export class MvccCorruptionError extends Error {
  override readonly name = 'MvccCorruptionError';
  /**
   * @param location where the data lives, as the caller named it (the member's data dir), or the snapshot
   * @param detail what is wrong, naming the record, e.g. "MVCC record k42_0 checksum mismatch"
   */
  constructor(
    readonly location: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${detail} in ${location}`, options);
  }
}
