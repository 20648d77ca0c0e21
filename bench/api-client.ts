import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';

/** Where and as whom `bench api` talks: every API server of one cluster, and one credential. */
export interface ApiBenchTarget {
  /** `https://host:port` of each API server; requests are spread over them round-robin. */
  readonly servers: readonly string[];
  /** The CA that signed the serving certificates; Node's default roots when absent. */
  readonly caPem?: string;
  readonly token?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** kubeconfig's insecure-skip-tls-verify. */
  readonly insecureSkipTlsVerify?: boolean;
}

export interface ApiBenchResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** Thrown when a request gets no complete response within its timeout. */
export class ApiBenchTimeoutError extends Error {
  override readonly name = 'ApiBenchTimeoutError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path}: no response within ${timeoutMs} ms`);
  }
}

/** Thrown when the API server answers with a status the benchmark did not expect. */
export class ApiBenchStatusError extends Error {
  override readonly name = 'ApiBenchStatusError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The Status reason (`Conflict`, `NotFound`, …) when the body is a Status. */
    readonly reason: string,
    detail: string,
  ) {
    super(`${method} ${path}: HTTP ${status} ${reason}: ${detail}`);
  }
}

/** Sockets kept per API server for ordinary requests: the most requests in flight to one server. */
export const API_BENCH_SOCKETS_PER_SERVER = 64;
/** Connections per server opened before the first timed phase, and how often they are exercised. */
export const API_BENCH_WARMUP_CONNECTIONS = 16;
export const API_BENCH_WARMUP_ROUNDS = 3;
/** How long one request may take before it counts as an error. */
export const API_BENCH_REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive sockets are closed after this long: longer than a request may take, shorter than the API server's 90 s idle close. */
const IDLE_SOCKET_TIMEOUT_MS = 45_000;

export interface ApiBenchRequestOptions {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

/** A watch stream: one line of JSON per event, handed over as it arrives. */
export interface ApiBenchWatch {
  /** Aborts the stream; `onEnd` is not called for a close asked for here. */
  close(): void;
}

export interface ApiBenchWatchHandlers {
  /** One event's JSON text and the time (performance.now()) its bytes arrived. */
  readonly onLine: (line: string, receivedMs: number) => void;
  /** The stream ended or failed without close() being called. */
  readonly onEnd: (err: Error | undefined) => void;
}

interface ServerConn {
  readonly base: URL;
  readonly agent: Agent;
  readonly watchAgent: Agent;
}

/**
 * HTTPS to every API server of a cluster with keep-alive agents, requests dealt round-robin.
 * Watches use agents of their own, so that long-lived streams never take the sockets that
 * ordinary requests wait for.
 */
export class ApiBenchClient {
  private readonly conns: ServerConn[];
  private readonly headers: Record<string, string>;
  private nextConn = 0;

  constructor(target: ApiBenchTarget, socketsPerServer = API_BENCH_SOCKETS_PER_SERVER) {
    if (target.servers.length === 0) throw new RangeError('no API server to benchmark');
    const tls = {
      ...(target.caPem !== undefined ? { ca: target.caPem } : {}),
      ...(target.clientCertPem !== undefined ? { cert: target.clientCertPem } : {}),
      ...(target.clientKeyPem !== undefined ? { key: target.clientKeyPem } : {}),
      rejectUnauthorized: target.insecureSkipTlsVerify !== true,
    };
    this.conns = target.servers.map((s) => ({
      base: new URL(s),
      // Idle sockets are dropped (timeout) well before the server's 90 s idle close, so a request is
      // never sent on a socket the server is closing ("socket hang up").
      agent: new Agent({ ...tls, keepAlive: true, maxSockets: socketsPerServer, timeout: IDLE_SOCKET_TIMEOUT_MS }),
      watchAgent: new Agent({ ...tls, keepAlive: false }),
    }));
    this.headers = { accept: 'application/json', 'user-agent': 'flotilla-bench-api', ...(target.token !== undefined ? { authorization: `Bearer ${target.token}` } : {}) };
  }

  get serverCount(): number {
    return this.conns.length;
  }

  private pick(): ServerConn {
    return this.conns[this.nextConn++ % this.conns.length]!;
  }

  /** One request to the next server; resolves with any HTTP status, rejects on a transport failure or timeout. */
  request(method: string, path: string, o: ApiBenchRequestOptions = {}): Promise<ApiBenchResponse> {
    const conn = this.pick();
    const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const timeoutMs = o.timeoutMs ?? API_BENCH_REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        urlOf(conn.base, path),
        {
          method,
          agent: conn.agent,
          headers: { ...this.headers, ...(body !== undefined ? { 'content-type': o.contentType ?? 'application/json', 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      // A deadline for the whole exchange, not an idle timeout: a trickling response still fails.
      const timer = setTimeout(() => req.destroy(new ApiBenchTimeoutError(method, path, timeoutMs)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }

  /** A request whose status must be one of `ok`; resolves with the parsed JSON body. */
  async requestJson<T>(method: string, path: string, ok: readonly number[], o: ApiBenchRequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, o);
    if (!ok.includes(res.status)) throw statusErrorOf(method, path, res);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** Opens a watch on the next server; resolves once the server answered 200. */
  openWatch(path: string, handlers: ApiBenchWatchHandlers, connectTimeoutMs = API_BENCH_REQUEST_TIMEOUT_MS): Promise<ApiBenchWatch> {
    const conn = this.pick();
    return new Promise((resolve, reject) => {
      let closed = false;
      let connected = false;
      const req = httpsRequest(urlOf(conn.base, path), { method: 'GET', agent: conn.watchAgent, headers: this.headers }, (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) {
          collect(res, (body) => reject(statusErrorOf('GET', path, { status: res.statusCode ?? 0, body })));
          return;
        }
        connected = true;
        resolve({
          close: () => {
            closed = true;
            req.destroy();
          },
        });
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const receivedMs = performance.now();
          const text = partial + chunk;
          let start = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            if (nl > start) handlers.onLine(text.slice(start, nl), receivedMs);
            start = nl + 1;
          }
          partial = text.slice(start);
        });
        res.on('end', () => {
          if (!closed) handlers.onEnd(undefined);
        });
        res.on('error', (err) => {
          if (!closed) handlers.onEnd(err);
        });
      });
      const timer = setTimeout(() => req.destroy(new ApiBenchTimeoutError('GET', path, connectTimeoutMs)), connectTimeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        if (!connected) reject(err);
        else if (!closed) handlers.onEnd(err);
      });
      req.end();
    });
  }

  /**
   * Opens `connectionsPerServer` keep-alive connections to every server (TLS handshakes and the
   * servers' first-request costs paid before anything is timed); throws if a server does not answer.
   */
  async warmUp(connectionsPerServer = API_BENCH_WARMUP_CONNECTIONS, rounds = API_BENCH_WARMUP_ROUNDS): Promise<void> {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(Array.from({ length: connectionsPerServer * this.conns.length }, () => this.requestJson('GET', '/version', [200])));
    }
  }

  close(): void {
    for (const c of this.conns) {
      c.agent.destroy();
      c.watchAgent.destroy();
    }
  }
}

function urlOf(base: URL, path: string): URL {
  const prefix = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  return new URL(`${base.origin}${prefix}${path}`);
}

function collect(res: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(Buffer.concat(chunks)));
  res.on('error', () => done(Buffer.concat(chunks)));
}

/** The Status reason and message of an error response, or its raw text. */
export function statusErrorOf(method: string, path: string, res: ApiBenchResponse): ApiBenchStatusError {
  const text = res.body.toString('utf8');
  try {
    const s = JSON.parse(text) as { reason?: unknown; message?: unknown };
    return new ApiBenchStatusError(method, path, res.status, typeof s.reason === 'string' ? s.reason : '', typeof s.message === 'string' ? s.message : text.slice(0, 200));
  } catch {
    return new ApiBenchStatusError(method, path, res.status, '', text.slice(0, 200));
  }
}
