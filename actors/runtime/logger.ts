/**
 * Structured logging as the runtime and actors see it: a message and flat fields. Injected so a
 * process writes one JSON line per entry and a test or simulation can capture them.
 * (cluster/'s `Logger` satisfies it.)
 */
export interface ActorLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The default logger: one JSON object per line on stderr, with `base` merged into every entry. */
export function jsonStderrActorLogger(base: Record<string, unknown> = {}): ActorLogger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>): void => {
    process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...base, ...fields })}\n`);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** A logger that adds `fields` to every entry of `logger`. */
export function withLogFields(logger: ActorLogger, fields: Record<string, unknown>): ActorLogger {
  return {
    info: (msg, more) => logger.info(msg, { ...fields, ...more }),
    warn: (msg, more) => logger.warn(msg, { ...fields, ...more }),
    error: (msg, more) => logger.error(msg, { ...fields, ...more }),
  };
}

/** Log fields for a thrown value: its class, message and stack when it is an Error. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { error: error.message, errorName: error.name, stack: error.stack };
  }
  return { error: String(error) };
}
