import { API_RESOURCES, formatRfc3339, StorageKeyExistsError, registryObjectKey, registryResourcePrefix } from '../../core/index.js';
import type { ApiResourceType, PodAdmissionSettings, Random, Storage, StorageObject } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { KubeHandler } from '../../transport/index.js';
import { KubeletClientPool } from '../../transport/index.js';
import { WebSocketServer } from 'ws';
import { Admission, IMMORTAL_NAMESPACES, namespaceLifecycle } from './admission.js';
import type { AdmissionPlugin } from './admission.js';
import { createApiHandler } from './api-handler.js';
import type { Authenticator, Authorizer } from './auth.js';
import { ALLOW_AUTHENTICATED } from './auth.js';
import { newUid } from './object-meta.js';
import { EXEC_MAX_MESSAGE_BYTES } from './pod-exec.js';
import { negotiateExecProtocol } from './pod-exec-channels.js';
import { podKubeletExtension } from './pod-kubelet-extension.js';
import { ResourceTable } from './resources.js';
import { ResourceRest } from './rest.js';
import { CachedStorage } from './watch-cache/index.js';
import type { CachedStorageOptions } from './watch-cache/index.js';

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
  /** The watch cache in front of `storage` for watches and resourceVersion=0 lists: on unless false. */
  readonly watchCache?: false | Omit<CachedStorageOptions, 'scheduler'>;
  /** Clients of the kubelets (pods/log, pods/exec, metrics); default a pool without a token. */
  readonly kubelets?: KubeletClientPool;
  /** The default not-ready/unreachable toleration seconds new pods get (300 each unless set). */
  readonly podAdmission?: PodAdmissionSettings;
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
  /** The rest of each resource's storage prefix (the first, where versions share one). */
  private readonly restByPrefix = new Map<string, ResourceRest>();
  readonly handler: KubeHandler;
  /** What the resources read and write: `storage` behind the watch cache unless it is off. */
  readonly storage: Storage;
  /** The kubelet clients of pods/log, pods/exec and metrics.k8s.io; close() closes them. */
  readonly kubelets: KubeletClientPool;
  private readonly webSockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: EXEC_MAX_MESSAGE_BYTES, handleProtocols: (offered) => negotiateExecProtocol(offered) ?? false });

  constructor(private readonly o: ApiServerOptions) {
    // Each object entering the watch cache is serialized once, then: every list and JSON watch of
    // it copies those bytes (a first `kubectl get pods` of 10,000 pods does not pay 10,000 serializations).
    this.storage = withWatchCache(o, (prefix, object) => {
      if (Object.isFrozen(object)) this.restByPrefix.get(prefix)?.typedJson(object);
    });
    this.table = new ResourceTable(o.resources ?? API_RESOURCES);
    this.admission = new Admission([namespaceLifecycle(o.storage), ...(o.admissionPlugins ?? [])]);
    for (const r of this.table.all) {
      const rest = new ResourceRest(r, this.storage, o.clock, o.random, this.admission, o.podAdmission);
      this.rests.set(`${r.group}/${r.version}/${r.resource}`, rest);
      const prefix = registryResourcePrefix({ group: r.group, resource: r.resource });
      if (!this.restByPrefix.has(prefix)) this.restByPrefix.set(prefix, rest);
    }
    this.kubelets = o.kubelets ?? new KubeletClientPool();
    const pods = this.rests.get('/v1/pods');
    const nodes = this.rests.get('/v1/nodes');
    const extension = pods && nodes ? podKubeletExtension({ pods, nodes, kubelets: this.kubelets, webSockets: this.webSockets }, () => o.clock.now()) : undefined;
    this.handler = createApiHandler({
      resources: this.table.all,
      rest: (g, v, r) => this.rests.get(`${g}/${v}/${r}`),
      authenticator: o.authenticator,
      authorizer: o.authorizer ?? ALLOW_AUTHENTICATED,
      nowMs: () => o.clock.now(),
      ready: () => this.ready(),
      ...(o.metrics ? { metrics: o.metrics } : {}),
      serverAddress: o.serverAddress ?? (() => '127.0.0.1:6443'),
      ...(extension ? { extension } : {}),
    });
  }

  /** Ends open exec sessions and closes the kubelet clients. */
  close(): void {
    for (const ws of this.webSockets.clients) ws.terminate();
    this.webSockets.close();
    this.kubelets.close();
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

  /**
   * Fills the watch cache of every resource from the store, as kube-apiserver does at start,
   * so no request waits for a cache to fill. Resolves with how many resources are cached (none
   * when the cache is off); a cache that cannot start now starts at its first use instead.
   */
  async warmWatchCache(): Promise<number> {
    const storage = this.storage;
    if (!(storage instanceof CachedStorage)) return 0;
    const ready = await Promise.all([...this.restByPrefix.keys()].map((prefix) => storage.prime(prefix)));
    return ready.filter(Boolean).length;
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

/** `o.storage` behind a CachedStorage whose timers run on the API server's clock, unless `o.watchCache` is false. */
function withWatchCache(o: ApiServerOptions, onCached: (prefix: string, object: StorageObject) => void): Storage {
  if (o.watchCache === false) return o.storage;
  const scheduler = {
    every: (intervalMs: number, fn: () => void): (() => void) => {
      const timer = o.clock.setInterval(fn, intervalMs);
      return () => timer.cancel();
    },
  };
  return new CachedStorage(o.storage, { ...(o.watchCache ?? {}), scheduler, onCached });
}
