// Building the /bin/sh scripts the isolation runs. Every word is single-quoted, so no container
// path, argument or environment value is ever parsed by the shell.
//
// Mounts are the bulk of a container's setup, and each `mount` is a process of its own (~2 ms
// of CPU). A script given an fstab directory runs each run of consecutive mounts as one
// `mount -a -T FILE` over an fstab file of its own (mounted in file order); the caller writes
// those files (`fstabFiles()`) next to the script before it runs.

/** `'…'` with embedded quotes closed and reopened: safe for any string. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One command line from words, each quoted. */
export function shellCommand(...words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** One field of an fstab line: whitespace, `\` and `#` octal-escaped as libmount unescapes them. */
export function fstabField(value: string): string {
  return value.replace(/[\\\s#]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** A mount as a `mount` command or an fstab line: `options` as `-o` takes them (`rbind`, `ro`, `X-mount.mkdir` …). */
export interface MountEntry {
  readonly source: string;
  readonly target: string;
  /** Filesystem type; none for binds. */
  readonly type?: string;
  readonly options: readonly string[];
}

export interface ShellScriptOptions {
  /** The `mount` program (batched mounts run it with `-a -T`). */
  readonly mountTool: string;
  /** Where the fstab files of batched mounts go; without it every mount is a command of its own. */
  readonly fstabDir?: string;
}

/** Lines of a script; `run` quotes every word, `raw` is for the script's own fixed syntax. */
export class ShellScript {
  private readonly lines: string[] = [];
  private pendingMounts: MountEntry[] = [];
  private readonly files: { readonly path: string; readonly content: string }[] = [];

  constructor(private readonly options?: ShellScriptOptions) {}

  run(...words: readonly string[]): this {
    this.flushMounts();
    this.lines.push(shellCommand(...words));
    return this;
  }

  /** A command allowed to fail (e.g. unmounting what may not be mounted). */
  tryRun(...words: readonly string[]): this {
    this.flushMounts();
    this.lines.push(`${shellCommand(...words)} 2>/dev/null || true`);
    return this;
  }

  raw(line: string): this {
    this.flushMounts();
    this.lines.push(line);
    return this;
  }

  /** A mount, run in order with the lines around it (batched with its neighbours when there is an fstab directory). */
  mount(entry: MountEntry): this {
    if (this.options === undefined) throw new Error('ShellScript: mount() needs the mount program (ShellScriptOptions)');
    this.pendingMounts.push(entry);
    return this;
  }

  text(): string {
    this.flushMounts();
    return `${this.lines.join('\n')}\n`;
  }

  /** The fstab files the script's batched mounts read: write them before running it. */
  fstabFiles(): readonly { readonly path: string; readonly content: string }[] {
    this.flushMounts();
    return this.files;
  }

  private flushMounts(): void {
    const entries = this.pendingMounts;
    if (entries.length === 0 || this.options === undefined) return;
    this.pendingMounts = [];
    const { mountTool, fstabDir } = this.options;
    if (fstabDir === undefined || entries.length === 1) {
      for (const e of entries) {
        this.lines.push(shellCommand(mountTool, ...(e.type !== undefined ? ['-t', e.type] : []), ...(e.options.length > 0 ? ['-o', e.options.join(',')] : []), e.source, e.target));
      }
      return;
    }
    const path = `${fstabDir}/fstab.${this.files.length + 1}`;
    const content = entries.map((e) => `${fstabField(e.source)} ${fstabField(e.target)} ${fstabField(e.type ?? 'none')} ${fstabField(e.options.length > 0 ? e.options.join(',') : 'defaults')} 0 0\n`).join('');
    this.files.push({ path, content });
    this.lines.push(shellCommand(mountTool, '-a', '-T', path));
  }
}
