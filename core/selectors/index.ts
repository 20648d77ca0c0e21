// Public surface of core/selectors/: label and field selectors as Kubernetes parses and applies them.
export {
  aggregateSelectorFieldErrors,
  formatSelectorFieldError,
  type SelectorFieldError,
  type SelectorFieldErrorType,
} from './selector-field-error.js';
export {
  InvalidLabelRequirementError,
  isLabelSelectionOperator,
  LabelRequirement,
  newLabelRequirement,
  type LabelSelectionOperator,
  type SelectorLabels,
} from './label-requirement.js';
export { ParsedLabelSelector } from './label-selector.js';
export { LabelSelectorParseError, parseLabelSelector } from './label-parser.js';
export {
  labelSelectorFromObject,
  UnknownLabelSelectorOperatorError,
  validateLabelSelectorObject,
  type LabelSelectorObject,
  type LabelSelectorRequirementObject,
} from './label-selector-object.js';
export {
  escapeFieldSelectorValue,
  FieldSelectorParseError,
  ParsedFieldSelector,
  parseFieldSelector,
  type FieldSelectorTerm,
  type FieldSelectorTransform,
  type SelectableFields,
} from './field-selector.js';
export {
  convertFieldSelectorForKind,
  fieldSelectorMatchesObject,
  FieldSelectorNotSupportedError,
  selectableFieldsOf,
  supportedSelectorFields,
} from './field-selector-kinds.js';
