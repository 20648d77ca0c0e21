// Seeded generators of hostile API requests: mutated manifests, malformed JSON and YAML, random
// bytes, wrong media types, oversized bodies, random paths, verbs and query parameters, and
// random patches of every patch type.
import { stringify as toYaml } from 'yaml';
import type { SeededRandom } from '../../../core/index.js';
import { BAD_NAMES, mutateManifest, pick, randomJson, unicodeString, withNesting } from './fuzz-values.js';
import type { Json } from './fuzz-values.js';

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** What the request is, for the failure message. */
  readonly label: string;
}

/** Namespaces the fuzzer writes to. The protected objects live in PROTECTED_NAMESPACE, which it never names. */
export const FUZZ_NAMESPACE = 'fuzz';
export const PROTECTED_NAMESPACE = 'keep';
/** Objects in FUZZ_NAMESPACE that exist before fuzzing, so updates and patches reach real objects. */
export const FUZZ_TARGET_NAME = 'target';

const NAMESPACES = [FUZZ_NAMESPACE, FUZZ_NAMESPACE, 'default', 'nope', 'kube-public', ...BAD_NAMES.slice(0, 6), '%2F', '%ZZ', '%00', '%25'];

interface ResourcePath {
  readonly prefix: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly apiVersion: string;
}

const RESOURCES: readonly ResourcePath[] = [
  { prefix: '/api/v1', resource: 'pods', namespaced: true, kind: 'Pod', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'services', namespaced: true, kind: 'Service', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'secrets', namespaced: true, kind: 'Secret', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'namespaces', namespaced: false, kind: 'Namespace', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'nodes', namespaced: false, kind: 'Node', apiVersion: 'v1' },
  { prefix: '/api/v1', resource: 'events', namespaced: true, kind: 'Event', apiVersion: 'v1' },
  { prefix: '/apis/apps/v1', resource: 'deployments', namespaced: true, kind: 'Deployment', apiVersion: 'apps/v1' },
  { prefix: '/apis/apps/v1', resource: 'statefulsets', namespaced: true, kind: 'StatefulSet', apiVersion: 'apps/v1' },
  { prefix: '/apis/apps/v1', resource: 'daemonsets', namespaced: true, kind: 'DaemonSet', apiVersion: 'apps/v1' },
  { prefix: '/apis/batch/v1', resource: 'jobs', namespaced: true, kind: 'Job', apiVersion: 'batch/v1' },
  { prefix: '/apis/batch/v1', resource: 'cronjobs', namespaced: true, kind: 'CronJob', apiVersion: 'batch/v1' },
  { prefix: '/apis/coordination.k8s.io/v1', resource: 'leases', namespaced: true, kind: 'Lease', apiVersion: 'coordination.k8s.io/v1' },
  { prefix: '/apis/discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  { prefix: '/apis/apps/v1', resource: 'foos', namespaced: true, kind: 'Foo', apiVersion: 'apps/v1' },
  { prefix: '/apis/example.com/v1', resource: 'widgets', namespaced: true, kind: 'Widget', apiVersion: 'example.com/v1' },
];

const PODSPEC: Json = { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
const TEMPLATE: Json = { metadata: { labels: { app: 'fz' } }, spec: PODSPEC };

/** A valid manifest of the kind (one the server would accept under a valid name). */
export function validManifest(kind: string, name: string): { [key: string]: Json } {
  const r = RESOURCES.find((x) => x.kind === kind);
  const base = { apiVersion: r?.apiVersion ?? 'v1', kind, metadata: { name, labels: { app: 'fz' }, annotations: { note: 'fuzz' } } };
  const selector = { matchLabels: { app: 'fz' } };
  switch (kind) {
    case 'Pod':
      return { ...base, spec: structuredClone(PODSPEC) };
    case 'ConfigMap':
      return { ...base, data: { key: 'value', other: 'x' } };
    case 'Secret':
      return { ...base, type: 'Opaque', data: { token: 'dG9rZW4=' } };
    case 'Service':
      return { ...base, spec: { selector: { app: 'fz' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };
    case 'Namespace':
      return { ...base };
    case 'Node':
      return { ...base, spec: { unschedulable: false } };
    case 'Event':
      return { ...base, involvedObject: { kind: 'Pod', name: 'x', namespace: FUZZ_NAMESPACE }, reason: 'Fuzz', message: 'hello', type: 'Normal' };
    case 'Deployment':
      return { ...base, spec: { replicas: 2, selector, template: structuredClone(TEMPLATE) } };
    case 'StatefulSet':
      return { ...base, spec: { replicas: 1, serviceName: 'fz', selector, template: structuredClone(TEMPLATE) } };
    case 'DaemonSet':
      return { ...base, spec: { selector, template: structuredClone(TEMPLATE) } };
    case 'Job':
      // A manual selector: the generated one (kube's Job PrepareForCreate) is not what is fuzzed here.
      return { ...base, spec: { manualSelector: true, selector, template: { metadata: { labels: { app: 'fz' } }, spec: { ...structuredClone(PODSPEC as { [key: string]: Json }), restartPolicy: 'Never' } } } };
    case 'CronJob':
      return { ...base, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...structuredClone(PODSPEC as { [key: string]: Json }), restartPolicy: 'OnFailure' } } } } } };
    case 'Lease':
      return { ...base, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } };
    case 'EndpointSlice':
      return { ...base, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80, protocol: 'TCP' }] };
    default:
      return { ...base, spec: { anything: true } };
  }
}

const LABEL_SELECTORS = ['app=fz', 'app in (fz,x)', 'app notin (a)', '!app', 'app', 'a=b,c!=d', '', 'app in (', '===', '!!', 'a b', 'app=' + 'x'.repeat(100), 'a in ()', '(', 'x,', ',', 'app==fz', 'app=fz)', '\u0000', '🚀=1'];
const FIELD_SELECTORS = ['metadata.name=target', 'metadata.namespace!=x', 'status.phase=Running', 'spec.nodeName=', 'foo.bar=1', 'metadata.name', '=', 'metadata.name==a', 'a=b=c', '\\', 'metadata.name=a\\', 'spec.replicas=1'];
const RESOURCE_VERSIONS = ['0', '1', '', 'abc', '-1', '99999999', '1.5', '18446744073709551616', ' 1', '0x10', '1e3'];
const LIMITS = ['1', '2', '0', '-1', 'abc', '1.5', '99999999999999999999', '', 'NaN', 'Infinity'];

function randomQuery(rng: SeededRandom): string {
  const params: [string, string][] = [];
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    switch (rng.int(14)) {
      case 0:
        params.push(['labelSelector', pick(rng, LABEL_SELECTORS)]);
        break;
      case 1:
        params.push(['fieldSelector', pick(rng, FIELD_SELECTORS)]);
        break;
      case 2:
        params.push(['limit', pick(rng, LIMITS)]);
        break;
      case 3:
        params.push(['resourceVersion', pick(rng, RESOURCE_VERSIONS)]);
        break;
      case 4:
        params.push(['continue', pick(rng, ['abc', '', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0', '%%%', Buffer.from('{"v":"x"}').toString('base64')])]);
        break;
      case 5:
        params.push(['watch', pick(rng, ['true', '1', 'false', 'yes', ''])]);
        break;
      case 6:
        params.push(['fieldValidation', pick(rng, ['Strict', 'Warn', 'Ignore', 'strict', 'bogus', ''])]);
        break;
      case 7:
        params.push(['dryRun', pick(rng, ['All', 'all', 'true', ''])]);
        break;
      case 8:
        params.push(['timeoutSeconds', pick(rng, ['1', '0', '-5', 'x', '1.5'])]);
        break;
      case 9:
        params.push(['resourceVersionMatch', pick(rng, ['Exact', 'NotOlderThan', 'bogus', ''])]);
        break;
      case 10:
        params.push(['propagationPolicy', pick(rng, ['Foreground', 'Background', 'Orphan', 'bogus'])]);
        break;
      case 11:
        params.push(['gracePeriodSeconds', pick(rng, ['0', '30', '-1', 'x', '1e99'])]);
        break;
      case 12:
        params.push(['includeObject', pick(rng, ['None', 'Metadata', 'Object', 'bogus'])]);
        break;
      default:
        params.push([unicodeString(rng, 3), unicodeString(rng, 5)]);
    }
  }
  if (params.length === 0) return '';
  return `?${params.map(([k, v]) => `${percentEncode(k)}=${rng.chance(0.9) ? percentEncode(v) : v.replace(/[^\u0021-\u007e]|#/g, '')}`).join('&')}`;
}

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, which encodeURIComponent refuses). */
function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** A path segment that may be valid, hostile, or raw (unencoded) junk. */
function segment(rng: SeededRandom, valid: string): string {
  if (rng.chance(0.75)) return valid;
  return pick(rng, [percentEncode(pick(rng, BAD_NAMES)), '%ZZ', '%', '..', '.', '%2e%2e', percentEncode(unicodeString(rng, 3)), 'a'.repeat(3000), '%00', ';', '*']) || 'x';
}

function resourcePath(rng: SeededRandom, r: ResourcePath, o: { name?: boolean; subresource?: string } = {}): string {
  const ns = r.namespaced && rng.chance(0.9) ? `/namespaces/${segment(rng, pick(rng, NAMESPACES) || FUZZ_NAMESPACE)}` : '';
  const watchPrefix = rng.chance(0.03) ? '/watch' : '';
  const name = o.name ? `/${segment(rng, rng.chance(0.6) ? FUZZ_TARGET_NAME : `fz-${rng.int(50)}`)}` : '';
  const sub = o.subresource !== undefined && o.subresource !== '' ? `/${o.subresource}` : '';
  return `${r.prefix}${watchPrefix}${ns}/${r.resource}${name}${sub}`;
}

const SUBRESOURCES = ['', '', '', 'status', 'scale', 'binding', 'log', 'exec', 'eviction', 'finalize', 'bogus', 'status/extra'];
const METHODS = ['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE'];
const ACCEPTS = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml', '*/*', 'text/html', 'application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io', ';;;', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'];
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/json; charset=utf-8', 'text/plain', 'application/vnd.kubernetes.protobuf', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/cbor', '', ';', 'application/JSON', 'APPLICATION/YAML'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** A JSON text broken in one of the ways clients and networks break it. */
export function malformedJson(rng: SeededRandom, valid: string): string {
  switch (rng.int(8)) {
    case 0:
      return valid.slice(0, rng.int(valid.length));
    case 1: {
      const at = rng.int(valid.length);
      return valid.slice(0, at) + pick(rng, ['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', 'NaN', 'undefined', "'"]) + valid.slice(at);
    }
    case 2:
      return `${valid}${pick(rng, ['}', ']', ',', ' garbage', '{}'])}`;
    case 3:
      return valid.replace(/"/g, "'");
    case 4:
      return pick(rng, ['', ' ', 'null', 'true', '42', '"string"', '[]', '[{}]', '{', '}', '{"a":1,}', '{a:1}', '{"a":01}', '{"a":1e999}', '{"a":"\\x"}', '\ufeff{}']);
    case 5:
      return '{"metadata":'.repeat(rng.int(20_000)) + 'null' + '}'.repeat(rng.int(20_000));
    case 6:
      // Duplicate keys: the same field twice with different values.
      return `{"metadata":${JSON.stringify(randomJson(rng, 2))},${valid.slice(1)}`;
    default:
      return Buffer.from(valid, 'utf8').toString('latin1');
  }
}

/** A YAML text that is malformed, hostile (anchors, tags, many documents) or of the wrong shape. */
export function malformedYaml(rng: SeededRandom, manifest: Json): string {
  const valid = toYaml(manifest);
  switch (rng.int(9)) {
    case 0:
      return valid.slice(0, rng.int(valid.length));
    case 1:
      return valid.replace(/ {2}/g, '\t');
    case 2:
      return `${valid}---\n${valid}`;
    case 3: {
      let doc = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 8; i++) doc += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]\n`;
      return doc;
    }
    case 4:
      return pick(rng, ['!!binary AAAA', '!!python/object:os.system ls', 'key: !!js/function "function(){}"', '- a\n- b\n', 'just a string', '? complex\n: key', '{unclosed: [', 'a: "unterminated', '%YAML 9.9\n---\na: 1', 'a: *undefined_alias', '&a [*a]']);
    case 5:
      return `${'- '.repeat(rng.int(3_000))}x`;
    case 6:
      return valid.replace(/:/g, rng.chance(0.5) ? '' : '::');
    case 7:
      return `metadata:\n  name: a\nmetadata:\n  name: b\n${valid}`;
    default: {
      const at = rng.int(valid.length);
      return valid.slice(0, at) + pick(rng, ['\n  - ', ': :', '"', "'", '{', '[', '\t', '|', '>', '\u0000']) + valid.slice(at);
    }
  }
}

export function randomBytes(rng: SeededRandom, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = rng.int(256);
  return b;
}

function randomPatch(rng: SeededRandom, type: string, target: { [key: string]: Json }): string {
  if (type === 'application/json-patch+json') {
    const ops = Array.from({ length: 1 + rng.int(4) }, (): Json => {
      const op: { [key: string]: Json } = { op: pick(rng, ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus', '']) };
      if (rng.chance(0.95)) op.path = pick(rng, ['/metadata/labels/x', '/spec/replicas', '/spec/template/spec/containers/0/image', '/spec/containers/-', '/metadata/name', '/metadata/uid', '/status', '', '/', 'no-slash', '/spec/containers/99', '/~2', '/metadata/annotations/a~1b', '/data/key', '/a/b/c/d', '/metadata/resourceVersion', '/kind', '/apiVersion']);
      if (rng.chance(0.8)) op.value = randomJson(rng, 2);
      if (rng.chance(0.3)) op.from = pick(rng, ['/metadata', '/spec', '/nope', '', '/metadata/labels']);
      return op;
    });
    return JSON.stringify(rng.chance(0.9) ? ops : randomJson(rng, 2));
  }
  const patch: { [key: string]: Json } = rng.chance(0.5) ? structuredClone(target) : {};
  for (let i = rng.int(3); i >= 0; i--) mutateManifest(rng, patch);
  if (type === 'application/strategic-merge-patch+json' && rng.chance(0.5)) {
    const directive = pick<{ [key: string]: Json }>(rng, [
      { $patch: pick(rng, ['replace', 'delete', 'merge', 'bogus']) },
      { spec: { containers: [{ name: 'main', $patch: pick(rng, ['delete', 'replace', 'bogus']) }] } },
      { spec: { $setElementOrder: { containers: randomJson(rng, 2) } } },
      { spec: { $retainKeys: randomJson(rng, 1) } },
      { metadata: { $deleteFromPrimitiveList: { finalizers: randomJson(rng, 1) } } },
      { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
      { metadata: { labels: { $patch: 'replace', a: 'b' } } },
    ]);
    Object.assign(patch, directive);
  }
  return withNesting(type === 'application/apply-patch+yaml' && rng.chance(0.5) ? toYaml(patch) : JSON.stringify(patch));
}

/**
 * One hostile request. It never names PROTECTED_NAMESPACE; a collection delete across all
 * namespaces is kube's 405, so the objects there are out of any correct server's reach.
 */
export function fuzzRequest(rng: SeededRandom, index: number): FuzzRequest {
  const r = pick(rng, RESOURCES);
  const name = rng.chance(0.5) ? FUZZ_TARGET_NAME : `fz-${index}`;
  const manifest = validManifest(r.kind, name);
  const accept: Record<string, string> = rng.chance(0.2) ? { Accept: pick(rng, ACCEPTS) } : {};
  const query = rng.chance(0.3) ? randomQuery(rng) : '';
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2: {
      // A valid manifest with hostile changes, created or replaced.
      const steps: string[] = [];
      for (let i = rng.int(4); i >= 0; i--) steps.push(mutateManifest(rng, manifest));
      const update = rng.chance(0.3);
      const yaml = rng.chance(0.2);
      return {
        method: update ? 'PUT' : 'POST',
        path: resourcePath(rng, r, { name: update, subresource: update && rng.chance(0.2) ? 'status' : '' }) + query,
        headers: { 'Content-Type': yaml ? 'application/yaml' : 'application/json', ...accept },
        body: withNesting(yaml ? toYaml(manifest) : JSON.stringify(manifest)),
        label: `${update ? 'update' : 'create'} ${r.kind} with ${steps.join(', ')}`,
      };
    }
    case 3:
      return { method: pick(rng, ['POST', 'PUT']), path: resourcePath(rng, r, { name: rng.chance(0.3) }) + query, headers: { 'Content-Type': 'application/json' }, body: malformedJson(rng, JSON.stringify(manifest)), label: 'malformed JSON' };
    case 4:
      return { method: pick(rng, ['POST', 'PUT']), path: resourcePath(rng, r, { name: rng.chance(0.3) }) + query, headers: { 'Content-Type': 'application/yaml' }, body: malformedYaml(rng, manifest), label: 'malformed YAML' };
    case 5: {
      const method = pick(rng, ['POST', 'PUT', 'PATCH', 'DELETE']);
      const bytes = rng.chance(0.5) ? randomBytes(rng, rng.int(4096)) : Buffer.from(JSON.stringify(manifest));
      return { method, path: resourcePath(rng, r, { name: method !== 'POST' }) + query, headers: { 'Content-Type': pick(rng, CONTENT_TYPES) }, body: bytes, label: `${bytes.length} bytes with a random Content-Type` };
    }
    case 6:
    case 7: {
      const type = rng.chance(0.9) ? pick(rng, PATCH_TYPES) : pick(rng, CONTENT_TYPES);
      const sub = rng.chance(0.25) ? pick(rng, ['status', 'scale', 'bogus']) : '';
      return { method: 'PATCH', path: resourcePath(rng, r, { name: true, subresource: sub }) + query, headers: { 'Content-Type': type, ...accept }, body: randomPatch(rng, type, manifest), label: `patch ${type} ${r.kind}${sub ? `/${sub}` : ''}` };
    }
    case 8: {
      // A delete, maybe with DeleteOptions of the wrong shape.
      const body = rng.chance(0.4) ? JSON.stringify(pick<Json>(rng, [randomJson(rng, 2), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: randomJson(rng, 1), gracePeriodSeconds: randomJson(rng, 1), preconditions: randomJson(rng, 2), dryRun: randomJson(rng, 1) }])) : undefined;
      return { method: 'DELETE', path: resourcePath(rng, r, { name: rng.chance(0.8) }) + query, headers: body !== undefined ? { 'Content-Type': 'application/json' } : {}, ...(body !== undefined ? { body } : {}), label: 'delete' };
    }
    default: {
      // Random method, path and query.
      const method = pick(rng, METHODS);
      const path = rng.chance(0.7)
        ? resourcePath(rng, r, { name: rng.chance(0.5), subresource: pick(rng, SUBRESOURCES) })
        : pick(rng, ['/', '/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/apis/nope/v9', '/version', '/healthz', '/healthz/etcd', '/livez', '/readyz', '/openapi/v2', '/openapi/v3', '/openapi/v3/apis/apps/v1', '/openapi/v3/nope', '/metrics', '/logs', '//', '/api/v1/namespaces/fuzz/pods/target/log', '/apis/apps/v1/watch', '/api/v1/watch/namespaces', '/api/v1/proxy/nodes/x', '/' + 'a/'.repeat(500), `/${percentEncode(unicodeString(rng, 4))}`]);
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? JSON.stringify(manifest) : undefined;
      return { method, path: path + randomQuery(rng), headers: { ...accept, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}), label: 'random route' };
    }
  }
}
