// Shared by the actor runtime tests: a system on a manual clock with a recording logger, a
// counter actor, and waits that count event-loop turns instead of wall time.
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { ActorEscalationError, ActorLogger, ReplyTo, SupervisionPolicy } from '../../../actors/index.js';
import { ActorSystem, ManualClock, defineActor } from '../../../actors/index.js';

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export class RecordingLogger implements ActorLogger {
  readonly entries: LogEntry[] = [];
  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'error', msg, fields });
  }
  named(msg: string): LogEntry[] {
    return this.entries.filter((e) => e.msg === msg);
  }
}

export interface Harness {
  readonly system: ActorSystem;
  readonly clock: ManualClock;
  readonly registry: Registry;
  readonly logger: RecordingLogger;
  readonly fatal: ActorEscalationError[];
}

/** A system named `sys` on a manual clock, seeded randomness, a fresh registry; shut down at teardown. */
export function harness(t: Test): Harness {
  const clock = new ManualClock(1_000_000);
  const registry = new Registry();
  const logger = new RecordingLogger();
  const fatal: ActorEscalationError[] = [];
  const system = new ActorSystem({
    name: 'sys',
    clock,
    random: new SeededRandom(7),
    logger,
    registry,
    onFatal: (error) => fatal.push(error),
  });
  t.teardown(() => system.shutdown());
  return { system, clock, registry, logger, fatal };
}

/** Lets queued actor turns run: nact schedules each message with setImmediate. */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Runs event-loop turns until `cond()` holds; throws after `maxRounds` turns (no wall-clock limit). */
export async function until(what: string, cond: () => boolean, maxRounds = 5_000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    if (cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`not reached after ${maxRounds} event-loop turns: ${what}`);
}

/** The state of a promise without waiting for it. */
export function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const out: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(out, { settled: true, value }),
    (error: unknown) => Object.assign(out, { settled: true, error }),
  );
  return out;
}

export type CounterMsg =
  | { readonly type: 'inc' }
  | { readonly type: 'boom' }
  | { readonly type: 'get'; readonly replyTo: ReplyTo<number> };

/** Counts `inc`; throws on `boom`; records every incarnation's start and end in `events`. */
export function counterActor(events: string[], supervision?: Partial<SupervisionPolicy>, type = 'counter') {
  return defineActor<number, CounterMsg>({
    type,
    initialState: (ctx) => {
      events.push(`init ${ctx.name}`);
      return 0;
    },
    handle: (count, msg) => {
      switch (msg.type) {
        case 'inc':
          return count + 1;
        case 'boom':
          throw new Error('boom');
        case 'get':
          msg.replyTo.reply(count);
          return count;
      }
    },
    onStop: (count, ctx) => {
      events.push(`stop ${ctx.name} ${count}`);
    },
    ...(supervision === undefined ? {} : { supervision }),
  });
}

/** The value of one sample line of a registry's text exposition, e.g. `name{actor_type="x"}`. */
export async function sample(registry: Registry, series: string): Promise<number | undefined> {
  const text = await registry.metrics();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
