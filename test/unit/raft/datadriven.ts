/**
 * Scripted tests with recorded output, in the format of cockroachdb/datadriven (which etcd/raft's
 * testdata uses). A file is a sequence of directives:
 *
 *     # comment
 *     cmd arg key=value key=(1,2,3)
 *     ----
 *     expected output
 *     <blank line>
 *
 * When the output itself contains blank lines, it is fenced by a double separator:
 * `----\n----\n<output>\n----\n----`. Comment and blank lines between directives are kept
 * verbatim by rewrite mode, which replaces every expected output with the actual one.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One `key=value` / `key=(a,b)` / bare `key` argument of a command line. */
export interface CmdArg {
  readonly key: string;
  /** Empty for a bare argument such as the `1` of `campaign 1`. */
  readonly vals: readonly string[];
}

export interface TestData {
  /** `file:line` of the command line, for failure messages. */
  readonly pos: string;
  readonly cmd: string;
  readonly cmdArgs: readonly CmdArg[];
  /** Lines between the command line and the separator, if any. */
  readonly input: string;
  /** The recorded output, ending with a newline unless empty. */
  readonly expected: string;
}

/** The result of one directive, as the runner reports it. */
export interface DirectiveResult {
  readonly data: TestData;
  readonly actual: string;
  readonly ok: boolean;
}

type Chunk = { readonly kind: 'text'; readonly line: string } | { readonly kind: 'directive'; readonly data: TestData; readonly cmdLine: string; readonly inputLines: readonly string[] };

const SEPARATOR = '----';

/** Splits a command line into words; parentheses and double quotes group words containing spaces. */
function splitWords(line: string, pos: string): string[] {
  const words: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const ch of line) {
    if (quoted) {
      cur += ch;
      if (ch === '"') quoted = false;
    } else if (ch === '"') {
      cur += ch;
      quoted = true;
    } else if (ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ')') {
      depth--;
      if (depth < 0) throw new Error(`${pos}: unbalanced ')' in ${JSON.stringify(line)}`);
      cur += ch;
    } else if (/\s/.test(ch) && depth === 0) {
      if (cur !== '') words.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (quoted || depth !== 0) throw new Error(`${pos}: unterminated quote or parenthesis in ${JSON.stringify(line)}`);
  if (cur !== '') words.push(cur);
  return words;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? (JSON.parse(s) as string) : s;
}

/** Parses `cmd a key=v key=(x,y)` into the command and its arguments. */
export function parseCommandLine(line: string, pos: string): { cmd: string; cmdArgs: CmdArg[] } {
  const [cmd, ...rest] = splitWords(line, pos);
  if (cmd === undefined) throw new Error(`${pos}: empty command line`);
  const cmdArgs = rest.map((w): CmdArg => {
    const eq = w.indexOf('=');
    if (eq < 0) return { key: unquote(w), vals: [] };
    const key = w.slice(0, eq);
    const v = w.slice(eq + 1);
    if (v.startsWith('(') && v.endsWith(')')) {
      const inner = v.slice(1, -1).trim();
      return { key, vals: inner === '' ? [] : inner.split(',').map((s) => unquote(s.trim())) };
    }
    return { key, vals: [unquote(v)] };
  });
  return { cmd, cmdArgs };
}

function parse(path: string, displayName: string): Chunk[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // A trailing newline yields one empty last element that is not a line of the file.
  if (lines[lines.length - 1] === '') lines.pop();
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      chunks.push({ kind: 'text', line });
      i++;
      continue;
    }
    const lineNo = i + 1;
    const pos = `${displayName}:${lineNo}`;
    const { cmd, cmdArgs } = parseCommandLine(line, pos);
    i++;
    const inputLines: string[] = [];
    while (i < lines.length && lines[i] !== SEPARATOR) inputLines.push(lines[i++]!);
    if (i >= lines.length) throw new Error(`${pos}: directive ${JSON.stringify(line)} has no ${SEPARATOR} separator`);
    i++;
    const out: string[] = [];
    if (lines[i] === SEPARATOR) {
      // Double-separator form: everything up to `----\n----`, blank lines included.
      i++;
      while (i < lines.length && !(lines[i] === SEPARATOR && lines[i + 1] === SEPARATOR)) out.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`${pos}: unterminated ${SEPARATOR}/${SEPARATOR} output block`);
      i += 2;
    } else {
      while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    }
    const expected = out.length > 0 ? out.join('\n') + '\n' : '';
    chunks.push({ kind: 'directive', cmdLine: line, inputLines, data: { pos, cmd, cmdArgs, input: inputLines.join('\n'), expected } });
  }
  return chunks;
}

function formatOutput(actual: string): string {
  if (actual === '') return `${SEPARATOR}\n`;
  // Output with blank lines (or a leading newline) must be fenced, or the blank line would end it.
  if (/(^|\n)\s*\n/.test(actual)) return `${SEPARATOR}\n${SEPARATOR}\n${actual}${SEPARATOR}\n${SEPARATOR}\n`;
  return `${SEPARATOR}\n${actual}`;
}

/** A line diff of expected against actual, `-` for expected-only and `+` for actual-only lines. */
export function lineDiff(expected: string, actual: string): string {
  const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
  const a = lines(expected);
  const b = lines(actual);
  // Longest common subsequence table; the scripts' outputs are small enough for O(n*m).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  return out.join('\n');
}

export interface RunOptions {
  /** Replace the recorded outputs in the file with the actual ones instead of comparing. */
  readonly rewrite: boolean;
  /** How the file is named in `pos` (e.g. `testdata/election.txt`). Defaults to the path. */
  readonly displayName?: string;
}

/**
 * Runs every directive of the file at `path` through `handler`, in order, and returns each
 * result. In rewrite mode the file is rewritten with the actual outputs and every result is ok.
 * `handler` returns the directive's output; a thrown error aborts the file (a broken script or
 * a broken invariant, never an expected outcome).
 */
export function runFile(path: string, handler: (d: TestData) => string, opts: RunOptions): DirectiveResult[] {
  const chunks = parse(path, opts.displayName ?? path);
  const results: DirectiveResult[] = [];
  let rewritten = '';
  for (const c of chunks) {
    if (c.kind === 'text') {
      rewritten += `${c.line}\n`;
      continue;
    }
    let actual: string;
    try {
      actual = handler(c.data);
    } catch (err) {
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      throw new Error(`${c.data.pos}: ${c.cmdLine}: ${msg}`, { cause: err });
    }
    if (actual !== '' && !actual.endsWith('\n')) actual += '\n';
    results.push({ data: c.data, actual, ok: opts.rewrite || actual === c.data.expected });
    rewritten += [c.cmdLine, ...c.inputLines].map((l) => `${l}\n`).join('') + formatOutput(actual);
  }
  if (opts.rewrite) writeFileSync(path, rewritten);
  return results;
}

/**
 * The failure of a mismatching directive: a one-line headline naming file:line and the command
 * (test reporters flatten messages to one line), and the diff to show as a multi-line block.
 */
export function mismatch(r: DirectiveResult): { headline: string; diff: string } {
  return {
    headline: `${r.data.pos}: output of ${JSON.stringify(r.data.cmd)} differs from the recording (REWRITE=1 re-records)`,
    diff: `--- expected\n+++ actual\n${lineDiff(r.data.expected, r.actual)}`,
  };
}

/** Helpers for reading arguments in command handlers. */
export class Args {
  constructor(readonly d: TestData) {}

  /** Bare arguments (no `=`), e.g. the ids of `stabilize 1 2`. */
  positional(): string[] {
    return this.d.cmdArgs.filter((a) => a.vals.length === 0).map((a) => a.key);
  }

  positionalInts(): number[] {
    return this.positional().map((s) => this.toInt(s, 'argument'));
  }

  has(key: string): boolean {
    return this.d.cmdArgs.some((a) => a.key === key && a.vals.length > 0);
  }

  vals(key: string): string[] | undefined {
    return this.d.cmdArgs.find((a) => a.key === key && a.vals.length > 0)?.vals.slice();
  }

  str(key: string): string | undefined {
    const v = this.vals(key);
    if (v === undefined) return undefined;
    if (v.length !== 1) throw new Error(`${this.d.pos}: ${key} takes one value`);
    return v[0];
  }

  int(key: string): number | undefined {
    const s = this.str(key);
    return s === undefined ? undefined : this.toInt(s, key);
  }

  ints(key: string): number[] | undefined {
    return this.vals(key)?.map((s) => this.toInt(s, key));
  }

  bool(key: string): boolean | undefined {
    const s = this.str(key);
    if (s === undefined) return undefined;
    if (s !== 'true' && s !== 'false') throw new Error(`${this.d.pos}: ${key} must be true or false, got ${s}`);
    return s === 'true';
  }

  /** Fails on any `key=` argument not in `known`, so a typo in a script is not silently ignored. */
  only(...known: string[]): this {
    for (const a of this.d.cmdArgs) {
      if (a.vals.length > 0 && !known.includes(a.key)) throw new Error(`${this.d.pos}: ${this.d.cmd}: unknown argument ${a.key}=`);
    }
    return this;
  }

  private toInt(s: string, what: string): number {
    if (!/^-?\d+$/.test(s)) throw new Error(`${this.d.pos}: ${what} must be an integer, got ${JSON.stringify(s)}`);
    return Number(s);
  }
}
