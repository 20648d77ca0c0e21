// Small builders of nodes and pods for the scheduler's tests.
import type { Node, Pod, PodSpec, Taint } from '../../../core/index.js';

export interface NodeFixture {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: Taint[];
  readonly unschedulable?: boolean;
  readonly ready?: 'True' | 'False' | 'Unknown' | 'missing';
}

export function makeNode(name: string, f: NodeFixture = {}): Node {
  const allocatable = { cpu: f.cpu ?? '4', memory: f.memory ?? '16Gi', pods: f.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(f.labels ?? {}) } },
    spec: { ...(f.taints ? { taints: f.taints } : {}), ...(f.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, conditions: f.ready === 'missing' ? [] : [{ type: 'Ready', status: f.ready ?? 'True' }] },
  };
}

export interface PodFixture {
  readonly namespace?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly labels?: Record<string, string>;
  readonly nodeName?: string;
  readonly ownerUid?: string;
  readonly spec?: Partial<PodSpec>;
  readonly priority?: number;
}

export function makePod(name: string, f: PodFixture = {}): Pod {
  const requests: Record<string, string> = {};
  if (f.cpu !== undefined) requests['cpu'] = f.cpu;
  if (f.memory !== undefined) requests['memory'] = f.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: f.labels ?? {},
      ...(f.ownerUid ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: f.ownerUid, controller: true }] } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'pause', resources: { requests } }],
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
      ...(f.priority !== undefined ? { priority: f.priority } : {}),
      ...(f.spec ?? {}),
    },
  };
}
