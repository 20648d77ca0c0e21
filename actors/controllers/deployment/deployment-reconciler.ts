// The Deployment reconciler, as kube-controller-manager's syncDeployment: claim ReplicaSets,
// then (deleting → status only; paused or resized → scale only; else the strategy's step),
// then write status and ask to look again when the progress deadline falls due.

import type { Deployment, ObjectCacheReader, Pod, ReplicaSet, ResourceObject } from '../../../core/index.js';
import {
  indexByNamespace,
  indexByOwnerUid,
  isBeingDeleted,
  isEmptyLabelSelector,
  metaNamespaceKeyOf,
  NAMESPACE_INDEX,
  OWNER_UID_INDEX,
  refOfObject,
} from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { claimControlledObjects } from '../replicaset/controller-ref-manager.js';
import { DEPLOYMENT_KIND, DEPLOYMENT_RESOURCE, POD_RESOURCE, REPLICA_SET_RESOURCE } from '../replicaset/workload-resources.js';
import { DeploymentPass } from './deployment-pass.js';
import {
  calculateDeploymentStatus,
  DEPLOYMENT_PROGRESSING,
  DeploymentReason,
  deploymentComplete,
  getDeploymentCondition,
  newDeploymentCondition,
  progressDeadlineAtMs,
  progressDeadlineSeconds,
  rolloutStatus,
  setDeploymentCondition,
} from './deployment-status.js';
import { cleanupOldReplicaSets, isScalingEvent, oldPodsRunning, rollingUpdateStep, scaleToDeploymentSize } from './deployment-strategies.js';
import { activeReplicaSets, desiredReplicas, specReplicas } from './rollout-math.js';

/** The informers (with indexes) the Deployment controller reads. */
export function deploymentCaches(context: ControllerContext): DeploymentCaches {
  // Asked for on every pod event (deploymentsForPod): made once per controller-manager run.
  let caches = cachesByContext.get(context);
  if (caches === undefined) {
    const indexers = { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid };
    caches = {
      deployments: context.informers.informerFor<Deployment>(DEPLOYMENT_RESOURCE, { indexers }).cache,
      replicaSets: context.informers.informerFor<ReplicaSet>(REPLICA_SET_RESOURCE, { indexers }).cache,
      pods: context.informers.informerFor<Pod>(POD_RESOURCE, { indexers }).cache,
    };
    cachesByContext.set(context, caches);
  }
  return caches;
}

export interface DeploymentCaches {
  readonly deployments: ObjectCacheReader<Deployment>;
  readonly replicaSets: ObjectCacheReader<ReplicaSet>;
  readonly pods: ObjectCacheReader<Pod>;
}

const cachesByContext = new WeakMap<ControllerContext, DeploymentCaches>();

export function makeDeploymentReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock } = context;
  const caches = deploymentCaches(context);
  const nowMs = (): number => clock.now();

  function latest(pass: DeploymentPass, rs: ReplicaSet | undefined): ReplicaSet | undefined {
    if (rs === undefined) return undefined;
    return pass.replicaSets.find((candidate) => candidate.metadata?.uid === rs.metadata?.uid) ?? rs;
  }

  async function syncRolloutStatus(pass: DeploymentPass, newRS: ReplicaSet | undefined): Promise<void> {
    const fresh = latest(pass, newRS);
    await pass.writeStatus(rolloutStatus(pass.replicaSets, fresh, pass.d, nowMs()));
  }

  /** Paused, resized mid-rollout, or being deleted: sizes only, no rollout progress. */
  async function syncScaleOnly(pass: DeploymentPass, scale: boolean): Promise<void> {
    const { newRS, oldRSs } = await pass.newAndOldReplicaSets(false);
    if (scale) await scaleToDeploymentSize(pass, newRS, oldRSs);
    if (scale && pass.d.spec?.paused === true) await cleanupOldReplicaSets(pass, oldRSs.map((rs) => latest(pass, rs)!));
    await pass.writeStatus(calculateDeploymentStatus(pass.replicaSets, latest(pass, newRS), pass.d, nowMs()));
  }

  async function rolloutRolling(pass: DeploymentPass): Promise<void> {
    const { newRS, oldRSs } = await pass.newAndOldReplicaSets(true);
    if (newRS === undefined) return;
    const stepped = await rollingUpdateStep(pass, newRS, oldRSs);
    if (!stepped && deploymentComplete(pass.d, pass.d.status ?? {})) await cleanupOldReplicaSets(pass, oldRSs.map((rs) => latest(pass, rs)!));
    await syncRolloutStatus(pass, newRS);
  }

  async function rolloutRecreate(pass: DeploymentPass): Promise<void> {
    let { newRS, oldRSs } = await pass.newAndOldReplicaSets(false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if ((await pass.scaleReplicaSet(rs, 0)).scaled) scaledDown = true;
    if (scaledDown) return syncRolloutStatus(pass, newRS);
    const podsByReplicaSet = new Map<string, Pod[]>();
    for (const rs of pass.replicaSets) {
      const uid = rs.metadata?.uid ?? '';
      podsByReplicaSet.set(uid, caches.pods.byIndex(OWNER_UID_INDEX, uid).filter((pod) => pod.metadata?.ownerReferences?.some((o) => o.controller === true && o.uid === uid) === true));
    }
    if (oldPodsRunning(newRS, oldRSs.map((rs) => latest(pass, rs)!), podsByReplicaSet)) return syncRolloutStatus(pass, newRS);
    if (newRS === undefined) ({ newRS, oldRSs } = await pass.newAndOldReplicaSets(true));
    if (newRS !== undefined && specReplicas(latest(pass, newRS)) !== desiredReplicas(pass.d)) await pass.scaleReplicaSet(latest(pass, newRS)!, desiredReplicas(pass.d));
    if (deploymentComplete(pass.d, pass.d.status ?? {})) await cleanupOldReplicaSets(pass, oldRSs.map((rs) => latest(pass, rs)!));
    return syncRolloutStatus(pass, newRS);
  }

  /** Progressing becomes Unknown/DeploymentPaused on pause and Unknown/DeploymentResumed on resume. */
  async function checkPausedConditions(pass: DeploymentPass): Promise<void> {
    if (progressDeadlineSeconds(pass.d) === undefined) return;
    const condition = getDeploymentCondition(pass.d.status, DEPLOYMENT_PROGRESSING);
    const pausedShown = condition?.reason === DeploymentReason.DeploymentPaused;
    const paused = pass.d.spec?.paused === true;
    if (paused === pausedShown) return;
    const status = structuredClone(pass.d.status ?? {});
    const next = paused
      ? newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'Unknown', DeploymentReason.DeploymentPaused, 'Deployment is paused', nowMs())
      : newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'Unknown', DeploymentReason.DeploymentResumed, 'Deployment is resumed', nowMs());
    setDeploymentCondition(status, next);
    await pass.writeStatus(status);
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const cached = caches.deployments.get(metaNamespaceKeyOf(request.namespace, request.name));
      if (cached === undefined) return {};
      const d = structuredClone(cached);
      const selector = d.spec?.selector;
      if (selector === undefined || isEmptyLabelSelector(selector)) {
        events.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
        const generation = d.metadata?.generation ?? 0;
        if ((d.status?.observedGeneration ?? 0) < generation) await client.updateStatus(DEPLOYMENT_RESOURCE, { ...d, status: { ...d.status, observedGeneration: generation } });
        return {};
      }
      const candidates = caches.replicaSets.byIndex(NAMESPACE_INDEX, request.namespace);
      const replicaSets = await claimControlledObjects(candidates, {
        client,
        owner: d,
        ownerKind: DEPLOYMENT_KIND,
        selector,
        dependents: REPLICA_SET_RESOURCE,
        getFreshOwner: () => client.get<Deployment & ResourceObject>(refOfObject(DEPLOYMENT_RESOURCE, d)),
      });
      const pass = new DeploymentPass({ client, events, replicaSets: caches.replicaSets, nowMs }, d, replicaSets);

      if (isBeingDeleted(d)) {
        await syncScaleOnly(pass, false);
        return {};
      }
      await checkPausedConditions(pass);
      if (pass.d.spec?.paused === true) {
        await syncScaleOnly(pass, true);
        return {};
      }
      const current = pass.findNewReplicaSet();
      if (isScalingEvent(pass.d, current, pass.replicaSets.filter((rs) => rs !== current))) {
        await syncScaleOnly(pass, true);
      } else if (pass.d.spec?.strategy?.type === 'Recreate') {
        await rolloutRecreate(pass);
      } else {
        await rolloutRolling(pass);
      }

      const status = pass.d.status ?? {};
      const dueAtMs = progressDeadlineAtMs(pass.d, status);
      if (dueAtMs === undefined || deploymentComplete(pass.d, status)) return {};
      return { requeueAfterMs: Math.max(1, dueAtMs - nowMs() + 1) };
    },
  };
}
