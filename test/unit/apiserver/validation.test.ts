// Bad input gets a clear error naming the field that is wrong, and loses nothing: 422 Invalid
// with details.causes[].field, 400 for bodies that do not decode, and the fieldValidation modes.
import t from 'tap';
import type { Test } from 'tap';
import { asRecord, at, causeFields, configMapManifest, deploymentManifest, expectStatus, podManifest, setAt, startTestApiServer } from './harness.js';
import type { TestApiServer } from './harness.js';
import { validManifest } from './fuzz-requests.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

async function started(t: Test): Promise<TestApiServer> {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  return s;
}

type Manifest = Record<string, unknown>;

void t.test('422 Invalid names every wrong field in details.causes', async (t) => {
  const s = await started(t);
  const bad: Manifest = deploymentManifest('Bad_Name');
  setAt(bad, 'spec.replicas', -1);
  setAt(bad, 'spec.template.metadata.labels', { app: 'other' });
  setAt(bad, 'spec.template.spec.containers.0.image', '');
  setAt(bad, 'spec.template.spec.containers.0.resources.requests.cpu', '-1');
  const res = await s.request({ method: 'POST', path: DEPLOYMENTS, body: bad });
  expectStatus(t, res, 422, 'Invalid', /^Deployment\.apps "Bad_Name" is invalid: \[/);
  t.same(
    [...causeFields(res)].sort(),
    ['metadata.name', 'spec.replicas', 'spec.template.metadata.labels', 'spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].resources.requests[cpu]'].sort(),
    'one cause per wrong field, with its path',
  );
  t.same(at(res.json, 'details.kind'), 'Deployment', 'details name the kind (not the resource) for Invalid');
  t.same(at(res.json, 'details.group'), 'apps');
  t.same(at(res.json, 'details.name'), 'Bad_Name');
  const causes = at(res.json, 'details.causes') as Record<string, unknown>[];
  const byField = new Map(causes.map((c) => [String(c.field), c]));
  t.same(byField.get('metadata.name'), { reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}`, field: 'metadata.name' });
  t.same(byField.get('spec.replicas'), { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' });
  t.same(byField.get('spec.template.spec.containers[0].image'), { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' });
  t.match(byField.get('spec.template.metadata.labels')?.message, /`selector` does not match template `labels`/);
  t.equal((await s.request({ path: `${DEPLOYMENTS}/Bad_Name` })).status, 404, 'nothing was stored');
});

void t.test('one wrong field gives kube\'s one-line message', async (t) => {
  const s = await started(t);
  const pod: Manifest = podManifest('p1');
  setAt(pod, 'spec.containers.0.image', undefined);
  expectStatus(t, await s.request({ method: 'POST', path: PODS, body: pod }), 422, 'Invalid', 'Pod "p1" is invalid: spec.containers[0].image: Required value');

  const nameless = await s.request({ method: 'POST', path: CONFIGMAPS, body: { data: { a: 'b' } } });
  expectStatus(t, nameless, 422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
  t.same(causeFields(nameless), ['metadata.name']);

  const badLabel = await s.request({ method: 'POST', path: PODS, body: podManifest('p2', { app: '-bad-' }) });
  expectStatus(t, badLabel, 422, 'Invalid', /^Pod "p2" is invalid: metadata\.labels: Invalid value: "-bad-": a valid label must be an empty string/);
  t.same(causeFields(badLabel), ['metadata.labels']);

  const longName = await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('a'.repeat(254)) });
  expectStatus(t, longName, 422, 'Invalid');
  t.same(causeFields(longName), ['metadata.name']);
  t.match(at(longName.json, 'message'), /must be no more than 253 characters/);

  const negativeQuantity: Manifest = podManifest('p3');
  setAt(negativeQuantity, 'spec.containers.0.resources', { limits: { memory: '-1Gi' } });
  const q = await s.request({ method: 'POST', path: PODS, body: negativeQuantity });
  expectStatus(t, q, 422, 'Invalid');
  t.ok(causeFields(q).includes('spec.containers[0].resources.limits[memory]'), `the negative quantity is named (${causeFields(q).join(', ')})`);
});

void t.test('a quantity that does not parse is a decoding error (400), as kube', async (t) => {
  const s = await started(t);
  const pod: Manifest = podManifest('p1');
  setAt(pod, 'spec.containers.0.resources', { requests: { cpu: 'lots' } });
  const res = await s.request({ method: 'POST', path: PODS, body: pod });
  expectStatus(t, res, 400, 'BadRequest', /^Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression/);
});

void t.test('wrong JSON types are 400 with the Go decoder\'s message; wrong kinds, versions and namespaces are 400', async (t) => {
  const s = await started(t);
  const labels = await s.request({ method: 'POST', path: PODS, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: 'x' }, spec: { containers: [] } } });
  expectStatus(t, labels, 400, 'BadRequest', 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string');
  const replicas: Manifest = deploymentManifest('web');
  setAt(replicas, 'spec.replicas', 'two');
  expectStatus(t, await s.request({ method: 'POST', path: DEPLOYMENTS, body: replicas }), 400, 'BadRequest', /^Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field/);
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: '[1,2]', headers: { 'Content-Type': 'application/json' } }), 400, 'BadRequest', undefined, 'an array body');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: { kind: ['ConfigMap'], metadata: { name: 'k' } } }), 400, 'BadRequest', "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go struct field .kind of type string");
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: { kind: 'Secret', metadata: { name: 'k' } } }), 400, 'BadRequest', 'the kind in the data (Secret) does not match the expected kind (ConfigMap)');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: { apiVersion: 'v2', metadata: { name: 'k' } } }), 400, 'BadRequest', 'the API version in the data (v2) does not match the expected API version (v1)');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 'k', namespace: 'other' } } }), 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
});

void t.test('malformed JSON and YAML bodies, wrong media types and huge bodies are refused with a Status', async (t) => {
  const s = await started(t);
  const json = await s.request({ method: 'POST', path: CONFIGMAPS, body: '{"metadata":', headers: { 'Content-Type': 'application/json' } });
  expectStatus(t, json, 400, 'BadRequest', /^couldn't get version\/kind; json parse error: /);
  const empty = await s.request({ method: 'POST', path: CONFIGMAPS, body: '', headers: { 'Content-Type': 'application/json' } });
  expectStatus(t, empty, 400, 'BadRequest');
  const yaml = await s.request({ method: 'POST', path: CONFIGMAPS, body: 'metadata: [name\n  x: :', headers: { 'Content-Type': 'application/yaml' } });
  expectStatus(t, yaml, 400, 'BadRequest', /^error converting YAML to JSON: /);
  const aliases = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 7 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: aliases, headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest', undefined, 'a YAML alias bomb');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: 'metadata:\n  name: b\ndata:\n  a: !!binary AAAA\n', headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest', undefined, 'YAML bytes, which JSON cannot hold');
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: 'metadata:\n  name: b\ndata:\n  a: .inf\n', headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest', undefined, 'YAML infinity');
  const deep = `{"metadata":{"name":"deep"},"data":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`;
  expectStatus(t, await s.request({ method: 'POST', path: CONFIGMAPS, body: deep, headers: { 'Content-Type': 'application/json' } }), 400, 'BadRequest', undefined, 'JSON nested 5000 deep');
  const deepPatch = `{"metadata":{"labels":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`;
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('target') });
  expectStatus(t, await s.request({ method: 'PATCH', path: `${CONFIGMAPS}/target`, body: deepPatch, headers: { 'Content-Type': 'application/strategic-merge-patch+json' } }), 400, 'BadRequest', undefined, 'a strategic patch nested 5000 deep');

  const wrongType = await s.request({ method: 'POST', path: CONFIGMAPS, body: '{}', headers: { 'Content-Type': 'text/plain' } });
  expectStatus(t, wrongType, 415, 'UnsupportedMediaType', /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml/);

  const huge = await s.request({ method: 'POST', path: CONFIGMAPS, body: Buffer.alloc(3 * 1024 * 1024 + 1, 'a'), headers: { 'Content-Type': 'application/json' } });
  expectStatus(t, huge, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  t.equal((await s.request({ path: `${CONFIGMAPS}/target` })).status, 200, 'the server still answers on a new connection');
});

void t.test('fieldValidation: Strict refuses unknown fields, Warn warns, Ignore prunes silently', async (t) => {
  const s = await started(t);
  const withFoo = (name: string): Manifest => {
    const d: Manifest = deploymentManifest(name);
    setAt(d, 'spec.foo', 1);
    return d;
  };
  const strict = await s.request({ method: 'POST', path: `${DEPLOYMENTS}?fieldValidation=Strict`, body: withFoo('strict') });
  expectStatus(t, strict, 400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"');
  t.equal((await s.request({ path: `${DEPLOYMENTS}/strict` })).status, 404, 'Strict stored nothing');

  const warn = await s.request({ method: 'POST', path: `${DEPLOYMENTS}?fieldValidation=Warn`, body: withFoo('warn') });
  t.equal(warn.status, 201, 'Warn creates');
  t.equal(warn.headers.warning, '299 - "unknown field \\"spec.foo\\""', 'with a Warning header naming the field');
  t.equal(at(warn.json, 'spec.foo'), undefined, 'the unknown field is not stored');

  const byDefault = await s.request({ method: 'POST', path: DEPLOYMENTS, body: withFoo('default') });
  t.equal(byDefault.status, 201);
  t.ok(byDefault.headers.warning, 'Warn is the default');

  const ignore = await s.request({ method: 'POST', path: `${DEPLOYMENTS}?fieldValidation=Ignore`, body: withFoo('ignore') });
  t.equal(ignore.status, 201, 'Ignore creates');
  t.equal(ignore.headers.warning, undefined, 'without a warning');
  t.equal(at((await s.request({ path: `${DEPLOYMENTS}/ignore` })).json, 'spec.foo'), undefined, 'and prunes the field');

  const patchStrict = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/ignore?fieldValidation=Strict`, body: { spec: { bar: 2 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  expectStatus(t, patchStrict, 400, 'BadRequest', /strict decoding error: unknown field "spec\.bar"/);

  expectStatus(t, await s.request({ method: 'POST', path: `${DEPLOYMENTS}?fieldValidation=bogus`, body: deploymentManifest('x') }), 400, 'BadRequest', 'fieldValidation parameter unsupported: bogus, valid values: Ignore, Warn, Strict');
});

void t.test('updating an immutable field is 422 "field is immutable"', async (t) => {
  const s = await started(t);
  const created = asRecord((await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') })).json);
  const next = structuredClone(created);
  setAt(next, 'spec.selector', { matchLabels: { app: 'web', tier: 'x' } });
  setAt(next, 'spec.template.metadata.labels', { app: 'web', tier: 'x' });
  const res = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: next });
  expectStatus(t, res, 422, 'Invalid', /^Deployment\.apps "web" is invalid: spec\.selector: Invalid value: .*: field is immutable$/);
  t.same(causeFields(res), ['spec.selector']);
  const patched = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web`, body: { spec: { selector: { matchLabels: { app: 'other' } } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(patched.status, 422, 'a patch of the selector is refused the same way');
  t.same(at((await s.request({ path: `${DEPLOYMENTS}/web` })).json, 'spec.selector'), { matchLabels: { app: 'web' } }, 'the stored selector is unchanged');
});

// JSON null where Go's decoder leaves a zero value ("" in a map of strings, {} in a list of
// structs) reaches validation and the registry as null: validators assume strings and objects.
const NULL_CASES: readonly { readonly what: string; readonly path: string; readonly edit: (m: Manifest) => void; readonly kind: string }[] = [
  { what: 'a null value in spec.selector.matchLabels', kind: 'Deployment', path: DEPLOYMENTS, edit: (m) => setAt(m, 'spec.selector.matchLabels.app', null) },
  { what: 'a null container', kind: 'Pod', path: PODS, edit: (m) => setAt(m, 'spec.containers.0', null) },
  { what: 'a null service port', kind: 'Service', path: '/api/v1/namespaces/default/services', edit: (m) => setAt(m, 'spec.ports.0', null) },
  { what: 'a null finalizer', kind: 'Pod', path: PODS, edit: (m) => setAt(m, 'metadata.finalizers', [null]) },
  { what: 'a null endpoint', kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', edit: (m) => setAt(m, 'endpoints.0', null) },
  { what: 'a null endpoint port', kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', edit: (m) => setAt(m, 'ports.0', null) },
];

for (const c of NULL_CASES) {
  void t.test(`${c.what} is a client error, not a 5xx`, { todo: 'core/api/schema decoding lets JSON null through where Go gives a zero value; validation then throws a TypeError (500)' }, async (t) => {
    const s = await started(t);
    const m: Manifest = validManifest(c.kind, 'nulls');
    c.edit(m);
    const res = await s.request({ method: 'POST', path: c.path, body: m });
    t.ok(res.status < 500, `answered ${res.status}: ${res.text.slice(0, 200)}`);
  });
}

void t.test('a null label value is stored as kube stores it (an empty string)', { todo: 'core/api/schema decoding keeps null in map[string]string; kube stores ""' }, async (t) => {
  const s = await started(t);
  const res = await s.request({ method: 'POST', path: PODS, body: podManifest('p', { app: null as unknown as string }) });
  t.equal(res.status, 201);
  t.same(at(res.json, 'metadata.labels'), { app: '' });
});
