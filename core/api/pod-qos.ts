// A pod's QoS class (Guaranteed, Burstable, BestEffort), computed as Kubernetes does when a
// pod is created.
import { Quantity, QuantityParseError } from './quantity.js';
import type { Pod } from './types/pod.js';

export type PodQosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

function positiveQuantity(value: unknown): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    const quantity = Quantity.parse(String(value));
    return quantity.sign() > 0 ? quantity : undefined;
  } catch (error) {
    if (error instanceof QuantityParseError) return undefined;
    throw error;
  }
}

/**
 * Guaranteed when every container limits cpu and memory and all requests equal limits;
 * BestEffort when no container requests or limits cpu or memory; Burstable otherwise.
 */
export function computePodQosClass(pod: Pod): PodQosClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const accumulate = (into: Map<string, Quantity>, name: string, quantity: Quantity): void => {
    const current = into.get(name);
    into.set(name, current === undefined ? quantity : current.add(quantity));
  };
  for (const container of containers) {
    for (const name of QOS_RESOURCES) {
      const request = positiveQuantity(container.resources?.requests?.[name]);
      if (request !== undefined) accumulate(requests, name, request);
    }
    const limitsFound = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const limit = positiveQuantity(container.resources?.limits?.[name]);
      if (limit === undefined) continue;
      limitsFound.add(name);
      accumulate(limits, name, limit);
    }
    if (!limitsFound.has('cpu') || !limitsFound.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (limit === undefined || limit.cmp(request) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
