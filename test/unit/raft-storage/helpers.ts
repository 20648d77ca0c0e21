// Shared pieces of the LevelRaftStorage tests: temp dirs, builders, a full read of a Storage,
// and the on-disk layout of raft/storage/records.ts rebuilt from its documentation, so the
// corruption tests can forge records without reaching into raft/'s internals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ConfState, Entry, EntryType, HardState, Storage } from '../../../raft/index.js';
import { CompactedError, UnavailableError } from '../../../raft/index.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh directory (for a LevelDB at `<dir>/db`) removed when the test ends. */
export function tempDir(t: Teardown, name = 'raft-storage'): string {
  const dir = mkdtempSync(join(tmpdir(), `flotilla-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const CS: ConfState = { voters: [1, 2, 3], learners: [4] };

/** Deterministic payload of entry (index, term), of a length that varies with the index. */
export function payload(index: number, term: number, bytes = (index * 37) % 300): Uint8Array {
  const d = new Uint8Array(bytes);
  for (let k = 0; k < bytes; k++) d[k] = (index * 31 + term * 17 + k) & 0xff;
  return d;
}

export function ent(index: number, term: number, type: EntryType = 'normal', data = payload(index, term)): Entry {
  return { index, term, type, data };
}

/** Entries lo..hi (inclusive) of one term. */
export function range(lo: number, hi: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = lo; i <= hi; i++) out.push(ent(i, term));
  return out;
}

export function hs(term: number, commit: number, vote = 1): HardState {
  return { term, vote, commit };
}

export function bytes(n: number, seed: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let k = 0; k < n; k++) d[k] = (seed + k * 7 + (k >>> 8)) & 0xff;
  return d;
}

/** The error fn throws, or undefined if it returns. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

/** A read's outcome, comparable with t.same: the value, or the error's class and fields. */
function outcome(fn: () => unknown): unknown {
  try {
    const v = fn();
    return Array.isArray(v) ? v.map(entryView) : v;
  } catch (err) {
    if (err instanceof CompactedError) return { error: 'CompactedError', index: err.index, firstIndex: err.firstIndex };
    if (err instanceof UnavailableError) return { error: 'UnavailableError', index: err.index, lastIndex: err.lastIndex };
    return { error: String(err) };
  }
}

function entryView(e: Entry): unknown {
  return { index: e.index, term: e.term, type: e.type, data: Buffer.from(e.data).toString('hex') };
}

/**
 * Everything a Storage answers: bounds, every term around the log, entries over a spread of
 * ranges and byte budgets (in and out of bounds), the snapshot and the initial state.
 */
export function dump(s: Storage): Record<string, unknown> {
  const first = s.firstIndex();
  const last = s.lastIndex();
  const terms: Record<number, unknown> = {};
  for (let i = Math.max(0, first - 3); i <= last + 2; i++) terms[i] = outcome(() => s.term(i));
  const entries: Record<string, unknown> = {};
  const los = [first - 1, first, first + 1, Math.floor((first + last) / 2), last, last + 1];
  for (const lo of los) {
    for (const hi of [lo, lo + 1, last + 1, last + 2]) {
      if (hi < lo || lo < 0) continue;
      for (const maxBytes of [0, 200, Infinity]) entries[`${lo},${hi},${maxBytes}`] = outcome(() => s.entries(lo, hi, maxBytes));
    }
  }
  const snap = s.snapshot();
  return {
    first,
    last,
    terms,
    entries,
    snapshot: { metadata: snap.metadata, data: Buffer.from(snap.data).toString('hex') },
    initialState: s.initialState(),
  };
}

// ---- The documented layout (raft/storage/records.ts) ----

const enc = new TextEncoder();

function u32(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, x);
  return b;
}

function u64(x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(x));
  return b;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export const layout = {
  key: (s: string, prefix = 'r/'): Uint8Array => enc.encode(prefix + s),
  entryKey: (i: number, prefix = 'r/'): Uint8Array => cat(enc.encode(`${prefix}e/`), u64(i)),
  /** Chunk n of snapshot `index`'s data. */
  chunkKey: (index: number, n: number, prefix = 'r/'): Uint8Array => cat(enc.encode(`${prefix}x/`), u64(index), u32(n)),
  /** Chunk n of the stored snapshot, as written before chunks were keyed by snapshot. */
  legacyChunkKey: (n: number, prefix = 'r/'): Uint8Array => cat(enc.encode(`${prefix}s/`), u32(n)),
  /** u32 CRC32 of the rest | u8 type | body. */
  record(type: number, body: Uint8Array): Uint8Array {
    const rest = cat(new Uint8Array([type]), body);
    return cat(u32(crc32(rest)), rest);
  },
  entry(e: Entry): Uint8Array {
    return layout.record(4, cat(u64(e.index), u64(e.term), new Uint8Array([e.type === 'normal' ? 0 : 1]), e.data));
  },
  format(version: number): Uint8Array {
    return layout.record(1, cat(enc.encode('flotilla-raft'), u32(version)));
  },
  hardState(h: HardState): Uint8Array {
    return layout.record(2, cat(u64(h.term), u64(h.vote), u64(h.commit)));
  },
  chunk(snapshotIndex: number, n: number, data: Uint8Array): Uint8Array {
    return layout.record(6, cat(u64(snapshotIndex), u32(n), data));
  },
};

/** The crash test's snapshot data at `index`: up to 600 KiB (so up to 3 chunks), from the index alone. */
export function crashSnapshotData(index: number): Uint8Array {
  return bytes((index * 7919) % (600 * 1024), index);
}
