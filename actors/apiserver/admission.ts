import { ApiForbiddenError, ApiNotFoundError, StorageKeyNotFoundError, registryObjectKey } from '../../core/index.js';
import type { ApiResourceType, Storage } from '../../core/index.js';
import type { UserInfo } from './auth.js';
import type { JsonMap } from './object-meta.js';
import { isJsonMap } from './object-meta.js';

export interface AdmissionAttributes {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly type: ApiResourceType;
  /** '' for cluster-scoped resources. */
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
  /** The object as it will be written (mutating plugins may change it). */
  readonly object: JsonMap;
  readonly oldObject?: JsonMap;
  readonly user: UserInfo;
}

/** One admission plugin: mutates `attrs.object` and/or throws a Status error to refuse. */
export interface AdmissionPlugin {
  readonly name: string;
  admit(attrs: AdmissionAttributes): void | Promise<void>;
}

/** The plugins in order (mutating before validating, as kube runs them). Quotas and policies plug in here. */
export class Admission {
  constructor(private readonly plugins: readonly AdmissionPlugin[]) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) await p.admit(attrs);
  }
}

/** Namespaces that always exist and may not be deleted, as kube's NamespaceLifecycle keeps them. */
export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public'];

/**
 * kube's NamespaceLifecycle: nothing is created in a namespace that does not exist (404) or is
 * being terminated (403), and the system namespaces cannot be deleted.
 */
export function namespaceLifecycle(storage: Storage): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async admit(a: AdmissionAttributes): Promise<void> {
      const isNamespace = a.type.group === '' && a.type.kind === 'Namespace';
      if (isNamespace && a.operation === 'DELETE' && IMMORTAL_NAMESPACES.includes(a.name)) {
        throw new ApiForbiddenError({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !a.type.namespaced || a.namespace === '') return;
      // As kube's plugin reads its namespace informer: the local copy first (no ReadIndex round
      // through the leader on every create), and a live read only when that has no namespace.
      const key = registryObjectKey({ group: '', resource: 'namespaces' }, undefined, a.namespace);
      let ns: JsonMap;
      try {
        ns = await storage.get(key, { resourceVersion: '0' }).catch((err: unknown) => {
          if (err instanceof StorageKeyNotFoundError) return storage.get(key, { resourceVersion: '' });
          throw err;
        });
      } catch (err) {
        if (err instanceof StorageKeyNotFoundError) throw new ApiNotFoundError({ group: '', resource: 'namespaces' }, a.namespace);
        throw err;
      }
      const meta = isJsonMap(ns.metadata) ? ns.metadata : {};
      const phase = isJsonMap(ns.status) ? ns.status.phase : undefined;
      if (meta.deletionTimestamp || phase === 'Terminating') {
        throw new ApiForbiddenError({ group: a.type.group, resource: a.type.resource }, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
      }
    },
  };
}
