// Field errors raised while building or validating selectors, worded as apimachinery's
// field.Error so that the messages an API client sees are kube-apiserver's own. The shape matches
// core/api's field errors, so the API server can merge both into one Invalid Status.

/** Machine-readable reason of a selector field error (`details.causes[].reason` of an Invalid Status). */
export type SelectorFieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden';

/** One selector validation failure at one field path (e.g. `spec.selector.matchExpressions[0].values`). */
export interface SelectorFieldError {
  readonly type: SelectorFieldErrorType;
  /** Field path in apimachinery notation; `<nil>` when the error has no path, as Go prints a nil path. */
  readonly field: string;
  /** The error without the field, as Kubernetes renders it: `Invalid value: "x": <detail>`. */
  readonly message: string;
  /** The free-text explanation alone (may be ''). */
  readonly detail: string;
  /** The offending value, for the error types that carry one. */
  readonly badValue?: unknown;
}

/** The field of an error raised without a path (Go's `(*field.Path)(nil).String()`). */
export const NIL_FIELD_PATH = '<nil>';

const TYPE_TEXT: Readonly<Record<SelectorFieldErrorType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
};

/** A bad value already rendered in Go syntax (`[]string{"a"}`), for values that are not plain strings. */
export class GoRenderedValue {
  constructor(readonly text: string) {}
}

/** Quotes a string as Go's `%q` (strconv.Quote) does for the ASCII range. */
export function goQuoteString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `[]string{"a", "b"}` (or `[]string(nil)`), as Go's `%#v` prints a string slice. */
export function goStringSliceSyntax(items: readonly string[] | null | undefined): GoRenderedValue {
  if (items == null) return new GoRenderedValue('[]string(nil)');
  return new GoRenderedValue(`[]string{${items.map(goQuoteString).join(', ')}}`);
}

function renderValue(value: unknown): string {
  if (value instanceof GoRenderedValue) return value.text;
  if (typeof value === 'string') return goQuoteString(value);
  if (value === null || value === undefined) return 'null';
  return String(value);
}

function makeError(type: SelectorFieldErrorType, field: string, badValue: unknown, detail: string): SelectorFieldError {
  const carriesValue = type === 'FieldValueInvalid' || type === 'FieldValueNotSupported';
  let message = TYPE_TEXT[type];
  if (carriesValue) message += `: ${renderValue(badValue)}`;
  if (detail.length > 0) message += `: ${detail}`;
  const plainValue = badValue instanceof GoRenderedValue ? badValue.text : badValue;
  return carriesValue ? { type, field, message, detail, badValue: plainValue } : { type, field, message, detail };
}

export function selectorFieldInvalid(field: string, value: unknown, detail: string): SelectorFieldError {
  return makeError('FieldValueInvalid', field, value, detail);
}

export function selectorFieldRequired(field: string, detail: string): SelectorFieldError {
  return makeError('FieldValueRequired', field, undefined, detail);
}

export function selectorFieldForbidden(field: string, detail: string): SelectorFieldError {
  return makeError('FieldValueForbidden', field, undefined, detail);
}

export function selectorFieldNotSupported(field: string, value: string, supported: readonly string[]): SelectorFieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuoteString).join(', ')}` : '';
  return makeError('FieldValueNotSupported', field, value, detail);
}

/** `field: message`, as field.Error.Error() prints one error. */
export function formatSelectorFieldError(error: SelectorFieldError): string {
  return `${error.field}: ${error.message}`;
}

/**
 * The errors as one line, as apimachinery's ErrorList.ToAggregate().Error() prints them:
 * duplicates dropped, a single error bare, several inside `[a, b]`.
 */
export function aggregateSelectorFieldErrors(errors: readonly SelectorFieldError[]): string {
  const seen: string[] = [];
  for (const error of errors) {
    const text = formatSelectorFieldError(error);
    if (!seen.includes(text)) seen.push(text);
  }
  if (seen.length === 1) return seen[0] ?? '';
  return seen.length === 0 ? '' : `[${seen.join(', ')}]`;
}

// Path building in field.Path notation; the root is '' (a child of the root is just its name).

export function selectorChildPath(parent: string, name: string): string {
  return parent.length === 0 ? name : `${parent}.${name}`;
}

export function selectorIndexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function selectorKeyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}
