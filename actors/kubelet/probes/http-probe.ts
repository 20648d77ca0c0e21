// httpGet probes as kubelet runs them (pkg/probe/http): a GET with kube-probe's headers, no
// keep-alive, TLS unverified; 200–399 is success; redirects are followed while they stay on the
// same host, and a redirect elsewhere ends the probe with that 3xx (a success with a warning).

import { setMaxListeners } from 'node:events';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpHeader } from '../../../core/index.js';
import { goSocketErrorText } from './network-error-text.js';
import type { ProbeOutcome } from './probe-types.js';

/** kubelet reads at most this much of a probe's response body (maxRespBodyLength). */
export const HTTP_PROBE_MAX_BODY_BYTES = 10 * 1024;
/** Redirects followed before the probe fails, as Go's http.Client. */
export const HTTP_PROBE_MAX_REDIRECTS = 10;
/** The User-Agent kubelet sends: `kube-probe/<major>.<minor>` of the Kubernetes version served. */
export const HTTP_PROBE_USER_AGENT = 'kube-probe/1.32';

export interface HttpProbeRequest {
  readonly url: URL;
  readonly headers?: readonly HttpHeader[];
  readonly timeoutMs: number;
}

interface HttpResponseHead {
  readonly statusCode: number;
  readonly location: string | undefined;
  readonly body: string;
}

/** Kubernetes' probe headers with the pod's own (which win, name compared case-insensitively). */
function probeHeaders(headers: readonly HttpHeader[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { 'user-agent': HTTP_PROBE_USER_AGENT, accept: '*/*', connection: 'close' };
  const seen = new Set<string>();
  for (const header of headers) {
    const name = header.name.toLowerCase();
    // Repeated names become a multi-valued header, as http.Header.Add does.
    const previous = seen.has(name) ? out[name] : undefined;
    out[name] = previous === undefined ? header.value : [...(Array.isArray(previous) ? previous : [String(previous)]), header.value];
    seen.add(name);
  }
  return out;
}

function readBounded(response: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => reject(signal.reason);
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      response.destroy();
      resolve(Buffer.concat(chunks).subarray(0, HTTP_PROBE_MAX_BODY_BYTES).toString('utf8'));
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= HTTP_PROBE_MAX_BODY_BYTES) done();
    });
    response.once('end', done);
    response.on('error', reject);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function getOnce(url: URL, headers: OutgoingHttpHeaders, signal: AbortSignal): Promise<HttpResponseHead> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, agent: false, signal, rejectUnauthorized: false }, (response) => {
      readBounded(response, signal).then(
        (body) => resolve({ statusCode: response.statusCode ?? 0, location: response.headers.location, body }),
        reject,
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function isRedirect(statusCode: number): boolean {
  return statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308;
}

function failureText(url: URL, error: unknown, signal: AbortSignal): string {
  const quoted = `Get ${JSON.stringify(url.toString())}`;
  if (signal.aborted) return `${quoted}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  const text = goSocketErrorText(error);
  // Go names the dial for failures to connect: `dial tcp 10.0.0.5:8080: connect: connection refused`.
  if (text.startsWith('connect: ')) return `${quoted}: dial tcp ${url.host}: ${text}`;
  return `${quoted}: ${text}`;
}

/** Runs one httpGet probe; never rejects. */
export async function runHttpProbe(probe: HttpProbeRequest): Promise<ProbeOutcome> {
  // One deadline for the whole exchange, redirects and body included, as Go's Client.Timeout.
  const signal = AbortSignal.timeout(probe.timeoutMs);
  // Each request of a redirect chain listens on the one deadline.
  setMaxListeners(2 * HTTP_PROBE_MAX_REDIRECTS + 2, signal);
  const headers = probeHeaders(probe.headers ?? []);
  const first = probe.url;
  let url = first;
  for (let redirects = 0; ; redirects++) {
    let response: HttpResponseHead;
    try {
      response = await getOnce(url, headers, signal);
    } catch (error) {
      return { result: 'failure', message: failureText(url, error, signal) };
    }
    const { statusCode } = response;
    if (isRedirect(statusCode) && response.location !== undefined) {
      let next: URL;
      try {
        next = new URL(response.location, url);
      } catch {
        return { result: 'failure', message: `Get ${JSON.stringify(url.toString())}: invalid redirect location ${JSON.stringify(response.location)}` };
      }
      if (next.hostname === first.hostname) {
        if (redirects + 1 >= HTTP_PROBE_MAX_REDIRECTS) {
          return { result: 'failure', message: `Get ${JSON.stringify(next.toString())}: stopped after ${HTTP_PROBE_MAX_REDIRECTS} redirects` };
        }
        url = next;
        continue;
      }
    }
    if (statusCode >= 200 && statusCode < 400) {
      if (statusCode >= 300) return { result: 'success', message: `Probe terminated redirects, Response body: ${response.body}` };
      return { result: 'success', message: response.body };
    }
    return { result: 'failure', message: `HTTP probe failed with statuscode: ${statusCode}` };
  }
}
