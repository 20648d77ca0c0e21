// The images every Flotilla node has without importing anything. echo and crash are programs
// compiled with the project (builtin/*.ts) and run with this Node binary; sleep is a short script
// and shell is the host's /bin/sh, so that they cost a few MB rather than a Node process.
// They resolve under any tag (`flotilla/echo:v2` is the same program with another id), so rolling
// updates can be tried without building images.

import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ImageManifest, ResolvedImage } from './image-manifest.js';
import type { ImageReference } from './image-reference.js';

/** Heap cap of the shipped Node programs: they are tiny, and a node may run hundreds of them. */
const BUILTIN_MAX_OLD_SPACE_MB = 32;

function nodeProgram(file: string): string[] {
  return [process.execPath, `--max-old-space-size=${BUILTIN_MAX_OLD_SPACE_MB}`, fileURLToPath(new URL(`./builtin/${file}`, import.meta.url))];
}

/**
 * `flotilla/sleep` as a shell line over the host's `sleep`, not a Node program: a node runs hundreds
 * of these, and a Node process costs ~40 MB and ~150 ms of CPU to start where sh + sleep cost ~2 MB
 * and ~2 ms. Same contract as before: runs until stopped, or `$1` seconds; exits 0 at once on TERM
 * or INT (the trap runs as soon as `wait` is interrupted); exit 2 for a malformed number.
 */
const SLEEP_SCRIPT = [
  `case $# in 0) ;; *) case $1 in ''|.|*[!0-9.]*|*.*.*) printf 'sleep: invalid number of seconds "%s"\\n' "$1" >&2; exit 2;; esac;; esac`,
  "trap 'exit 0' TERM INT",
  `if [ $# -eq 0 ]; then echo 'sleep: sleeping until stopped'; while :; do sleep 3600 & wait $!; done; fi`,
  'echo "sleep: sleeping $1 seconds"',
  'sleep "$1" & wait $!',
  'exit 0',
].join('\n');

interface BuiltinImageSpec {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly about: string;
}

const BUILTIN_IMAGES: ReadonlyMap<string, BuiltinImageSpec> = new Map<string, BuiltinImageSpec>([
  ['flotilla/echo', { entrypoint: nodeProgram('echo.js'), cmd: [], env: ['PORT=8080'], about: 'HTTP server on $PORT answering with its pod name, namespace and IP; /healthz' }],
  ['flotilla/sleep', { entrypoint: ['/bin/sh', '-c', SLEEP_SCRIPT, 'sleep'], cmd: [], env: [], about: 'runs until stopped, or args[0] seconds' }],
  ['flotilla/crash', { entrypoint: nodeProgram('crash.js'), cmd: [], env: [], about: 'prints a line, exits with code args[0] (1) after args[1] seconds (0)' }],
  // Like busybox: no entrypoint and `sh` as the command, so both `command: [sh, -c, …]` and
  // `args: [sh, -c, …]` run a shell line, and the bare image exits at once (stdin is empty).
  ['flotilla/shell', { entrypoint: [], cmd: ['/bin/sh'], env: [], about: "the host's /bin/sh (busybox-style: command/args like [sh, -c, '…'])" }],
]);

/** Names of the shipped images with what they do, for `flotilla image list`. */
export function builtinImageNames(): { name: string; about: string }[] {
  return [...BUILTIN_IMAGES].map(([name, spec]) => ({ name, about: spec.about }));
}

export function isBuiltinImageName(name: string): boolean {
  return BUILTIN_IMAGES.has(name);
}

/** The shipped image a reference names, or undefined. */
export function resolveBuiltinImage(ref: ImageReference): ResolvedImage | undefined {
  const spec = BUILTIN_IMAGES.get(ref.name);
  if (spec === undefined) return undefined;
  const config = { entrypoint: spec.entrypoint.slice(1), cmd: spec.cmd, env: spec.env };
  const id = `sha256:${createHash('sha256').update(`${ref.name}:${ref.tag}\n${JSON.stringify(config)}`).digest('hex')}`;
  const manifest: ImageManifest = { ref: `${ref.name}:${ref.tag}`, id, entrypoint: spec.entrypoint, cmd: spec.cmd, env: spec.env, workingDir: '', sizeBytes: 0, createdAtMs: 0 };
  if (ref.digest !== undefined && ref.digest !== id) return undefined;
  return { manifest };
}
