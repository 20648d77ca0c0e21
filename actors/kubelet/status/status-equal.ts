// Whether two pod statuses say the same thing, so the kubelet writes a status only when it changed.

import type { PodStatus } from '../../../core/index.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      // The API drops null fields (`lastProbeTime: null`), so a status read back holds none.
      if (field !== undefined && field !== null) out[key] = canonical(field);
    }
    return out;
  }
  return value;
}

/**
 * Deep equality ignoring key order and absent-vs-undefined-vs-null fields. Timestamps are compared too:
 * computePodStatus keeps them stable while nothing changes, so equal inputs give equal statuses.
 */
export function podStatusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));
}
