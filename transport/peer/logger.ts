/** A log sink for transport events (dial failures, rejected streams); JSON-line loggers fit. */
export interface PeerTransportLogger {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Drops everything: the default when no logger is given. */
export const SILENT_LOGGER: PeerTransportLogger = Object.freeze({ info() {}, warn() {} });
