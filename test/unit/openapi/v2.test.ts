import t from 'tap';
import { buildOpenApiV2, FLOTILLA_OPENAPI_RESOURCES } from '../../../core/index.js';
import { allRefs, child, isJson, patchMetaAt } from './walk.js';

const PREFIX = '#/definitions/';
const swagger = buildOpenApiV2();

void t.test('a Swagger 2.0 document whose refs all resolve', (t) => {
  t.equal(swagger.swagger, '2.0');
  const definitions = child(swagger, 'definitions');
  const missing = allRefs(swagger).filter((ref) => !ref.startsWith(PREFIX) || !(ref.slice(PREFIX.length) in definitions));
  t.same(missing, []);
  t.end();
});

void t.test('PATCH operations declare the patch media types and a body parameter', (t) => {
  const patch = child(swagger, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch');
  t.same(patch.consumes, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  const params = Array.isArray(patch.parameters) ? patch.parameters.filter(isJson) : [];
  t.same(params[0], { name: 'body', in: 'body', required: true, schema: { $ref: `${PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } });
  t.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  t.same(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  t.end();
});

void t.test('v2 flavour: bare $ref, Quantity and IntOrString as strings; patch metadata as in v3', (t) => {
  const definitions = child(swagger, 'definitions');
  t.same(child(definitions, 'io.k8s.api.core.v1.Pod', 'properties', 'spec'), { $ref: `${PREFIX}io.k8s.api.core.v1.PodSpec` });
  t.same(child(definitions, 'io.k8s.apimachinery.pkg.api.resource.Quantity'), { type: 'string', description: 'A fixed-point number with a suffix, such as 100m, 1Gi or 2.' });
  t.equal(child(definitions, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString').format, 'int-or-string');
  const pod = child(definitions, 'io.k8s.api.core.v1.Pod');
  t.same(patchMetaAt(pod, definitions, PREFIX, ['spec', 'containers', '[]', 'env']), { strategy: 'merge', mergeKey: 'name' });
  t.end();
});

void t.test('every served kind has a definition with its GVK', (t) => {
  const definitions = child(swagger, 'definitions');
  for (const r of FLOTILLA_OPENAPI_RESOURCES) {
    const gvks = Object.values(definitions).filter(isJson).flatMap((d) => (Array.isArray(d['x-kubernetes-group-version-kind']) ? d['x-kubernetes-group-version-kind'] : []));
    t.ok(gvks.some((g) => isJson(g) && g.kind === r.kind && g.group === r.group && g.version === r.version), r.kind);
  }
  t.end();
});
