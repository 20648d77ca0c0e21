// The PodScheduled=False condition of a pod that could not be scheduled (what `kubectl describe`
// shows under Conditions), written only when its reason or message changes.

import { isConflict } from '../../core/index.js';
import type { GroupVersionResource, Pod, PodCondition, ResourceClient } from '../../core/index.js';

/** Condition writes in flight at once; attempts beyond it skip the write (the next attempt writes it). */
export const MAX_IN_FLIGHT_STATUS_UPDATES = 256;
/** Re-reads after a conflicting status write before giving up until the next attempt. */
export const POD_STATUS_CONFLICT_RETRIES = 3;

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };

/** Sets PodScheduled=False with `reason` and `message` on the (still unbound) pod, if not already so. */
export async function podScheduledConditionUpdate(client: ResourceClient, cached: Pod, reason: string, message: string, now: string): Promise<void> {
  let current = cached;
  for (let attempt = 0; ; attempt++) {
    if ((current.spec?.nodeName ?? '') !== '') return;
    const conditions = current.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    if (old?.status === 'False' && old.reason === reason && old.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' ? (old.lastTransitionTime ?? now) : now,
      reason,
      message,
    };
    const next: Pod = { ...current, status: { ...current.status, conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition] } };
    try {
      await client.updateStatus(PODS, next);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= POD_STATUS_CONFLICT_RETRIES) throw err;
      current = await client.get<Pod>({ ...PODS, namespace: cached.metadata?.namespace ?? '', name: cached.metadata?.name ?? '' });
    }
  }
}
