import t from 'tap';
import {
  acceptedAggregatedDiscovery,
  AGGREGATED_DISCOVERY_V2_CONTENT_TYPE,
  FLOTILLA_OPENAPI_RESOURCES,
  renderAggregatedDiscovery,
  renderApiGroupList,
  renderApiResourceList,
  renderApiVersions,
} from '../../../core/index.js';
import { child, isJson } from './walk.js';

/** What kubectl 1.32 sends on GET /api and /apis. */
const KUBECTL_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

void t.test('Accept negotiation for aggregated discovery', (t) => {
  t.equal(acceptedAggregatedDiscovery(KUBECTL_DISCOVERY_ACCEPT), 'v2');
  t.equal(acceptedAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'), 'v2beta1');
  t.equal(acceptedAggregatedDiscovery('application/json, */*'), undefined);
  t.equal(acceptedAggregatedDiscovery('application/json;v=v2'), undefined, 'a version alone is not the discovery type');
  t.equal(AGGREGATED_DISCOVERY_V2_CONTENT_TYPE, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  t.end();
});

void t.test('legacy discovery: APIVersions, APIGroupList, APIResourceList with subresources', (t) => {
  t.same(renderApiVersions('10.0.0.1:6443'), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] });
  const groups = renderApiGroupList(FLOTILLA_OPENAPI_RESOURCES);
  const list = Array.isArray(groups.groups) ? groups.groups.filter(isJson) : [];
  t.same(list.map((g) => g.name), ['apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io']);
  t.same(list[0], { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });

  const apps = renderApiResourceList('apps', 'v1', FLOTILLA_OPENAPI_RESOURCES);
  t.equal(apps.groupVersion, 'apps/v1');
  const entries = Array.isArray(apps.resources) ? apps.resources.filter(isJson) : [];
  const deployments = entries.find((e) => e.name === 'deployments');
  t.same(deployments, {
    name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['deploy'], categories: ['all'],
  });
  t.same(entries.find((e) => e.name === 'deployments/scale'), {
    name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
  });
  t.same(entries.find((e) => e.name === 'deployments/status'), {
    name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'],
  });
  const core = renderApiResourceList('', 'v1', FLOTILLA_OPENAPI_RESOURCES);
  t.equal(core.groupVersion, 'v1');
  const ns = (Array.isArray(core.resources) ? core.resources.filter(isJson) : []).find((e) => e.name === 'namespaces');
  t.same(ns?.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  t.equal(ns?.namespaced, false);
  t.end();
});

void t.test('aggregated discovery splits the core group (/api) from named groups (/apis)', (t) => {
  const legacy = renderAggregatedDiscovery(FLOTILLA_OPENAPI_RESOURCES, 'legacy');
  t.equal(legacy.kind, 'APIGroupDiscoveryList');
  t.equal(legacy.apiVersion, 'apidiscovery.k8s.io/v2');
  const legacyItems = Array.isArray(legacy.items) ? legacy.items.filter(isJson) : [];
  t.equal(legacyItems.length, 1);
  t.same(legacyItems[0]?.metadata, {});
  const apis = renderAggregatedDiscovery(FLOTILLA_OPENAPI_RESOURCES, 'apis', 'v2beta1');
  t.equal(apis.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  const items = Array.isArray(apis.items) ? apis.items.filter(isJson) : [];
  t.same(items.map((i) => child(i, 'metadata').name), ['apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io']);
  const appsVersion = (Array.isArray(items[0]?.versions) ? items[0].versions : [])[0];
  if (!isJson(appsVersion)) throw new Error('no apps version');
  t.equal(appsVersion.freshness, 'Current');
  const deployments = (Array.isArray(appsVersion.resources) ? appsVersion.resources.filter(isJson) : []).find((r) => r.resource === 'deployments');
  t.same(deployments, {
    resource: 'deployments',
    responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    scope: 'Namespaced',
    singularResource: 'deployment',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
    ],
  });
  const nodes = (Array.isArray(legacyItems[0]?.versions) ? legacyItems[0].versions : []).filter(isJson)[0];
  const nodeEntry = (Array.isArray(nodes?.resources) ? nodes.resources.filter(isJson) : []).find((r) => r.resource === 'nodes');
  t.equal(nodeEntry?.scope, 'Cluster');
  t.end();
});
