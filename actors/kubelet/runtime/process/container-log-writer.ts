// Turns a container's stdout and stderr (read from its FIFOs) into CRI log entries in its log file,
// rotating the file by size. Writes are synchronous so entries from both streams land in the order
// they were read and a follower that reads the file and subscribes in one tick misses nothing.

import fs from 'node:fs';
import type net from 'node:net';
import type { Clock } from '../../../../raft/index.js';
import { encodeCriLogEntry, MAX_LOG_LINE_CHUNK_BYTES, type CriLogEntry, type CriLogStream } from './cri-log-format.js';

export const DEFAULT_MAX_LOG_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_LOG_FILES = 5;

/** Most concurrent followers of one container's log (`kubectl logs -f` sessions). */
export const MAX_LOG_FOLLOWERS_PER_CONTAINER = 64;

export interface LogRotationPolicy {
  /** The current file is rotated before an entry would take it past this size. */
  readonly maxLogFileBytes: number;
  /** Files kept, the current one included: `log`, `log.1` … `log.(maxLogFiles-1)`. */
  readonly maxLogFiles: number;
}

/** Every file of one container's log that may exist, oldest first (the current file last). */
export function logFilesOldestFirst(logPath: string, maxLogFiles: number): string[] {
  const out: string[] = [];
  for (let i = maxLogFiles - 1; i >= 1; i--) out.push(`${logPath}.${i}`);
  out.push(logPath);
  return out;
}

/** Thrown by ContainerLogWriter.subscribe when MAX_LOG_FOLLOWERS_PER_CONTAINER followers are attached. */
export class TooManyLogFollowersError extends Error {
  override readonly name = 'TooManyLogFollowersError';
  constructor(readonly logPath: string) {
    super(`log ${logPath} already has ${MAX_LOG_FOLLOWERS_PER_CONTAINER} followers`);
  }
}

/** Appends entries to a log file, rotating it by size. */
export class RotatingLogFile {
  private fd: number | undefined;
  private sizeBytes = 0;

  constructor(readonly logPath: string, private readonly policy: LogRotationPolicy) {}

  append(entry: CriLogEntry): void {
    const bytes = encodeCriLogEntry(entry);
    const fd = this.open();
    if (this.sizeBytes > 0 && this.sizeBytes + bytes.length > this.policy.maxLogFileBytes) {
      this.rotate();
      this.append(entry);
      return;
    }
    fs.writeSync(fd, bytes);
    this.sizeBytes += bytes.length;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.logPath, 'a');
      this.sizeBytes = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const files = logFilesOldestFirst(this.logPath, this.policy.maxLogFiles);
    // files[0] is the oldest kept; it falls off, every other moves one step older.
    if (files.length === 1) {
      fs.rmSync(this.logPath, { force: true });
      return;
    }
    fs.rmSync(files[0]!, { force: true });
    for (let i = 1; i < files.length; i++) {
      try {
        fs.renameSync(files[i]!, files[i - 1]!);
      } catch {
        // That generation did not exist yet.
      }
    }
  }
}

interface AttachedStream {
  readonly socket: net.Socket;
  /** Bytes read after the last newline, not yet written. */
  pending: Buffer[];
  pendingBytes: number;
  ended: boolean;
}

/**
 * Reads a container's output streams into its rotating log file and tells followers of each entry.
 * `finished` resolves once every attached stream has ended (the container and everything that
 * held its FIFOs are gone) or the writer was closed.
 */
export class ContainerLogWriter {
  private readonly file: RotatingLogFile;
  private readonly streams = new Map<CriLogStream, AttachedStream>();
  private readonly followers = new Set<(entry: CriLogEntry) => void>();
  private readonly endListeners = new Set<() => void>();
  private done = false;
  private resolveFinished!: () => void;
  readonly finished: Promise<void>;

  constructor(logPath: string, policy: LogRotationPolicy, private readonly clock: Clock) {
    this.file = new RotatingLogFile(logPath, policy);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get isFinished(): boolean {
    return this.done;
  }

  attach(stream: CriLogStream, socket: net.Socket): void {
    const s: AttachedStream = { socket, pending: [], pendingBytes: 0, ended: false };
    this.streams.set(stream, s);
    socket.on('data', (chunk: Buffer) => this.onData(stream, s, chunk));
    const end = (): void => this.onEnd(stream, s);
    socket.on('end', end);
    socket.on('error', end);
    socket.on('close', end);
  }

  /** `follower` sees every entry written from now on; `onEnd` once the writer finishes. Returns the unsubscribe function. */
  subscribe(follower: (entry: CriLogEntry) => void, onEnd: () => void): () => void {
    if (this.done) {
      onEnd();
      return () => undefined;
    }
    if (this.followers.size >= MAX_LOG_FOLLOWERS_PER_CONTAINER) throw new TooManyLogFollowersError(this.file.logPath);
    this.followers.add(follower);
    this.endListeners.add(onEnd);
    return () => {
      this.followers.delete(follower);
      this.endListeners.delete(onEnd);
    };
  }

  /**
   * Stops reading without waiting for the streams to end. Bytes of an unfinished line are written
   * as a `P` entry, so a runtime that re-adopts the container continues the same line.
   */
  close(): void {
    for (const [stream, s] of this.streams) {
      if (!s.ended && s.pendingBytes > 0) this.write(stream, 'P', Buffer.concat(s.pending));
      s.pending = [];
      s.pendingBytes = 0;
      s.ended = true;
      s.socket.destroy();
    }
    this.finish();
  }

  private onData(stream: CriLogStream, s: AttachedStream, chunk: Buffer): void {
    if (s.ended) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line = s.pendingBytes > 0 ? Buffer.concat([...s.pending, piece]) : piece;
      s.pending = [];
      s.pendingBytes = 0;
      this.writeLine(stream, line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      s.pending.push(Buffer.from(rest));
      s.pendingBytes += rest.length;
      while (s.pendingBytes >= MAX_LOG_LINE_CHUNK_BYTES) {
        const all = Buffer.concat(s.pending);
        this.write(stream, 'P', all.subarray(0, MAX_LOG_LINE_CHUNK_BYTES));
        const left = all.subarray(MAX_LOG_LINE_CHUNK_BYTES);
        s.pending = left.length > 0 ? [left] : [];
        s.pendingBytes = left.length;
      }
    }
  }

  /** A whole line: `P` chunks of MAX_LOG_LINE_CHUNK_BYTES, then the rest as `F`. */
  private writeLine(stream: CriLogStream, line: Buffer): void {
    let off = 0;
    while (line.length - off > MAX_LOG_LINE_CHUNK_BYTES) {
      this.write(stream, 'P', line.subarray(off, off + MAX_LOG_LINE_CHUNK_BYTES));
      off += MAX_LOG_LINE_CHUNK_BYTES;
    }
    this.write(stream, 'F', line.subarray(off));
  }

  private write(stream: CriLogStream, tag: 'F' | 'P', content: Buffer): void {
    const entry: CriLogEntry = { stream, tag, timeMs: this.clock.now(), content };
    this.file.append(entry);
    for (const f of this.followers) f(entry);
  }

  private onEnd(stream: CriLogStream, s: AttachedStream): void {
    if (s.ended) return;
    s.ended = true;
    // The last line had no newline: it is still a whole line.
    if (s.pendingBytes > 0) this.write(stream, 'F', Buffer.concat(s.pending));
    s.pending = [];
    s.pendingBytes = 0;
    s.socket.destroy();
    if ([...this.streams.values()].every((x) => x.ended)) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.file.close();
    const ends = [...this.endListeners];
    this.followers.clear();
    this.endListeners.clear();
    for (const e of ends) e();
    this.resolveFinished();
  }
}
