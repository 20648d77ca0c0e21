// The key layout: kube's prefixes, so that the store looks like a kube cluster's etcd.
import t from 'tap';
import { StorageInvalidKeyError, registryCollectionKey, registryObjectKey, registryResourcePrefix } from '../../../core/index.js';

void t.test("built-in resources keep kube's prefixes, whatever their group", (t) => {
  t.equal(registryObjectKey({ group: '', resource: 'pods' }, 'default', 'nginx'), '/registry/pods/default/nginx');
  t.equal(registryObjectKey({ group: 'apps', resource: 'deployments' }, 'default', 'web'), '/registry/deployments/default/web');
  t.equal(registryObjectKey({ group: '', resource: 'services' }, 'default', 'web'), '/registry/services/specs/default/web');
  t.equal(registryObjectKey({ group: '', resource: 'endpoints' }, 'default', 'web'), '/registry/services/endpoints/default/web');
  t.equal(registryObjectKey({ group: '', resource: 'nodes' }, undefined, 'node-1'), '/registry/minions/node-1');
  t.equal(registryObjectKey({ group: '', resource: 'namespaces' }, '', 'default'), '/registry/namespaces/default');
  t.equal(registryObjectKey({ group: 'coordination.k8s.io', resource: 'leases' }, 'kube-node-lease', 'n1'), '/registry/leases/kube-node-lease/n1');
  t.equal(registryResourcePrefix({ group: 'networking.k8s.io', resource: 'ingresses' }), '/registry/ingress');
  t.equal(
    registryObjectKey({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }, undefined, 'crontabs.stable.example.com'),
    '/registry/apiextensions.k8s.io/customresourcedefinitions/crontabs.stable.example.com',
  );
  t.end();
});

void t.test('custom resources live under their group', (t) => {
  t.equal(registryObjectKey({ group: 'stable.example.com', resource: 'crontabs' }, 'default', 'c1', { custom: true }), '/registry/stable.example.com/crontabs/default/c1');
  t.end();
});

void t.test('collections: every namespace, or one', (t) => {
  t.equal(registryCollectionKey({ group: '', resource: 'pods' }), '/registry/pods');
  t.equal(registryCollectionKey({ group: '', resource: 'pods' }, 'kube-system'), '/registry/pods/kube-system');
  t.end();
});

void t.test("segments that would change the key's shape are refused", (t) => {
  for (const name of ['', '.', '..', 'a/b', 'a%2Fb']) {
    t.throws(() => registryObjectKey({ group: '', resource: 'pods' }, 'default', name), StorageInvalidKeyError, JSON.stringify(name));
  }
  t.throws(() => registryCollectionKey({ group: '', resource: 'pods' }, '../x'), StorageInvalidKeyError);
  t.end();
});
