// The Node object a kubelet registers: identity labels, capacity and allocatable, addresses,
// nodeInfo and the daemon endpoint (kubelet's initialNode plus its status setters).

import type { Node, NodeCondition, ResourceList } from '../../../core/index.js';
import type { NodeHostFacts } from './host-probe.js';

export const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;

/** What this build reports as its kubelet version (Node.status.nodeInfo.kubeletVersion). */
export const KUBELET_VERSION = 'v1.32.0-flotilla';
/** Kubernetes' default `--max-pods`. */
export const DEFAULT_MAX_PODS = 110;
/** Label every hollow node carries, so benchmarks and users can tell them apart. */
export const HOLLOW_NODE_LABEL = 'flotilla.io/hollow';

/** How one kubelet describes its node. */
export interface NodeRegistrationConfig {
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly maxPods: number;
  /** `<runtime name>://<version>`, e.g. `flotilla-process://0.1`. */
  readonly containerRuntimeVersion: string;
  /** Extra labels (e.g. `flotilla.io/hollow: "true"`, `node.kubernetes.io/instance-type`). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The port of the kubelet's own server (logs, exec, stats) for status.daemonEndpoints; 0 (the
   * default) until that server exists. A function, so a server started later can fill it in.
   */
  readonly kubeletPort?: () => number;
  /** spec.podCIDR(s): the range the node's pod IPs come from. */
  readonly podCidr?: string;
}

/** `kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch`, plus the config's extra labels. */
export function nodeLabels(config: NodeRegistrationConfig, facts: NodeHostFacts): Record<string, string> {
  return {
    'kubernetes.io/hostname': config.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': facts.architecture,
    ...config.labels,
  };
}

export function nodeCapacity(config: NodeRegistrationConfig, facts: NodeHostFacts): ResourceList {
  return {
    cpu: String(facts.cpuCores),
    memory: String(facts.memoryBytes),
    pods: String(config.maxPods),
    ...(facts.ephemeralStorageBytes === undefined ? {} : { 'ephemeral-storage': String(facts.ephemeralStorageBytes) }),
  };
}

/** The status fields that depend only on the host and config (not on time or pressure). */
export function nodeStaticStatus(config: NodeRegistrationConfig, facts: NodeHostFacts): NonNullable<Node['status']> {
  const capacity = nodeCapacity(config, facts);
  return {
    capacity,
    // Nothing is reserved for the system yet (no --kube-reserved / --system-reserved).
    allocatable: { ...capacity },
    addresses: [
      { type: 'InternalIP', address: config.nodeIP },
      { type: 'Hostname', address: config.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort?.() ?? 0 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: config.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: facts.architecture,
    },
  };
}

/** The Node to create on first registration. */
export function initialNode(config: NodeRegistrationConfig, facts: NodeHostFacts, conditions: NodeCondition[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: config.nodeName, labels: nodeLabels(config, facts) },
    spec: config.podCidr === undefined ? {} : { podCIDR: config.podCidr, podCIDRs: [config.podCidr] },
    status: { ...nodeStaticStatus(config, facts), conditions },
  };
}

/** The CPU and memory a pod may assume when it sets no limit (resourceFieldRef), from the capacity. */
export function nodeAllocatableOf(facts: NodeHostFacts): { readonly cpuMillis: number; readonly memoryBytes: number } {
  return { cpuMillis: facts.cpuCores * 1000, memoryBytes: facts.memoryBytes };
}
