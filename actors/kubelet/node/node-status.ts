// Registers the kubelet's Node and keeps its status current (kubelet's registerWithAPIServer and
// updateNodeStatus). Status is computed every sync but written only when something other than a
// heartbeat time changed, or when the last write is older than the report frequency.

import type { Node, ResourceClient } from '../../../core/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import type { NodeHostFacts, NodeHostProbe } from './host-probe.js';
import type { NodeReadiness } from './node-conditions.js';
import { computeNodeConditions, nodeConditionsChanged } from './node-conditions.js';
import type { NodeRegistrationConfig } from './node-object.js';
import { initialNode, nodeLabels, nodeStaticStatus, NODES } from './node-object.js';

/** Kubernetes' default `--node-status-update-frequency`: how often status is computed. */
export const DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/** Kubernetes' `nodeStatusReportFrequency`: an unchanged status is still written this often. */
export const DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** Writes of one status sync, conflicts included, before giving up until the next sync. */
export const NODE_STATUS_WRITE_ATTEMPTS = 3;

export interface NodeStatusReporterOptions {
  readonly client: ResourceClient;
  readonly config: NodeRegistrationConfig;
  readonly probe: NodeHostProbe;
  readonly clock: Clock;
  /** Asked on every sync: whether the node is ready and what to add to the Ready message. */
  readonly readiness: () => NodeReadiness;
  readonly reportFrequencyMs?: number;
}

/** Thrown by syncStatus before register() has succeeded. */
export class NodeNotRegisteredError extends Error {
  override readonly name = 'NodeNotRegisteredError';
  constructor(readonly nodeName: string) {
    super(`node ${nodeName} is not registered yet`);
  }
}

export class NodeStatusReporter {
  private readonly options: NodeStatusReporterOptions;
  private facts: NodeHostFacts | undefined;
  /** The Node as last written or read; Invariant: set once register() resolved. */
  private node: Node | undefined;
  private lastReportMs = Number.NEGATIVE_INFINITY;

  constructor(options: NodeStatusReporterOptions) {
    this.options = options;
  }

  get nodeName(): string {
    return this.options.config.nodeName;
  }

  /** The Node as last written or read (undefined before registration). */
  get current(): Node | undefined {
    return this.node;
  }

  get hostFacts(): NodeHostFacts | undefined {
    return this.facts;
  }

  /**
   * Creates the Node, or takes over an existing one of the same name (a restarted kubelet):
   * its labels are brought up to date and its status replaced. Resolves with the Node as stored.
   */
  async register(): Promise<Node> {
    const { client, config, probe, clock } = this.options;
    this.facts = await probe.facts();
    const sample = await probe.sample();
    const nowMs = clock.now();
    let node: Node;
    try {
      node = await client.create<Node>(NODES, initialNode(config, this.facts, computeNodeConditions(undefined, sample, this.options.readiness(), nowMs)));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await client.get<Node>({ ...NODES, name: config.nodeName });
      const labels = { ...node.metadata?.labels, ...nodeLabels(config, this.facts) };
      if (JSON.stringify(labels) !== JSON.stringify(node.metadata?.labels ?? {})) {
        node = await client.update<Node>(NODES, { ...node, metadata: { ...node.metadata, labels } });
      }
    }
    this.node = node;
    // The create may have dropped status (a status subresource), and a taken-over Node has an old one.
    await this.writeStatus(nowMs, sample);
    return this.node;
  }

  /**
   * Computes the status now and writes it when it changed or is due; resolves to whether it
   * wrote. A Node deleted behind the kubelet's back is registered again.
   */
  async syncStatus(): Promise<boolean> {
    if (this.node === undefined || this.facts === undefined) throw new NodeNotRegisteredError(this.nodeName);
    const sample = await this.options.probe.sample();
    const nowMs = this.options.clock.now();
    const status = this.node.status ?? {};
    const conditions = computeNodeConditions(status.conditions, sample, this.options.readiness(), nowMs);
    const staticStatus = nodeStaticStatus(this.options.config, this.facts);
    const changed =
      nodeConditionsChanged(status.conditions, conditions) ||
      (Object.keys(staticStatus) as (keyof typeof staticStatus)[]).some((k) => JSON.stringify(status[k]) !== JSON.stringify(staticStatus[k]));
    const reportFrequencyMs = this.options.reportFrequencyMs ?? DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS;
    if (!changed && nowMs - this.lastReportMs < reportFrequencyMs) return false;
    await this.writeStatus(nowMs, sample);
    return true;
  }

  private async writeStatus(nowMs: number, sample: Awaited<ReturnType<NodeHostProbe['sample']>>): Promise<void> {
    const { client, config } = this.options;
    for (let attempt = 1; ; attempt++) {
      const base = this.node!;
      const status = {
        ...base.status,
        ...nodeStaticStatus(config, this.facts!),
        conditions: computeNodeConditions(base.status?.conditions, sample, this.options.readiness(), nowMs),
      };
      try {
        this.node = await client.updateStatus<Node>(NODES, { ...base, status });
        this.lastReportMs = nowMs;
        return;
      } catch (err) {
        if (attempt >= NODE_STATUS_WRITE_ATTEMPTS) throw err;
        if (isNotFound(err)) {
          await this.register();
          return;
        }
        if (!isConflict(err)) throw err;
        this.node = await client.get<Node>({ ...NODES, name: config.nodeName });
      }
    }
  }
}
