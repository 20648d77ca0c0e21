// metrics.k8s.io/v1beta1, as metrics-server serves it through aggregation: NodeMetrics (nodes)
// and PodMetrics (pods), get and list, computed on demand from each relevant kubelet's
// StatsSummary (asked in parallel, each with a short deadline). A node or pod whose kubelet does
// not answer, or has no CPU rate yet, is left out of a list and is NotFound by name, as
// metrics-server does. Listed in discovery (so `kubectl top` finds the group), not in OpenAPI.

import { ApiMethodNotAllowedError, ApiNotFoundError, formatRfc3339 } from '../../core/index.js';
import type { OpenApiResource } from '../../core/index.js';
import type { KubeHttpResponse, KubeletPodUsage, KubeletStatsSummary, ResourceRequestInfo } from '../../transport/index.js';
import { isJsonMap, metaOf } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import type { PodKubeletContext } from './pod-kubelet.js';
import { kubeletAddressOf } from './pod-kubelet.js';
import { selectionPredicate } from './resource-handler.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
/** Kubelets asked at once by one metrics request. */
export const METRICS_MAX_CONCURRENT_KUBELET_CALLS = 32;
/** Deadline of one kubelet's StatsSummary within a metrics request. */
export const METRICS_KUBELET_TIMEOUT_MS = 3_000;

/** The discovery entries of metrics.k8s.io (metrics-server's APIService). */
export const METRICS_API_RESOURCES: readonly OpenApiResource[] = [
  { group: METRICS_GROUP, version: METRICS_VERSION, kind: 'NodeMetrics', resource: 'nodes', namespaced: false, singular: '', verbs: ['get', 'list'] },
  { group: METRICS_GROUP, version: METRICS_VERSION, kind: 'PodMetrics', resource: 'pods', namespaced: true, singular: '', verbs: ['get', 'list'] },
];

/** CPU as metrics-server writes it: whole millicores as `12m`, else nano-cores `1234567n`. */
export function formatCpuNanoCores(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n === 0) return '0';
  return n % 1_000_000 === 0 ? `${n / 1_000_000}m` : `${n}n`;
}

/** Bytes as a binary-SI quantity: the largest of Ki, Mi, Gi, Ti that divides it exactly, else plain bytes. */
export function formatMemoryBytes(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (i < suffixes.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${suffixes[i]!}`;
}

/** A window as a Go duration (`10.5s`). */
function formatWindow(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** Runs `work` over `items` with at most `limit` at once; failures become undefined. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<(R | undefined)[]> {
  const out: (R | undefined)[] = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        out[i] = await work(items[i]!);
      } catch {
        out[i] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

async function summaryOfNode(c: PodKubeletContext, nodeName: string): Promise<KubeletStatsSummary> {
  return c.kubelets.clientFor(await kubeletAddressOf(c, nodeName)).statsSummary(METRICS_KUBELET_TIMEOUT_MS);
}

function nodeMetrics(node: JsonMap, summary: KubeletStatsSummary, nowMs: number): JsonMap {
  const meta = metaOf(node);
  return {
    metadata: { name: meta.name, creationTimestamp: formatRfc3339(nowMs), ...(isJsonMap(meta.labels) ? { labels: meta.labels } : {}) },
    timestamp: formatRfc3339(summary.node.timestampMs),
    window: formatWindow(summary.node.windowMs),
    usage: { cpu: formatCpuNanoCores(summary.node.cpuUsageNanoCores), memory: formatMemoryBytes(summary.node.memoryWorkingSetBytes) },
  };
}

function podMetrics(pod: JsonMap, usage: KubeletPodUsage, nowMs: number): JsonMap {
  const meta = metaOf(pod);
  return {
    metadata: { name: meta.name, namespace: meta.namespace, creationTimestamp: formatRfc3339(nowMs), ...(isJsonMap(meta.labels) ? { labels: meta.labels } : {}) },
    timestamp: formatRfc3339(usage.timestampMs),
    window: formatWindow(usage.windowMs),
    containers: usage.containers.map((ct) => ({ name: ct.name, usage: { cpu: formatCpuNanoCores(ct.cpuUsageNanoCores), memory: formatMemoryBytes(ct.memoryWorkingSetBytes) } })),
  };
}

function list(kind: string, items: JsonMap[]): KubeHttpResponse {
  return { type: 'json', code: 200, body: { kind, apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, metadata: {}, items } };
}

function one(kind: string, item: JsonMap): KubeHttpResponse {
  return { type: 'json', code: 200, body: { kind, apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, ...item } };
}

async function serveNodeMetrics(c: PodKubeletContext, info: ResourceRequestInfo, nowMs: number): Promise<KubeHttpResponse> {
  const nodes = info.name !== '' ? [await c.nodes.get('', info.name).catch(() => undefined)].filter((n): n is JsonMap => n !== undefined) : (await c.nodes.list('', selectionOf(c.nodes, info.query))).items;
  const summaries = await mapBounded(nodes, METRICS_MAX_CONCURRENT_KUBELET_CALLS, (n) => summaryOfNode(c, String(metaOf(n).name ?? '')));
  const items = nodes.flatMap((n, i) => (summaries[i] === undefined || summaries[i].node.windowMs <= 0 ? [] : [nodeMetrics(n, summaries[i], nowMs)]));
  if (info.name === '') return list('NodeMetricsList', items);
  if (items[0] === undefined) throw new ApiNotFoundError({ group: METRICS_GROUP, resource: 'nodemetrics' }, info.name);
  return one('NodeMetrics', items[0]);
}

async function servePodMetrics(c: PodKubeletContext, info: ResourceRequestInfo, nowMs: number): Promise<KubeHttpResponse> {
  const pods = info.name !== '' ? [await c.pods.get(info.namespace, info.name).catch(() => undefined)].filter((p): p is JsonMap => p !== undefined) : (await c.pods.list(info.namespace, selectionOf(c.pods, info.query))).items;
  const nodeNames = [...new Set(pods.map((p) => (isJsonMap(p.spec) && typeof p.spec.nodeName === 'string' ? p.spec.nodeName : '')).filter((n) => n !== ''))];
  const summaries = await mapBounded(nodeNames, METRICS_MAX_CONCURRENT_KUBELET_CALLS, (n) => summaryOfNode(c, n));
  const usageByPod = new Map<string, KubeletPodUsage>();
  for (const s of summaries) for (const u of s?.pods ?? []) usageByPod.set(`${u.namespace}/${u.name}/${u.uid}`, u);
  const items: JsonMap[] = [];
  for (const pod of pods) {
    const meta = metaOf(pod);
    const usage = usageByPod.get(`${String(meta.namespace ?? '')}/${String(meta.name ?? '')}/${String(meta.uid ?? '')}`);
    if (usage !== undefined && usage.containers.length > 0) items.push(podMetrics(pod, usage, nowMs));
  }
  if (info.name === '') return list('PodMetricsList', items);
  if (items[0] === undefined) throw new ApiNotFoundError({ group: METRICS_GROUP, resource: 'podmetrics' }, info.name);
  return one('PodMetrics', items[0]);
}

function selectionOf(rest: PodKubeletContext['pods'], q: URLSearchParams): { predicate?: NonNullable<ReturnType<typeof selectionPredicate>> } {
  const predicate = selectionPredicate({ rest }, q);
  return predicate === undefined ? {} : { predicate };
}

/** Serves a request under /apis/metrics.k8s.io/v1beta1; undefined when the path is not one of its resources. */
export function serveMetricsApi(c: PodKubeletContext, info: ResourceRequestInfo, nowMs: () => number): Promise<KubeHttpResponse> | undefined {
  if (info.apiGroup !== METRICS_GROUP || info.apiVersion !== METRICS_VERSION) return undefined;
  if (info.resource !== 'nodes' && info.resource !== 'pods') return undefined;
  if (info.subresource !== '') return undefined;
  if (info.resource === 'nodes' && info.namespace !== '') return undefined;
  if (info.verb !== 'get' && info.verb !== 'list') return Promise.reject(new ApiMethodNotAllowedError({ group: METRICS_GROUP, resource: info.resource }, info.verb));
  return info.resource === 'nodes' ? serveNodeMetrics(c, info, nowMs()) : servePodMetrics(c, info, nowMs());
}
