/**
 * The boundaries lint: holds the import rules of ARCHITECTURE.md that neither the type checker
 * nor eslint can see. Run by `npm run lint` after tsc and eslint, as `node dist/test/lint/boundaries.js
 * [rootDir]`; exits 1 listing every violation as `file:line: message`.
 *
 * Rules, over every .ts file in the top-level folders:
 *   cycle        no import cycles between files;
 *   deep-import  a file in folder A imports a file of folder B (B ≠ A) only through B/index.ts;
 *   dependency   the folder table (core → nothing of ours; raft → core; transport → core, raft;
 *                actors → core, raft, transport; cluster, bench, test → anything);
 *   impure       core/ and raft/ import no Node built-in that touches the world, and the Raft
 *                core (raft/core/) reads no clock, timer or random source it was not given,
 *                and imports no third-party package ("Raft is a pure state machine");
 *   unresolved   a relative import must name an existing file inside the top-level folders,
 *                and folders with restrictions may not hide a specifier behind a computed
 *                dynamic import();
 *   parse        a file the scanner cannot read (an unterminated literal) is not silently passed.
 *
 * Every import counts, type-only ones included (`import type`, `export type … from`,
 * `typeof import('…')`): a type-only cycle or deep import still couples the files and turns
 * into a runtime one with the first value import, so it is cheaper to refuse it now.
 *
 * Files are read by the small lexer in scan.ts, so comments and strings never produce false
 * hits, and the lint stays well under its 2 s budget (loading the TypeScript compiler alone
 * takes over a second).
 */
import { readdirSync, readFileSync, realpathSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBuiltin } from 'node:module';
import type { Token } from './scan.js';
import { scanGlobalUses, scanImports, tokenize } from './scan.js';

/** The top-level folders, fixed by ARCHITECTURE.md. */
export const TOP_LEVEL_FOLDERS = ['core', 'raft', 'transport', 'actors', 'cluster', 'bench', 'test'] as const;
export type TopLevelFolder = (typeof TOP_LEVEL_FOLDERS)[number];

/** Which of our folders each folder may import (ARCHITECTURE.md, "Folders"). Its own is implied. */
export const ALLOWED_DEPENDENCIES: Readonly<Record<TopLevelFolder, readonly TopLevelFolder[]>> = {
  core: [],
  raft: ['core'],
  transport: ['core', 'raft'],
  actors: ['core', 'raft', 'transport'],
  cluster: ['core', 'raft', 'transport', 'actors', 'bench', 'test'],
  bench: ['core', 'raft', 'transport', 'actors', 'cluster', 'test'],
  test: ['core', 'raft', 'transport', 'actors', 'cluster', 'bench'],
};

/** Directory names never scanned. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', 'dist']);

/**
 * Folders whose code must not touch the world through Node built-ins: the object model (core/)
 * and the store (raft/) run inside the deterministic simulator, which only controls what it injects.
 */
const NO_WORLD_FOLDERS: ReadonlySet<TopLevelFolder> = new Set(['core', 'raft']);

/**
 * Node built-ins that reach the world outside the process (disk, network, processes, threads)
 * or the wall clock (timers, perf_hooks). Bare and `node:` forms, and their subpaths
 * (`fs/promises`, `timers/promises`), are all refused.
 */
export const WORLD_BUILTINS: ReadonlySet<string> = new Set([
  'fs', // disk
  'net', // sockets
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process', // other processes
  'cluster',
  'worker_threads', // threads: nondeterministic scheduling
  'timers', // wall-clock scheduling
  'perf_hooks', // wall clock
  'os', // host facts that differ between runs
  'readline',
  'inspector',
]);

/**
 * `crypto` may be used for hashing, but its random sources are nondeterminism the simulator cannot
 * seed: randomness comes from an injected `Random` (core/random.ts).
 */
export const CRYPTO_RANDOM_APIS: ReadonlySet<string> = new Set([
  'randomBytes',
  'randomUUID',
  'randomInt',
  'randomFill',
  'randomFillSync',
  'getRandomValues',
  'pseudoRandomBytes',
  'prng',
  'rng',
]);

/**
 * The pure Raft core: time is the tick counter and randomness the injected `Random`
 * (ARCHITECTURE.md: "Raft is a pure state machine … never touches a clock, a disk, a socket or a
 * random source it was not given"; that is what lets test/sim run the real code under one seed).
 */
const PURE_CORE_DIRS: readonly string[] = ['raft/core/'];

/** Global reads of the clock or of unseeded randomness, as `object.property`. */
const IMPURE_PROPERTY_READS: ReadonlyMap<string, string> = new Map([
  ['Date.now', 'reads the wall clock'],
  ['performance.now', 'reads the wall clock'],
  ['performance.timeOrigin', 'reads the wall clock'],
  ['process.hrtime', 'reads the wall clock'],
  ['process.uptime', 'reads the wall clock'],
  ['Math.random', 'is an unseeded random source'],
  // crypto's random sources are refused in all of core/ and raft/ (CRYPTO_RANDOM_APIS).
]);

/**
 * Globals that schedule work on the wall clock or the event loop: any reference counts (a
 * call, or passing one along). `Date` counts when called or constructed, not as a type.
 */
const IMPURE_GLOBAL_CALLS: ReadonlyMap<string, string> = new Map([
  ['setTimeout', 'schedules on the wall clock'],
  ['setInterval', 'schedules on the wall clock'],
  ['setImmediate', 'schedules on the event loop'],
  ['Date', 'reads the wall clock'], // `Date()` and `new Date(…)`
]);

export type ViolationRule = 'cycle' | 'deep-import' | 'dependency' | 'impure' | 'unresolved' | 'parse';

export interface Violation {
  /** Path relative to the root, with `/` separators. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly rule: ViolationRule;
  readonly message: string;
}

export interface BoundaryReport {
  readonly fileCount: number;
  /** Import sites seen: static imports, re-exports, dynamic imports, `import(…)` types, requires. */
  readonly importCount: number;
  /** Sorted by file, then line. */
  readonly violations: readonly Violation[];
}

interface ResolvedEdge {
  readonly to: string;
  readonly line: number;
}

/** Runs every rule over the tree at rootDir; the violations are sorted by file and line. */
export function checkBoundaries(rootDir: string): Violation[] {
  return [...analyzeBoundaries(rootDir).violations];
}

/** Like checkBoundaries, with the counts the CLI prints. */
export function analyzeBoundaries(rootDir: string): BoundaryReport {
  const root = resolve(rootDir);
  const files = listSourceFiles(root);
  const fileSet = new Set(files);
  const violations: Violation[] = [];
  const graph = new Map<string, ResolvedEdge[]>();
  let importCount = 0;

  for (const file of files) {
    const folder = topLevelFolder(file);
    if (folder === undefined) continue;
    const report = (line: number, rule: ViolationRule, message: string): void => {
      violations.push({ file, line, rule, message });
    };
    const lexed = tokenize(readFileSync(join(root, file), 'utf8'));
    if (lexed.error) report(lexed.error.line, 'parse', `cannot scan this file (${lexed.error.message}); its imports are unchecked past this line`);
    const { tokens } = lexed;
    const { sites, computedDynamicImports } = scanImports(tokens);
    importCount += sites.length;
    const edges: ResolvedEdge[] = [];
    graph.set(file, edges);

    if (folder !== 'cluster' && folder !== 'bench' && folder !== 'test') {
      for (const line of computedDynamicImports) report(line, 'unresolved', 'dynamic import() with a computed specifier cannot be checked; use a string literal');
    }

    const cryptoLocals: string[] = [];
    for (const { specifier, line, names, locals } of sites) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolveRelative(root, file, specifier, fileSet);
        if (target === undefined) {
          if (isAsset(root, file, specifier)) continue;
          report(line, 'unresolved', `import '${specifier}' names no .ts file in the project folders`);
          continue;
        }
        edges.push({ to: target, line });
        checkFolderRules(folder, target, specifier, line, report);
      } else {
        checkPackageImport(file, folder, specifier, line, report);
        if (builtinName(specifier)?.startsWith('crypto')) {
          cryptoLocals.push(...locals);
          if (NO_WORLD_FOLDERS.has(folder) && !isTestFile(file)) {
            for (const n of names) if (CRYPTO_RANDOM_APIS.has(n.name)) report(n.line, 'impure', `'${n.name}' from '${specifier}' is an unseeded random source; take a Random`);
          }
        }
      }
    }

    if (NO_WORLD_FOLDERS.has(folder) && !isTestFile(file)) checkCryptoRandom(tokens, cryptoLocals, report);
    if (isPureCore(file)) checkPureCore(tokens, report);
  }

  for (const cycle of findCycles(graph)) {
    const first = cycle[0]!;
    const second = cycle[1] ?? first;
    const line = graph.get(first)?.find((e) => e.to === second)?.line ?? 1;
    violations.push({ file: first, line, rule: 'cycle', message: `import cycle: ${[...cycle, first].join(' -> ')}` });
  }

  violations.sort((a, b) => compare(a.file, b.file) || a.line - b.line || compare(a.message, b.message));
  return { fileCount: files.length, importCount, violations };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- Files ----

function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      return; // A missing top-level folder has nothing to check.
    }
    for (const name of names.sort()) {
      if (SKIPPED_DIRS.has(name)) continue;
      const rel = `${dir}/${name}`;
      const st = statSync(join(root, rel));
      if (st.isDirectory()) walk(rel);
      else if (name.endsWith('.ts')) out.push(rel);
    }
  };
  for (const folder of TOP_LEVEL_FOLDERS) walk(folder);
  return out;
}

function topLevelFolder(file: string): TopLevelFolder | undefined {
  const head = file.split('/', 1)[0];
  return (TOP_LEVEL_FOLDERS as readonly string[]).includes(head ?? '') ? (head as TopLevelFolder) : undefined;
}

function isTestFile(file: string): boolean {
  return file.endsWith('.test.ts');
}

function isPureCore(file: string): boolean {
  return !isTestFile(file) && PURE_CORE_DIRS.some((d) => file.startsWith(d));
}

/**
 * Maps a relative specifier to the .ts file it names: NodeNext requires the emitted `.js` name,
 * whose source is the `.ts` beside it. Returns undefined outside the scanned files.
 */
function resolveRelative(root: string, from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const abs = specifier.startsWith('/') ? specifier : join(root, dirname(from), specifier);
  const rel = relative(root, abs).split(sep).join('/');
  const candidates = rel.endsWith('.js') ? [`${rel.slice(0, -3)}.ts`] : rel.endsWith('.ts') ? [rel] : [];
  for (const c of candidates) if (files.has(c)) return c;
  return undefined;
}

/** A data file imported by its own name (`./schema.json` with an import attribute): a leaf, not code. */
function isAsset(root: string, from: string, specifier: string): boolean {
  if (/\.[cm]?[jt]s$/.test(specifier)) return false;
  const abs = join(root, dirname(from), specifier);
  return existsSync(abs) && statSync(abs).isFile();
}

// ---- Rules ----

type Report = (line: number, rule: ViolationRule, message: string) => void;

function checkFolderRules(folder: TopLevelFolder, target: string, specifier: string, line: number, report: Report): void {
  const targetFolder = topLevelFolder(target);
  if (targetFolder === undefined || targetFolder === folder) return;
  if (!ALLOWED_DEPENDENCIES[folder].includes(targetFolder)) {
    const allowed = ALLOWED_DEPENDENCIES[folder];
    report(line, 'dependency', `${folder}/ may not import ${targetFolder}/ ('${specifier}'); ${folder}/ may import ${allowed.length > 0 ? allowed.map((f) => `${f}/`).join(', ') : 'nothing of ours'}`);
  }
  if (target !== `${targetFolder}/index.ts`) {
    report(line, 'deep-import', `deep import '${specifier}' into ${targetFolder}/; import ${targetFolder}/index.ts, its public surface`);
  }
}

function builtinName(specifier: string): string | undefined {
  if (!isBuiltin(specifier)) return undefined;
  return specifier.replace(/^node:/, '');
}

function checkPackageImport(file: string, folder: TopLevelFolder, specifier: string, line: number, report: Report): void {
  const builtin = builtinName(specifier);
  if (builtin !== undefined) {
    const base = builtin.split('/', 1)[0] ?? builtin;
    if (NO_WORLD_FOLDERS.has(folder) && !isTestFile(file) && WORLD_BUILTINS.has(base)) {
      report(line, 'impure', `${folder}/ may not import '${specifier}': it touches the world (inject the capability instead)`);
    }
    return;
  }
  if (isPureCore(file)) {
    report(line, 'impure', `the Raft core may not import the package '${specifier}': no clock, LevelDB, gRPC or nact inside the consensus core`);
  }
}

/** `crypto.randomUUID()`, `globalThis.crypto.getRandomValues(…)`, `ns.randomBytes(…)` for `import * as ns from 'crypto'`. */
function checkCryptoRandom(tokens: readonly Token[], cryptoLocals: readonly string[], report: Report): void {
  for (const use of scanGlobalUses(tokens, new Set(['crypto', 'webcrypto', ...cryptoLocals]))) {
    if (use.property !== undefined && CRYPTO_RANDOM_APIS.has(use.property)) report(use.line, 'impure', `'${use.form}' is an unseeded random source; take a Random`);
  }
}

const PURE_CORE_GLOBALS: ReadonlySet<string> = new Set([...[...IMPURE_PROPERTY_READS.keys()].map((k) => k.split('.')[0]!), ...IMPURE_GLOBAL_CALLS.keys()]);

/** Clock, timer and Math.random use in the Raft core. */
function checkPureCore(tokens: readonly Token[], report: Report): void {
  for (const use of scanGlobalUses(tokens, PURE_CORE_GLOBALS)) {
    const why = use.property !== undefined ? IMPURE_PROPERTY_READS.get(use.form) : use.name === 'Date' && use.form === 'Date' ? undefined : IMPURE_GLOBAL_CALLS.get(use.name);
    if (why !== undefined) report(use.line, 'impure', `'${use.form}' ${why}; the Raft core counts ticks and takes an injected Random`);
  }
}

// ---- Cycles ----

/**
 * Every import cycle, each once: for each edge inside a strongly connected component, the
 * shortest cycle through that edge, deduplicated by rotation (each cycle starts at its smallest
 * file). Bounded by the number of edges, unlike enumerating all elementary cycles.
 */
export function findCycles(graph: ReadonlyMap<string, readonly ResolvedEdge[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const scc of stronglyConnectedComponents(graph)) {
    const members = new Set(scc);
    const selfLoop = scc.length === 1 && (graph.get(scc[0]!) ?? []).some((e) => e.to === scc[0]);
    if (scc.length === 1 && !selfLoop) continue;
    for (const from of [...scc].sort()) {
      for (const { to } of graph.get(from) ?? []) {
        if (!members.has(to)) continue;
        const back = shortestPath(graph, members, to, from);
        if (back === undefined) continue;
        const cycle = [from, ...back.slice(0, -1)];
        const canonical = rotateToSmallest(cycle);
        const key = canonical.join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        cycles.push(canonical);
      }
    }
  }
  return cycles;
}

function rotateToSmallest(cycle: string[]): string[] {
  let best = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[best]!) best = i;
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}

/** Path from → … → to inside members (inclusive of both ends), by BFS; undefined if none. */
function shortestPath(graph: ReadonlyMap<string, readonly ResolvedEdge[]>, members: ReadonlySet<string>, from: string, to: string): string[] | undefined {
  if (from === to) return [from];
  const parent = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const cur = queue[head]!;
    for (const { to: next } of graph.get(cur) ?? []) {
      if (!members.has(next) || parent.has(next)) continue;
      parent.set(next, cur);
      if (next === to) {
        const path = [to];
        for (let n = to; n !== from; ) {
          n = parent.get(n)!;
          path.push(n);
        }
        return path.reverse();
      }
      queue.push(next);
    }
  }
  return undefined;
}

/** Tarjan's algorithm, iterative (import chains can be deep). */
function stronglyConnectedComponents(graph: ReadonlyMap<string, readonly ResolvedEdge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const next = edges[frame.edge++]!.to;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ node: next, edge: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(next)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const scc: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          scc.push(n);
        } while (n !== frame.node);
        out.push(scc);
      }
    }
  }
  return out;
}

// ---- CLI ----

/** The nearest ancestor of `from` holding a package.json: the repository root. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function main(): void {
  const root = resolve(process.argv[2] ?? findRoot(dirname(fileURLToPath(import.meta.url))));
  const report = analyzeBoundaries(root);
  for (const v of report.violations) console.error(`${v.file}:${v.line}: ${v.message} [${v.rule}]`);
  const summary = `boundaries: ${report.fileCount} files, ${report.importCount} imports, ${report.violations.length} violations`;
  if (report.violations.length > 0) {
    console.error(summary);
    process.exitCode = 1;
  } else {
    console.log(summary);
  }
}

/** True when this module is the process's entry point (not imported by a test). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) main();
