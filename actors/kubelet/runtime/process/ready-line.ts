// A child process that says on a socket pair when it is ready (a container's wrapper once its
// output FIFOs are open, a pod's sandbox holder once its hostname is set): the worker waits for
// that line instead of polling the file system.

import type { Duplex } from 'node:stream';

export interface ReadyLineResult {
  /** Whether the line came; false at the stream's end, on an error or after the timeout. */
  readonly ready: boolean;
  /** Everything the child wrote before the line or the end (its error message, when it failed). */
  readonly said: string;
}

/**
 * Reads `stream` until it carries `line` (a whole line) or ends. The stream stays open for the
 * caller (to answer on it, or destroy it); with timeoutMs, gives up after that long.
 */
export function awaitReadyLine(stream: Duplex, line: string, timeoutMs?: number): Promise<ReadyLineResult> {
  return new Promise((resolve) => {
    let said = '';
    let settled = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
    const done = (ready: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      stream.removeListener('data', onData);
      resolve({ ready, said: said.trim() });
    };
    const onData = (chunk: string): void => {
      said += chunk;
      if (`\n${said}`.includes(`\n${line}\n`)) done(true);
    };
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.once('end', () => done(false));
    // A child that died mid-handshake: its exit says the rest.
    stream.on('error', () => done(false));
  });
}
