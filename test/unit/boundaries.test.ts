// The boundaries lint against small synthetic trees (one violation each), then against the repo.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';
import type { Violation } from '../lint/boundaries.js';
import { analyzeBoundaries, checkBoundaries } from '../lint/boundaries.js';
import { scanImports, tokenize } from '../lint/scan.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const tempRoots: string[] = [];
t.teardown(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** Writes `files` (path → source) under a fresh temp dir and returns the lint's findings. */
function check(files: Record<string, string>): Violation[] {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-boundaries-'));
  tempRoots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return checkBoundaries(root);
}

function describe(vs: readonly Violation[]): string[] {
  return vs.map((v) => `${v.file}:${v.line}: [${v.rule}] ${v.message}`);
}

/** A tree that passes every rule; the cases below each add one fault. */
const CLEAN: Record<string, string> = {
  'core/index.ts': "export * from './assert.js';\n",
  'core/assert.ts': 'export function assert(c: unknown): asserts c {\n  if (!c) throw new Error();\n}\n',
  'raft/index.ts': "export * from './core/log.js';\n",
  'raft/core/log.ts': "import { assert } from '../../core/index.js';\nexport const log = (): void => assert(true);\n",
  'transport/index.ts': "import type { log } from '../raft/index.js';\nexport type L = typeof log;\n",
  'test/unit/x.test.ts': "import { log } from '../../raft/index.js';\nimport { readFileSync } from 'node:fs';\nlog();\nvoid readFileSync;\nsetTimeout(() => {}, Date.now() % 2);\n",
};

void t.test('a clean tree has no violations', (t) => {
  t.same(describe(check(CLEAN)), []);
  t.end();
});

void t.test('an import cycle is reported once, with its path', (t) => {
  const vs = check({
    ...CLEAN,
    'raft/core/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
    'raft/core/b.ts': "import type { C } from './c.js';\nexport const b = (): number => 1;\nexport type B = C;\n",
    'raft/core/c.ts': "// a type-only edge closes the cycle: it counts\n\nexport type { a as C } from './a.js';\n",
  });
  t.same(describe(vs), ["raft/core/a.ts:1: [cycle] import cycle: raft/core/a.ts -> raft/core/b.ts -> raft/core/c.ts -> raft/core/a.ts"]);
  t.end();
});

void t.test('two cycles sharing a file are both reported; a self-import is a cycle', (t) => {
  const vs = check({
    ...CLEAN,
    'actors/index.ts': "import './a.js';\nimport './b.js';\nexport {};\n",
    'actors/a.ts': "import './index.js';\nexport {};\n",
    'actors/b.ts': "export {};\nconst m = import('./index.js');\nvoid m;\n",
    'actors/self.ts': "import type { X } from './self.js';\nexport type X = number;\nexport type Y = X;\n",
  });
  t.same(
    vs.filter((v) => v.rule === 'cycle').map((v) => `${v.file}:${v.line}: ${v.message}`),
    [
      'actors/a.ts:1: import cycle: actors/a.ts -> actors/index.ts -> actors/a.ts',
      'actors/b.ts:2: import cycle: actors/b.ts -> actors/index.ts -> actors/b.ts',
      'actors/self.ts:1: import cycle: actors/self.ts -> actors/self.ts',
    ],
  );
  t.same(vs.filter((v) => v.rule !== 'cycle'), []);
  t.end();
});

void t.test('a deep import across folders is reported, static, dynamic and type-only alike', (t) => {
  const vs = check({
    ...CLEAN,
    'transport/peer.ts': [
      "import { log } from '../raft/core/log.js';",
      "export type { Entry } from '../raft/core/log.js';",
      "const lazy = (): Promise<unknown> => import('../raft/core/log.js');",
      "export type T = typeof import('../raft/core/log.js');",
      "import { assert } from '../core/index.js';",
      'void log; void lazy; void assert;',
    ].join('\n'),
  });
  t.same(
    vs.map((v) => `${v.file}:${v.line}: ${v.rule}`),
    ['transport/peer.ts:1: deep-import', 'transport/peer.ts:2: deep-import', 'transport/peer.ts:3: deep-import', 'transport/peer.ts:4: deep-import'],
  );
  t.match(vs[0]?.message, /raft\/index\.ts/);
  t.end();
});

void t.test('test/ may import anything, but only through index.ts', (t) => {
  const vs = check({ ...CLEAN, 'test/unit/deep.test.ts': "import { log } from '../../raft/core/log.js';\nlog();\n" });
  t.same(describe(vs).length, 1);
  t.equal(vs[0]?.rule, 'deep-import');
  t.end();
});

void t.test('the folder dependency table is enforced', (t) => {
  const vs = check({
    ...CLEAN,
    'core/uses-raft.ts': "import type { log } from '../raft/index.js';\nexport type X = typeof log;\n",
    'raft/uses-transport.ts': "import type { L } from '../transport/index.js';\nexport type Y = L;\n",
    'transport/uses-actors.ts': "export * from '../actors/index.js';\n",
    'actors/index.ts': "import '../cluster/index.js';\nexport {};\n",
    'cluster/index.ts': "import '../test/unit/x.test.js';\nexport {};\n",
  });
  t.same(
    vs.filter((v) => v.rule === 'dependency').map((v) => `${v.file}:${v.line}`),
    ['actors/index.ts:1', 'core/uses-raft.ts:1', 'raft/uses-transport.ts:1', 'transport/uses-actors.ts:1'],
  );
  t.match(vs.find((v) => v.file === 'core/uses-raft.ts' && v.rule === 'dependency')?.message, /nothing of ours/);
  // cluster → test is allowed by the table; it is still a deep import.
  t.same(vs.filter((v) => v.file === 'cluster/index.ts').map((v) => v.rule), ['deep-import']);
  t.end();
});

void t.test('an impure Raft core file is reported, line by line', (t) => {
  const vs = check({
    ...CLEAN,
    'raft/core/impure.ts': [
      "import { readFileSync } from 'node:fs';", // 1
      "import * as timers from 'timers/promises';", // 2
      "import { type Hash, createHash, randomBytes as rb } from 'node:crypto';", // 3
      "import { Level } from 'level';", // 4
      'export function f(): number {', // 5
      '  const a = Date.now() + Math.random();', // 6
      '  setTimeout(() => {}, 1);', // 7
      '  globalThis.setInterval(() => {}, 1);', // 8
      '  const d = new Date();', // 9
      '  const p = performance.now();', // 10
      '  const u = globalThis.crypto?.randomUUID();', // 11
      "  // Date.now() in a comment and 'Math.random()' in a string are fine", // 12
      '  const s = "Date.now()" + `${d} Math.random()`;', // 13
      '  void [readFileSync, timers, rb, createHash, Level, d, p, u, s, Date.UTC(1, 2)];', // 14
      '  const later: typeof setImmediate = clock.setTimeout;', // 15: a global passed along; an injected clock is fine
      '  return a;', // 16
      '}', // 17
      'export interface Clock {', // 18
      '  setTimeout(cb: () => void, ms: number): void;', // 19: a declaration, not the global
      '  readonly now: Date;', // 20: Date as a type is fine
      '}', // 21
      "import * as nodeCrypto from 'crypto';", // 22
      'export const id = (): string => nodeCrypto.randomUUID() + later;', // 23
    ].join('\n'),
  });
  t.same(
    vs.map((v) => `${v.line}: ${v.rule}`),
    ['1: impure', '2: impure', '3: impure', '4: impure', '6: impure', '6: impure', '7: impure', '8: impure', '9: impure', '10: impure', '11: impure', '15: impure', '23: impure'],
    describe(vs).join('\n'),
  );
  t.ok(vs.every((v) => v.file === 'raft/core/impure.ts'));
  t.end();
});

void t.test('world built-ins are refused in core/ and raft/, clocks only in the Raft core', (t) => {
  const vs = check({
    ...CLEAN,
    'core/disk.ts': "import { promises } from 'fs';\nexport const p = promises;\n",
    'raft/mvcc/leases.ts': "import net from 'node:net';\nexport const now = (): number => Date.now();\nvoid net;\n",
    'raft/core/log.test.ts': "import { readFileSync } from 'node:fs';\nvoid readFileSync;\nvoid Date.now();\n",
    'transport/server.ts': "import net from 'node:net';\nimport { randomUUID } from 'node:crypto';\nvoid net;\nvoid randomUUID;\n",
  });
  t.same(describe(vs).map((s) => s.split(': [')[0]), ['core/disk.ts:1', 'raft/mvcc/leases.ts:1']);
  t.end();
});

void t.test('unresolvable relative imports and computed dynamic imports are reported', (t) => {
  const vs = check({
    ...CLEAN,
    'raft/bad.ts': "import './missing.js';\nconst name = 'x';\nvoid import(`./${name}.js`);\nexport {};\n",
    'cluster/ok.ts': "const name = 'x';\nvoid import(name);\nimport data from './data.json' with { type: 'json' };\nvoid data;\n",
    'cluster/data.json': '{}',
  });
  t.same(
    vs.map((v) => `${v.file}:${v.line}: ${v.rule}`),
    ['raft/bad.ts:1: unresolved', 'raft/bad.ts:3: unresolved'],
  );
  t.end();
});

void t.test('a file the lexer cannot read is reported, not passed', (t) => {
  const vs = check({ ...CLEAN, 'raft/broken.ts': "import './a.js';\nconst s = 'unterminated;\nexport {};\n", 'raft/a.ts': 'export {};\n' });
  t.same(describe(vs).map((s) => s.split(': [')[0] + ' ' + (vs.find((v) => s.startsWith(`${v.file}:${v.line}`))?.rule ?? '')), ['raft/broken.ts:2 parse']);
  t.end();
});

/** The import sites the TypeScript compiler's parser sees: the reference for the lexer. */
function compilerImportSites(text: string): string[] {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const lineOf = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const literal = (node: ts.Node | undefined): string | undefined =>
    node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const visit = (node: ts.Node): void => {
    let spec: string | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) spec = literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) spec = literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = literal(node.argument.literal);
    if (spec !== undefined) out.push(`${lineOf(node)} ${spec}`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function lexerImportSites(text: string): string[] {
  const lexed = tokenize(text);
  return [...scanImports(lexed.tokens).sites.map((s) => `${s.line} ${s.specifier}`), ...(lexed.error ? [`error at ${lexed.error.line}: ${lexed.error.message}`] : [])];
}

void t.test('the lexer sees exactly the imports the compiler sees, through comments, strings, templates and regexes', (t) => {
  const tricky = [
    "import a, { b as c, type D } from './one.js'; // import x from './comment.js'", // 1
    '/* import y from "./block.js";', // 2
    '   export * from "./block2.js" */', // 3
    "const s = 'import z from \\'./string.js\\'';", // 4
    'const tpl = `import(${"./inner.js"}) ${`nested ${1 / 2} import("./nested.js")`} } {`;', // 5
    "const re = /import ['\"]\\/x.js['\"]/g, half = (a + 1) / 2 / 3;", // 6
    'const ok = re.test(s) ? /[/`]/.source : `${{ a: 1 }.a}`;', // 7
    "export type { T } from './types.js';", // 8
    "export * as ns from './ns.js';", // 9
    'export const notFrom = { from: "./nope.js" };', // 10
    "type M = typeof import('./typeof.js');", // 11
    'const lazy = () =>', // 12
    '  import(', // 13
    "    './lazy.js');", // 14
    "import fs = require('node:fs');", // 15
    "const req = require('./req.js');", // 16
    'const meta = import.meta.url;', // 17
    "import './side-effect.js';", // 18
    'class K { import() { return 1; } }', // 19
    'if (x) { y(); } /* a */ const r2 = 4 / 2; // }', // 20
    'export {', // 21
    '  a,', // 22
    "} from './multi-line.js';", // 23
    'const w = `a\\`b` + "\\"";', // 24
    "export default async function f(): Promise<void> { await import('./in-fn.js'); }", // 25
  ].join('\n');
  t.same(lexerImportSites(tricky), compilerImportSites(tricky));
  t.same(
    lexerImportSites(tricky).map((s) => s.split(' ')[1]),
    ['./one.js', './types.js', './ns.js', './typeof.js', './lazy.js', 'node:fs', './req.js', './side-effect.js', './multi-line.js', './in-fn.js'],
  );
  t.end();
});

void t.test('the lexer agrees with the compiler on every file of the repository', (t) => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) files.push(p);
    }
  };
  for (const folder of ['core', 'raft', 'transport', 'actors', 'cluster', 'bench', 'test']) walk(join(REPO_ROOT, folder));
  t.ok(files.length > 10, `found ${files.length} files`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    t.same(lexerImportSites(text), compilerImportSites(text), f);
  }
  t.end();
});

void t.test('the repository itself has no violations', (t) => {
  const started = performance.now();
  const report = analyzeBoundaries(REPO_ROOT);
  t.comment(`checked in ${Math.round(performance.now() - started)} ms`);
  t.same(describe(report.violations), []);
  t.ok(report.fileCount > 10 && report.importCount > report.fileCount / 2, `${report.fileCount} files, ${report.importCount} imports`);
  t.same(checkBoundaries(REPO_ROOT), report.violations);
  t.end();
});
