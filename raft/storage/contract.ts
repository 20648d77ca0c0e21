import type { Storage } from '../core/index.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/index.js';

/**
 * Durable Raft storage: the core's read contract (Storage) plus the writes the driver makes
 * from a Ready. Implemented on LevelDB (raft/storage/leveldb) and in memory (tests).
 *
 * Contract: save() makes the hard state, entries and snapshot durable together (one synced
 * write) before it resolves; after a crash, storage holds exactly what a resolved save() wrote
 * (a torn write is detected at open and reported, never served). Reads reflect every resolved
 * save(). Calls are not concurrent: the driver awaits each before the next.
 *
 * `sync: false` is for a Ready that changes nothing but the commit index (etcd's MustSync is
 * false): the write is ordered after every earlier save and made durable by the next synced
 * one, but a crash may lose it. That loses only a commit index, which Raft learns again from
 * the leader; no vote, term or acknowledged entry depends on it.
 */
export interface DurableStorage extends Storage {
  save(update: { hardState?: HardState; entries: readonly Entry[]; snapshot?: Snapshot; sync?: boolean }): Promise<void>;
  /** Records a snapshot of the state machine at `index` (<= applied) for followers that lag. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot>;
  /**
   * Optional: writes the data of the snapshot that createSnapshot(index, …, data) will record
   * next, beforehand and beside other writes, so that createSnapshot itself is short. Without
   * it, createSnapshot writes everything.
   */
  stageSnapshot?(index: number, data: Uint8Array): Promise<void>;
  /** Discards log entries up to and including `index` (which must be <= the snapshot's). */
  compact(index: number): Promise<void>;
  close(): Promise<void>;
}
