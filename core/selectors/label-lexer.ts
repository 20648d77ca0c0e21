// Tokens of the label selector syntax, split exactly as apimachinery's labels.Lexer splits them
// (so that error messages quote the same literals).

export type LabelToken =
  | 'error'
  | 'end'
  | 'closePar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

export interface ScannedLabelToken {
  readonly token: LabelToken;
  readonly literal: string;
}

const LITERAL_TOKENS: ReadonlyMap<string, LabelToken> = new Map<string, LabelToken>([
  [')', 'closePar'],
  [',', 'comma'],
  ['!', 'doesNotExist'],
  ['==', 'doubleEquals'],
  ['=', 'equals'],
  ['>', 'greaterThan'],
  ['in', 'in'],
  ['<', 'lessThan'],
  ['!=', 'notEquals'],
  ['notin', 'notIn'],
  ['(', 'openPar'],
]);

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SPECIAL_SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);

/**
 * Splits `selector` into tokens, ending with one 'end' token. The Go lexer reads bytes and
 * treats a NUL byte as the end of input; so does this one.
 */
export function scanLabelSelector(selector: string): ScannedLabelToken[] {
  const text = selector.includes('\0') ? selector.slice(0, selector.indexOf('\0')) : selector;
  const tokens: ScannedLabelToken[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && WHITESPACE.has(text[pos] ?? '')) pos++;
    if (pos >= text.length) {
      tokens.push({ token: 'end', literal: '' });
      return tokens;
    }
    const first = text[pos] ?? '';
    if (SPECIAL_SYMBOLS.has(first)) {
      // Longest run of special symbols that is still a known token, as scanSpecialSymbol does.
      let buffer = '';
      let last: ScannedLabelToken | undefined;
      while (pos < text.length && SPECIAL_SYMBOLS.has(text[pos] ?? '')) {
        const candidate = buffer + (text[pos] ?? '');
        const token = LITERAL_TOKENS.get(candidate);
        if (token !== undefined) {
          last = { token, literal: candidate };
        } else if (last !== undefined) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      tokens.push(last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (pos < text.length && !SPECIAL_SYMBOLS.has(text[pos] ?? '') && !WHITESPACE.has(text[pos] ?? '')) pos++;
      const word = text.slice(start, pos);
      const keyword = LITERAL_TOKENS.get(word);
      tokens.push({ token: keyword ?? 'identifier', literal: word });
    }
  }
}
