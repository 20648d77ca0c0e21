// The pod worker actor: one per pod uid, spawned by the kubelet. It serializes everything done
// to its pod (syncs, container exits, probe and back-off timers, removal) through its mailbox,
// so the runtime never sees two lifecycle calls for one container at once.

import type { ActorContext, ActorDefinition } from '../../runtime/index.js';
import { defineActor, unescapeActorName } from '../../runtime/index.js';
import { objectLookupFromClient } from '../env/index.js';
import type { PodWorkerHost, PodWorkerMsg } from '../pod-worker-contract.js';
import { probeKillingMessage } from '../probes/index.js';
import { PodVolumeManager } from '../volumes/index.js';
import { killContainer, terminationGraceMs } from './container-killer.js';
import type { PodVolumes, PodWorkerState } from './pod-worker-state.js';
import { newPodWorkerState } from './pod-worker-state.js';
import { removePod } from './pod-termination.js';
import { PROBE_TICK_PREFIX, runDueProbes } from './probe-manager.js';
import { listPodContainers, reportStatus } from './status-report.js';
import { syncPod } from './sync-pod.js';

/** Messages a pod worker queues before further ones are dead letters (the kubelet resyncs anyway). */
export const POD_WORKER_MAILBOX_CAPACITY = 1_000;

/** Options for tests and embedders; production passes none. */
export interface PodWorkerOptions {
  /** The pod's volumes; default a PodVolumeManager under `host.rootDir`. */
  readonly volumes?: (host: PodWorkerHost) => PodVolumes;
}

async function onProbeTick(w: PodWorkerState, containerName: string): Promise<void> {
  const entry = w.probes.get(containerName);
  if (entry === undefined || w.terminal || w.cleanedUp) return;
  entry.timer = undefined;
  const container = w.pod?.spec?.containers.find((c) => c.name === containerName);
  const result = await runDueProbes(w, entry, container?.ports);
  if (result.failed !== undefined) {
    const instance = (await listPodContainers(w)).find((c) => c.id === entry.containerId);
    const probeGraceSeconds = result.failed.probe.terminationGracePeriodSeconds;
    const graceMs = probeGraceSeconds !== undefined ? probeGraceSeconds * 1000 : terminationGraceMs(w.pod);
    if (instance !== undefined) await killContainer(w, instance, graceMs, probeKillingMessage(result.failed.kind, containerName));
    // The container is restarted (or not) by its restartPolicy, as after any exit.
    await syncPod(w);
    return;
  }
  if (result.statusChanged) await reportStatus(w);
}

async function handle(w: PodWorkerState, msg: PodWorkerMsg, ctx: ActorContext<PodWorkerMsg>): Promise<PodWorkerState> {
  switch (msg.type) {
    case 'sync': {
      const uid = msg.pod.metadata?.uid;
      if (w.pod === undefined && uid !== undefined && uid !== '') w.podUid = uid;
      if (uid !== undefined && uid !== w.podUid) {
        ctx.log.warn('sync for another pod uid ignored', { uid, workerUid: w.podUid });
        return w;
      }
      w.pod = msg.pod;
      w.isStatic = msg.static === true;
      await syncPod(w);
      return w;
    }
    case 'containerExited':
      await syncPod(w);
      return w;
    case 'tick':
      if (msg.reason.startsWith(PROBE_TICK_PREFIX)) {
        await onProbeTick(w, msg.reason.slice(PROBE_TICK_PREFIX.length));
      } else {
        w.wake = undefined;
        await syncPod(w);
      }
      return w;
    case 'remove':
      await removePod(w, msg.gracePeriodSeconds);
      ctx.stopSelf();
      return w;
  }
}

/**
 * The worker of one pod (its key, the pod uid, is the actor's name). See PodWorkerMsg for what
 * the kubelet sends. A crash restarts it with fresh state, which re-adopts the pod's sandbox and
 * containers from the runtime by their labels instead of starting them again.
 */
export function podWorkerActor(host: PodWorkerHost, options: PodWorkerOptions = {}): ActorDefinition<PodWorkerState, PodWorkerMsg> {
  const lookup = objectLookupFromClient(host.client);
  return defineActor<PodWorkerState, PodWorkerMsg>({
    type: 'pod-worker',
    initialState: (ctx) => {
      const volumes =
        options.volumes?.(host) ??
        new PodVolumeManager({ rootDir: host.rootDir, clock: host.clock, log: ctx.log, lookup, nodeAllocatable: host.nodeAllocatable });
      return newPodWorkerState(host, ctx.log, (delayMs, msg) => ctx.scheduleOnce(delayMs, msg), volumes, lookup, unescapeActorName(ctx.name));
    },
    handle,
    mailboxCapacity: POD_WORKER_MAILBOX_CAPACITY,
  });
}
