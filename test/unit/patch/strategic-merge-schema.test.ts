import t from 'tap';
import { lookupPatchMeta, strategicMergeSchemaFor } from '../../../core/index.js';

void t.test('patch metadata by kind and path', (t) => {
  const podTemplate = ['spec', 'template', 'spec'];
  const cases: [apiVersion: string, kind: string, path: string[], meta: unknown][] = [
    ['v1', 'Pod', ['spec', 'containers'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'initContainers'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'ephemeralContainers'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'volumes'], { strategy: 'merge,retainKeys', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'imagePullSecrets'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'hostAliases'], { strategy: 'merge', mergeKey: 'ip' }],
    ['v1', 'Pod', ['spec', 'topologySpreadConstraints'], { strategy: 'merge', mergeKey: 'topologyKey' }],
    ['v1', 'Pod', ['spec', 'tolerations'], { strategy: 'replace' }],
    ['v1', 'Pod', ['spec', 'readinessGates'], { strategy: 'replace' }],
    ['v1', 'Pod', ['spec', 'containers', 'ports'], { strategy: 'merge', mergeKey: 'containerPort' }],
    ['v1', 'Pod', ['spec', 'containers', 'env'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'containers', 'volumeMounts'], { strategy: 'merge', mergeKey: 'mountPath' }],
    ['v1', 'Pod', ['spec', 'initContainers', 'volumeDevices'], { strategy: 'merge', mergeKey: 'devicePath' }],
    ['v1', 'Pod', ['spec', 'containers', 'resizePolicy'], { strategy: 'replace' }],
    ['v1', 'Pod', ['spec', 'containers', 'args'], undefined],
    ['v1', 'Pod', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Pod', ['metadata', 'finalizers'], { strategy: 'merge' }],
    ['v1', 'Pod', ['metadata', 'ownerReferences'], { strategy: 'merge', mergeKey: 'uid' }],
    ['v1', 'Service', ['spec', 'ports'], { strategy: 'merge', mergeKey: 'port' }],
    ['v1', 'Node', ['status', 'addresses'], { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Node', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Endpoints', ['subsets'], { strategy: 'replace' }],
    ['apps/v1', 'Deployment', ['spec', 'strategy'], { strategy: 'retainKeys' }],
    ['apps/v1', 'Deployment', [...podTemplate, 'containers'], { strategy: 'merge', mergeKey: 'name' }],
    ['apps/v1', 'Deployment', [...podTemplate, 'containers', 'env'], { strategy: 'merge', mergeKey: 'name' }],
    ['apps/v1', 'Deployment', ['spec', 'template', 'metadata', 'finalizers'], { strategy: 'merge' }],
    ['apps/v1', 'Deployment', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'ReplicaSet', [...podTemplate, 'volumes'], { strategy: 'merge,retainKeys', mergeKey: 'name' }],
    ['apps/v1', 'ReplicaSet', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'StatefulSet', [...podTemplate, 'containers'], { strategy: 'merge', mergeKey: 'name' }],
    ['apps/v1', 'DaemonSet', [...podTemplate, 'initContainers'], { strategy: 'merge', mergeKey: 'name' }],
    ['batch/v1', 'Job', [...podTemplate, 'containers'], { strategy: 'merge', mergeKey: 'name' }],
    ['batch/v1', 'Job', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
    ['batch/v1', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'], { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'ConfigMap', ['metadata', 'finalizers'], { strategy: 'merge' }],
    ['v1', 'ConfigMap', ['data'], undefined],
    ['example.com/v1', 'Widget', ['spec', 'containers'], undefined],
  ];
  for (const [apiVersion, kind, path, meta] of cases) {
    t.same(lookupPatchMeta(apiVersion, kind, path), meta, `${apiVersion} ${kind} ${path.join('.')}`);
  }
  t.end();
});

void t.test('only built-in kinds have a strategic merge schema', (t) => {
  t.ok(strategicMergeSchemaFor('v1', 'Pod'));
  t.ok(strategicMergeSchemaFor('apps/v1', 'Deployment'));
  t.ok(strategicMergeSchemaFor('coordination.k8s.io/v1', 'Lease'));
  t.equal(strategicMergeSchemaFor('apps/v1', 'Pod'), undefined, 'the group matters');
  t.equal(strategicMergeSchemaFor('example.com/v1', 'Widget'), undefined);
  t.end();
});
