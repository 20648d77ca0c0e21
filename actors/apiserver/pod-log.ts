// GET pods/NAME/log: the container's log, streamed from the kubelet of the pod's node as
// text/plain. The query is PodLogOptions, validated as kube-apiserver validates it; the pod and
// container are checked against the API's view first, so a pod that has not started answers
// `container "c" in pod "p" is waiting to start: ContainerCreating` without asking a kubelet.

import { ApiBadRequestError, ApiInvalidError, ApiMethodNotAllowedError, fieldForbidden, fieldInvalid } from '../../core/index.js';
import type { ApiFieldError } from '../../core/index.js';
import type { KubeHttpResponse, ResourceRequestInfo } from '../../transport/index.js';
import { isJsonMap } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import type { PodKubeletContext } from './pod-kubelet.js';
import { apiErrorOfKubelet, kubeletOfPod, podContainerStatus, resolvePodContainer } from './pod-kubelet.js';

/** PodLogOptions as read from a query; absent fields were not given. */
export interface PodLogQuery {
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  /** sinceTime, in ms since the epoch. */
  readonly sinceTimeMs?: number;
  readonly limitBytes?: number;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i;

/** An RFC 3339 time (as metav1.Time reads it) in ms since the epoch; undefined when it is not one. */
function parseRfc3339Time(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  // Date.parse keeps milliseconds only: finer digits are cut, never rounded up past the instant.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Go's strconv.ParseBool, which kube's query decoding uses; absent or empty is false. */
export function parseQueryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new ApiBadRequestError(`invalid value for ${name}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ApiBadRequestError(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** Reads and validates PodLogOptions (400 for what does not parse, 422 PodLogOptions Invalid for what is out of range). */
export function parsePodLogQuery(q: URLSearchParams, podName: string): PodLogQuery {
  const tailLines = queryInt(q, 'tailLines');
  const sinceSeconds = queryInt(q, 'sinceSeconds');
  const limitBytes = queryInt(q, 'limitBytes');
  const sinceTimeText = q.get('sinceTime');
  let sinceTimeMs: number | undefined;
  if (sinceTimeText !== null && sinceTimeText !== '') {
    const parsed = parseRfc3339Time(sinceTimeText);
    if (parsed === undefined) throw new ApiBadRequestError(`invalid value for sinceTime: parsing time ${JSON.stringify(sinceTimeText)} as RFC 3339 failed`);
    sinceTimeMs = parsed;
  }
  const errors: ApiFieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errors.push(fieldInvalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) errors.push(fieldInvalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTimeMs !== undefined) errors.push(fieldForbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errors.push(fieldInvalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  if (errors.length > 0) throw new ApiInvalidError({ group: '', kind: 'PodLogOptions' }, podName, errors);
  return {
    container: q.get('container') ?? '',
    follow: parseQueryBool(q, 'follow'),
    previous: parseQueryBool(q, 'previous'),
    timestamps: parseQueryBool(q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTimeMs !== undefined ? { sinceTimeMs } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/**
 * Whether the container has something to read, judged from the pod's status as kubelet judges
 * it: a current instance that ran, or with `previous` one that terminated before it. Throws the
 * 400 kube answers with otherwise.
 */
export function checkContainerLogAvailable(pod: JsonMap, podName: string, container: string, previous: boolean): void {
  const status = podContainerStatus(pod, container);
  if (previous) {
    const last = isJsonMap(status?.lastState) ? status.lastState : {};
    if (!isJsonMap(last.terminated)) throw new ApiBadRequestError(`previous terminated container "${container}" in pod "${podName}" not found`);
    return;
  }
  const state = isJsonMap(status?.state) ? status.state : {};
  if (isJsonMap(state.running) || isJsonMap(state.terminated)) return;
  const waiting = isJsonMap(state.waiting) ? state.waiting : {};
  // A container waiting to restart (CrashLoopBackOff) still has the log of its last run.
  if (isJsonMap(status?.lastState) && isJsonMap(status.lastState.terminated)) return;
  const reason = typeof waiting.reason === 'string' && waiting.reason !== '' ? waiting.reason : 'ContainerCreating';
  throw new ApiBadRequestError(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
}

/** Serves GET pods/NAME/log. */
export async function servePodLog(c: PodKubeletContext, info: ResourceRequestInfo, signal: AbortSignal, nowMs: () => number): Promise<KubeHttpResponse> {
  if (info.verb !== 'get') throw new ApiMethodNotAllowedError({ group: '', resource: 'pods/log' }, info.verb);
  const options = parsePodLogQuery(info.query, info.name);
  const pod = await c.pods.get(info.namespace, info.name);
  const container = resolvePodContainer(pod, options.container);
  checkContainerLogAvailable(pod, info.name, container, options.previous);
  const kubelet = await kubeletOfPod(c, pod);
  const sinceMs = options.sinceTimeMs ?? (options.sinceSeconds !== undefined ? nowMs() - options.sinceSeconds * 1000 : undefined);
  const chunks = await kubelet
    .containerLogs(
      {
        namespace: info.namespace,
        pod: info.name,
        container,
        follow: options.follow,
        previous: options.previous,
        timestamps: options.timestamps,
        ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
        ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {}),
        ...(sinceMs !== undefined ? { sinceMs } : {}),
      },
      signal,
    )
    .catch((err: unknown) => {
      throw apiErrorOfKubelet(err);
    });
  return { type: 'stream', contentType: 'text/plain', chunks };
}
