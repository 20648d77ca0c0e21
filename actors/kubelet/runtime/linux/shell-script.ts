// Building the /bin/sh scripts the isolation runs. Every word is single-quoted, so no container
// path, argument or environment value is ever parsed by the shell.

/** `'…'` with embedded quotes closed and reopened: safe for any string. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One command line from words, each quoted. */
export function shellCommand(...words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** Lines of a script; `run` quotes every word, `raw` is for the script's own fixed syntax. */
export class ShellScript {
  private readonly lines: string[] = [];

  run(...words: readonly string[]): this {
    this.lines.push(shellCommand(...words));
    return this;
  }

  /** A command allowed to fail (e.g. unmounting what may not be mounted). */
  tryRun(...words: readonly string[]): this {
    this.lines.push(`${shellCommand(...words)} 2>/dev/null || true`);
    return this;
  }

  raw(line: string): this {
    this.lines.push(line);
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
