// Shared builders for the Raft core's unit tests.
import type { Entry } from '../../../raft/index.js';

const EMPTY = new Uint8Array(0);

/** An entry with no payload (16 bytes by entrySize). */
export function ent(index: number, term: number, data: Uint8Array = EMPTY): Entry {
  return { index, term, type: 'normal', data };
}

/** Consecutive entries from `firstIndex`, one per term in `terms` (etcd's index(i).terms(…)). */
export function ents(firstIndex: number, ...terms: number[]): Entry[] {
  return terms.map((term, k) => ent(firstIndex + k, term));
}

/** `index/term` pairs: what the tests compare, so failures read well. */
export function ids(es: readonly Entry[]): string[] {
  return es.map((e) => `${e.index}/${e.term}`);
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
