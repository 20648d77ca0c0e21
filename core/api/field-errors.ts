// Field-level validation errors, shaped and worded as apimachinery's field.Error so that the
// causes of an Invalid Status read exactly as kube-apiserver's.

/** Machine-readable reason of a field error; becomes `details.causes[].reason` of an Invalid Status. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** One validation failure at one field path (e.g. `spec.containers[0].image`). */
export interface ApiFieldError {
  readonly type: FieldErrorType;
  /** Field path in Kubernetes notation: `spec.containers[0].name`, `metadata.labels`, `data[key]`. */
  readonly field: string;
  /** The error without the field, as Kubernetes renders it: `Invalid value: "x": <detail>`. */
  readonly message: string;
  /** The free-text explanation alone (may be ''). */
  readonly detail: string;
  /** The offending value, when the error type carries one. */
  readonly badValue?: unknown;
}

/**
 * A bad value already rendered the way Go's `%#v` prints the Kubernetes type behind it
 * (e.g. `map[string]string{"app":"x"}`), used where a message must match kube-apiserver's.
 */
export class GoSyntaxValue {
  constructor(readonly text: string) {}
}

/** Marker for errors whose message carries no value (apimachinery's omitValue). */
const OMIT_VALUE: unique symbol = Symbol('omitValue');

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose message never shows the bad value. */
const VALUELESS_TYPES: ReadonlySet<FieldErrorType> = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** Renders a JSON value the way field.Error renders Go values (strings quoted, numbers bare, nil as null). */
export function renderBadValue(value: unknown): string {
  if (value instanceof GoSyntaxValue) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return goStringSlice(value as string[]).text;
  }
  if (typeof value === 'object' && Object.values(value).every((item) => typeof item === 'string')) {
    return goStringMap(value as Record<string, string>).text;
  }
  return JSON.stringify(value);
}

/** `map[string]string{"a":"b"}` with keys sorted, as Go's fmt prints maps. */
export function goStringMap(map: Readonly<Record<string, string>> | undefined | null): GoSyntaxValue {
  if (map == null) return new GoSyntaxValue('map[string]string(nil)');
  const entries = Object.keys(map)
    .sort()
    .map((key) => `${goQuote(key)}:${goQuote(map[key] ?? '')}`);
  return new GoSyntaxValue(`map[string]string{${entries.join(', ')}}`);
}

/** `[]string{"a", "b"}`, as Go's `%#v` prints a string slice. */
export function goStringSlice(items: readonly string[] | undefined | null): GoSyntaxValue {
  if (items == null) return new GoSyntaxValue('[]string(nil)');
  return new GoSyntaxValue(`[]string{${items.map(goQuote).join(', ')}}`);
}

function makeFieldError(type: FieldErrorType, field: string, badValue: unknown, detail: string): ApiFieldError {
  let message = TYPE_TEXT[type];
  if (!VALUELESS_TYPES.has(type) && badValue !== OMIT_VALUE) {
    message += `: ${renderBadValue(badValue)}`;
  }
  if (detail.length > 0) message += `: ${detail}`;
  const error: ApiFieldError = { type, field, message, detail };
  return badValue === OMIT_VALUE || VALUELESS_TYPES.has(type) ? error : { ...error, badValue };
}

/** A value that must be present is missing (`Required value`). */
export function fieldRequired(field: string, detail = ''): ApiFieldError {
  return makeFieldError('FieldValueRequired', field, '', detail);
}

/** A malformed value (`Invalid value: "x": detail`). */
export function fieldInvalid(field: string, value: unknown, detail: string): ApiFieldError {
  return makeFieldError('FieldValueInvalid', field, value, detail);
}

/** A value outside an enumeration (`Unsupported value: "x": supported values: "a", "b"`). */
export function fieldNotSupported(field: string, value: unknown, validValues: readonly string[]): ApiFieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return makeFieldError('FieldValueNotSupported', field, value, detail);
}

/** A value that must be unique is repeated (`Duplicate value: "x"`). */
export function fieldDuplicate(field: string, value: unknown): ApiFieldError {
  return makeFieldError('FieldValueDuplicate', field, value, '');
}

/** A well-formed value not permitted here (`Forbidden: detail`). */
export function fieldForbidden(field: string, detail: string): ApiFieldError {
  return makeFieldError('FieldValueForbidden', field, '', detail);
}

/** A value longer than allowed (`Too long: may not be more than 63 bytes`). */
export function fieldTooLong(field: string, maxLength: number): ApiFieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return makeFieldError('FieldValueTooLong', field, '', detail);
}

/** A list with more items than allowed (`Too many: 3: must have at most 2 items`). */
export function fieldTooMany(field: string, actualQuantity: number, maxQuantity: number): ApiFieldError {
  const detail = maxQuantity >= 0 ? `must have at most ${maxQuantity} items` : 'has too many items';
  return makeFieldError('FieldValueTooMany', field, actualQuantity >= 0 ? actualQuantity : OMIT_VALUE, detail);
}

/** A reference to something that does not exist (`Not found: "x"`). */
export function fieldNotFound(field: string, value: unknown): ApiFieldError {
  return makeFieldError('FieldValueNotFound', field, value, '');
}

/** A failure not caused by the user's input (`Internal error: detail`). */
export function fieldInternalError(field: string, detail: string): ApiFieldError {
  return makeFieldError('InternalError', field, null, detail);
}

/** `field: message`, as field.Error.Error() prints one error. */
export function formatFieldError(error: ApiFieldError): string {
  return `${error.field}: ${error.message}`;
}

/**
 * The errors as one line, as apimachinery aggregates an ErrorList: duplicates dropped, a single
 * error bare, several in `[a, b]`. Returns '' for an empty list.
 */
export function aggregateFieldErrors(errors: readonly ApiFieldError[]): string {
  const seen: string[] = [];
  for (const error of errors) {
    const text = formatFieldError(error);
    if (!seen.includes(text)) seen.push(text);
  }
  if (seen.length === 0) return '';
  if (seen.length === 1) return seen[0] ?? '';
  return `[${seen.join(', ')}]`;
}

// Field path building, in apimachinery's field.Path notation.

/** `parent.name` (or `name` at the root). */
export function childPath(parent: string, ...names: string[]): string {
  let path = parent;
  for (const name of names) path = path.length === 0 ? name : `${path}.${name}`;
  return path;
}

/** `parent[index]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** `parent[key]` for map keys. */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}
