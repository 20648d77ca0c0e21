/**
 * Thrown when the Raft state on disk fails a check at open (a record's checksum, the format
 * record, log contiguity, term order, the hard state's commit, the snapshot's data), or when
 * LevelDB itself reports corruption. The member must refuse to start: serving a damaged log
 * would break Raft's safety. Recovery is an operator's job (restore the member's data dir from
 * a backup, or remove the member and add it back empty so it is sent a snapshot).
 */
export class CorruptStorageError extends Error {
  override readonly name = 'CorruptStorageError';
  /**
   * @param location the LevelDB's directory
   * @param detail what is wrong, e.g. "entry 42 checksum mismatch" or "log gap after 41"
   * @param file the LevelDB file at fault, when LevelDB names one
   */
  constructor(
    readonly location: string,
    readonly detail: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(`${detail} in ${file ?? location}`, options);
  }
}

/**
 * Thrown by a write (save, createSnapshot, compact, or the format record at first open) that
 * failed because the disk is full. Nothing of the failed write is visible: LevelDB batches are
 * atomic and the read cache is only updated after a write succeeds. The member raises its
 * NOSPACE alarm. LevelDB keeps refusing writes after such a failure, so once space is freed
 * the storage must be closed and opened again.
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  /**
   * @param location the LevelDB's directory
   * @param file the file LevelDB was writing, when it names one
   */
  constructor(
    readonly location: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(`no space left on device writing the Raft log in ${file ?? location}`, options);
  }
}

/** A LevelDB file name inside an error message: a table, a write-ahead log, the manifest. */
const LEVELDB_FILE = /(?:[^\s:;,'"]*\/)?(?:\d+\.(?:ldb|sst|log)|MANIFEST-\d+|CURRENT)\b/;

/**
 * Maps an error from LevelDB (or the file system under it) to this folder's typed errors:
 * ENOSPC or "No space left" anywhere in the cause chain becomes DiskFullError, LevelDB's
 * LEVEL_CORRUPTION becomes CorruptStorageError. Anything else is returned unchanged.
 */
export function toStorageError(err: unknown, location: string): unknown {
  if (err instanceof CorruptStorageError || err instanceof DiskFullError) return err;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const file = LEVELDB_FILE.exec(e.message)?.[0];
    if (code === 'ENOSPC' || e.message.includes('No space left')) return new DiskFullError(location, file, { cause: err });
    if (code === 'LEVEL_CORRUPTION') return new CorruptStorageError(location, `LevelDB reports corruption (${e.message})`, file, { cause: err });
  }
  return err;
}
