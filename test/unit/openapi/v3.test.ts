import t from 'tap';
import {
  buildOpenApiV3Documents,
  buildOpenApiV3Index,
  FLOTILLA_OPENAPI_RESOURCES,
  type OpenApiResource,
} from '../../../core/index.js';
import { allRefs, child, isJson, patchMetaAt, type Json } from './walk.js';

const PREFIX = '#/components/schemas/';
const docs = buildOpenApiV3Documents();

function doc(key: string): Json {
  const d = docs.get(key);
  if (d === undefined) throw new Error(`no document ${key}`);
  return d.document;
}

function operations(document: Json): { path: string; method: string; op: Json }[] {
  const out: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(child(document, 'paths'))) {
    if (!isJson(item)) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      const op = item[method];
      if (isJson(op)) out.push({ path, method, op });
    }
  }
  return out;
}

void t.test('one document per served group-version, and an index pointing at each by hash', (t) => {
  t.same([...docs.keys()], ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1']);
  const index = buildOpenApiV3Index(docs);
  for (const [key, d] of docs) {
    t.equal(child(index, 'paths', key).serverRelativeURL, `/openapi/v3/${key}?hash=${d.hash}`);
    t.match(d.hash, /^[0-9A-F]{128}$/);
    t.same(JSON.parse(d.body), d.document, 'body is the serialized document');
    t.equal(d.document.openapi, '3.0.0');
  }
  t.end();
});

void t.test('every PATCH names its kind and offers fieldValidation and strategic merge (what kubectl checks)', (t) => {
  let patches = 0;
  for (const [key, d] of docs) {
    for (const { path, method, op } of operations(d.document)) {
      const gvk = op['x-kubernetes-group-version-kind'];
      t.ok(isJson(gvk), `${key} ${method} ${path} has a single-object GVK`);
      if (method !== 'patch') continue;
      patches++;
      const params = Array.isArray(op.parameters) ? op.parameters.filter(isJson) : [];
      t.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query'), `${path} PATCH has fieldValidation`);
      t.ok(params.some((p) => p.name === 'fieldManager' && p.in === 'query'), `${path} PATCH has fieldManager`);
      t.ok(params.some((p) => p.name === 'dryRun' && p.in === 'query'), `${path} PATCH has dryRun`);
      const content = child(op, 'requestBody', 'content');
      t.ok('application/strategic-merge-patch+json' in content, `${path} PATCH accepts strategic merge`);
      t.equal(op['x-kubernetes-action'], 'patch');
    }
  }
  // 17 kinds with a PATCH each, plus 10 status and 3 scale subresources.
  t.equal(patches, 17 + 10 + 3);
  t.end();
});

void t.test('each kind has exactly the PATCH kubectl will find for its GVK', (t) => {
  for (const r of FLOTILLA_OPENAPI_RESOURCES) {
    const key = r.group === '' ? 'api/v1' : `apis/${r.group}/${r.version}`;
    const matching = operations(doc(key)).filter(({ method, op }) => {
      const gvk = op['x-kubernetes-group-version-kind'];
      return method === 'patch' && isJson(gvk) && gvk.group === r.group && gvk.version === r.version && gvk.kind === r.kind;
    });
    const expected = 1 + (r.subresources?.some((s) => s.name === 'status') === true ? 1 : 0);
    t.equal(matching.length, expected, `${r.kind}: main PATCH plus status PATCH`);
  }
  t.end();
});

void t.test('every $ref resolves inside its own document', (t) => {
  for (const [key, d] of docs) {
    const schemas = child(d.document, 'components', 'schemas');
    const missing = allRefs(d.document).filter((ref) => !ref.startsWith(PREFIX) || !(ref.slice(PREFIX.length) in schemas));
    t.same(missing, [], `${key} has no dangling refs`);
  }
  t.end();
});

void t.test('kind schemas carry an array GVK (what kubectl apply matches); lists too', (t) => {
  const schemas = child(doc('apis/apps/v1'), 'components', 'schemas');
  t.same(child(schemas, 'io.k8s.api.apps.v1.Deployment')['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  t.same(child(schemas, 'io.k8s.api.apps.v1.DeploymentList')['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
  t.same(child(schemas, 'io.k8s.api.autoscaling.v1.Scale')['x-kubernetes-group-version-kind'], [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
  const scalePatch = child(doc('apis/apps/v1'), 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch');
  t.same(scalePatch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  t.equal(scalePatch.operationId, 'patchAppsV1NamespacedDeploymentScale');
  t.end();
});

void t.test('patch strategies kubectl apply reads match kube', (t) => {
  const schemas = child(doc('apis/apps/v1'), 'components', 'schemas');
  const deployment = child(schemas, 'io.k8s.api.apps.v1.Deployment');
  const at = (...path: string[]) => patchMetaAt(deployment, schemas, PREFIX, path);
  const podSpec = ['spec', 'template', 'spec'];
  t.same(at(...podSpec, 'containers'), { strategy: 'merge', mergeKey: 'name' });
  t.same(at(...podSpec, 'initContainers'), { strategy: 'merge', mergeKey: 'name' });
  t.same(at(...podSpec, 'volumes'), { strategy: 'merge,retainKeys', mergeKey: 'name' });
  t.same(at(...podSpec, 'containers', '[]', 'env'), { strategy: 'merge', mergeKey: 'name' });
  t.same(at(...podSpec, 'containers', '[]', 'ports'), { strategy: 'merge', mergeKey: 'containerPort' });
  t.same(at(...podSpec, 'containers', '[]', 'volumeMounts'), { strategy: 'merge', mergeKey: 'mountPath' });
  t.same(at(...podSpec, 'containers', '[]', 'args'), { strategy: undefined, mergeKey: undefined });
  t.same(at(...podSpec, 'tolerations'), { strategy: undefined, mergeKey: undefined });
  t.same(at(...podSpec, 'imagePullSecrets'), { strategy: 'merge', mergeKey: 'name' });
  t.same(at(...podSpec, 'topologySpreadConstraints'), { strategy: 'merge', mergeKey: 'topologyKey' });
  t.same(at('spec', 'strategy'), { strategy: 'retainKeys', mergeKey: undefined });
  t.same(at('metadata', 'ownerReferences'), { strategy: 'merge', mergeKey: 'uid' });
  t.same(at('metadata', 'finalizers'), { strategy: 'merge', mergeKey: undefined });
  t.same(at('status', 'conditions'), { strategy: 'merge', mergeKey: 'type' });
  const ports = child(schemas, 'io.k8s.api.core.v1.Container', 'properties', 'ports');
  t.equal(ports['x-kubernetes-list-type'], 'map');
  t.same(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);

  const core = child(doc('api/v1'), 'components', 'schemas');
  const service = child(core, 'io.k8s.api.core.v1.Service');
  t.same(patchMetaAt(service, core, PREFIX, ['spec', 'ports']), { strategy: 'merge', mergeKey: 'port' });
  t.equal(child(core, 'io.k8s.api.core.v1.ServiceSpec', 'properties', 'selector')['x-kubernetes-map-type'], 'atomic');
  const node = child(core, 'io.k8s.api.core.v1.Node');
  t.same(patchMetaAt(node, core, PREFIX, ['status', 'addresses']), { strategy: 'merge', mergeKey: 'type' });
  t.same(patchMetaAt(node, core, PREFIX, ['spec', 'podCIDRs']), { strategy: 'merge', mergeKey: undefined });
  t.end();
});

void t.test('v3 flavour: refs wrapped in allOf, Quantity and IntOrString as oneOf', (t) => {
  const schemas = child(doc('api/v1'), 'components', 'schemas');
  t.same(child(schemas, 'io.k8s.api.core.v1.Pod', 'properties', 'spec'), { allOf: [{ $ref: `${PREFIX}io.k8s.api.core.v1.PodSpec` }] });
  t.same(child(schemas, 'io.k8s.apimachinery.pkg.api.resource.Quantity').oneOf, [{ type: 'string' }, { type: 'number' }]);
  t.same(child(schemas, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString').oneOf, [{ type: 'integer' }, { type: 'string' }]);
  t.same(child(schemas, 'io.k8s.api.core.v1.Secret', 'properties', 'data'), { type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
  t.end();
});

void t.test('collection, item, all-namespaces and subresource paths with kube operation ids', (t) => {
  const paths = child(doc('api/v1'), 'paths');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods', 'get').operationId, 'listCoreV1NamespacedPod');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods', 'post').operationId, 'createCoreV1NamespacedPod');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods', 'delete').operationId, 'deleteCoreV1CollectionNamespacedPod');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods/{name}', 'get').operationId, 'readCoreV1NamespacedPod');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods/{name}', 'put').operationId, 'replaceCoreV1NamespacedPod');
  t.equal(child(paths, '/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch').operationId, 'patchCoreV1NamespacedPodStatus');
  t.equal(child(paths, '/api/v1/pods', 'get').operationId, 'listCoreV1PodForAllNamespaces');
  t.equal(child(paths, '/api/v1/nodes/{name}', 'patch').operationId, 'patchCoreV1Node');
  t.notOk('/api/v1/nodes/{name}/scale' in paths);
  const lease = child(doc('apis/coordination.k8s.io/v1'), 'paths', '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}', 'patch');
  t.equal(lease.operationId, 'patchCoordinationV1NamespacedLease');
  t.same(lease.tags, ['coordination_v1']);
  t.end();
});

void t.test('verbs restrict operations; unknown kinds get a permissive schema without a kind claim', (t) => {
  const readOnly: OpenApiResource = { group: 'example.com', version: 'v1alpha1', kind: 'Widget', resource: 'widgets', namespaced: false, verbs: ['get', 'list', 'patch'] };
  const built = buildOpenApiV3Documents([readOnly]);
  const d = built.get('apis/example.com/v1alpha1');
  if (d === undefined) throw new Error('missing document');
  const paths = child(d.document, 'paths');
  t.same(Object.keys(child(paths, '/apis/example.com/v1alpha1/widgets')).sort(), ['get', 'parameters']);
  t.same(Object.keys(child(paths, '/apis/example.com/v1alpha1/widgets/{name}')).sort(), ['get', 'parameters', 'patch']);
  const widget = child(d.document, 'components', 'schemas', 'io.k8s.api.example.com.v1alpha1.Widget');
  t.notOk('x-kubernetes-group-version-kind' in widget, 'no GVK: kubectl apply falls back to its own patch logic');
  t.same(child(widget, 'properties', 'spec'), { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  t.end();
});

void t.test('the hash follows the content', (t) => {
  const fewer = buildOpenApiV3Documents(FLOTILLA_OPENAPI_RESOURCES.filter((r) => r.kind !== 'Secret'));
  t.not(fewer.get('api/v1')?.hash, docs.get('api/v1')?.hash);
  t.equal(fewer.get('apis/apps/v1')?.hash, docs.get('apis/apps/v1')?.hash);
  t.equal(buildOpenApiV3Documents().get('api/v1')?.hash, docs.get('api/v1')?.hash, 'deterministic');
  t.end();
});
