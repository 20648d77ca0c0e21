import {
  compareBytes,
  InvalidLabelRequirementError,
  LabelRequirement,
  labelRequirementErrors,
  type LabelSelectionOperator,
} from './label-requirement.js';
import { ParsedLabelSelector } from './label-selector.js';
import { labelValueErrors, qualifiedNameErrors } from './label-syntax.js';
import {
  goQuoteString,
  selectorChildPath,
  selectorFieldForbidden,
  selectorFieldInvalid,
  selectorFieldRequired,
  selectorIndexPath,
  type SelectorFieldError,
} from './selector-field-error.js';

/** One `matchExpressions` entry of a metav1.LabelSelector, as JSON. */
export interface LabelSelectorRequirementObject {
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  readonly operator: string;
  readonly values?: readonly string[] | null;
}

/** A metav1.LabelSelector as JSON (`spec.selector` of a Deployment, for example). */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly LabelSelectorRequirementObject[] | null;
}

const OBJECT_OPERATORS: Readonly<Record<string, LabelSelectionOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Thrown by `labelSelectorFromObject` for an operator outside In/NotIn/Exists/DoesNotExist,
 * with metav1.LabelSelectorAsSelector's message (`"Foo" is not a valid label selector operator`).
 */
export class UnknownLabelSelectorOperatorError extends Error {
  override readonly name = 'UnknownLabelSelectorOperatorError';

  constructor(readonly operator: string) {
    super(`${goQuoteString(operator)} is not a valid label selector operator`);
  }
}

/**
 * The selector a metav1.LabelSelector stands for, as metav1.LabelSelectorAsSelector: null or
 * undefined selects nothing; `{}` (no labels, no expressions) selects everything. Throws
 * InvalidLabelRequirementError or UnknownLabelSelectorOperatorError for a malformed selector
 * (validation with `validateLabelSelectorObject` reports the same problems as field errors).
 */
export function labelSelectorFromObject(selector: LabelSelectorObject | null | undefined): ParsedLabelSelector {
  if (selector == null) return ParsedLabelSelector.nothing();
  const matchLabels = selector.matchLabels ?? {};
  const matchExpressions = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + matchExpressions.length === 0) return ParsedLabelSelector.everything();
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) requirements.push(checked(key, '=', [value]));
  for (const expression of matchExpressions) {
    const operator = OBJECT_OPERATORS[expression.operator];
    if (operator === undefined) throw new UnknownLabelSelectorOperatorError(expression.operator);
    requirements.push(checked(expression.key, operator, expression.values ?? null));
  }
  return ParsedLabelSelector.of(requirements);
}

function checked(key: string, operator: LabelSelectionOperator, values: readonly string[] | null): LabelRequirement {
  const errors = labelRequirementErrors(key, operator, values);
  if (errors.length > 0) throw new InvalidLabelRequirementError(errors);
  return new LabelRequirement(key, operator, [...(values ?? [])]);
}

/**
 * Validation of a metav1.LabelSelector at `fieldPath` (e.g. `spec.selector`), as
 * metav1validation.ValidateLabelSelector does for a create: label keys and values of
 * `matchLabels`, and for each `matchExpressions[i]` its operator, key, and values (required for
 * In/NotIn, forbidden for Exists/DoesNotExist, each a valid label value). A null selector is valid.
 */
export function validateLabelSelectorObject(
  selector: LabelSelectorObject | null | undefined,
  fieldPath: string,
): SelectorFieldError[] {
  const errors: SelectorFieldError[] = [];
  if (selector == null) return errors;
  const labelsPath = selectorChildPath(fieldPath, 'matchLabels');
  // Go iterates the map in random order; sorted keys keep the error list deterministic.
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => compareBytes(a, b))) {
    for (const message of qualifiedNameErrors(key)) errors.push(selectorFieldInvalid(labelsPath, key, message));
    for (const message of labelValueErrors(value)) errors.push(selectorFieldInvalid(labelsPath, value, message));
  }
  (selector.matchExpressions ?? []).forEach((expression, i) => {
    const path = selectorIndexPath(selectorChildPath(fieldPath, 'matchExpressions'), i);
    const valuesPath = selectorChildPath(path, 'values');
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(selectorFieldRequired(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errors.push(
            selectorFieldForbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        }
        break;
      default:
        errors.push(
          selectorFieldInvalid(selectorChildPath(path, 'operator'), expression.operator, 'not a valid selector operator'),
        );
    }
    const keyPath = selectorChildPath(path, 'key');
    for (const message of qualifiedNameErrors(expression.key)) {
      errors.push(selectorFieldInvalid(keyPath, expression.key, message));
    }
    values.forEach((value, j) => {
      for (const message of labelValueErrors(value)) {
        errors.push(selectorFieldInvalid(selectorIndexPath(valuesPath, j), value, message));
      }
    });
  });
  return errors;
}
