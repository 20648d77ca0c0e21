import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiBadRequestError, ApiRequestEntityTooLargeError, ApiUnsupportedMediaTypeError } from '../../core/index.js';
import { decodeKubeProtobuf, KUBE_PROTOBUF_MEDIA_TYPE, KubeProtobufDecodeError } from './protobuf/index.js';

/** kube-apiserver's default limit on a request body (--max-request-bytes is etcd's; this is the API's). */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Media types a body may be sent in, by the verb that sends them. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/yaml'] as const;
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

/** The media type without parameters, lower-cased ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads a request body, refusing more than `limitBytes` (413) without buffering the excess: the
 * connection is drained and the read stops at the limit. A declared Content-Length over the
 * limit is refused before anything is read.
 */
export async function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new ApiRequestEntityTooLargeError(`limit is ${limitBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limitBytes) {
      req.resume();
      throw new ApiRequestEntityTooLargeError(`limit is ${limitBytes}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Decodes a body of the given media type into a JSON value: JSON for JSON and every patch type
 * except apply (YAML, a superset). Throws ApiUnsupportedMediaTypeError for other types and
 * ApiBadRequestError for an undecodable body.
 */
export function decodeRequestBody(body: Buffer, type: string, accepted: readonly string[]): unknown {
  const t = type === '' ? 'application/json' : type;
  // Typed clients (kubectl create namespace|configmap|secret|…) send Kubernetes' protobuf
  // wherever JSON is accepted; it is decoded to the same JSON object.
  if (t === KUBE_PROTOBUF_MEDIA_TYPE && accepted.includes('application/json')) return decodeProtobufBody(body);
  if (!accepted.includes(t)) throw new ApiUnsupportedMediaTypeError([...accepted, ...(accepted.includes('application/json') ? [KUBE_PROTOBUF_MEDIA_TYPE] : [])]);
  const text = body.toString('utf8');
  if (t === 'application/yaml' || t === 'application/apply-patch+yaml') {
    try {
      // One document; maxAliasCount bounds alias expansion (a "billion laughs" body).
      return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, logLevel: 'error' }) as unknown;
    } catch (err) {
      throw new ApiBadRequestError(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (text.trim() === '') throw new ApiBadRequestError('the request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiBadRequestError(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function decodeProtobufBody(body: Buffer): unknown {
  try {
    const d = decodeKubeProtobuf(body);
    return { ...d.object, apiVersion: d.apiVersion, kind: d.kind };
  } catch (err) {
    if (!(err instanceof KubeProtobufDecodeError)) throw err;
    if (err.reason === 'UnsupportedKind') throw new ApiUnsupportedMediaTypeError(['application/json', 'application/yaml']);
    throw new ApiBadRequestError(`unable to decode the protobuf body: ${err.message}`);
  }
}
