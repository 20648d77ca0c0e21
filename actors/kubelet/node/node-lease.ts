// The node's heartbeat: a Lease `kube-node-lease/<node>` renewed every renew interval (kubelet's
// nodelease controller). The node lifecycle controller reads renewTime to tell a live node from
// a dead one; the Lease is owned by the Node so it goes when the Node does.

import type { Lease, Node, ResourceClient } from '../../../core/index.js';
import { formatRfc3339Micro, isAlreadyExists, isConflict, isNotFound } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';

export const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Kubernetes' default `--node-lease-duration-seconds`. */
export const DEFAULT_NODE_LEASE_DURATION_SECONDS = 40;
/** Kubernetes renews at a quarter of the duration: 10 s for the default 40 s. */
export const NODE_LEASE_RENEW_INTERVAL_FRACTION = 0.25;
/** Attempts of one renewal (a conflict re-reads the Lease and tries again). */
export const NODE_LEASE_RENEW_ATTEMPTS = 3;

export function nodeLeaseRenewIntervalMs(leaseDurationSeconds: number): number {
  return Math.max(1, Math.round(leaseDurationSeconds * 1000 * NODE_LEASE_RENEW_INTERVAL_FRACTION));
}

export function nodeLeaseFor(node: Node, leaseDurationSeconds: number, nowMs: number): Lease {
  const name = node.metadata?.name ?? '';
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid ?? '' }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds, renewTime: formatRfc3339Micro(nowMs) },
  };
}

export class NodeLeaseRenewer {
  /** The Lease as last written; dropped on a conflict so the next attempt reads it again. */
  private lease: Lease | undefined;
  private renewCount = 0;

  constructor(
    private readonly client: ResourceClient,
    private readonly clock: Clock,
    private readonly leaseDurationSeconds: number,
    /** The registered Node (the Lease's owner). */
    private readonly node: () => Node | undefined,
  ) {}

  get current(): Lease | undefined {
    return this.lease;
  }

  /** Successful renewals (creation included) since this renewer was made. */
  get renewals(): number {
    return this.renewCount;
  }

  /** Renews (creating the Lease when missing); resolves with the Lease as stored. */
  async renew(): Promise<Lease> {
    const node = this.node();
    if (node === undefined) throw new Error('node lease: the node is not registered yet');
    const name = node.metadata?.name ?? '';
    for (let attempt = 1; ; attempt++) {
      const nowMs = this.clock.now();
      try {
        if (this.lease === undefined) {
          try {
            this.lease = await this.client.get<Lease>({ ...LEASES, namespace: NODE_LEASE_NAMESPACE, name });
          } catch (err) {
            if (!isNotFound(err)) throw err;
            this.lease = await this.client.create<Lease>(LEASES, nodeLeaseFor(node, this.leaseDurationSeconds, nowMs));
            this.renewCount++;
            return this.lease;
          }
        }
        const desired = nodeLeaseFor(node, this.leaseDurationSeconds, nowMs);
        const next: Lease = {
          ...this.lease,
          metadata: { ...this.lease.metadata, ownerReferences: desired.metadata?.ownerReferences },
          spec: { ...this.lease.spec, ...desired.spec },
        };
        this.lease = await this.client.update<Lease>(LEASES, next);
        this.renewCount++;
        return this.lease;
      } catch (err) {
        this.lease = undefined;
        if (attempt >= NODE_LEASE_RENEW_ATTEMPTS || !(isConflict(err) || isNotFound(err) || isAlreadyExists(err))) throw err;
      }
    }
  }
}
