// Node selector matching for spec.nodeSelector and nodeAffinity (component-helpers' nodeaffinity):
// terms are ORed, a term's requirements ANDed; an empty term matches nothing.

import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../core/index.js';

function labelRequirementMatches(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const nodeValue = parseStrictInt(value);
      const bound = parseStrictInt(values[0]!);
      if (nodeValue === undefined || bound === undefined) return false;
      return req.operator === 'Gt' ? nodeValue > bound : nodeValue < bound;
    }
    default:
      return false;
  }
}

/** Go's strconv.ParseInt(s, 10, 64) as far as label values go: an optional sign and digits. */
function parseStrictInt(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** matchFields supports only metadata.name, with In and NotIn. */
function fieldRequirementMatches(req: NodeSelectorRequirement, nodeName: string): boolean {
  if (req.key !== 'metadata.name') return false;
  const values = req.values ?? [];
  if (req.operator === 'In') return values.length === 1 && values[0] === nodeName;
  if (req.operator === 'NotIn') return values.length === 1 && values[0] !== nodeName;
  return false;
}

export function isEmptyNodeSelectorTerm(term: NodeSelectorTerm): boolean {
  return (term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0;
}

export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  if (isEmptyNodeSelectorTerm(term)) return false;
  const labels = node.metadata?.labels ?? {};
  for (const req of term.matchExpressions ?? []) if (!labelRequirementMatches(req, labels)) return false;
  const name = node.metadata?.name ?? '';
  for (const req of term.matchFields ?? []) if (!fieldRequirementMatches(req, name)) return false;
  return true;
}

/** Whether the pod's nodeSelector and required node affinity both admit `node` (the NodeAffinity filter). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const selector = pod.spec?.nodeSelector;
  if (selector !== undefined) {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== undefined) {
    let any = false;
    for (const term of required.nodeSelectorTerms) {
      if (nodeSelectorTermMatches(term, node)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/** True when the pod constrains nodes by selector or required affinity at all (so the filter can be skipped otherwise). */
export function podHasNodeConstraints(pod: Pod): boolean {
  return pod.spec?.nodeSelector !== undefined || pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
}

/** Sum of the weights of the preferred terms `node` matches (the NodeAffinity score before normalising). */
export function preferredNodeAffinityScore(pod: Pod, node: Node): number {
  let score = 0;
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight === 0) continue;
    if (nodeSelectorTermMatches(p.preference, node)) score += p.weight;
  }
  return score;
}
