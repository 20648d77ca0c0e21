import { labelValueErrors, parseGoInt64, qualifiedNameErrors } from './label-syntax.js';
import {
  aggregateSelectorFieldErrors,
  goStringSliceSyntax,
  selectorChildPath,
  selectorFieldInvalid,
  selectorFieldNotSupported,
  selectorIndexPath,
  selectorKeyPath,
  type SelectorFieldError,
} from './selector-field-error.js';

/**
 * The operators of one label requirement, spelled as apimachinery's selection.Operator values
 * (`!` is DoesNotExist, `gt`/`lt` the integer comparisons).
 */
export type LabelSelectionOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

const BINARY_OPERATORS: readonly LabelSelectionOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const ALL_OPERATORS: readonly LabelSelectionOperator[] = [...BINARY_OPERATORS, 'exists', '!'];

/** The binary operators as the parser lists them in "expected: ..." errors. */
export const LABEL_BINARY_OPERATORS_TEXT = BINARY_OPERATORS.join(', ');

export function isLabelSelectionOperator(value: string): value is LabelSelectionOperator {
  return (ALL_OPERATORS as readonly string[]).includes(value);
}

/**
 * Thrown by `newLabelRequirement` and `labelSelectorFromObject` when a requirement is malformed
 * (bad key or value, wrong number of values for the operator). The message is apimachinery's
 * aggregate of `fieldErrors`.
 */
export class InvalidLabelRequirementError extends Error {
  override readonly name = 'InvalidLabelRequirementError';

  constructor(readonly fieldErrors: readonly SelectorFieldError[]) {
    super(aggregateSelectorFieldErrors(fieldErrors));
  }
}

/** Labels of an object; absent labels are an empty set. */
export type SelectorLabels = Readonly<Record<string, string>>;

/** Field errors of a requirement, as labels.NewRequirement checks it; `path` is the field.Path prefix. */
export function labelRequirementErrors(
  key: string,
  operator: string,
  values: readonly string[] | null,
  path = '',
): SelectorFieldError[] {
  const errors: SelectorFieldError[] = [];
  const keyErrors = qualifiedNameErrors(key);
  if (keyErrors.length > 0) errors.push(selectorFieldInvalid(selectorChildPath(path, 'key'), key, keyErrors.join('; ')));
  const valuesPath = selectorChildPath(path, 'values');
  const count = values?.length ?? 0;
  const badValues = goStringSliceSyntax(values);
  switch (operator) {
    case 'in':
    case 'notin':
      if (count === 0) {
        errors.push(selectorFieldInvalid(valuesPath, badValues, "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (count !== 1) {
        errors.push(selectorFieldInvalid(valuesPath, badValues, 'exact-match compatibility requires one single value'));
      }
      break;
    case 'exists':
    case '!':
      if (count !== 0) {
        errors.push(selectorFieldInvalid(valuesPath, badValues, 'values set must be empty for exists and does not exist'));
      }
      break;
    case 'gt':
    case 'lt':
      if (count !== 1) {
        errors.push(
          selectorFieldInvalid(valuesPath, badValues, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      }
      (values ?? []).forEach((value, i) => {
        if (parseGoInt64(value) === undefined) {
          errors.push(
            selectorFieldInvalid(
              selectorIndexPath(valuesPath, i),
              value,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
    default:
      errors.push(selectorFieldNotSupported(selectorChildPath(path, 'operator'), operator, ALL_OPERATORS));
  }
  (values ?? []).forEach((value, i) => {
    const valueErrors = labelValueErrors(value);
    if (valueErrors.length > 0) {
      errors.push(
        selectorFieldInvalid(selectorKeyPath(selectorIndexPath(valuesPath, i), key), value, valueErrors.join('; ')),
      );
    }
  });
  return errors;
}

/** One `key <operator> values` clause of a label selector. Immutable. */
export class LabelRequirement {
  /**
   * Use `newLabelRequirement`, which validates; this constructor trusts its arguments.
   * Invariant: `values` suits `operator` (one value for =, ==, !=, gt, lt; none for exists, !).
   */
  constructor(
    readonly key: string,
    readonly operator: LabelSelectionOperator,
    readonly values: readonly string[],
  ) {}

  /** Whether `labels` satisfy this requirement, with labels.Requirement.Matches' semantics. */
  matches(labels: SelectorLabels | undefined): boolean {
    const has = labels !== undefined && Object.hasOwn(labels, this.key);
    const value = has ? labels[this.key] : undefined;
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return value !== undefined && this.values.includes(value);
      case 'notin':
      case '!=':
        return value === undefined || !this.values.includes(value);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (value === undefined || this.values.length !== 1) return false;
        const actual = parseGoInt64(value);
        const bound = parseGoInt64(this.values[0] ?? '');
        if (actual === undefined || bound === undefined) return false;
        return this.operator === 'gt' ? actual > bound : actual < bound;
      }
    }
  }

  /** The canonical text, as labels.Requirement.String(): values of a set sorted, `!key`, `key in (a,b)`. */
  toString(): string {
    const prefix = this.operator === '!' ? '!' : '';
    const operatorText: Record<LabelSelectionOperator, string> = {
      '=': '=',
      '==': '==',
      '!=': '!=',
      in: ' in ',
      notin: ' notin ',
      gt: '>',
      lt: '<',
      exists: '',
      '!': '',
    };
    if (this.operator === 'exists' || this.operator === '!') return `${prefix}${this.key}`;
    const valuesText = this.values.length === 1 ? (this.values[0] ?? '') : [...this.values].sort(compareBytes).join(',');
    const set = this.operator === 'in' || this.operator === 'notin';
    return `${this.key}${operatorText[this.operator]}${set ? `(${valuesText})` : valuesText}`;
  }
}

/** Go's string ordering (bytewise), which differs from UTF-16 order only outside the BMP. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A validated requirement, as labels.NewRequirement builds it. `values` keep their order.
 * Throws InvalidLabelRequirementError listing every problem.
 */
export function newLabelRequirement(key: string, operator: string, values: readonly string[] | null): LabelRequirement {
  const errors = labelRequirementErrors(key, operator, values);
  if (errors.length > 0 || !isLabelSelectionOperator(operator)) throw new InvalidLabelRequirementError(errors);
  return new LabelRequirement(key, operator, [...(values ?? [])]);
}
