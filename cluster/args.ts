/** A command's flags: `--name value`, `--name=value`, or a bare `--flag` (true). */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | true>;
  readonly positional: readonly string[];
}

/** Thrown for a malformed command line; the message is shown to the user with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq >= 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (booleans.includes(a.slice(2))) {
      flags.set(a.slice(2), true);
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`flag ${a} needs a value`);
      flags.set(a.slice(2), v);
      i++;
    }
  }
  return { flags, positional };
}

/** An integer flag within [min, max], or the default when absent. */
export function intFlag(args: ParsedArgs, name: string, def: number, min: number, max: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return def;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  return n;
}

export function rejectUnknown(args: ParsedArgs, known: readonly string[]): void {
  for (const k of args.flags.keys()) if (!known.includes(k)) throw new UsageError(`unknown flag --${k}`);
}
