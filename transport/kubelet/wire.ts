/**
 * The kubelet service's wire format, v1 (msgpack, no extensions):
 *
 *   LogRequest     {namespace, pod, container, follow?, tailLines?, sinceMs?, timestamps?, limitBytes?, previous?}
 *   LogChunk       raw bytes of the log as `kubectl logs` prints it (lines with their newlines)
 *   ExecInput      [0, ExecOpen] first, then [1, bytes] stdin, [2] stdin closed, [3, width, height] resize
 *   ExecOutput     [1, bytes] stdout, [2, bytes] stderr, [3, exitCode] (last message of a session)
 *   StatsSummary   {nodeName, node: Usage & {timestampMs, windowMs}, pods: [{namespace, name, uid, timestampMs, windowMs, containers: [Usage & {name}]}]}
 *                  Usage = {cpuUsageNanoCores, memoryWorkingSetBytes}
 */
import { Packr, Unpackr } from 'msgpackr';
import { packBounded } from '../../core/index.js';

/**
 * Thrown when bytes received are not a message of the v1 format (a peer of another version, or
 * a bug). A server answers INVALID_ARGUMENT; a client fails the call.
 */
export class KubeletWireFormatError extends Error {
  override readonly name = 'KubeletWireFormatError';
}

const PACK_OPTIONS: NonNullable<ConstructorParameters<typeof Packr>[0]> & { skipValues: unknown[] } = { useRecords: false, skipValues: [undefined], encodeUndefinedAsNil: true };
const packr = new Packr(PACK_OPTIONS);
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export function encodeKubeletMessage(value: unknown): Buffer {
  return packBounded(packr, value);
}

export function decodeKubeletMessage(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch (err) {
    throw new KubeletWireFormatError(`not msgpack: ${(err as Error).message}`);
  }
}

export interface KubeletLogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly follow?: boolean;
  readonly tailLines?: number;
  /** Only lines written at or after this wall-clock time (ms since the epoch). */
  readonly sinceMs?: number;
  readonly timestamps?: boolean;
  readonly limitBytes?: number;
  /** The container's previous (exited) instance instead of the current one. */
  readonly previous?: boolean;
}

export interface KubeletExecOpen {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export type KubeletExecInput =
  | { readonly type: 'open'; readonly open: KubeletExecOpen }
  | { readonly type: 'stdin'; readonly data: Uint8Array }
  | { readonly type: 'stdinClose' }
  | { readonly type: 'resize'; readonly width: number; readonly height: number };

export type KubeletExecOutput =
  | { readonly type: 'stdout'; readonly data: Uint8Array }
  | { readonly type: 'stderr'; readonly data: Uint8Array }
  | { readonly type: 'exit'; readonly exitCode: number };

export interface KubeletUsage {
  /** CPU in use over the window, in billionths of a core. */
  readonly cpuUsageNanoCores: number;
  readonly memoryWorkingSetBytes: number;
}

export interface KubeletContainerUsage extends KubeletUsage {
  readonly name: string;
}

export interface KubeletPodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** When the latest sample was taken (ms since the epoch). */
  readonly timestampMs: number;
  /** The interval the CPU rate was measured over. */
  readonly windowMs: number;
  readonly containers: readonly KubeletContainerUsage[];
}

export interface KubeletStatsSummary {
  readonly nodeName: string;
  readonly node: KubeletUsage & { readonly timestampMs: number; readonly windowMs: number };
  readonly pods: readonly KubeletPodUsage[];
}

// ---- codecs

export function encodeLogRequest(r: KubeletLogRequest): Buffer {
  return encodeKubeletMessage(r);
}

export function decodeLogRequest(bytes: Uint8Array): KubeletLogRequest {
  const m = mapOf(decodeKubeletMessage(bytes), 'log request');
  return {
    namespace: str(m['namespace'], 'namespace'),
    pod: str(m['pod'], 'pod'),
    container: str(m['container'], 'container'),
    ...optional(m, 'follow', 'boolean'),
    ...optional(m, 'tailLines', 'number'),
    ...optional(m, 'sinceMs', 'number'),
    ...optional(m, 'timestamps', 'boolean'),
    ...optional(m, 'limitBytes', 'number'),
    ...optional(m, 'previous', 'boolean'),
  };
}

const EXEC_OPEN = 0;
const EXEC_STDIN = 1;
const EXEC_STDIN_CLOSE = 2;
const EXEC_RESIZE = 3;
const EXEC_STDOUT = 1;
const EXEC_STDERR = 2;
const EXEC_EXIT = 3;

export function encodeExecInput(input: KubeletExecInput): Buffer {
  switch (input.type) {
    case 'open':
      return encodeKubeletMessage([EXEC_OPEN, input.open]);
    case 'stdin':
      return encodeKubeletMessage([EXEC_STDIN, input.data]);
    case 'stdinClose':
      return encodeKubeletMessage([EXEC_STDIN_CLOSE]);
    case 'resize':
      return encodeKubeletMessage([EXEC_RESIZE, input.width, input.height]);
  }
}

export function decodeExecInput(bytes: Uint8Array): KubeletExecInput {
  const a = arrayOf(decodeKubeletMessage(bytes), 'exec input');
  switch (a[0]) {
    case EXEC_OPEN: {
      const m = mapOf(a[1], 'exec open');
      const command = m['command'];
      if (!Array.isArray(command) || !command.every((c) => typeof c === 'string')) throw new KubeletWireFormatError('exec command is not a list of strings');
      return {
        type: 'open',
        open: {
          namespace: str(m['namespace'], 'namespace'),
          pod: str(m['pod'], 'pod'),
          container: str(m['container'], 'container'),
          command: command as string[],
          stdin: m['stdin'] === true,
          stdout: m['stdout'] === true,
          stderr: m['stderr'] === true,
          tty: m['tty'] === true,
        },
      };
    }
    case EXEC_STDIN:
      return { type: 'stdin', data: bytesOf(a[1], 'stdin') };
    case EXEC_STDIN_CLOSE:
      return { type: 'stdinClose' };
    case EXEC_RESIZE:
      return { type: 'resize', width: num(a[1], 'width'), height: num(a[2], 'height') };
    default:
      throw new KubeletWireFormatError(`unknown exec input type ${String(a[0])}`);
  }
}

export function encodeExecOutput(output: KubeletExecOutput): Buffer {
  switch (output.type) {
    case 'stdout':
      return encodeKubeletMessage([EXEC_STDOUT, output.data]);
    case 'stderr':
      return encodeKubeletMessage([EXEC_STDERR, output.data]);
    case 'exit':
      return encodeKubeletMessage([EXEC_EXIT, output.exitCode]);
  }
}

export function decodeExecOutput(bytes: Uint8Array): KubeletExecOutput {
  const a = arrayOf(decodeKubeletMessage(bytes), 'exec output');
  switch (a[0]) {
    case EXEC_STDOUT:
      return { type: 'stdout', data: bytesOf(a[1], 'stdout') };
    case EXEC_STDERR:
      return { type: 'stderr', data: bytesOf(a[1], 'stderr') };
    case EXEC_EXIT:
      return { type: 'exit', exitCode: num(a[1], 'exitCode') };
    default:
      throw new KubeletWireFormatError(`unknown exec output type ${String(a[0])}`);
  }
}

export function encodeStatsSummary(summary: KubeletStatsSummary): Buffer {
  return encodeKubeletMessage(summary);
}

export function decodeStatsSummary(bytes: Uint8Array): KubeletStatsSummary {
  const m = mapOf(decodeKubeletMessage(bytes), 'stats summary');
  const node = mapOf(m['node'], 'node');
  const pods = m['pods'];
  if (!Array.isArray(pods)) throw new KubeletWireFormatError('stats summary without pods');
  return {
    nodeName: str(m['nodeName'], 'nodeName'),
    node: { ...usageOf(node), timestampMs: num(node['timestampMs'], 'timestampMs'), windowMs: num(node['windowMs'], 'windowMs') },
    pods: pods.map((p: unknown): KubeletPodUsage => {
      const pm = mapOf(p, 'pod');
      const containers = pm['containers'];
      if (!Array.isArray(containers)) throw new KubeletWireFormatError('pod stats without containers');
      return {
        namespace: str(pm['namespace'], 'namespace'),
        name: str(pm['name'], 'name'),
        uid: str(pm['uid'], 'uid'),
        timestampMs: num(pm['timestampMs'], 'timestampMs'),
        windowMs: num(pm['windowMs'], 'windowMs'),
        containers: containers.map((c: unknown) => {
          const cm = mapOf(c, 'container');
          return { name: str(cm['name'], 'name'), ...usageOf(cm) };
        }),
      };
    }),
  };
}

// ---- field checks

function usageOf(m: Record<string, unknown>): KubeletUsage {
  return { cpuUsageNanoCores: num(m['cpuUsageNanoCores'], 'cpuUsageNanoCores'), memoryWorkingSetBytes: num(m['memoryWorkingSetBytes'], 'memoryWorkingSetBytes') };
}

function mapOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) throw new KubeletWireFormatError(`${what} is not a map`);
  return value as Record<string, unknown>;
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw new KubeletWireFormatError(`${what} is not a non-empty array`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new KubeletWireFormatError(`${what} is not a string`);
  return value;
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new KubeletWireFormatError(`${what} is not a number`);
  return value;
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new KubeletWireFormatError(`${what} is not bytes`);
  return value;
}

function optional(m: Record<string, unknown>, key: string, type: 'boolean' | 'number'): Record<string, unknown> {
  const v = m[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== type) throw new KubeletWireFormatError(`${key} is not a ${type}`);
  return { [key]: v };
}
