import { ApiStatusError, registryCollectionKey, registryObjectKey, StorageKeyNotFoundError } from '../../core/index.js';
import type { Storage } from '../../core/index.js';
import { defineActor } from '../runtime/index.js';
import type { ActorDefinition } from '../runtime/index.js';
import type { ApiServer } from './api-server.js';
import type { UserInfo } from './auth.js';
import { finalizersOf, isJsonMap, metaString } from './object-meta.js';

/** How often terminating namespaces are looked for (kube's controller is event-driven plus a resync). */
export const NAMESPACE_SYNC_INTERVAL_MS = 1_000;
/** Objects deleted per namespace per pass: a huge namespace empties over several passes. */
const DELETES_PER_PASS = 500;

const SYSTEM_USER: UserInfo = { name: 'system:serviceaccount:kube-system:namespace-controller', uid: '', groups: ['system:serviceaccounts', 'system:authenticated'] };

type NamespaceControllerMsg = { readonly type: 'sync' };

/**
 * The namespace controller: a namespace being deleted (deletionTimestamp set, phase
 * Terminating) has its contents deleted; once nothing is left in it, its `kubernetes` finalizer
 * is removed and it goes. Level-triggered: every pass looks at what is, not at events.
 */
export function namespaceController(api: ApiServer, storage: Storage): ActorDefinition<{ readonly passes: number }, NamespaceControllerMsg> {
  return defineActor<{ readonly passes: number }, NamespaceControllerMsg>({
    type: 'namespace-controller',
    initialState: (ctx) => {
      ctx.scheduleOnce(NAMESPACE_SYNC_INTERVAL_MS, { type: 'sync' });
      return { passes: 0 };
    },
    handle: async (state, _msg, ctx) => {
      // A failed pass (the store unreachable) is retried on the next one, not a crash.
      await syncTerminating(api, storage).catch((err: unknown) => ctx.log.warn('namespace sync failed', { error: String(err) }));
      ctx.scheduleOnce(NAMESPACE_SYNC_INTERVAL_MS, { type: 'sync' });
      return { passes: state.passes + 1 };
    },
  });
}

async function syncTerminating(api: ApiServer, storage: Storage): Promise<void> {
  const namespaces = await storage.getList(registryCollectionKey({ group: '', resource: 'namespaces' }));
  for (const ns of namespaces.items) {
    if (!isJsonMap(ns.metadata) || !ns.metadata.deletionTimestamp) continue;
    const name = metaString(ns, 'name');
    const remaining = await deleteContents(api, name);
    if (remaining === 0) await finalize(storage, name);
  }
}

/** Deletes what is in the namespace; returns how many objects are still there. */
async function deleteContents(api: ApiServer, namespace: string): Promise<number> {
  let remaining = 0;
  let budget = DELETES_PER_PASS;
  for (const type of api.table.all) {
    if (!type.namespaced) continue;
    const rest = api.rest(type.group, type.version, type.resource);
    if (!rest) continue;
    const { items } = await rest.list(namespace, {});
    remaining += items.length;
    for (const item of items) {
      if (budget-- <= 0) return remaining;
      if (isJsonMap(item.metadata) && item.metadata.deletionTimestamp) continue;
      await rest.delete(namespace, metaString(item, 'name'), { propagationPolicy: 'Background' }, { dryRun: false, fieldValidation: 'Ignore', user: SYSTEM_USER }).catch((err: unknown) => {
        if (!(err instanceof ApiStatusError && err.code === 404)) throw err;
      });
    }
  }
  return remaining;
}

/** Drops the `kubernetes` finalizer (spec.finalizers, as kube's /finalize) and deletes the namespace when nothing else holds it. */
async function finalize(storage: Storage, name: string): Promise<void> {
  const key = registryObjectKey({ group: '', resource: 'namespaces' }, undefined, name);
  try {
    const updated = await storage.guaranteedUpdate(key, (cur) => {
      if (!cur) throw new StorageKeyNotFoundError(key);
      const spec = isJsonMap(cur.spec) ? cur.spec : {};
      const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers.filter((f) => f !== 'kubernetes') : [];
      const next = structuredClone(cur);
      next.spec = { ...spec, finalizers };
      if (isJsonMap(next.metadata)) delete next.metadata.resourceVersion;
      return next;
    });
    const spec = isJsonMap(updated.spec) ? updated.spec : {};
    const specFinalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    if (specFinalizers.length === 0 && finalizersOf(updated).length === 0) await storage.delete(key);
  } catch (err) {
    if (!(err instanceof StorageKeyNotFoundError)) throw err;
  }
}
