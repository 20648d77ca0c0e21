// The CRI container log format, one entry per line: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`.
// `P` marks a chunk of a longer line that continues in the next entry of the same stream; `F` ends
// a line. The kubelet and `kubectl logs` read this format from containerd and CRI-O too.

/** A line longer than this without a newline is written as `P` chunks of this size. */
export const MAX_LOG_LINE_CHUNK_BYTES = 16 * 1024;

/** A line merged from `P` chunks is handed out once it reaches this size even without its `F`. */
export const MAX_MERGED_LOG_LINE_BYTES = 1024 * 1024;

export type CriLogStream = 'stdout' | 'stderr';
export type CriLogTag = 'F' | 'P';

export interface CriLogEntry {
  readonly stream: CriLogStream;
  readonly tag: CriLogTag;
  readonly timeMs: number;
  readonly content: Buffer;
}

/**
 * RFC 3339 with nanoseconds in UTC. `trimZeros` drops trailing zeros of the fraction (and the dot),
 * as Go's time.RFC3339Nano does (what `kubectl logs --timestamps` shows); without it the fraction
 * always has nine digits, so the log file's timestamps have one width.
 */
export function formatRfc3339Nano(timeMs: number, trimZeros = false): string {
  const wholeMs = Math.floor(timeMs);
  const iso = new Date(wholeMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const subMsNanos = Math.min(999_999, Math.max(0, Math.round((timeMs - wholeMs) * 1e6)));
  let fraction = `${iso.slice(20, 23)}${String(subMsNanos).padStart(6, '0')}`;
  if (trimZeros) fraction = fraction.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Milliseconds (with a fraction for sub-millisecond digits) of an RFC 3339 timestamp; undefined when malformed. */
export function parseRfc3339Nano(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]!}${m[3]!}`);
  if (!Number.isFinite(whole)) return undefined;
  const fraction = m[2] ?? '';
  return whole + (fraction === '' ? 0 : Number(fraction.padEnd(9, '0')) / 1e6);
}

/** One entry as a line of the log file, newline included. */
export function encodeCriLogEntry(entry: CriLogEntry): Buffer {
  const head = Buffer.from(`${formatRfc3339Nano(entry.timeMs)} ${entry.stream} ${entry.tag} `);
  return Buffer.concat([head, entry.content, Buffer.from('\n')]);
}

/** Parses one line of a log file (without its newline); undefined for a line not in the format. */
export function decodeCriLogEntry(line: Buffer): CriLogEntry | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tagEnd = s3 < 0 ? line.length : s3;
  const timeMs = parseRfc3339Nano(line.subarray(0, s1).toString('latin1'));
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  const tag = line.subarray(s2 + 1, tagEnd).toString('latin1');
  if (timeMs === undefined || (stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) return undefined;
  return { stream, tag, timeMs, content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

/** Splits a whole log file's bytes into entries, skipping malformed lines. */
export function decodeCriLogFile(data: Buffer): CriLogEntry[] {
  const out: CriLogEntry[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    const entry = decodeCriLogEntry(data.subarray(start, end));
    if (entry) out.push(entry);
    start = end + 1;
  }
  return out;
}

/** A whole line of one stream, merged from its `P` chunks and final `F` entry. */
export interface MergedLogLine {
  readonly stream: CriLogStream;
  /** The time of the line's first chunk. */
  readonly timeMs: number;
  readonly content: Buffer;
}

/** Joins `P` chunks to the line they belong to, per stream (stdout and stderr chunks may interleave). */
export class CriLogLineMerger {
  private readonly pending = new Map<CriLogStream, { timeMs: number; chunks: Buffer[]; bytes: number }>();

  /** Feeds one entry; returns the line it completes, if any. */
  push(entry: CriLogEntry): MergedLogLine | undefined {
    const p = this.pending.get(entry.stream);
    if (entry.tag === 'F' && p === undefined) return { stream: entry.stream, timeMs: entry.timeMs, content: entry.content };
    const cur = p ?? { timeMs: entry.timeMs, chunks: [], bytes: 0 };
    cur.chunks.push(entry.content);
    cur.bytes += entry.content.length;
    if (entry.tag === 'F' || cur.bytes >= MAX_MERGED_LOG_LINE_BYTES) {
      this.pending.delete(entry.stream);
      return { stream: entry.stream, timeMs: cur.timeMs, content: Buffer.concat(cur.chunks) };
    }
    this.pending.set(entry.stream, cur);
    return undefined;
  }

  /** Lines whose `F` never came (the log ended mid-line), oldest first. */
  flush(): MergedLogLine[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({ stream, timeMs: p.timeMs, content: Buffer.concat(p.chunks) }));
    this.pending.clear();
    return out.sort((a, b) => a.timeMs - b.timeMs);
  }
}
