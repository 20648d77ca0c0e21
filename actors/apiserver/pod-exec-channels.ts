// The remote-command channel protocol of Kubernetes' WebSocket streams (`pods/exec`,
// `pods/attach`): every binary message is one channel byte followed by that channel's data.
//
//   0 stdin   1 stdout   2 stderr   3 error (a Status)   4 resize ({"Width":w,"Height":h})
//   255 close: v5 only, [255, channel] half-closes a stream (the client's stdin EOF)
//
// Subprotocols: `v5.channel.k8s.io` (close frames), `v4.channel.k8s.io` (error channel carries a
// JSON Status), `channel.k8s.io` (v1: the error channel carries plain text, nothing on success).

/** The subprotocols served, best first. */
export const EXEC_CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;
export type ExecChannelProtocol = (typeof EXEC_CHANNEL_PROTOCOLS)[number];

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
export const ERROR_CHANNEL = 3;
export const RESIZE_CHANNEL = 4;
export const CLOSE_CHANNEL = 255;

/**
 * The subprotocol to answer a client offering `offered` with: the best one we serve that it
 * offers; `channel.k8s.io` when it offered none (as kube's wsstream does); undefined when it
 * offered only ones we do not serve.
 */
export function negotiateExecProtocol(offered: ReadonlySet<string>): ExecChannelProtocol | undefined {
  if (offered.size === 0) return 'channel.k8s.io';
  return EXEC_CHANNEL_PROTOCOLS.find((p) => offered.has(p));
}

export function encodeChannelFrame(channel: number, data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const frame = Buffer.allocUnsafe(body.byteLength + 1);
  frame[0] = channel;
  frame.set(body, 1);
  return frame;
}

/** A message from the client, by channel. */
export type ExecClientFrame =
  | { readonly type: 'stdin'; readonly data: Buffer }
  | { readonly type: 'resize'; readonly width: number; readonly height: number }
  | { readonly type: 'close'; readonly channel: number }
  | { readonly type: 'ignored'; readonly channel: number };

/** Reads one client message; a resize that is not `{"Width":…,"Height":…}` is ignored, as kubelet logs and drops it. */
export function decodeClientFrame(message: Buffer, protocol: ExecChannelProtocol): ExecClientFrame {
  if (message.byteLength === 0) return { type: 'ignored', channel: -1 };
  const channel = message[0]!;
  const data = message.subarray(1);
  if (channel === STDIN_CHANNEL) return { type: 'stdin', data };
  if (channel === RESIZE_CHANNEL) {
    try {
      const size = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
      if (typeof size.Width === 'number' && typeof size.Height === 'number') return { type: 'resize', width: size.Width, height: size.Height };
    } catch {
      // not JSON: dropped below
    }
    return { type: 'ignored', channel };
  }
  if (channel === CLOSE_CHANNEL && protocol === 'v5.channel.k8s.io' && data.byteLength >= 1) return { type: 'close', channel: data[0]! };
  return { type: 'ignored', channel };
}

/** The Status the error channel carries when a command has ended (v4 and v5). */
export function execExitStatus(exitCode: number, command: readonly string[]): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The Status the error channel carries when the command could not be run at all. */
export function execFailureStatus(message: string, code = 500): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason: code === 500 ? 'InternalError' : 'BadRequest', code };
}

/**
 * The error channel's message for a Status, in the protocol's form: JSON for v4/v5, the bare
 * message for v1 (which sends nothing on success). Undefined when nothing is to be sent.
 */
export function errorChannelFrame(status: Record<string, unknown>, protocol: ExecChannelProtocol): Buffer | undefined {
  if (protocol === 'channel.k8s.io') {
    if (status.status === 'Success') return undefined;
    return encodeChannelFrame(ERROR_CHANNEL, String(status.message ?? 'error'));
  }
  return encodeChannelFrame(ERROR_CHANNEL, JSON.stringify(status));
}
