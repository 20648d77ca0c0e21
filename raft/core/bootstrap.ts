import type { MemoryStorage } from './storage.js';
import type { ConfState } from './types.js';

/**
 * Initial contents of a founding member's storage: a snapshot at index 1, term 1 holding the
 * initial configuration (and an empty state machine). The log proper starts at index 2, so a
 * member that joins later always receives the configuration through a snapshot and never has
 * to guess it from a partial log.
 */
export function bootstrapStorage(storage: MemoryStorage, confState: ConfState): void {
  storage.applySnapshot({ metadata: { index: 1, term: 1, confState }, data: new Uint8Array(0) });
  storage.setHardState({ term: 1, vote: 0, commit: 1 });
}
