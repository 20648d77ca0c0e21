import { readFile } from 'node:fs/promises';
import {
  checkLinearizable,
  HistoryParseError,
  parseHistory,
  SearchLimitError,
  type HistoryEvent,
  type LinResult,
} from '../../core/index.js';

/** Where the command reads stdin and writes its output; injectable so tests can capture it. */
export interface LincheckIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
}

const processIo: LincheckIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

export const LINCHECK_USAGE = 'usage: flotilla lincheck FILE   (FILE "-" reads stdin)';

/** Exit codes of `flotilla lincheck`. */
export const LincheckExit = {
  linearizable: 0,
  notLinearizable: 1,
  /** Usage error, unreadable file, malformed history, or a history too large to decide. */
  cannotCheck: 2,
} as const;

/**
 * `flotilla lincheck FILE`: checks a JSON-lines key-value history for linearizability.
 *
 * The last stdout line is always the JSON verdict when a verdict was reached:
 * `{"linearizable":true,"ops":N,"keys":K}`, plus `"key"` and `"window"` when false, preceded by
 * a human-readable explanation. Errors go to stderr naming the file (and line for bad input).
 */
export async function lincheckCommand(argv: string[], io: LincheckIo = processIo): Promise<number> {
  const [file, ...extra] = argv;
  if (file === undefined || extra.length > 0 || file === '-h' || file === '--help') {
    io.stderr(`${LINCHECK_USAGE}\n`);
    return LincheckExit.cannotCheck;
  }
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    io.stderr(`lincheck: cannot read ${name}: ${(err as Error).message}\n`);
    return LincheckExit.cannotCheck;
  }
  let result: LinResult;
  try {
    result = checkLinearizable(parseHistory(text));
  } catch (err) {
    if (err instanceof HistoryParseError) {
      io.stderr(`lincheck: ${name}:${err.line}: ${err.reason}\n`);
      return LincheckExit.cannotCheck;
    }
    if (err instanceof SearchLimitError) {
      io.stderr(`lincheck: ${name}: undecided: ${err.message}\n`);
      return LincheckExit.cannotCheck;
    }
    throw err;
  }
  if (!result.linearizable) io.stdout(explain(result));
  io.stdout(`${JSON.stringify(result)}\n`);
  return result.linearizable ? LincheckExit.linearizable : LincheckExit.notLinearizable;
}

function explain(result: LinResult): string {
  const window = result.window ?? [];
  const opCount = window.filter((e) => e.type === 'invoke').length;
  const lines = [
    `not linearizable: key ${JSON.stringify(result.key)}`,
    (opCount === 1 ? 'this operation cannot be explained' : `these ${opCount} operations cannot be ordered`) +
      ', whatever the key held before them and wherever concurrent writes outside them took effect:',
    ...window.map(describe),
  ];
  return `${lines.join('\n')}\n`;
}

function describe(event: HistoryEvent): string {
  const { process: client, type, f, value } = event;
  return `  process ${client}  ${type.padEnd(6)} ${f.padEnd(5)} ${JSON.stringify(value)}`;
}
