// Resource arithmetic of the scheduler: what a pod requests and what a node can give, as plain
// numbers (CPU in millicores, memory and storage in bytes, extended resources as integers), so the
// per-node filter and scores never parse a quantity.

import { parseQuantity } from '../../core/index.js';
import type { Container, Node, Pod, ResourceList } from '../../core/index.js';

/** Requests (or capacity) of the resources the scheduler accounts for. Mutable only while being built. */
export interface SchedulerResources {
  milliCpu: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  /** Extended and other scalar resources (`nvidia.com/gpu`, `hugepages-2Mi`), by name. Absent: 0. */
  readonly scalar: Map<string, number>;
}

/** Kube's DefaultMilliCPURequest: what a container without a CPU request counts as when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Kube's DefaultMemoryRequest (200 MiB): what a container without a memory request counts as when scoring. */
export const DEFAULT_MEMORY_REQUEST_BYTES = 200 * 1024 * 1024;

export function emptyResources(): SchedulerResources {
  return { milliCpu: 0, memoryBytes: 0, ephemeralStorageBytes: 0, scalar: new Map() };
}

/** `a += sign × b`, in place. */
export function addResources(a: SchedulerResources, b: SchedulerResources, sign: 1 | -1 = 1): void {
  a.milliCpu += sign * b.milliCpu;
  a.memoryBytes += sign * b.memoryBytes;
  a.ephemeralStorageBytes += sign * b.ephemeralStorageBytes;
  for (const [name, v] of b.scalar) a.scalar.set(name, (a.scalar.get(name) ?? 0) + sign * v);
}

/** `a = max(a, b)` per resource, in place. */
function maxResources(a: SchedulerResources, b: SchedulerResources): void {
  a.milliCpu = Math.max(a.milliCpu, b.milliCpu);
  a.memoryBytes = Math.max(a.memoryBytes, b.memoryBytes);
  a.ephemeralStorageBytes = Math.max(a.ephemeralStorageBytes, b.ephemeralStorageBytes);
  for (const [name, v] of b.scalar) a.scalar.set(name, Math.max(a.scalar.get(name) ?? 0, v));
}

function cloneResources(r: SchedulerResources): SchedulerResources {
  return { milliCpu: r.milliCpu, memoryBytes: r.memoryBytes, ephemeralStorageBytes: r.ephemeralStorageBytes, scalar: new Map(r.scalar) };
}

/** Distinct quantity texts whose parsed value is remembered; further ones are parsed every time. */
export const QUANTITY_MEMO_MAX_ENTRIES = 4_096;
/** `m` or `u` (milli or unit) + the quantity's text → its number. Pods of one template repeat the same few texts. */
const quantityMemo = new Map<string, number>();

/** A quantity as the scheduler counts it; an unparsable one counts as 0 (validation rejects them anyway). */
function quantityNumber(value: string | number | undefined, milli: boolean): number {
  if (value === undefined) return 0;
  const memoKey = `${milli ? 'm' : 'u'}${typeof value === 'number' ? 'n' : 's'}${value}`;
  const known = quantityMemo.get(memoKey);
  if (known !== undefined) return known;
  let n: number;
  try {
    const q = parseQuantity(value);
    n = Number(milli ? q.milliValue() : q.value());
  } catch {
    n = 0;
  }
  if (quantityMemo.size < QUANTITY_MEMO_MAX_ENTRIES) quantityMemo.set(memoKey, n);
  return n;
}

/** A resource list (requests, allocatable) as numbers. `pods` is not a resource of a request and is skipped. */
export function resourcesOfList(list: ResourceList | undefined): SchedulerResources {
  const r = emptyResources();
  if (list === undefined) return r;
  for (const [name, value] of Object.entries(list)) {
    if (name === 'cpu') r.milliCpu = quantityNumber(value, true);
    else if (name === 'memory') r.memoryBytes = quantityNumber(value, false);
    else if (name === 'ephemeral-storage') r.ephemeralStorageBytes = quantityNumber(value, false);
    else if (name !== 'pods') r.scalar.set(name, quantityNumber(value, false));
  }
  return r;
}

/**
 * A container's requests; a resource with a limit but no request requests its limit (what the
 * API server's defaulting writes, applied here too for objects that never went through it).
 * With `nonZero`, missing CPU and memory requests count as kube's scoring defaults.
 */
function containerRequests(container: Container, nonZero: boolean): SchedulerResources {
  const resources = container.resources;
  const merged: ResourceList = { ...(resources?.limits ?? {}), ...(resources?.requests ?? {}) };
  const r = resourcesOfList(merged);
  if (nonZero) {
    if (merged['cpu'] === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (merged['memory'] === undefined) r.memoryBytes = DEFAULT_MEMORY_REQUEST_BYTES;
  }
  return r;
}

/**
 * What a pod requests, as kube's resource helpers compute it: the sum of its containers and of its
 * sidecars (init containers with restartPolicy Always, which keep running), or the largest need of
 * any init container phase (an init container runs alongside the sidecars started before it) if
 * that is more, plus the pod's overhead.
 */
export function computePodRequests(pod: Pod, nonZero: boolean): SchedulerResources {
  const spec = pod.spec;
  const total = emptyResources();
  for (const c of spec?.containers ?? []) addResources(total, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const c of spec?.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResources(total, own);
      addResources(sidecars, own);
      maxResources(initPeak, sidecars);
    } else {
      const phase = cloneResources(own);
      addResources(phase, sidecars);
      maxResources(initPeak, phase);
    }
  }
  maxResources(total, initPeak);
  if (spec?.overhead !== undefined) addResources(total, resourcesOfList(spec.overhead));
  return total;
}

/** A node's allocatable resources (capacity when allocatable is absent) and its pod limit. */
export interface NodeAllocatable {
  readonly resources: SchedulerResources;
  readonly pods: number;
}

export function nodeAllocatableOf(node: Node): NodeAllocatable {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { resources: resourcesOfList(list), pods: quantityNumber(list['pods'], false) };
}
