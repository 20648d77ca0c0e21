import { isJsonObject, objectList, stringList, stringMap, type JsonObject } from './fields.js';

/**
 * `labels.FormatLabels`: a label map as "k1=v1,k2=v2" with keys sorted, or "<none>" when empty.
 * Used for the Service SELECTOR and DaemonSet NODE SELECTOR columns.
 */
export function formatLabelMap(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

/**
 * The string form of a `metav1.LabelSelector` (`labels.Selector.String()` after
 * `LabelSelectorAsSelector`): requirements sorted by key, values of set operators sorted.
 * Returns "" for a nil or empty selector and undefined for an invalid one (an unknown operator,
 * or In/NotIn without values), so callers can apply their own placeholders as kube does.
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (!isJsonObject(selector)) return '';
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(stringMap(selector, 'matchLabels'))) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expr of objectList(selector, 'matchExpressions')) {
    const text = requirementString(expr);
    if (text === undefined) return undefined;
    requirements.push({ key: typeof expr.key === 'string' ? expr.key : '', text });
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((r) => r.text).join(',');
}

function requirementString(expr: JsonObject): string | undefined {
  const key = typeof expr.key === 'string' ? expr.key : '';
  const values = [...new Set(stringList(expr, 'values'))].sort();
  switch (expr.operator) {
    case 'In':
      return values.length === 0 ? undefined : `${key} in (${values.join(',')})`;
    case 'NotIn':
      return values.length === 0 ? undefined : `${key} notin (${values.join(',')})`;
    case 'Exists':
      return values.length === 0 ? key : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? `!${key}` : undefined;
    default:
      return undefined;
  }
}

/**
 * `metav1.FormatLabelSelector`: the selector string, "<none>" when it selects everything or
 * nothing, "<error>" when invalid. Used by the ReplicaSet, DaemonSet, Job and CronJob SELECTOR.
 */
export function formatLabelSelector(selector: unknown): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}
