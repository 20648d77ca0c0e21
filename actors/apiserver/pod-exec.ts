// pods/NAME/exec over WebSocket (kubectl ≥ 1.30's default): the request is checked (pod,
// container, node) while it is still plain HTTP, so a refusal is an ordinary Status; then the
// connection is upgraded and relayed, frame by frame, to an Exec call on the pod's kubelet. The
// command's end is reported on the error channel (Success, or NonZeroExitCode with its code).

import type { WebSocket, WebSocketServer } from 'ws';
import { ApiBadRequestError, ApiMethodNotAllowedError } from '../../core/index.js';
import type { KubeHttpRequest, KubeHttpResponse, KubeletClient, KubeletExecOpen, KubeletExecSession, ResourceRequestInfo } from '../../transport/index.js';
import { isJsonMap } from './object-meta.js';
import type { PodKubeletContext } from './pod-kubelet.js';
import { kubeletOfPod, resolvePodContainer } from './pod-kubelet.js';
import { parseQueryBool } from './pod-log.js';
import type { ExecChannelProtocol } from './pod-exec-channels.js';
import {
  decodeClientFrame,
  encodeChannelFrame,
  errorChannelFrame,
  execExitStatus,
  execFailureStatus,
  negotiateExecProtocol,
  STDERR_CHANNEL,
  STDIN_CHANNEL,
  STDOUT_CHANNEL,
} from './pod-exec-channels.js';

/** Stdin a client may send before the kubelet started the command; more fails the session. */
export const EXEC_EARLY_STDIN_MAX_BYTES = 1024 * 1024;
/** Largest WebSocket message accepted from a client (stdin chunks are far smaller). */
export const EXEC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface PodExecContext extends PodKubeletContext {
  /** A `ws` server in noServer mode, shared by every exec of this API server. */
  readonly webSockets: WebSocketServer;
}

function offeredProtocols(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(text.split(',').map((p) => p.trim()).filter((p) => p !== ''));
}

/** PodExecOptions from the query (`command` repeated, one per argument). */
export function parsePodExecQuery(q: URLSearchParams): Omit<KubeletExecOpen, 'namespace' | 'pod' | 'container'> & { readonly container: string } {
  const command = q.getAll('command');
  const options = {
    container: q.get('container') ?? '',
    command,
    stdin: parseQueryBool(q, 'stdin'),
    stdout: parseQueryBool(q, 'stdout'),
    stderr: parseQueryBool(q, 'stderr'),
    tty: parseQueryBool(q, 'tty'),
  };
  if (command.length === 0) throw new ApiBadRequestError('you must specify at least 1 command');
  if (!options.stdin && !options.stdout && !options.stderr) throw new ApiBadRequestError('you must specify at least 1 of stdin, stdout, stderr');
  return options;
}

/** Serves GET (WebSocket) pods/NAME/exec. */
export async function servePodExec(c: PodExecContext, req: KubeHttpRequest, info: ResourceRequestInfo): Promise<KubeHttpResponse> {
  if (info.verb !== 'get' && info.verb !== 'create') throw new ApiMethodNotAllowedError({ group: '', resource: 'pods/exec' }, info.verb);
  const query = parsePodExecQuery(info.query);
  const pod = await c.pods.get(info.namespace, info.name);
  const container = resolvePodContainer(pod, query.container);
  const phase = isJsonMap(pod.status) ? pod.status.phase : undefined;
  if (phase === 'Succeeded' || phase === 'Failed') throw new ApiBadRequestError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const kubelet = await kubeletOfPod(c, pod);
  const upgrade = req.upgrade;
  const upgradeHeader = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === undefined || upgradeHeader !== 'websocket') throw new ApiBadRequestError('Upgrade request required');
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  const protocol = negotiateExecProtocol(offered);
  if (protocol === undefined) throw new ApiBadRequestError(`requested protocol(s) are not supported: ${[...offered].join(', ')}`);
  const open: KubeletExecOpen = { ...query, namespace: info.namespace, pod: info.name, container };
  c.webSockets.handleUpgrade(upgrade.request, upgrade.socket, upgrade.head, (ws) => relayExec(ws, protocol, kubelet, open));
  return { type: 'upgraded' };
}

/** Relays one upgraded connection to a kubelet Exec until the command ends or either side goes away. */
export function relayExec(ws: WebSocket, protocol: ExecChannelProtocol, kubelet: Pick<KubeletClient, 'exec'>, open: KubeletExecOpen): void {
  let session: KubeletExecSession | undefined;
  let done = false;
  const early: { type: 'stdin'; data: Buffer }[] = [];
  let earlyBytes = 0;
  let stdinClosed = false;

  const finish = (status: Record<string, unknown>): void => {
    if (done) return;
    done = true;
    const frame = errorChannelFrame(status, protocol);
    if (frame !== undefined && ws.readyState === ws.OPEN) ws.send(frame);
    ws.close(1000);
  };
  const send = (channel: number, data: Uint8Array): void => {
    if (!done && ws.readyState === ws.OPEN) ws.send(encodeChannelFrame(channel, data));
  };

  ws.on('error', () => {
    done = true;
    session?.kill();
  });
  ws.on('close', () => {
    if (!done) {
      done = true;
      session?.kill();
    }
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const message = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const frame = decodeClientFrame(message, protocol);
    if (!open.stdin && (frame.type === 'stdin' || (frame.type === 'close' && frame.channel === STDIN_CHANNEL))) return;
    if (session === undefined) {
      if (frame.type === 'stdin') {
        earlyBytes += frame.data.byteLength;
        if (earlyBytes > EXEC_EARLY_STDIN_MAX_BYTES) return finish(execFailureStatus('too much input before the command started'));
        early.push({ type: 'stdin', data: Buffer.from(frame.data) });
      } else if (frame.type === 'close' && frame.channel === STDIN_CHANNEL) stdinClosed = true;
      return;
    }
    if (frame.type === 'stdin') session.writeStdin(frame.data);
    else if (frame.type === 'close' && frame.channel === STDIN_CHANNEL) session.closeStdin();
    else if (frame.type === 'resize') session.resize(frame.width, frame.height);
  });

  void kubelet.exec(open).then(
    (s) => {
      session = s;
      if (done) return s.kill();
      if (open.stdout) s.onStdout((d) => send(STDOUT_CHANNEL, d));
      // With a tty the command has one output stream; kubelet sends it all on stdout.
      if (open.stderr) s.onStderr((d) => send(open.tty ? STDOUT_CHANNEL : STDERR_CHANNEL, d));
      for (const e of early.splice(0)) s.writeStdin(e.data);
      if (stdinClosed) s.closeStdin();
      void s.exited.then(
        (code) => finish(execExitStatus(code, open.command)),
        (err: unknown) => finish(execFailureStatus(`error executing command in container: ${err instanceof Error ? err.message : String(err)}`)),
      );
    },
    (err: unknown) => {
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 500;
      finish(execFailureStatus(err instanceof Error ? err.message : String(err), code === 400 || code === 404 ? 400 : 500));
    },
  );
}
