// Adoption and release of dependents, as kube's ControllerRefManager: an owner claims the
// objects its selector matches that have no controller, and lets go of the ones it controls
// that no longer match. Used for ReplicaSet → pods and Deployment → ReplicaSets.

import type { GroupVersionResource, KubeObject, LabelSelector, ResourceClient, ResourceObject } from '../../../core/index.js';
import { getControllerOf, isBeingDeleted, isNotFound, labelSelectorMatches, newControllerRef, refOfObject, resourceApiStatusOf } from '../../../core/index.js';
import type { OwnerKind } from './workload-resources.js';

/**
 * Thrown by claimControlledObjects when some adoptions or releases failed (after trying all of
 * them), so the sync is retried; `failures` holds each underlying error.
 */
export class ClaimDependentsError extends Error {
  override readonly name = 'ClaimDependentsError';
  constructor(
    readonly ownerKey: string,
    readonly failures: readonly unknown[],
  ) {
    super(`claiming dependents of ${ownerKey}: ${failures.length} adoption(s)/release(s) failed; first: ${String(failures[0])}`);
  }
}

export interface ClaimOptions {
  readonly client: ResourceClient;
  /** The owner as its informer holds it. */
  readonly owner: KubeObject;
  readonly ownerKind: OwnerKind;
  readonly selector: LabelSelector;
  /** The dependents' resource (pods, replicasets). */
  readonly dependents: GroupVersionResource;
  /**
   * A fresh read (not from the cache) of the owner, to make sure it still exists with the same uid
   * and is not being deleted before adopting anything (kube's RecheckDeletionTimestamp).
   */
  readonly getFreshOwner: () => Promise<KubeObject>;
}

/**
 * The objects among `candidates` that `owner` controls after adopting matching orphans and
 * releasing non-matching dependents. Objects controlled by someone else are left alone. Throws
 * ClaimDependentsError when an adoption or release failed for a reason other than the object
 * being gone.
 */
export async function claimControlledObjects<T extends KubeObject>(candidates: readonly T[], options: ClaimOptions): Promise<T[]> {
  const { owner, selector } = options;
  const ownerUid = owner.metadata?.uid ?? '';
  const ownerDeleting = isBeingDeleted(owner);
  const claimed: T[] = [];
  const failures: unknown[] = [];
  let adoptable: Promise<boolean> | undefined;
  for (const object of candidates) {
    const controllerRef = getControllerOf(object);
    const matches = labelSelectorMatches(selector, object.metadata?.labels);
    if (controllerRef !== undefined) {
      if (controllerRef.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(object);
        continue;
      }
      // Owned by us but the selector no longer matches: release, unless we are being deleted
      // (the garbage collector then deletes it with us).
      if (ownerDeleting) continue;
      try {
        await releaseObject(object, ownerUid, options);
      } catch (err) {
        if (!isNotFound(err) && resourceApiStatusOf(err).code !== 422) failures.push(err);
      }
      continue;
    }
    if (ownerDeleting || !matches || isBeingDeleted(object)) continue;
    adoptable ??= canAdopt(options, ownerUid);
    if (!(await adoptable)) continue;
    try {
      claimed.push(await adoptObject(object, options));
    } catch (err) {
      if (!isNotFound(err)) failures.push(err);
    }
  }
  if (failures.length > 0) throw new ClaimDependentsError(`${owner.metadata?.namespace ?? ''}/${owner.metadata?.name ?? ''}`, failures);
  return claimed;
}

async function canAdopt(options: ClaimOptions, ownerUid: string): Promise<boolean> {
  try {
    const fresh = await options.getFreshOwner();
    return fresh.metadata?.uid === ownerUid && !isBeingDeleted(fresh);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Adds the controller reference with a strategic merge patch; the uid guards against a recreated object. */
async function adoptObject<T extends KubeObject>(object: T, options: ClaimOptions): Promise<T> {
  const reference = newControllerRef(options.owner, options.ownerKind);
  const patch = { metadata: { ownerReferences: [reference], uid: object.metadata?.uid } };
  return options.client.patch<T & ResourceObject>(refOfObject(options.dependents, object), 'strategic', patch);
}

async function releaseObject(object: KubeObject, ownerUid: string, options: ClaimOptions): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: object.metadata?.uid } };
  await options.client.patch(refOfObject(options.dependents, object), 'strategic', patch);
}
