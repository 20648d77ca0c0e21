import { isLinFunction, isLinOpType, type HistoryEvent } from './history.js';
import { MalformedHistoryError, pairOperations } from './operations.js';

/**
 * Thrown by `parseHistory` for input that is not a well-formed history. `line` is the 1-based
 * line number of the offending line.
 */
export class HistoryParseError extends Error {
  override readonly name = 'HistoryParseError';

  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Parses a JSON-lines history (one HistoryEvent per line; blank lines are skipped) and checks
 * that its events pair up into operations, so a history that parses can be checked.
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lineOfEvent: number[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    events.push(parseEvent(raw, i + 1));
    lineOfEvent.push(i + 1);
  });
  try {
    pairOperations(events);
  } catch (err) {
    if (err instanceof MalformedHistoryError) {
      throw new HistoryParseError(lineOfEvent[err.eventIndex]!, err.reason);
    }
    throw err;
  }
  return events;
}

function parseEvent(raw: string, line: number): HistoryEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new HistoryParseError(line, `not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HistoryParseError(line, 'an event must be a JSON object');
  }
  const { process, type, f, key } = parsed as Record<string, unknown>;
  if (!Number.isSafeInteger(process)) {
    const got = JSON.stringify(process);
    throw new HistoryParseError(line, `"process" must be an integer, got ${got}`);
  }
  if (!isLinOpType(type)) {
    throw new HistoryParseError(line, `unknown "type" ${JSON.stringify(type)}`);
  }
  if (!isLinFunction(f)) {
    throw new HistoryParseError(line, `unknown "f" ${JSON.stringify(f)}`);
  }
  if (typeof key !== 'string') {
    throw new HistoryParseError(line, `"key" must be a string, got ${JSON.stringify(key)}`);
  }
  if (!('value' in parsed)) {
    throw new HistoryParseError(line, 'missing "value" (use null for none)');
  }
  return { process: process as number, type, f, key, value: (parsed as { value: unknown }).value };
}
