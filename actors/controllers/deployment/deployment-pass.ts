// One reconcile pass over one Deployment: the ReplicaSet and status writes every strategy shares
// (finding or creating the new ReplicaSet, syncing revisions, scaling with events, writing
// status). Holds the Deployment as last written, so later writes in the pass carry its
// resourceVersion and a concurrent change surfaces as a Conflict (and a retry).

import type { Deployment, DeploymentStatus, ObjectCacheReader, ReplicaSet, ResourceClient } from '../../../core/index.js';
import { isAlreadyExists, isControlledBy, metaNamespaceKeyOf, newControllerRef, parseRfc3339, refOfObject } from '../../../core/index.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { DEPLOYMENT_KIND, DEPLOYMENT_RESOURCE, REPLICA_SET_RESOURCE } from '../replicaset/workload-resources.js';
import { canonicalJson } from '../replicaset/replicaset-status.js';
import { maxRevision, REVISION_ANNOTATION, replicasAnnotationsNeedUpdate, setNewReplicaSetAnnotations, setReplicasAnnotations } from './deployment-annotations.js';
import { DEPLOYMENT_PROGRESSING, DeploymentReason, getDeploymentCondition, newDeploymentCondition, progressDeadlineSeconds, setDeploymentCondition } from './deployment-status.js';
import { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from './pod-template-hash.js';
import { desiredReplicas, maxSurge, newReplicaSetNextSize, specReplicas } from './rollout-math.js';

/**
 * Thrown when the new ReplicaSet's name is taken by a ReplicaSet that is not this Deployment's
 * with this template: status.collisionCount was bumped, and the retry hashes to another name.
 */
export class ReplicaSetHashCollisionError extends Error {
  override readonly name = 'ReplicaSetHashCollisionError';
  constructor(
    readonly replicaSetName: string,
    readonly collisionCount: number,
  ) {
    super(`hash collision for ReplicaSet ${replicaSetName}; collisionCount is now ${collisionCount}`);
  }
}

export interface DeploymentPassDeps {
  readonly client: ResourceClient;
  readonly events: EventRecorder;
  readonly replicaSets: ObjectCacheReader<ReplicaSet>;
  readonly nowMs: () => number;
}

/** Oldest first, ties by name (kube's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const at = parseRfc3339(a.metadata?.creationTimestamp ?? '') ?? 0;
  const bt = parseRfc3339(b.metadata?.creationTimestamp ?? '') ?? 0;
  if (at !== bt) return at - bt;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

export class DeploymentPass {
  /** The Deployment as last read or written in this pass. */
  d: Deployment;

  constructor(
    readonly deps: DeploymentPassDeps,
    deployment: Deployment,
    /** The ReplicaSets this Deployment controls (claimed); replaced as they are written. */
    public replicaSets: ReplicaSet[],
  ) {
    this.d = deployment;
  }

  get name(): string {
    return this.d.metadata?.name ?? '';
  }

  /** The oldest ReplicaSet whose template is the Deployment's (kube's FindNewReplicaSet). */
  findNewReplicaSet(): ReplicaSet | undefined {
    return [...this.replicaSets].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec?.template, this.d.spec?.template));
  }

  /**
   * The new ReplicaSet (created when `create` and missing) and the old ones, with revisions
   * synced: the new ReplicaSet gets max(old revisions)+1 and the Deployment's revision follows it.
   */
  async newAndOldReplicaSets(create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const existing = this.findNewReplicaSet();
    const oldRSs = this.replicaSets.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    if (existing !== undefined) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(this.d, copy, newRevision, true, desired, max);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (this.d.spec?.minReadySeconds ?? 0);
      let newRS = existing;
      if (annotationsChanged || minReadyChanged) {
        copy.spec = { ...copy.spec!, minReadySeconds: this.d.spec?.minReadySeconds ?? 0 };
        newRS = await this.updateReplicaSet(copy);
      }
      const status = structuredClone(this.d.status ?? {});
      let statusChanged = false;
      if (progressDeadlineSeconds(this.d) !== undefined && getDeploymentCondition(status, DEPLOYMENT_PROGRESSING) === undefined) {
        setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'True', DeploymentReason.FoundNewReplicaSet, `Found new replica set "${newRS.metadata?.name ?? ''}"`, this.deps.nowMs()));
        statusChanged = true;
      }
      await this.writeRevisionAndStatus(newRS.metadata?.annotations?.[REVISION_ANNOTATION], statusChanged ? status : undefined);
      return { newRS, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };

    const template = structuredClone(this.d.spec!.template);
    const hash = computePodTemplateHash(this.d.spec!.template, this.d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(this.d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rsName = `${this.name}-${hash}`;
    const candidate: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: this.d.metadata?.namespace ?? '', labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(this.d, DEPLOYMENT_KIND)] },
      spec: { replicas: 0, minReadySeconds: this.d.spec?.minReadySeconds ?? 0, selector, template },
    };
    candidate.spec!.replicas = newReplicaSetNextSize(this.d, [...oldRSs, candidate], candidate);
    setNewReplicaSetAnnotations(this.d, candidate, newRevision, false, desired, max);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.deps.client.create<ReplicaSet>(REPLICA_SET_RESOURCE, candidate);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        await this.recordCreateFailure(rsName, err);
        throw err;
      }
      // The cache may lag the create that took the name (ours, from an earlier pass): read it live.
      const found = this.deps.replicaSets.get(metaNamespaceKeyOf(this.d.metadata?.namespace, rsName)) ?? (await this.deps.client.get<ReplicaSet>({ ...REPLICA_SET_RESOURCE, namespace: this.d.metadata?.namespace ?? '', name: rsName }));
      if (!isControlledBy(found, this.d.metadata?.uid ?? '') || !templatesEqualIgnoringHash(found.spec?.template, this.d.spec?.template)) {
        // Someone else's ReplicaSet, or another template: hash again with a higher collisionCount.
        const collisionCount = (this.d.status?.collisionCount ?? 0) + 1;
        await this.writeStatus({ ...structuredClone(this.d.status ?? {}), collisionCount });
        throw new ReplicaSetHashCollisionError(rsName, collisionCount);
      }
      created = found;
      alreadyExisted = true;
    }
    this.replicaSets = [...this.replicaSets, created];
    const replicas = specReplicas(created);
    if (!alreadyExisted && replicas > 0) {
      this.deps.events.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} from 0 to ${replicas}`);
    }
    let status: DeploymentStatus | undefined;
    if (!alreadyExisted && progressDeadlineSeconds(this.d) !== undefined) {
      status = structuredClone(this.d.status ?? {});
      setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'True', DeploymentReason.NewReplicaSetCreated, `Created new replica set "${rsName}"`, this.deps.nowMs()));
    }
    await this.writeRevisionAndStatus(String(newRevision), status);
    return { newRS: created, oldRSs };
  }

  private async recordCreateFailure(rsName: string, err: unknown): Promise<void> {
    const message = `Failed to create new replica set "${rsName}": ${err instanceof Error ? err.message : String(err)}`;
    this.deps.events.record(this.d, 'Warning', 'FailedCreate', message);
    if (progressDeadlineSeconds(this.d) === undefined) return;
    const status = structuredClone(this.d.status ?? {});
    setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'False', DeploymentReason.FailedReplicaSetCreate, message, this.deps.nowMs()));
    await this.writeStatus(status);
  }

  /**
   * Scales `rs` to `size` and refreshes its replicas annotations; records ScalingReplicaSet when
   * the size changed. Returns the ReplicaSet as written (or as it was).
   */
  async scaleReplicaSet(rs: ReplicaSet, size: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const from = specReplicas(rs);
    if (from === size && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec!, replicas: size };
    setReplicasAnnotations(copy, desired, max);
    const written = await this.updateReplicaSet(copy);
    if (from === size) return { scaled: false, rs: written };
    const direction = from < size ? 'up' : 'down';
    this.deps.events.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata?.name ?? ''} from ${from} to ${size}`);
    return { scaled: true, rs: written };
  }

  private async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const written = await this.deps.client.update<ReplicaSet>(REPLICA_SET_RESOURCE, rs);
    this.replicaSets = this.replicaSets.map((candidate) => (candidate.metadata?.uid === written.metadata?.uid ? written : candidate));
    return written;
  }

  /** Writes the status when it differs from the stored one. */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    if (canonicalJson(status) === canonicalJson(this.d.status ?? {})) return;
    this.d = await this.deps.client.updateStatus<Deployment>(DEPLOYMENT_RESOURCE, { ...this.d, status });
  }

  /**
   * Sets the Deployment's revision annotation (and status, if given) in one status write, as kube
   * does: a status write does not bump generation the way an annotation change on the main
   * resource does. A server that drops metadata on status writes gets a metadata patch instead.
   */
  private async writeRevisionAndStatus(revision: string | undefined, status: DeploymentStatus | undefined): Promise<void> {
    const current = this.d.metadata?.annotations?.[REVISION_ANNOTATION];
    const revisionChanged = revision !== undefined && current !== revision;
    if (!revisionChanged) {
      if (status !== undefined) await this.writeStatus(status);
      return;
    }
    const metadata = { ...this.d.metadata, annotations: { ...(this.d.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: revision } };
    this.d = await this.deps.client.updateStatus<Deployment>(DEPLOYMENT_RESOURCE, { ...this.d, metadata, status: status ?? this.d.status ?? {} });
    if (this.d.metadata?.annotations?.[REVISION_ANNOTATION] !== revision) {
      this.d = await this.deps.client.patch<Deployment>(refOfObject(DEPLOYMENT_RESOURCE, this.d), 'merge', {
        metadata: { annotations: { [REVISION_ANNOTATION]: revision }, resourceVersion: this.d.metadata?.resourceVersion },
      });
    }
  }
}

/** Equal statuses (for "nothing to write"). */
export function deploymentStatusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}
