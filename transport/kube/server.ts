import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { ApiBadRequestError, ApiTooManyRequestsError, statusForError } from '../../core/index.js';
import type { Status } from '../../core/index.js';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, decodeRequestBody, mediaType, readRequestBody } from './body.js';
import { resolveKubeRequestInfo } from './request-info.js';
import type { KubeRequestInfo } from './request-info.js';

/** A request as the API's handler sees it. */
export interface KubeHttpRequest {
  readonly info: KubeRequestInfo;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The body's media type without parameters ('' when none was sent). */
  readonly contentType: string;
  /** Reads and decodes the body (JSON or YAML, by `accepted` media types), within the size limit. */
  body(accepted: readonly string[]): Promise<unknown>;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The peer certificate's or bearer token's identity is the handler's to establish; this is the socket's address. */
  readonly remoteAddress: string;
  /** Set when the client asked to switch protocols (WebSocket): the handler may take the connection over. */
  readonly upgrade?: KubeHttpUpgrade;
}

/** The raw connection of an upgrade request, for a WebSocket server's handleUpgrade. */
export interface KubeHttpUpgrade {
  readonly request: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** One watch event as written to the stream: `{"type":"ADDED","object":{…}}` per line. */
export interface KubeWatchEvent {
  readonly type: string;
  readonly object: unknown;
  /**
   * The whole event as one JSON line (no newline), when the producer serialized it once for
   * every watcher of the change; written as is instead of serializing `object`.
   */
  readonly line?: string;
}

/**
 * A watch's events for the HTTP layer to stream. `next()` resolves with the next event, or
 * undefined when the watch ended; the layer pulls one at a time, so a slow client holds the
 * producer back (the producer bounds what it buffers). `close()` is called when the client
 * goes away or the server stops.
 */
export interface KubeWatchStream {
  next(): Promise<KubeWatchEvent | undefined>;
  close(): void;
  /**
   * Up to `max` events already queued, without waiting. When given, the layer writes whatever is
   * queued behind an event in the same chunk, as kube-apiserver flushes only once its channel is
   * empty: at a high change rate a watcher costs one write (one TLS record) per batch, not per event.
   */
  takeQueued?(max: number): KubeWatchEvent[];
}

export type KubeHttpResponse =
  | { readonly type: 'json'; readonly code: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly type: 'raw'; readonly code: number; readonly contentType: string; readonly body: string | Buffer }
  | { readonly type: 'watch'; readonly contentType?: string; readonly stream: KubeWatchStream }
  | { readonly type: 'stream'; readonly contentType: string; readonly chunks: AsyncIterable<string | Uint8Array> }
  /** The handler took an upgrade request's connection over (answered 101 itself). */
  | { readonly type: 'upgraded' };

export type KubeHandler = (req: KubeHttpRequest) => Promise<KubeHttpResponse>;

export interface KubeHttpLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface KubeHttpServerOptions {
  readonly handler: KubeHandler;
  /** PEM key and certificate; without them the server speaks plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly maxRequestBodyBytes?: number;
  /** Requests other than watches and streams served at once; more get 429 (kube's --max-requests-inflight). */
  readonly maxRequestsInflight?: number;
  /** Open connections at most; more are refused at accept. */
  readonly maxConnections?: number;
  readonly registry?: Registry;
  readonly logger?: KubeHttpLogger;
  /** Label of the metrics' `component`. */
  readonly component?: string;
}

/** kube-apiserver's --max-requests-inflight default. */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
const DEFAULT_MAX_CONNECTIONS = 4_096;
/** A client gets this long to send its headers, and the whole request (not the response). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
/**
 * An idle connection is closed after this long: kube-apiserver's IdleTimeout (90 s), so that a
 * client keeping idle connections as long as Go's default transport (90 s) rarely reuses one the
 * server is closing at that moment (the request then fails with a reset).
 */
const KEEP_ALIVE_TIMEOUT_MS = 90_000;
/** The most watch events written to a client in one chunk. */
const WATCH_WRITE_BATCH_EVENTS = 100;
/** Subresources kube counts as long-running (not against --max-requests-inflight), as watches. */
const LONG_RUNNING_SUBRESOURCES: ReadonlySet<string> = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

interface KubeHttpMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly inflight: Gauge;
  readonly longRunning: Gauge;
}

function createMetrics(registry: Registry): KubeHttpMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, subresource, scope and HTTP response code.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'], registers }),
    duration: new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60], registers }),
    inflight: new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', labelNames: ['request_kind'], registers }),
    longRunning: new Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], registers }),
  };
}

/** The Kubernetes HTTP(S) front: request parsing, limits, response writing, watch streaming. */
export class KubeHttpServer {
  private readonly server: Server;
  private readonly handler: KubeHandler;
  private readonly maxBody: number;
  private readonly maxInflight: number;
  private readonly metrics: KubeHttpMetrics | undefined;
  private readonly logger: KubeHttpLogger | undefined;
  private readonly component: string;
  private inflight = 0;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<KubeWatchStream>();
  private closing = false;

  constructor(o: KubeHttpServerOptions) {
    this.handler = o.handler;
    this.maxBody = o.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
    this.maxInflight = o.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT;
    this.metrics = o.registry ? createMetrics(o.registry) : undefined;
    this.logger = o.logger;
    this.component = o.component ?? 'apiserver';
    const listener = (req: IncomingMessage, res: ServerResponse): void => void this.serve(req, res);
    this.server = o.tls ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, listener) : createHttpServer(listener);
    this.server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.maxHeadersCount = 200;
    this.server.maxConnections = o.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.serveUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Stops accepting, ends every watch, and closes connections once their requests are answered. */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.watches) w.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const force = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 2_000);
    await closed;
    clearTimeout(force);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let info: KubeRequestInfo;
    try {
      info = resolveKubeRequestInfo(req.method ?? 'GET', req.url ?? '/');
    } catch (err) {
      // A request line the parser cannot read is the client's error, never the process's.
      req.resume();
      writeStatus(res, statusForError(new ApiBadRequestError(`malformed request path: ${err instanceof Error ? err.message : String(err)}`)), err);
      return;
    }
    const labels = metricLabels(info, this.component);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const longRunning = info.isResourceRequest && (info.verb === 'watch' || LONG_RUNNING_SUBRESOURCES.has(info.subresource));
    let counted = false;
    let code = 500;
    try {
      if (!longRunning) {
        if (this.inflight >= this.maxInflight) throw new ApiTooManyRequestsError('Too many requests, please try again later.', 1);
        this.inflight++;
        counted = true;
        this.metrics?.inflight.set({ request_kind: isMutating(req.method) ? 'mutating' : 'readOnly' }, this.inflight);
      }
      const type = mediaType(req.headers['content-type']);
      let bodyRead: Promise<unknown> | undefined;
      const request: KubeHttpRequest = {
        info,
        method: (req.method ?? 'GET').toUpperCase(),
        headers: req.headers,
        contentType: type,
        body: (accepted) => (bodyRead ??= readRequestBody(req, this.maxBody).then((b) => decodeRequestBody(b, type, accepted))),
        signal: abort.signal,
        remoteAddress: req.socket.remoteAddress ?? '',
      };
      const response = await this.handler(request);
      // A body the handler never read is drained, so the connection stays usable.
      if (!bodyRead && !req.readableEnded) req.resume();
      code = await this.write(res, response, labels, abort.signal);
    } catch (err) {
      const status = statusForError(err);
      code = status.code ?? 500;
      if (code >= 500) this.logger?.error('request failed', { method: req.method, path: info.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      if (!req.readableEnded) req.resume();
      if (!res.headersSent) writeStatus(res, status, err);
      else res.destroy();
    } finally {
      if (counted) this.inflight--;
      this.metrics?.requests.inc({ ...labels, code: String(code) });
      if (!longRunning) this.metrics?.duration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  /**
   * An upgrade request (WebSocket): the handler either takes the connection over or answers with
   * an ordinary response, written here on the raw socket, which is then closed.
   */
  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let info: KubeRequestInfo;
    try {
      info = resolveKubeRequestInfo(req.method ?? 'GET', req.url ?? '/');
    } catch (err) {
      writeRawStatus(socket, statusForError(new ApiBadRequestError(`malformed request path: ${err instanceof Error ? err.message : String(err)}`)));
      return;
    }
    const labels = metricLabels(info, this.component);
    const abort = new AbortController();
    socket.on('close', () => abort.abort());
    let code = 500;
    try {
      if (this.closing) throw new ApiTooManyRequestsError('the server is shutting down', 1);
      const response = await this.handler({
        info,
        method: (req.method ?? 'GET').toUpperCase(),
        headers: req.headers,
        contentType: mediaType(req.headers['content-type']),
        body: () => Promise.reject(new ApiBadRequestError('an upgrade request has no body')),
        signal: abort.signal,
        remoteAddress: req.socket.remoteAddress ?? '',
        upgrade: { request: req, socket, head },
      });
      if (response.type === 'upgraded') {
        code = 101;
        return;
      }
      code = response.type === 'json' || response.type === 'raw' ? response.code : 200;
      const body = response.type === 'json' ? JSON.stringify(response.body) : response.type === 'raw' ? response.body : '';
      writeRaw(socket, code, response.type === 'raw' ? response.contentType : 'application/json', body);
    } catch (err) {
      const status = statusForError(err);
      code = status.code ?? 500;
      if (code >= 500) this.logger?.error('upgrade request failed', { method: req.method, path: info.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      writeRawStatus(socket, status);
    } finally {
      this.metrics?.requests.inc({ ...labels, code: String(code) });
    }
  }

  /** Writes a response; returns the HTTP code. Watches and streams resolve when they end. */
  private async write(res: ServerResponse, r: KubeHttpResponse, labels: Record<string, string>, signal: AbortSignal): Promise<number> {
    switch (r.type) {
      case 'json': {
        const body = Buffer.from(JSON.stringify(r.body));
        res.writeHead(r.code, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...(r.headers ?? {}) });
        res.end(body);
        return r.code;
      }
      case 'raw': {
        const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
        res.writeHead(r.code, { 'Content-Type': r.contentType, 'Content-Length': body.length });
        res.end(body);
        return r.code;
      }
      case 'watch':
        await this.streamWatch(res, r.stream, r.contentType ?? 'application/json', labels, signal);
        return 200;
      case 'upgraded':
        // Only an upgrade request's connection can be taken over; serveUpgrade handles those.
        res.destroy();
        return 500;
      case 'stream': {
        res.writeHead(200, { 'Content-Type': r.contentType, 'Transfer-Encoding': 'chunked' });
        for await (const chunk of r.chunks) {
          if (signal.aborted) break;
          if (!res.write(chunk)) await drained(res, signal);
        }
        res.end();
        return 200;
      }
    }
  }

  private async streamWatch(res: ServerResponse, stream: KubeWatchStream, contentType: string, labels: Record<string, string>, signal: AbortSignal): Promise<void> {
    this.watches.add(stream);
    this.metrics?.longRunning.inc(labels);
    const onAbort = (): void => stream.close();
    signal.addEventListener('abort', onAbort);
    try {
      res.writeHead(200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      // Headers go out at once: clients (kubectl get -w) wait for them before printing anything.
      res.flushHeaders();
      for (;;) {
        if (signal.aborted || this.closing) break;
        const ev = await stream.next();
        if (ev === undefined || signal.aborted) break;
        let text = watchLine(ev);
        for (const queued of stream.takeQueued?.(WATCH_WRITE_BATCH_EVENTS - 1) ?? []) text += watchLine(queued);
        if (!res.write(text)) await drained(res, signal);
      }
      if (!res.destroyed) res.end();
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.close();
      this.watches.delete(stream);
      this.metrics?.longRunning.dec(labels);
    }
  }
}

function watchLine(ev: KubeWatchEvent): string {
  return `${ev.line ?? JSON.stringify({ type: ev.type, object: ev.object })}\n`;
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done);
  });
}

function writeStatus(res: ServerResponse, status: Status, err: unknown): void {
  const body = Buffer.from(JSON.stringify(status));
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': body.length };
  const retry = (err as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retry === 'number') headers['Retry-After'] = retry;
  res.writeHead(status.code ?? 500, headers);
  res.end(body);
}

/** An HTTP/1.1 response on a raw (not yet upgraded) connection, which is then closed. */
function writeRaw(socket: Duplex, code: number, contentType: string, body: string | Buffer): void {
  if (!socket.writable) return void socket.destroy();
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes.byteLength}\r\nConnection: close\r\n\r\n`), bytes]));
}

function writeRawStatus(socket: Duplex, status: Status): void {
  writeRaw(socket, status.code ?? 500, 'application/json', JSON.stringify(status));
}

function isMutating(method: string | undefined): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

function metricLabels(info: KubeRequestInfo, component: string): Record<string, string> {
  if (!info.isResourceRequest) return { verb: info.verb.toUpperCase(), group: '', version: '', resource: '', subresource: '', scope: '', component };
  const scope = info.namespace !== '' ? 'namespace' : info.name !== '' ? 'resource' : 'cluster';
  return { verb: info.verb.toUpperCase(), group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource, scope, component };
}
