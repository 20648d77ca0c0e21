import { assert } from '../../core/index.js';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';
import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT } from './types.js';

/**
 * The stable part of the Raft log as the core reads it (hashicorp/raft's LogStore + StableStore,
 * etcd's raft.Storage). Everything returned here is durable. The core never writes through this
 * interface: the caller persists what a Ready hands it and then calls advance().
 *
 * Contract: entries are contiguous from firstIndex() to lastIndex(); the entry at
 * firstIndex()-1 is the snapshot's last entry, whose term term() still answers.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most maxBytes in total but always at least one if any exist. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of entry i, for i in [firstIndex()-1, lastIndex()]. */
  term(i: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

/** Payload size of an entry, the unit of every byte budget in the core. */
export function entrySize(e: Entry): number {
  return e.data.length + 16;
}

/**
 * Limits entries to maxBytes, keeping at least the first one. Returns the input itself when
 * nothing is cut, to keep the hot path free of copies.
 */
export function limitSize<T extends Entry>(ents: T[], maxBytes: number): T[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]!);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/**
 * In-memory Storage: the model of a disk in tests and the simulator, and the read cache in
 * front of LevelDB in the store. `ents[0]` is a dummy entry holding the snapshot's index and term.
 */
export class MemoryStorage implements Storage {
  hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = EMPTY_SNAPSHOT;
  // Invariant: ents[0] is a dummy at the compaction point, ents[0].index <= snap.metadata.index
  // (createSnapshot may run ahead of compact), and ents[i].index === ents[0].index + i.
  private ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.ents[0]!.index;
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  term(i: number): number {
    const offset = this.ents[0]!.index;
    if (i < offset) throw new CompactedError(i, offset + 1);
    if (i - offset >= this.ents.length) throw new UnavailableError(i, this.lastIndex());
    return this.ents[i - offset]!.term;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole contents with a snapshot (a follower installing one). */
  applySnapshot(snap: Snapshot): void {
    const cur = this.snap.metadata.index;
    if (snap.metadata.index < cur) throw new SnapshotOutOfDateError(snap.metadata.index, cur);
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 'normal', data: new Uint8Array(0) }];
  }

  /**
   * Records a snapshot of the state machine at index i (which must be applied, hence in the log)
   * and returns it; the log is not compacted until compact() is called.
   */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) throw new SnapshotOutOfDateError(i, this.snap.metadata.index);
    assert(i <= this.lastIndex(), () => `snapshot ${i} is beyond last index ${this.lastIndex()}`);
    this.snap = { metadata: { index: i, term: this.term(i), confState }, data };
    return this.snap;
  }

  /** Discards entries up to and including compactIndex; compactIndex must be <= the applied index. */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    assert(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is beyond last index ${this.lastIndex()}`);
    const i = compactIndex - offset;
    const head = this.ents[i]!;
    this.ents = [{ term: head.term, index: head.index, type: 'normal', data: new Uint8Array(0) }, ...this.ents.slice(i + 1)];
  }

  /**
   * Appends entries, truncating any conflicting suffix. Entries must be contiguous and their
   * first index at most lastIndex()+1; entries already compacted away are skipped.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    const ents = first > entries[0]!.index ? entries.slice(first - entries[0]!.index) : entries;
    const offset = ents[0]!.index - this.ents[0]!.index;
    assert(offset <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${ents[0]!.index}]`);
    if (offset < this.ents.length) this.ents.length = offset;
    for (const e of ents) this.ents.push(e);
  }
}
