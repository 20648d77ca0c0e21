import { API_RESOURCES, formatRfc3339, StorageKeyExistsError, registryObjectKey } from '../../core/index.js';
import type { ApiResourceType, Random, Storage } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { KubeHandler } from '../../transport/index.js';
import { Admission, IMMORTAL_NAMESPACES, namespaceLifecycle } from './admission.js';
import type { AdmissionPlugin } from './admission.js';
import { createApiHandler } from './api-handler.js';
import type { Authenticator, Authorizer } from './auth.js';
import { ALLOW_AUTHENTICATED } from './auth.js';
import { newUid } from './object-meta.js';
import { ResourceTable } from './resources.js';
import { ResourceRest } from './rest.js';

export interface ApiServerOptions {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly authenticator: Authenticator;
  readonly authorizer?: Authorizer;
  /** Plugins run after the built-in NamespaceLifecycle. */
  readonly admissionPlugins?: readonly AdmissionPlugin[];
  readonly resources?: readonly ApiResourceType[];
  readonly metrics?: () => Promise<string>;
  readonly serverAddress?: () => string;
}

/** Namespaces every cluster has (kube-apiserver's system namespaces controller creates them). */
export const SYSTEM_NAMESPACES: readonly string[] = [...IMMORTAL_NAMESPACES, 'kube-node-lease'];

/**
 * One API server: the registry of every resource over one Storage, the admission chain, and
 * the HTTP handler. Any number of them may share a store; every write goes through it.
 */
export class ApiServer {
  readonly table: ResourceTable;
  readonly admission: Admission;
  private readonly rests = new Map<string, ResourceRest>();
  readonly handler: KubeHandler;

  constructor(private readonly o: ApiServerOptions) {
    this.table = new ResourceTable(o.resources ?? API_RESOURCES);
    this.admission = new Admission([namespaceLifecycle(o.storage), ...(o.admissionPlugins ?? [])]);
    for (const r of this.table.all) this.rests.set(`${r.group}/${r.version}/${r.resource}`, new ResourceRest(r, o.storage, o.clock, o.random, this.admission));
    this.handler = createApiHandler({
      resources: this.table.all,
      rest: (g, v, r) => this.rests.get(`${g}/${v}/${r}`),
      authenticator: o.authenticator,
      authorizer: o.authorizer ?? ALLOW_AUTHENTICATED,
      nowMs: () => o.clock.now(),
      ready: () => this.ready(),
      ...(o.metrics ? { metrics: o.metrics } : {}),
      serverAddress: o.serverAddress ?? (() => '127.0.0.1:6443'),
    });
  }

  rest(group: string, version: string, resource: string): ResourceRest | undefined {
    return this.rests.get(`${group}/${version}/${resource}`);
  }

  /** Whether the store answers a linearizable read. */
  async ready(): Promise<boolean> {
    try {
      await this.o.storage.currentRevision();
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the system namespaces that do not exist yet (every API server does; the first wins). */
  async ensureSystemNamespaces(): Promise<void> {
    for (const name of SYSTEM_NAMESPACES) {
      const ns = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: newUid(this.o.random), creationTimestamp: formatRfc3339(this.o.clock.now()), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
      try {
        await this.o.storage.create(registryObjectKey({ group: '', resource: 'namespaces' }, undefined, name), ns);
      } catch (err) {
        if (!(err instanceof StorageKeyExistsError)) throw err;
      }
    }
  }
}
