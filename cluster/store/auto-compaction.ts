import type { KvService, MvccStateMachine, StoreMember } from '../../raft/index.js';
import type { Logger } from '../log.js';

/** etcd checks revision-mode retention every 5 minutes. */
export const AUTO_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

/**
 * etcd's revision-mode auto-compaction: while this member leads, it compacts the history to
 * keep the last `retention` revisions. The compaction goes through Raft like a user's, so every
 * member compacts at the same revision and watches below it are canceled consistently.
 */
export function startAutoCompaction(member: StoreMember, sm: MvccStateMachine, service: KvService, retention: number, intervalMs: number, log: Logger): () => void {
  const timer = setInterval(() => {
    if (member.raftState !== 'leader') return;
    const target = sm.revision() - retention;
    if (target <= sm.compactRevision()) return;
    service.compact({ revision: target }, 10_000).then(
      () => log.info('auto-compacted', { revision: target, retention }),
      (err: unknown) => log.warn('auto-compaction failed', { revision: target, error: (err as Error).message }),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
