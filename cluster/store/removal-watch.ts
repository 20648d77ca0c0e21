import type { StoreMember } from '../../raft/index.js';
import { EtcdClient } from '../../transport/index.js';
import type { Logger } from '../log.js';

/** How often a leaderless member checks whether it was removed. */
const CHECK_INTERVAL_MS = 2_000;

/**
 * A removed member often never sees its removal commit: the leader stops replicating to it the
 * moment it applies the change. etcd answers such a member's peer traffic with "member removed";
 * here the member asks instead. While it has no leader, it asks the other members it knows
 * (serializable MemberList over the etcd API); if one that has a leader no longer lists it, it
 * was removed, and `onRemoved` runs. Absent answers prove nothing and are ignored.
 */
export function watchForRemoval(member: StoreMember, log: Logger, onRemoved: () => void): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || member.leader !== 0) return;
    busy = true;
    check().then(
      (removed) => {
        busy = false;
        if (removed) {
          clearInterval(timer);
          log.warn('the other members no longer list this member: it was removed');
          onRemoved();
        }
      },
      () => (busy = false),
    );
  }, CHECK_INTERVAL_MS);

  async function check(): Promise<boolean> {
    const others = member.members.list().filter((m) => m.ID !== member.id && m.clientURLs.length > 0);
    for (const m of others) {
      const client = new EtcdClient({ endpoints: [m.clientURLs[0]!], timeoutMs: 1_000 });
      try {
        const status = await client.status(0);
        if (status.leader === 0) continue;
        const list = await client.memberList();
        if (!list.members.some((x) => x.ID === member.id)) return true;
        return false;
      } catch {
        // Unreachable or failing: ask the next one.
      } finally {
        client.close();
      }
    }
    return false;
  }

  return () => clearInterval(timer);
}
