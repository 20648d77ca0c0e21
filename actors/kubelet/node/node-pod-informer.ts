// The pods bound to this process's nodes: ONE informer (one list+watch) whose events are routed
// to the kubelet of each pod's spec.nodeName. A worker with one node selects
// `spec.nodeName=<node>`; a hollow worker with a thousand nodes selects every bound pod once
// instead of opening a thousand watches.

import type { Pod, ResourceClient, Random } from '../../../core/index.js';
import { deletedObjectOf, indexByNodeName, NODE_NAME_INDEX, SharedInformer } from '../../../core/index.js';
import type { ClientClock, InformerErrorHandler } from '../../../core/index.js';
import { PODS } from './mirror-pods.js';

/** What one kubelet hears about its pods. Called synchronously from the informer: hand off, do not block. */
export interface NodePodHandler {
  onPodChanged(pod: Pod): void;
  onPodDeleted(pod: Pod): void;
}

export interface NodePodInformerOptions {
  readonly client: ResourceClient;
  readonly clock: ClientClock;
  readonly random: Random;
  /** `spec.nodeName=<node>` for one node; `spec.nodeName!=` for every bound pod. */
  readonly fieldSelector: string;
  readonly onError?: InformerErrorHandler;
}

/** The field selector of a worker serving only `nodeName`. */
export function podsOfNodeFieldSelector(nodeName: string): string {
  return `spec.nodeName=${nodeName}`;
}

/** The field selector of a worker serving many nodes (hollow): every pod bound to some node. */
export const BOUND_PODS_FIELD_SELECTOR = 'spec.nodeName!=';

const nodeNameOf = (pod: Pod): string => pod.spec?.nodeName ?? '';

export class NodePodInformer {
  private readonly informer: SharedInformer<Pod>;
  private readonly handlers = new Map<string, NodePodHandler>();

  constructor(options: NodePodInformerOptions) {
    this.informer = new SharedInformer<Pod>({
      client: options.client,
      resource: PODS,
      clock: options.clock,
      random: options.random,
      fieldSelector: options.fieldSelector,
      indexers: { [NODE_NAME_INDEX]: indexByNodeName },
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    this.informer.addEventHandler({
      onAdd: (pod) => this.handlers.get(nodeNameOf(pod))?.onPodChanged(pod),
      onUpdate: (old, pod) => {
        if (nodeNameOf(old) !== nodeNameOf(pod)) this.handlers.get(nodeNameOf(old))?.onPodDeleted(old);
        this.handlers.get(nodeNameOf(pod))?.onPodChanged(pod);
      },
      onDelete: (deleted) => {
        const pod = deletedObjectOf(deleted);
        this.handlers.get(nodeNameOf(pod))?.onPodDeleted(pod);
      },
    });
  }

  /**
   * Routes `nodeName`'s pod events to `handler` (one handler per node), first replaying the pods
   * already cached as changes, synchronously. Returns the unsubscribe function.
   */
  subscribe(nodeName: string, handler: NodePodHandler): () => void {
    this.handlers.set(nodeName, handler);
    for (const pod of this.podsOf(nodeName)) handler.onPodChanged(pod);
    return () => {
      if (this.handlers.get(nodeName) === handler) this.handlers.delete(nodeName);
    };
  }

  /** The cached pods bound to `nodeName` (shared with the cache: do not mutate). */
  podsOf(nodeName: string): Pod[] {
    return this.informer.cache.byIndex(NODE_NAME_INDEX, nodeName);
  }

  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  waitForSync(): Promise<void> {
    return this.informer.waitForSync();
  }

  start(): void {
    this.informer.start();
  }

  stop(): void {
    this.informer.stop();
  }
}
