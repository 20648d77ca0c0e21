// Reads a container's CRI log (across rotated files) as whole lines, and with `follow` keeps
// streaming what the log writer appends until the writer finishes (the container exited and its
// output is drained) or the reader aborts.

import fs from 'node:fs';
import type { ContainerLogLine, ContainerLogOptions } from '../cri.js';
import { CriLogLineMerger, decodeCriLogFile, formatRfc3339Nano, type CriLogEntry, type MergedLogLine } from './cri-log-format.js';
import { logFilesOldestFirst, type ContainerLogWriter } from './container-log-writer.js';

/**
 * Most entries queued for one follower that reads slower than the container writes. A follower
 * that falls this far behind is ended (as if the container had stopped) rather than growing
 * without bound or silently losing lines in the middle.
 */
export const MAX_FOLLOW_QUEUED_ENTRIES = 10_000;

export interface ContainerLogSource {
  readonly logPath: string;
  readonly maxLogFiles: number;
  /** The live writer while the runtime reads the container's output; absent once finished. */
  readonly writer?: ContainerLogWriter;
  /**
   * Settles once the container's exit is recorded (or the runtime closes). A follow whose writer
   * has finished waits for it, so it ends after the exit is visible, not merely at end of output.
   */
  readonly exited?: Promise<void>;
}

/**
 * Whole lines of the log as the options ask. The files are read and the writer subscribed to in
 * one synchronous step, so a follower neither misses nor repeats an entry.
 */
export async function* readContainerLogLines(
  source: ContainerLogSource,
  options: ContainerLogOptions,
  signal?: AbortSignal,
): AsyncGenerator<ContainerLogLine> {
  if (signal?.aborted) return;
  const merger = new CriLogLineMerger();
  let lines: MergedLogLine[] = [];
  for (const file of logFilesOldestFirst(source.logPath, source.maxLogFiles)) {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      continue;
    }
    for (const entry of decodeCriLogFile(data)) {
      const line = merger.push(entry);
      if (line) lines.push(line);
    }
  }

  const queue: CriLogEntry[] = [];
  let ended = true;
  let wake: (() => void) | undefined;
  let unsubscribe = (): void => undefined;
  const onAbort = (): void => {
    ended = true;
    wake?.();
  };
  if (options.follow === true && source.writer !== undefined && !source.writer.isFinished) {
    ended = false;
    unsubscribe = source.writer.subscribe(
      (entry) => {
        if (queue.length >= MAX_FOLLOW_QUEUED_ENTRIES) ended = true;
        else queue.push(entry);
        wake?.();
      },
      () => {
        ended = true;
        wake?.();
      },
    );
    signal?.addEventListener('abort', onAbort);
  } else {
    lines.push(...merger.flush());
  }

  try {
    const sinceMs = options.sinceMs;
    if (sinceMs !== undefined) lines = lines.filter((l) => l.timeMs >= sinceMs);
    if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
    let budget = options.limitBytes ?? Infinity;

    const emit = (line: MergedLogLine): ContainerLogLine | undefined => {
      if (budget <= 0) return undefined;
      let content = line.content;
      if (options.timestamps === true) content = Buffer.concat([Buffer.from(`${formatRfc3339Nano(line.timeMs, true)} `), content]);
      // Each line costs its bytes and the newline the consumer adds; the line that crosses the
      // limit is cut to what is left (so the newline after it is the only byte over).
      if (content.length + 1 > budget) {
        content = content.subarray(0, budget);
        budget = 0;
      } else {
        budget -= content.length + 1;
      }
      return { stream: line.stream, timeMs: line.timeMs, text: content.toString('utf8') };
    };

    for (const line of lines) {
      if (signal?.aborted) return;
      const out = emit(line);
      if (out === undefined) return;
      yield out;
    }
    lines = [];

    for (;;) {
      while (queue.length > 0) {
        if (signal?.aborted) return;
        const line = merger.push(queue.shift()!);
        if (line === undefined || (sinceMs !== undefined && line.timeMs < sinceMs)) continue;
        const out = emit(line);
        if (out === undefined) return;
        yield out;
      }
      if (ended || signal?.aborted) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (signal?.aborted) return;
    if (options.follow === true && source.exited !== undefined) {
      await Promise.race([source.exited, new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))]);
    }
    for (const line of merger.flush()) {
      const out = emit(line);
      if (out === undefined) return;
      yield out;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
