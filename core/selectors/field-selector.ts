// Field selectors (`metadata.name=x,status.phase!=Running`), parsed and matched as
// apimachinery's fields.ParseSelector does.

/** One `field=value` or `field!=value` term (`==` parses as `=`). */
export interface FieldSelectorTerm {
  readonly field: string;
  readonly operator: '=' | '!=';
  /** The value with its escapes (`\,` `\=` `\\`) removed. */
  readonly value: string;
}

/** The selectable fields of one object: field path → value ('' stands for absent). */
export type SelectableFields = Readonly<Record<string, string>>;

/**
 * Thrown by `parseFieldSelector` for malformed text, with apimachinery's message, which
 * kube-apiserver returns verbatim in a 400 BadRequest Status.
 */
export class FieldSelectorParseError extends Error {
  override readonly name = 'FieldSelectorParseError';

  constructor(
    readonly selector: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Maps a term's field and value to the stored field and value, or throws to reject the field.
 * Returning ['', ''] drops the term. (fields.TransformFunc.)
 */
export type FieldSelectorTransform = (field: string, value: string) => readonly [string, string];

/** A parsed field selector: the AND of its terms, kept in parse order (sorted). Immutable. */
export class ParsedFieldSelector {
  private static readonly EVERYTHING = new ParsedFieldSelector([]);

  private constructor(readonly terms: readonly FieldSelectorTerm[]) {}

  static everything(): ParsedFieldSelector {
    return ParsedFieldSelector.EVERYTHING;
  }

  static of(terms: readonly FieldSelectorTerm[]): ParsedFieldSelector {
    return terms.length === 0 ? ParsedFieldSelector.EVERYTHING : new ParsedFieldSelector([...terms]);
  }

  /** Whether `fields` satisfy every term; a field missing from the set counts as ''. */
  matches(fields: SelectableFields): boolean {
    return this.terms.every((term) => {
      const actual = Object.hasOwn(fields, term.field) ? fields[term.field] : '';
      return term.operator === '=' ? actual === term.value : actual !== term.value;
    });
  }

  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  /** The value `field` must equal for an object to match, or undefined when it is not pinned. */
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((term) => term.field === field && term.operator === '=')?.value;
  }

  /** Rewrites every term with `transform` (which may throw), dropping terms mapped to ['', '']. */
  transform(transform: FieldSelectorTransform): ParsedFieldSelector {
    const next: FieldSelectorTerm[] = [];
    for (const term of this.terms) {
      const [field, value] = transform(term.field, term.value);
      if (field.length > 0 || value.length > 0) next.push({ field, operator: term.operator, value });
    }
    return ParsedFieldSelector.of(next);
  }

  /** The canonical text: terms joined by ',', values escaped. */
  toString(): string {
    return this.terms.map((term) => `${term.field}${term.operator}${escapeFieldSelectorValue(term.value)}`).join(',');
  }
}

/** Escapes `\`, `,` and `=` in a value, as fields.EscapeValue. */
export function escapeFieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/** Removes the escapes of a value; throws (with apimachinery's message) on a bad escape or a bare `,`/`=`. */
function unescapeValue(selector: string, value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const ch of value) {
    if (inSlash) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new FieldSelectorParseError(selector, `invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      inSlash = false;
    } else if (ch === '\\') {
      inSlash = true;
    } else if (ch === ',' || ch === '=') {
      // Go formats the rune with %v, which prints its code point (61 for '=').
      const codePoint = ch.codePointAt(0) ?? 0;
      throw new FieldSelectorParseError(selector, `invalid field selector: unescaped character in value: ${codePoint}`);
    } else {
      out += ch;
    }
  }
  if (inSlash) throw new FieldSelectorParseError(selector, 'invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (inSlash) inSlash = false;
    else if (ch === '\\') inSlash = true;
    else if (ch === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** `!=` before `==` before `=`, so `a==b` does not parse as field `a`, value `=b`. */
const TERM_OPERATORS = ['!=', '==', '='] as const;

/**
 * Parses a field selector: terms `field=value`, `field==value`, `field!=value` joined by commas
 * (logical AND); values may escape `,` `=` `\` with a backslash. '' is the empty selector.
 * Terms are sorted, as Kubernetes sorts them, so `toString()` is canonical.
 * Throws FieldSelectorParseError. Field names are not checked here: see `convertFieldSelectorForKind`.
 */
export function parseFieldSelector(selector: string): ParsedFieldSelector {
  const parts = splitTerms(selector).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const terms: FieldSelectorTerm[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    let split: { lhs: string; operator: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined;
    for (let i = 0; i < part.length && split === undefined; i++) {
      const operator = TERM_OPERATORS.find((op) => part.startsWith(op, i));
      if (operator !== undefined) split = { lhs: part.slice(0, i), operator, rhs: part.slice(i + operator.length) };
    }
    if (split === undefined) {
      throw new FieldSelectorParseError(selector, `invalid selector: '${selector}'; can't understand '${part}'`);
    }
    const value = unescapeValue(selector, split.rhs);
    terms.push({ field: split.lhs, operator: split.operator === '!=' ? '!=' : '=', value });
  }
  return ParsedFieldSelector.of(terms);
}
