import t from 'tap';
import {
  API_RESOURCES,
  hasStatusSubresource,
  lookupResource,
  lookupResourceByKind,
  lookupResourceByShortName,
  lookupResourceForObject,
  lookupSubresource,
  parseApiVersion,
  qualifiedKindName,
  qualifiedResourceName,
  resolveResourceName,
  resourceApiVersion,
  resourcesInCategory,
  servedGroupVersions,
} from '../../../core/index.js';

void t.test('every required kind is served with its Kubernetes names', (t) => {
  const expected: [string, string, string, boolean, string[]][] = [
    ['', 'Namespace', 'namespaces', false, ['ns']],
    ['', 'Pod', 'pods', true, ['po']],
    ['', 'Node', 'nodes', false, ['no']],
    ['', 'Service', 'services', true, ['svc']],
    ['', 'Endpoints', 'endpoints', true, ['ep']],
    ['', 'ConfigMap', 'configmaps', true, ['cm']],
    ['', 'Secret', 'secrets', true, []],
    ['', 'Event', 'events', true, ['ev']],
    ['', 'ServiceAccount', 'serviceaccounts', true, ['sa']],
    ['apps', 'Deployment', 'deployments', true, ['deploy']],
    ['apps', 'ReplicaSet', 'replicasets', true, ['rs']],
    ['apps', 'StatefulSet', 'statefulsets', true, ['sts']],
    ['apps', 'DaemonSet', 'daemonsets', true, ['ds']],
    ['batch', 'Job', 'jobs', true, []],
    ['batch', 'CronJob', 'cronjobs', true, ['cj']],
    ['coordination.k8s.io', 'Lease', 'leases', true, []],
    ['discovery.k8s.io', 'EndpointSlice', 'endpointslices', true, []],
  ];
  t.equal(API_RESOURCES.length, expected.length);
  for (const [group, kind, resource, namespaced, shortNames] of expected) {
    const type = lookupResourceByKind(group, 'v1', kind);
    t.ok(type, kind);
    t.equal(type?.resource, resource);
    t.equal(type?.singular, kind.toLowerCase());
    t.equal(type?.listKind, `${kind}List`);
    t.equal(type?.namespaced, namespaced, `${kind} scope`);
    t.same(type?.shortNames, shortNames, `${kind} short names`);
  }
  t.equal(lookupResourceByKind('autoscaling', 'v1', 'Scale'), undefined, 'Scale is only a subresource');
  t.end();
});

void t.test('categories, verbs and subresources', (t) => {
  t.same(
    resourcesInCategory('all').map((type) => type.resource).sort(),
    ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'services', 'statefulsets'],
  );
  const namespaces = lookupResource('', 'namespaces');
  t.notOk(namespaces?.verbs.includes('deletecollection'), 'namespaces cannot be deleted as a collection');
  t.ok(namespaces !== undefined && lookupSubresource(namespaces, 'finalize'));
  const deployments = lookupResource('apps', 'deployments');
  t.ok(deployments);
  if (deployments !== undefined) {
    t.same(lookupSubresource(deployments, 'scale'), { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    t.ok(hasStatusSubresource(deployments));
  }
  const pods = lookupResource('', 'pods');
  t.ok(pods !== undefined && lookupSubresource(pods, 'binding') && lookupSubresource(pods, 'log') && lookupSubresource(pods, 'status'));
  const configMaps = lookupResource('', 'configmaps');
  t.ok(configMaps !== undefined && !hasStatusSubresource(configMaps));
  t.same(configMaps?.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  t.end();
});

void t.test('lookups by short name, user-typed name and object', (t) => {
  t.same(lookupResourceByShortName('deploy').map((type) => type.resource), ['deployments']);
  t.same(resolveResourceName('po').map((type) => type.resource), ['pods']);
  t.same(resolveResourceName('Pod').map((type) => type.resource), ['pods']);
  t.same(resolveResourceName('deployments.apps').map((type) => type.kind), ['Deployment']);
  t.same(resolveResourceName('nope'), []);
  t.equal(lookupResourceForObject({ apiVersion: 'batch/v1', kind: 'CronJob' })?.resource, 'cronjobs');
  t.equal(lookupResourceForObject({ apiVersion: 'v1', kind: 'Widget' }), undefined);
  t.end();
});

void t.test('names and versions', (t) => {
  t.same(parseApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
  t.same(parseApiVersion('v1'), { group: '', version: 'v1' });
  const deployments = lookupResource('apps', 'deployments');
  const pods = lookupResource('', 'pods');
  t.ok(deployments && pods);
  if (deployments !== undefined && pods !== undefined) {
    t.equal(resourceApiVersion(deployments), 'apps/v1');
    t.equal(resourceApiVersion(pods), 'v1');
    t.equal(qualifiedResourceName(deployments), 'deployments.apps');
    t.equal(qualifiedKindName(deployments), 'Deployment.apps');
    t.equal(qualifiedKindName(pods), 'Pod');
  }
  t.same(servedGroupVersions()[0], { group: '', version: 'v1' });
  t.equal(servedGroupVersions().length, 5);
  t.end();
});
