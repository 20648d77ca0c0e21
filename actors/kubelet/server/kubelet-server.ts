// The kubelet's own server: what the API server proxies `pods/log`, `pods/exec` and the metrics
// pipeline to, served over the ContainerRuntime. Requests name pods by namespace and name; the
// server finds what runs for them in the runtime (see pod-containers.ts).

import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { failureStatus, ResourceApiError } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import type { KubeletExecOpen, KubeletExecSession, KubeletLogRequest, KubeletServiceHandlers } from '../../../transport/index.js';
import { addKubeletService, KUBELET_SERVER_OPTIONS } from '../../../transport/index.js';
import type { ContainerRuntime } from '../runtime/cri.js';
import { ContainerNotFoundError, ContainerNotRunningError } from '../runtime/runtime-errors.js';
import { containerForExec, containerForLogs } from './pod-containers.js';
import type { NodeUsageReading } from './stats-sampler.js';
import { StatsSampler } from './stats-sampler.js';

export interface KubeletServerOptions {
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly clock: Clock;
  /** 0: any free port. */
  readonly port: number;
  /** Default 0.0.0.0: masters on other hosts reach it at the node's InternalIP. */
  readonly host?: string;
  /** Whether a bearer token (undefined when none was sent) may use this kubelet. */
  readonly authenticate: (token: string | undefined) => boolean;
  readonly statsSampleIntervalMs?: number;
  /** The node's own usage; default the host's, from the OS. */
  readonly nodeUsage?: () => NodeUsageReading;
}

export interface KubeletServer {
  /** The port bound (the one asked for, or the one the OS picked). */
  readonly port: number;
  readonly sampler: StatsSampler;
  /** Ends open streams and stops serving. */
  close(): Promise<void>;
}

/** Lines the log reader may have produced past `limitBytes` are cut here, newline included in the count. */
function limitLogBytes(lines: AsyncIterable<{ readonly text: string }>, limitBytes: number | undefined): AsyncIterable<Uint8Array> {
  return (async function* () {
    let left = limitBytes ?? Infinity;
    for await (const line of lines) {
      if (left <= 0) return;
      let bytes = Buffer.from(`${line.text}\n`);
      if (bytes.byteLength > left) bytes = bytes.subarray(0, left);
      left -= bytes.byteLength;
      yield bytes;
    }
  })();
}

/** The runtime's typed errors as the Statuses kubelet answers with. */
function statusError(err: unknown, container: string, pod: string): unknown {
  if (err instanceof ContainerNotRunningError) return new ResourceApiError(failureStatus(400, 'BadRequest', `container "${container}" in pod "${pod}" is not running`));
  if (err instanceof ContainerNotFoundError) return new ResourceApiError(failureStatus(404, 'NotFound', `container not found ("${container}")`));
  return err;
}

export function kubeletServiceHandlers(runtime: ContainerRuntime, sampler: StatsSampler): KubeletServiceHandlers {
  return {
    async containerLogs(r: KubeletLogRequest, signal: AbortSignal) {
      try {
        const instance = await containerForLogs(runtime, r.namespace, r.pod, r.container, r.previous === true);
        const lines = runtime.readContainerLogs(
          instance.id,
          {
            ...(r.follow === true && r.previous !== true ? { follow: true } : {}),
            ...(r.tailLines !== undefined ? { tailLines: r.tailLines } : {}),
            ...(r.sinceMs !== undefined ? { sinceMs: r.sinceMs } : {}),
            ...(r.timestamps === true ? { timestamps: true } : {}),
          },
          signal,
        );
        return limitLogBytes(lines, r.limitBytes);
      } catch (err) {
        throw statusError(err, r.container, r.pod);
      }
    },
    async exec(open: KubeletExecOpen): Promise<KubeletExecSession> {
      if (open.command.length === 0) throw new ResourceApiError(failureStatus(400, 'BadRequest', 'you must specify at least 1 command'));
      try {
        const instance = await containerForExec(runtime, open.namespace, open.pod, open.container);
        return await runtime.exec(instance.id, open.command, { stdin: open.stdin, tty: open.tty });
      } catch (err) {
        throw statusError(err, open.container, open.pod);
      }
    },
    statsSummary: () => sampler.summary(),
  };
}

/** Starts the kubelet server and its stats sampler; resolves once it listens. */
export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const sampler = new StatsSampler({
    runtime: o.runtime,
    clock: o.clock,
    nodeName: o.nodeName,
    ...(o.statsSampleIntervalMs !== undefined ? { intervalMs: o.statsSampleIntervalMs } : {}),
    ...(o.nodeUsage !== undefined ? { nodeUsage: o.nodeUsage } : {}),
  });
  const server = new grpc.Server(KUBELET_SERVER_OPTIONS);
  addKubeletService(server, kubeletServiceHandlers(o.runtime, sampler), { authenticate: o.authenticate });
  const host = o.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  sampler.start();
  return {
    port,
    sampler,
    close: async () => {
      sampler.stop();
      // Open `logs -f` and exec streams would hold a graceful shutdown forever: end them.
      server.forceShutdown();
      await Promise.resolve();
    },
  };
}

/** An authenticate function accepting exactly `token`; without a token (an insecure cluster) every call is accepted. */
export function kubeletTokenAuthenticator(token: string | undefined): (presented: string | undefined) => boolean {
  if (token === undefined || token === '') return () => true;
  const expected = Buffer.from(token);
  return (presented) => {
    const given = Buffer.from(presented ?? '');
    return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
  };
}
