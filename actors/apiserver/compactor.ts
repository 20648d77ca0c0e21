import type { Storage } from '../../core/index.js';
import { defineActor } from '../runtime/index.js';
import type { ActorDefinition } from '../runtime/index.js';

/** kube-apiserver's --etcd-compaction-interval default: history older than one interval goes. */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

type CompactorMsg = { readonly type: 'compact' };

/**
 * The store compactor, as kube-apiserver runs it: every interval, compact to the revision seen
 * one interval before, so watchers and paged lists have at least an interval of history and the
 * store's history stays bounded. Every master may run one; compacting to an older revision than
 * the store's is a no-op.
 */
export function storeCompactor(storage: Storage, intervalMs = DEFAULT_COMPACTION_INTERVAL_MS): ActorDefinition<{ readonly previousRevision: number }, CompactorMsg> {
  return defineActor<{ readonly previousRevision: number }, CompactorMsg>({
    type: 'store-compactor',
    initialState: (ctx) => {
      ctx.scheduleOnce(intervalMs, { type: 'compact' });
      return { previousRevision: 0 };
    },
    handle: async (state, _msg, ctx) => {
      ctx.scheduleOnce(intervalMs, { type: 'compact' });
      try {
        if (state.previousRevision > 0) await storage.compact(state.previousRevision);
        return { previousRevision: await storage.currentRevision() };
      } catch (err) {
        ctx.log.warn('compaction failed; retrying next interval', { error: String(err) });
        return state;
      }
    },
  });
}
