// An in-process API server (ApiServer over InMemoryStorage behind a real KubeHttpServer on an
// OS-assigned port) and a raw HTTP client that sends exactly what it is given.
import { request as httpRequest } from 'node:http';
import type { Test } from 'tap';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Registry } from 'prom-client';
import { InMemoryStorage, SeededRandom } from '../../../core/index.js';
import { ApiServer, ManualClock, NO_AUTHENTICATION } from '../../../actors/index.js';
import type { Authenticator } from '../../../actors/index.js';
import { KubeHttpServer } from '../../../transport/index.js';

/** A fixed start time, so creationTimestamps do not depend on the wall clock. */
const CLOCK_START_MS = Date.UTC(2025, 0, 1);
/** How long one test request may take before the client gives up (a hang is a failure, not a timing assertion). */
const CLIENT_REQUEST_TIMEOUT_MS = 20_000;

export interface TestApiServer {
  readonly api: ApiServer;
  readonly storage: InMemoryStorage;
  readonly clock: ManualClock;
  readonly port: number;
  readonly baseUrl: string;
  /** What the HTTP layer logged at error level (a request that failed with a 5xx). */
  readonly errorsLogged: string[];
  request(r: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent verbatim as the request target (not normalized). */
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  /** An object is sent as JSON (with Content-Type application/json unless one is given). */
  readonly body?: string | Buffer | object;
  /** A 200 without Content-Length (a watch or other stream) resolves at its headers and the connection is dropped. */
  readonly stopStreams?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface TestApiServerOptions {
  readonly authenticator?: Authenticator;
  readonly maxRequestBodyBytes?: number;
  readonly seed?: number;
  /** Receives the HTTP layer's metrics (apiserver_longrunning_requests, …). */
  readonly registry?: Registry;
  /** The storage's bound on a watcher's undelivered events. */
  readonly watchMaxPendingEvents?: number;
}

export async function startTestApiServer(o: TestApiServerOptions = {}): Promise<TestApiServer> {
  const storage = new InMemoryStorage(o.watchMaxPendingEvents !== undefined ? { watchMaxPendingEvents: o.watchMaxPendingEvents } : {});
  const clock = new ManualClock(CLOCK_START_MS);
  const api = new ApiServer({ storage, clock, random: new SeededRandom(o.seed ?? 7), authenticator: o.authenticator ?? NO_AUTHENTICATION });
  await api.ensureSystemNamespaces();
  const errorsLogged: string[] = [];
  const logger = { info: () => undefined, warn: () => undefined, error: (msg: string, fields?: Record<string, unknown>) => void errorsLogged.push(`${msg} ${JSON.stringify(fields ?? {})}`) };
  const server = new KubeHttpServer({ handler: api.handler, logger, ...(o.registry ? { registry: o.registry } : {}), ...(o.maxRequestBodyBytes !== undefined ? { maxRequestBodyBytes: o.maxRequestBodyBytes } : {}) });
  const addr = await server.listen(0, '127.0.0.1');
  const port = addr.port;
  return {
    api,
    storage,
    clock,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    errorsLogged,
    request: (r) => rawRequest(port, r),
    close: () => server.close(),
  };
}

/** One request on its own connection; resolves with whatever the server answered. */
export function rawRequest(port: number, r: RawRequest): Promise<RawResponse> {
  const headers: OutgoingHttpHeaders = { ...(r.headers ?? {}) };
  let payload: Buffer | undefined;
  if (r.body !== undefined) {
    if (typeof r.body === 'string') payload = Buffer.from(r.body);
    else if (Buffer.isBuffer(r.body)) payload = r.body;
    else {
      payload = Buffer.from(JSON.stringify(r.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    headers['Content-Length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers, agent: false, timeout: CLIENT_REQUEST_TIMEOUT_MS }, (res) => {
      if (r.stopStreams === true && res.statusCode === 200 && res.headers['content-length'] === undefined && r.method !== 'HEAD') {
        resolve({ status: 200, headers: res.headers, text: '', json: undefined });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text) as unknown;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${r.method ?? 'GET'} ${r.path} within ${CLIENT_REQUEST_TIMEOUT_MS}ms`)));
    // The server may answer (413) and close before a large body is fully sent; the answer still counts.
    req.on('error', reject);
    if (payload !== undefined) req.end(payload);
    else req.end();
  });
}

/** A JSON value as a plain record, for reading fields in assertions. */
export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Reads a dotted path (`metadata.name`, `details.causes`) from a JSON value. */
export function at(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const step of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(step)) cur = cur[Number(step)];
    else cur = asRecord(cur)[step];
  }
  return cur;
}

/**
 * Why a response is not a well-formed failure Status (kind Status, apiVersion v1, status
 * Failure, code equal to the HTTP status, a reason and a message); undefined when it is one.
 */
export function statusProblem(res: RawResponse): string | undefined {
  const s = asRecord(res.json);
  if (res.json === undefined) return `body is not JSON: ${res.text.slice(0, 200)}`;
  if (s.kind !== 'Status') return `kind is ${JSON.stringify(s.kind)}`;
  if (s.apiVersion !== 'v1') return `apiVersion is ${JSON.stringify(s.apiVersion)}`;
  if (s.status !== 'Failure') return `status is ${JSON.stringify(s.status)}`;
  if (s.code !== res.status) return `code ${JSON.stringify(s.code)} is not the HTTP status ${res.status}`;
  if (typeof s.reason !== 'string' || s.reason === '') return 'no reason';
  if (typeof s.message !== 'string' || s.message === '') return 'no message';
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) return `content-type is ${String(res.headers['content-type'])}`;
  return undefined;
}

/** The field paths of a 422's causes. */
export function causeFields(res: RawResponse): string[] {
  const causes = at(res.json, 'details.causes');
  return Array.isArray(causes) ? causes.map((c) => String(asRecord(c).field ?? '')) : [];
}

/** A valid Deployment manifest. */
export function deploymentManifest(name: string, replicas = 2, app = name): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app } },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
    },
  };
}

/** A valid Pod manifest. */
export function podManifest(name: string, labels: Record<string, string> = { app: name }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } };
}

/** A valid ConfigMap manifest. */
export function configMapManifest(name: string, data: Record<string, string> = { key: 'value' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

/** A valid Service manifest. */
export function serviceManifest(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
}

/** An open watch stream: events as the server writes them, one JSON object per line. */
export interface WatchClient {
  readonly status: number;
  /** The next event; undefined when the stream ended. Rejects after `timeoutMs` without one (a hang, not a timing check). */
  next(timeoutMs?: number): Promise<Record<string, unknown> | undefined>;
  /** Drops the connection abruptly. */
  destroy(): void;
}

/** How long a test waits for a watch event it expects before calling it lost. */
const WATCH_EVENT_WAIT_MS = 10_000;

export function openWatch(port: number, path: string, headers: OutgoingHttpHeaders = {}): Promise<WatchClient> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path, headers, agent: false }, (res) => {
      const events: Record<string, unknown>[] = [];
      let buffered = '';
      let ended = false;
      let wake: (() => void) | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          const line = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          if (line.trim() !== '') events.push(asRecord(JSON.parse(line)));
        }
        wake?.();
      });
      const finish = (): void => {
        ended = true;
        wake?.();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve({
        status: res.statusCode ?? 0,
        async next(timeoutMs = WATCH_EVENT_WAIT_MS) {
          const deadline = Date.now() + timeoutMs;
          while (events.length === 0 && !ended) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no watch event on ${path} within ${timeoutMs}ms`);
            await new Promise<void>((r) => {
              const timer = setTimeout(r, left);
              wake = () => {
                clearTimeout(timer);
                r();
              };
            });
            wake = undefined;
          }
          return events.shift();
        },
        destroy: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Asserts that a response is a failure Status with this code and reason, and its message (exact
 * for a string, matched for a RegExp) when one is given.
 */
export function expectStatus(t: Test, res: RawResponse, code: number, reason: string, message?: string | RegExp, label = ''): void {
  const prefix = label === '' ? '' : `${label}: `;
  t.equal(res.status, code, `${prefix}HTTP ${code}`);
  t.equal(statusProblem(res), undefined, `${prefix}the body is a failure Status`);
  t.equal(at(res.json, 'reason'), reason, `${prefix}reason ${reason}`);
  if (typeof message === 'string') t.equal(at(res.json, 'message'), message, `${prefix}message`);
  else if (message !== undefined) t.match(at(res.json, 'message'), message, `${prefix}message`);
}

/** Sets the value at a dotted path (`spec.template.spec.containers.0.image`), creating objects on the way. */
export function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split('.');
  let cur: unknown = root;
  for (const step of steps.slice(0, -1)) {
    const container = cur as Record<string, unknown>;
    if (typeof container[step] !== 'object' || container[step] === null) container[step] = {};
    cur = container[step];
  }
  const last = steps[steps.length - 1]!;
  const container = cur as Record<string, unknown>;
  if (value === undefined) delete container[last];
  else container[last] = value;
}
