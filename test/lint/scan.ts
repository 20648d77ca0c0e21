/**
 * A small TypeScript lexer and the two scans the boundaries lint needs: the import sites of a
 * file, and its uses of global clocks, timers and random sources. Hand-written because loading
 * the TypeScript compiler alone takes over a second, most of the lint's 2 s budget;
 * test/unit/boundaries.test.ts checks that it finds exactly the import sites the compiler's
 * parser finds, file by file.
 *
 * It understands what can hide or fake an import: comments, quoted strings, template literals
 * (nested through `${…}`), and regular expression literals (told from division by the token
 * before the `/`, the usual heuristic). It does not understand JSX (files are .ts).
 */

export type TokenKind = 'ident' | 'string' | 'template' | 'regex' | 'number' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, punctuator, or a string's contents (escapes left as written). */
  readonly text: string;
  /** 1-based line of the token's first character. */
  readonly line: number;
}

export interface LexResult {
  readonly tokens: readonly Token[];
  /** Set when the text is not lexable (an unterminated literal or comment): the scan is incomplete. */
  readonly error?: { readonly line: number; readonly message: string };
}

/** After these keywords a `/` starts a regular expression, not a division. */
const REGEX_AFTER_KEYWORDS: ReadonlySet<string> = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

// Character codes, so the hot loop compares numbers rather than one-character strings.
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKTICK = 96;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const DOLLAR = 36;
const HASH = 35;
const DOT = 46;
const QUESTION = 63;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === DOLLAR || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whitespace other than the newline (which counts lines). NaN (past the end) is not. */
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  // One entry per open `{` or template `${`: a `}` closing a `${` resumes the template.
  const braces: boolean[] = []; // true for `${`
  const fail = (message: string): LexResult => ({ tokens, error: { line, message } });
  const code = (k: number): number => text.charCodeAt(k); // NaN past the end

  const regexAllowed = (): boolean => {
    const p = tokens[tokens.length - 1];
    if (p === undefined) return true;
    if (p.kind === 'punct') return p.text !== ')' && p.text !== ']' && p.text !== '}';
    if (p.kind === 'ident') return REGEX_AFTER_KEYWORDS.has(p.text);
    return false;
  };

  /** Scans template characters from i to the closing backtick or a `${`. */
  const scanTemplate = (): 'end' | 'subst' | 'eof' => {
    while (i < n) {
      const c = code(i);
      if (c === BACKSLASH) {
        if (code(i + 1) === NL) line++;
        i += 2;
      } else if (c === BACKTICK) {
        i++;
        return 'end';
      } else if (c === DOLLAR && code(i + 1) === LBRACE) {
        i += 2;
        return 'subst';
      } else {
        if (c === NL) line++;
        i++;
      }
    }
    return 'eof';
  };

  if (text.startsWith('#!')) while (i < n && code(i) !== NL) i++;

  while (i < n) {
    const c = code(i);
    const next = code(i + 1);
    if (c === NL) {
      line++;
      i++;
    } else if (isBlank(c)) {
      i++;
    } else if (c === SLASH && next === SLASH) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === SLASH && next === STAR) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return fail('unterminated comment');
      for (let k = text.indexOf('\n', i); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) line++;
      i = end + 2;
    } else if (c === DQUOTE || c === SQUOTE) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = code(j);
        if (d === c) break;
        if (d === BACKSLASH) {
          if (code(j + 1) === NL) line++;
          j++;
        } else if (d === NL) {
          return fail('unterminated string literal');
        }
      }
      if (j >= n) return fail('unterminated string literal');
      tokens.push({ kind: 'string', text: text.slice(i + 1, j), line });
      i = j + 1;
    } else if (c === BACKTICK) {
      const start = line;
      const from = i + 1;
      i++;
      const r = scanTemplate();
      if (r === 'eof') return fail('unterminated template literal');
      // A template without substitutions is a string literal; one with them is computed.
      if (r === 'end') tokens.push({ kind: 'string', text: text.slice(from, i - 1), line: start });
      else {
        tokens.push({ kind: 'template', text: '`', line: start });
        braces.push(true);
      }
    } else if (c === RBRACE) {
      if (braces.pop() === true) {
        i++;
        const r = scanTemplate();
        if (r === 'eof') return fail('unterminated template literal');
        if (r === 'subst') braces.push(true);
        // The tail of a template is a value: a `/` after it divides.
        tokens.push({ kind: 'template', text: '}`', line });
      } else {
        tokens.push({ kind: 'punct', text: '}', line });
        i++;
      }
    } else if (c === LBRACE) {
      braces.push(false);
      tokens.push({ kind: 'punct', text: '{', line });
      i++;
    } else if (c === SLASH && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      for (; j < n; j++) {
        const r = code(j);
        if (r === BACKSLASH) j++;
        else if (r === NL) return fail('unterminated regular expression');
        else if (r === LBRACKET) inClass = true;
        else if (r === RBRACKET) inClass = false;
        else if (r === SLASH && !inClass) break;
      }
      if (j >= n) return fail('unterminated regular expression');
      j++;
      while (j < n && isIdentPart(code(j))) j++;
      tokens.push({ kind: 'regex', text: text.slice(i, j), line });
      i = j;
    } else if (isIdentStart(c) || (c === HASH && isIdentStart(next))) {
      let j = i + 1;
      while (j < n && isIdentPart(code(j))) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), line });
      i = j;
    } else if (isDigit(c) || (c === DOT && isDigit(next))) {
      let j = i + 1;
      while (j < n && (isIdentPart(code(j)) || (code(j) === DOT && isDigit(code(j + 1))))) j++;
      tokens.push({ kind: 'number', text: text.slice(i, j), line });
      i = j;
    } else if (c === QUESTION && next === DOT && !isDigit(code(i + 2))) {
      // Optional chaining reads a property like `.` does.
      tokens.push({ kind: 'punct', text: '.', line });
      i += 2;
    } else if (c === DOT && next === DOT && code(i + 2) === DOT) {
      tokens.push({ kind: 'punct', text: '...', line });
      i += 3;
    } else {
      tokens.push({ kind: 'punct', text: text[i]!, line });
      i++;
    }
  }
  return { tokens };
}

// ---- Imports ----

export interface ImportSite {
  readonly specifier: string;
  /** Line of the `import`/`export` keyword, or of `require`. */
  readonly line: number;
  /** Static imports: the imported names in braces (`a` of `{ a as b }`), for refusing some of them. */
  readonly names: readonly { readonly name: string; readonly line: number }[];
  /** Static imports: the local names of a default or namespace binding (`x` of `* as x`). */
  readonly locals: readonly string[];
}

export interface ImportScan {
  readonly sites: readonly ImportSite[];
  /** Lines of `import(…)` calls whose argument is not a string literal. */
  readonly computedDynamicImports: readonly number[];
}

// Not a type guard: a false answer says nothing about whether the token exists.
function is(t: Token | undefined, kind: TokenKind, text?: string): boolean {
  return t !== undefined && t.kind === kind && (text === undefined || t.text === text);
}

/**
 * Every import site: `import … from 'x'`, `import 'x'`, `import type …`, `export … from 'x'`,
 * `export type … from`, `import x = require('x')`, `import('x')` (calls and `typeof import('x')`
 * types alike) and `require('x')`.
 */
export function scanImports(tokens: readonly Token[]): ImportScan {
  const sites: ImportSite[] = [];
  const computedDynamicImports: number[] = [];
  const site = (specifier: string, line: number, names: ImportSite['names'] = [], locals: readonly string[] = []): void => {
    sites.push({ specifier, line, names, locals });
  };

  for (let i = 0; i < tokens.length; i++) {
    const tk = tokens[i]!;
    if (tk.kind !== 'ident' || is(tokens[i - 1], 'punct', '.')) continue;
    const next = tokens[i + 1];
    if (tk.text === 'import') {
      if (is(next, 'punct', '.')) continue; // import.meta
      if (is(next, 'punct', '(')) {
        const arg = tokens[i + 2];
        if (is(arg, 'string')) site(arg!.text, tk.line);
        else if (!isDeclaration(tokens, i + 1)) computedDynamicImports.push(tk.line);
      } else if (is(next, 'string')) {
        site(next!.text, tk.line);
      } else {
        i = scanImportDeclaration(tokens, i, site);
      }
    } else if (tk.text === 'export') {
      let j = i + 1;
      if (is(tokens[j], 'ident', 'type') && (is(tokens[j + 1], 'punct', '{') || is(tokens[j + 1], 'punct', '*'))) j++;
      if (is(tokens[j], 'punct', '*')) {
        j++;
        if (is(tokens[j], 'ident', 'as')) j += 2;
      } else if (is(tokens[j], 'punct', '{')) {
        while (j < tokens.length && !is(tokens[j], 'punct', '}')) j++;
        j++;
      } else {
        continue;
      }
      const spec = tokens[j + 1];
      if (is(tokens[j], 'ident', 'from') && is(spec, 'string')) site(spec!.text, tk.line);
    } else if (tk.text === 'require') {
      const arg = tokens[i + 2];
      if (is(next, 'punct', '(') && is(arg, 'string') && is(tokens[i + 3], 'punct', ')')) site(arg!.text, tk.line);
    }
  }
  return { sites, computedDynamicImports };
}

/**
 * `import [type] [x][, ]{ a, b as c } | * as ns from 'y'` and `import x = require('y')`.
 * Returns the index of the last token it consumed.
 */
function scanImportDeclaration(tokens: readonly Token[], at: number, site: (spec: string, line: number, names: ImportSite['names'], locals: readonly string[]) => void): number {
  const line = tokens[at]!.line;
  const names: { name: string; line: number }[] = [];
  const locals: string[] = [];
  let inBraces = false;
  for (let j = at + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    const prev = tokens[j - 1]!;
    if (t.kind === 'ident') {
      const spec = tokens[j + 1];
      if (!inBraces && t.text === 'from' && is(spec, 'string')) {
        site(spec!.text, line, names, locals);
        return j + 1;
      }
      if (inBraces) {
        // The first name of an element is the imported one; `type` before a name is a modifier.
        const modifier = t.text === 'type' && is(tokens[j + 1], 'ident') && !is(tokens[j + 1], 'ident', 'as');
        const starts = is(prev, 'punct', '{') || is(prev, 'punct', ',') || (is(prev, 'ident', 'type') && (is(tokens[j - 2], 'punct', '{') || is(tokens[j - 2], 'punct', ',')));
        if (starts && !modifier) names.push({ name: t.text, line: t.line });
      } else if (t.text !== 'type' || !is(tokens[j + 1], 'ident')) {
        if (t.text !== 'as' && t.text !== 'type') locals.push(t.text);
      }
    } else if (is(t, 'punct', '{')) {
      inBraces = true;
    } else if (is(t, 'punct', '}')) {
      inBraces = false;
    } else if (is(t, 'punct', '=') && !inBraces) {
      const spec = tokens[j + 3];
      if (is(tokens[j + 1], 'ident', 'require') && is(tokens[j + 2], 'punct', '(') && is(spec, 'string')) {
        site(spec!.text, line, [], locals);
        return j + 3;
      }
      return at;
    } else if (!is(t, 'punct', ',') && !is(t, 'punct', '*')) {
      return at; // Not an import declaration after all.
    }
  }
  return at;
}

// ---- Global references ----

const GLOBAL_OBJECTS: ReadonlySet<string> = new Set(['globalThis', 'global', 'window', 'self']);

export interface GlobalUse {
  /** `Date.now`, `setTimeout`, `new Date`, `Date()`: the form as written, minus `globalThis.`. */
  readonly form: string;
  /** The global's name (`Date`, `setTimeout`, `crypto`, …). */
  readonly name: string;
  /** For property reads, the property (`now` of `Date.now`). */
  readonly property?: string;
  readonly line: number;
}

/**
 * References to globals: `X.p` reads, `X(…)` and `new X` uses, and bare `X` references, where X
 * is not itself a property (`clock.setTimeout` is an injected clock, not the global) and, for
 * calls, not a declaration (`setTimeout(ms: number): void` in an interface or class).
 * `globalThis.X` counts as X. Only names in `names` are reported.
 */
export function scanGlobalUses(tokens: readonly Token[], names: ReadonlySet<string>): GlobalUse[] {
  const out: GlobalUse[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tk = tokens[i]!;
    if (tk.kind !== 'ident' || !names.has(tk.text)) continue;
    let startLine = tk.line;
    const prev = tokens[i - 1];
    if (is(prev, 'punct', '.')) {
      const obj = tokens[i - 2];
      if (!is(obj, 'ident') || !GLOBAL_OBJECTS.has(obj!.text) || is(tokens[i - 3], 'punct', '.')) continue;
      startLine = obj!.line;
    }
    if (is(prev, 'ident', 'function') || is(prev, 'punct', '#')) continue;
    const next = tokens[i + 1];
    if (is(next, 'punct', ':') || (is(next, 'punct', '?') && is(tokens[i + 2], 'punct', ':'))) continue; // a property key
    if (is(next, 'punct', '.') && is(tokens[i + 2], 'ident')) {
      out.push({ form: `${tk.text}.${tokens[i + 2]!.text}`, name: tk.text, property: tokens[i + 2]!.text, line: startLine });
    } else if (is(prev, 'ident', 'new')) {
      out.push({ form: `new ${tk.text}()`, name: tk.text, line: startLine });
    } else if (is(next, 'punct', '(')) {
      if (isDeclaration(tokens, i + 1)) continue;
      out.push({ form: `${tk.text}()`, name: tk.text, line: startLine });
    } else {
      out.push({ form: tk.text, name: tk.text, line: startLine });
    }
  }
  return out;
}

/**
 * Whether the parenthesized list at `open` is a parameter list (a method, function or call
 * signature: `{` or a `:` return type follows it) rather than call arguments.
 */
function isDeclaration(tokens: readonly Token[], open: number): boolean {
  const after = tokens[matching(tokens, open) + 1];
  return is(after, 'punct', '{') || is(after, 'punct', ':');
}

/** Index of the `)` closing the `(` at `open` (or the last token). */
function matching(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (is(tokens[j], 'punct', '(')) depth++;
    else if (is(tokens[j], 'punct', ')') && --depth === 0) return j;
  }
  return tokens.length - 1;
}
