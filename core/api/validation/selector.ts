// LabelSelector validation and matching, as metav1's ValidateLabelSelector and
// LabelSelectorAsSelector: a null selector selects nothing, an empty one everything.
import { childPath, fieldForbidden, fieldInvalid, fieldRequired, GoSyntaxValue, indexPath, type ApiFieldError } from '../field-errors.js';
import type { LabelSelector } from '../types/meta.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import { validateLabels } from './object-meta.js';

export function validateLabelSelector(selector: LabelSelector | undefined | null, path: string): ApiFieldError[] {
  if (selector == null) return [];
  const errors = validateLabels(selector.matchLabels, childPath(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const requirementPath = indexPath(childPath(path, 'matchExpressions'), index);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(fieldRequired(childPath(requirementPath, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errors.push(fieldForbidden(childPath(requirementPath, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errors.push(fieldInvalid(childPath(requirementPath, 'operator'), requirement.operator ?? '', 'not a valid selector operator'));
    }
    for (const message of isQualifiedName(requirement.key ?? '')) {
      errors.push(fieldInvalid(childPath(requirementPath, 'key'), requirement.key ?? '', message));
    }
    values.forEach((value, valueIndex) => {
      for (const message of isValidLabelValue(value)) {
        errors.push(fieldInvalid(indexPath(childPath(requirementPath, 'values'), valueIndex), value, message));
      }
    });
  });
  return errors;
}

/** True when the selector has no requirements at all (it then selects everything). */
export function isEmptyLabelSelector(selector: LabelSelector | undefined | null): boolean {
  return selector != null && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Whether a selector is convertible to a label selector (metav1.LabelSelectorAsSelector succeeds). */
export function isConvertibleLabelSelector(selector: LabelSelector | undefined | null): boolean {
  if (selector == null) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (isQualifiedName(key).length > 0 || isValidLabelValue(value).length > 0) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const values = requirement.values ?? [];
    if (isQualifiedName(requirement.key ?? '').length > 0) return false;
    if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && values.length === 0) return false;
    if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && values.length > 0) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(requirement.operator)) return false;
  }
  return true;
}

/**
 * Whether `labels` satisfy `selector`. A null/absent selector matches nothing; an empty selector
 * matches everything (metav1.LabelSelectorAsSelector semantics).
 */
export function labelSelectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined | null): boolean {
  if (selector == null) return false;
  const set = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (set[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(set, requirement.key);
    const value = set[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** A LabelSelector as Go's `%#v` prints it in Kubernetes' error messages. */
export function goLabelSelector(selector: LabelSelector | undefined | null): GoSyntaxValue {
  if (selector == null) return new GoSyntaxValue('null');
  const matchLabels =
    selector.matchLabels == null
      ? 'map[string]string(nil)'
      : `map[string]string{${Object.keys(selector.matchLabels)
          .sort()
          .map((key) => `${goQuote(key)}:${goQuote(selector.matchLabels?.[key] ?? '')}`)
          .join(', ')}}`;
  const expressions =
    selector.matchExpressions == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${selector.matchExpressions
          .map((requirement) => {
            const values = requirement.values == null ? '[]string(nil)' : `[]string{${requirement.values.map(goQuote).join(', ')}}`;
            return `v1.LabelSelectorRequirement{Key:${goQuote(requirement.key ?? '')}, Operator:${goQuote(requirement.operator ?? '')}, Values:${values}}`;
          })
          .join(', ')}}`;
  return new GoSyntaxValue(`v1.LabelSelector{MatchLabels:${matchLabels}, MatchExpressions:${expressions}}`);
}

/** A label selector rendered as the `key=value,key in (a,b)` string Kubernetes uses (e.g. Scale's status.selector). */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  if (selector == null) return '';
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const requirement of selector.matchExpressions ?? []) {
    const values = [...(requirement.values ?? [])].sort().join(',');
    const key = requirement.key;
    const text =
      requirement.operator === 'In'
        ? `${key} in (${values})`
        : requirement.operator === 'NotIn'
          ? `${key} notin (${values})`
          : requirement.operator === 'Exists'
            ? key
            : `!${key}`;
    parts.push({ key, text });
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((part) => part.text)
    .join(',');
}
