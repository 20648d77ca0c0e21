import t from 'tap';
import {
  applyStrategicMergePatch,
  EMPTY_STRATEGIC_MERGE_SCHEMA,
  PatchError,
  strategicMergeSchemaFor,
  type StrategicMergeSchema,
} from '../../../core/index.js';

function schemaOf(apiVersion: string, kind: string): StrategicMergeSchema {
  const schema = strategicMergeSchemaFor(apiVersion, kind);
  if (schema === undefined) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return schema;
}

const DEPLOYMENT = schemaOf('apps/v1', 'Deployment');
const POD = schemaOf('v1', 'Pod');

/** The Deployment of the "Update API Objects in Place Using kubectl patch" task, reduced. */
function patchDemo(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  };
}

function podSpecOf(deployment: Record<string, unknown>): unknown {
  return ((deployment['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>)['spec'];
}

void t.test('the kubectl patch task: containers merge by name, tolerations are replaced', (t) => {
  const original = patchDemo();
  const withRedis = applyStrategicMergePatch(
    original,
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
    DEPLOYMENT,
  );
  t.same(podSpecOf(withRedis), {
    containers: [
      { name: 'patch-demo-ctr-2', image: 'redis' },
      { name: 'patch-demo-ctr', image: 'nginx' },
    ],
    tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
  });
  t.same(original, patchDemo(), 'the original is not modified');

  const withSsd = applyStrategicMergePatch(
    original,
    { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } },
    DEPLOYMENT,
  );
  t.same(podSpecOf(withSsd), {
    containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
    tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }],
  });
  t.end();
});

void t.test('the kubectl patch task: $retainKeys switches the strategy type', (t) => {
  const original = {
    spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%', maxUnavailable: '30%' } } },
  };
  t.same(
    applyStrategicMergePatch(original, { spec: { strategy: { type: 'Recreate' } } }, DEPLOYMENT),
    { spec: { replicas: 2, strategy: { type: 'Recreate', rollingUpdate: { maxSurge: '30%', maxUnavailable: '30%' } } } },
    'without the directive rollingUpdate stays (and validation would then refuse the object)',
  );
  t.same(
    applyStrategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOYMENT),
    { spec: { replicas: 2, strategy: { type: 'Recreate' } } },
  );
  const err = t.throws(() =>
    applyStrategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, DEPLOYMENT),
  );
  t.match(err, { reason: 'BadPatchFormatForRetainKeys', statusCode: 400, message: 'invalid patch format of retainKeys' });
  t.end();
});

void t.test('$patch directives', (t) => {
  const original = patchDemo();
  const replaced = applyStrategicMergePatch(
    original,
    { spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox' }, { $patch: 'replace' }] } } } },
    DEPLOYMENT,
  );
  t.same((podSpecOf(replaced) as Record<string, unknown>)['containers'], [{ name: 'only', image: 'busybox' }], 'list replace');

  const deleted = applyStrategicMergePatch(
    applyStrategicMergePatch(original, { spec: { template: { spec: { containers: [{ name: 'b', image: 'b' }] } } } }, DEPLOYMENT),
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', $patch: 'delete' }] } } } },
    DEPLOYMENT,
  );
  t.same((podSpecOf(deleted) as Record<string, unknown>)['containers'], [{ name: 'b', image: 'b' }], 'item delete');

  t.same(
    applyStrategicMergePatch({ spec: { selector: { matchLabels: { a: 'b' } } } }, { spec: { selector: { $patch: 'replace', matchLabels: { c: 'd' } } } }, DEPLOYMENT),
    { spec: { selector: { matchLabels: { c: 'd' } } } },
    'map replace',
  );
  t.same(
    applyStrategicMergePatch({ spec: { selector: { matchLabels: { a: 'b' } } } }, { spec: { selector: { $patch: 'delete' } } }, DEPLOYMENT),
    { spec: { selector: {} } },
    'map delete leaves an empty map',
  );
  t.same(
    applyStrategicMergePatch({ spec: {} }, { spec: { template: { $patch: 'replace', spec: {} } } }, DEPLOYMENT),
    { spec: {} },
    'a directive object for an absent field is dropped',
  );
  t.same(
    applyStrategicMergePatch({}, { spec: { containers: [{ name: 'a', env: [{ name: 'x', $patch: 'delete' }] }] } }, POD),
    { spec: { containers: [{ name: 'a', env: [] }] } },
    'directive items inside a new list are dropped',
  );
  t.end();
});

void t.test('nested lists merge by their own keys', (t) => {
  const pod = {
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      imagePullSecrets: [{ name: 'regcred' }],
    },
  };
  const result = applyStrategicMergePatch(
    pod,
    {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            env: [{ name: 'B', value: 'two' }, { name: 'A', $patch: 'delete' }, { name: 'C', value: '3' }],
            ports: [{ containerPort: 443 }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
        ],
        volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
        imagePullSecrets: [{ name: 'other' }],
      },
    },
    POD,
  );
  t.same(result, {
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          env: [
            { name: 'B', value: 'two' },
            { name: 'C', value: '3' },
          ],
          ports: [{ containerPort: 443 }, { containerPort: 80, protocol: 'TCP' }],
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
        },
      ],
      volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }, { name: 'data', emptyDir: {} }],
      imagePullSecrets: [{ name: 'other' }, { name: 'regcred' }],
    },
  });
  t.end();
});

void t.test('null deletes; nulls in new values are dropped', (t) => {
  t.same(
    applyStrategicMergePatch({ metadata: { labels: { a: 'b', c: 'd' } } }, { metadata: { labels: { a: null, e: 'f' } } }, POD),
    { metadata: { labels: { c: 'd', e: 'f' } } },
  );
  t.same(applyStrategicMergePatch({ a: 1 }, { b: null }, POD), { a: 1 }, 'a null for an absent key adds nothing');
  t.same(applyStrategicMergePatch({ a: 1 }, { b: { c: null, d: 2 } }, POD), { a: 1, b: { d: 2 } });
  t.same(applyStrategicMergePatch({ a: 'x' }, { a: { c: null } }, POD), { a: {} }, 'a changed type takes the patch minus nulls');
  t.same(applyStrategicMergePatch({ a: 1 }, null, POD), { a: 1 }, 'a null patch changes nothing');
  t.end();
});

void t.test('lists of scalars with merge strategy: union, deletion list, order directive', (t) => {
  const meta = (finalizers: string[]): Record<string, unknown> => ({ metadata: { finalizers } });
  t.same(applyStrategicMergePatch(meta(['a', 'b']), { metadata: { finalizers: ['c', 'a'] } }, POD), meta(['c', 'a', 'b']));
  t.same(applyStrategicMergePatch(meta(['a', 'b']), { metadata: { finalizers: [] } }, POD), meta(['a', 'b']), 'merging nothing');
  t.same(
    applyStrategicMergePatch(meta(['a', 'b', 'c']), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } }, POD),
    meta(['a', 'c']),
  );
  t.same(
    applyStrategicMergePatch({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }, POD),
    { metadata: {} },
    'deleting from an absent list adds nothing',
  );
  t.same(
    applyStrategicMergePatch(meta(['a', 'b', 'c']), { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'] } }, POD),
    meta(['c', 'b', 'a']),
  );
  t.same(
    applyStrategicMergePatch(
      meta(['a', 'b', 'c']),
      { metadata: { '$setElementOrder/finalizers': ['c', 'd', 'a'], finalizers: ['d'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
      POD,
    ),
    meta(['c', 'd', 'a']),
    'the form kubectl apply sends',
  );
  t.end();
});

void t.test('$setElementOrder orders a list of maps', (t) => {
  const original = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
  t.same(
    applyStrategicMergePatch(
      original,
      { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'x' }] } },
      POD,
    ),
    { spec: { containers: [{ name: 'c' }, { name: 'a', image: 'x' }, { name: 'b' }] } },
  );
  const err = t.throws(() =>
    applyStrategicMergePatch(
      original,
      { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'x' }] } },
      POD,
    ),
  );
  t.match(err, {
    reason: 'StrategicMergeFailed',
    statusCode: 500,
    message: "the order in patch list:\n[map[image:x name:b]]\n doesn't match $setElementOrder list:\n[map[name:a]]",
  });
  t.end();
});

void t.test('merge keys of the built-in kinds', (t) => {
  const service = schemaOf('v1', 'Service');
  t.same(
    applyStrategicMergePatch(
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
      service,
    ),
    { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
    'service ports by port',
  );
  const node = schemaOf('v1', 'Node');
  t.same(
    applyStrategicMergePatch(
      { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'False' }] } },
      { status: { addresses: [{ type: 'Hostname', address: 'n1' }], conditions: [{ type: 'Ready', status: 'True' }] } },
      node,
    ),
    {
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '10.0.0.1' },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    'node addresses and conditions by type',
  );
  t.same(
    applyStrategicMergePatch(
      { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs-1', controller: true }] } },
      { metadata: { ownerReferences: [{ uid: 'u1', controller: false }] } },
      POD,
    ),
    { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs-1', controller: false }] } },
    'ownerReferences by uid',
  );
  const cronJob = schemaOf('batch/v1', 'CronJob');
  t.same(
    applyStrategicMergePatch(
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'a' }] } } } } } },
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'b' }] } } } } } },
      cronJob,
    ),
    { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'b' }] } } } } } },
    'the pod template inside a CronJob',
  );
  const endpoints = schemaOf('v1', 'Endpoints');
  t.same(
    applyStrategicMergePatch({ subsets: [{ addresses: [{ ip: '1.1.1.1' }] }] }, { subsets: [{ addresses: [{ ip: '2.2.2.2' }] }] }, endpoints),
    { subsets: [{ addresses: [{ ip: '2.2.2.2' }] }] },
    'endpoints subsets are atomic',
  );
  t.end();
});

void t.test('lists without metadata are replaced; maps without metadata merge', (t) => {
  const original = { spec: { items: [{ name: 'a' }], nested: { x: 1, y: 2 } } };
  const patch = { spec: { items: [{ name: 'b' }], nested: { y: 3 } } };
  const expected = { spec: { items: [{ name: 'b' }], nested: { x: 1, y: 3 } } };
  t.same(applyStrategicMergePatch(original, patch, EMPTY_STRATEGIC_MERGE_SCHEMA), expected);
  t.same(applyStrategicMergePatch(original, patch, schemaOf('v1', 'ConfigMap')), expected);
  t.same(
    applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ name: 'b' }] } }, EMPTY_STRATEGIC_MERGE_SCHEMA),
    { spec: { containers: [{ name: 'b' }] } },
  );
  t.end();
});

void t.test('malformed strategic merge patches fail as kube-apiserver fails them', (t) => {
  const cases: [name: string, original: Record<string, unknown>, patch: unknown, reason: string, code: number, message: string][] = [
    [
      'a list item without its merge key',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ image: 'x' }] } },
      'StrategicMergeFailed',
      500,
      'map: map[image:x] does not contain declared merge key: name',
    ],
    [
      '$patch: merge on a map',
      { spec: {} },
      { spec: { $patch: 'merge' } },
      'StrategicMergeFailed',
      500,
      'unknown patch type: merge in map: map[$patch:merge]',
    ],
    [
      '$patch: merge in a list',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ $patch: 'merge' }] } },
      'StrategicMergeFailed',
      500,
      'merging lists cannot yet be specified in the patch',
    ],
    [
      'a list of lists',
      { metadata: { finalizers: [['a']] } },
      { metadata: { finalizers: [['b']] } },
      'NoListOfLists',
      422,
      'lists of lists are not supported',
    ],
    [
      'mixed element types',
      { metadata: { finalizers: ['a'] } },
      { metadata: { finalizers: [1] } },
      'StrategicMergeFailed',
      500,
      'list element types are not identical: [[a] [1]]',
    ],
    [
      'a deletion list key without a list name',
      { metadata: {} },
      { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
      'BadPatchFormatForPrimitiveList',
      400,
      'invalid patch format of primitive list',
    ],
    [
      'an order key without a list name',
      { metadata: {} },
      { metadata: { $setElementOrderfinalizers: ['a'] } },
      'BadPatchFormatForSetElementOrderList',
      400,
      'invalid patch format of setElementOrder list',
    ],
    ['$retainKeys that is not a list', { spec: {} }, { spec: { $retainKeys: 'type' } }, 'BadPatchFormatForRetainKeys', 400, 'invalid patch format of retainKeys'],
    [
      'a patch body that is not an object',
      {},
      [{ op: 'add' }],
      'MalformedPatch',
      400,
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    ],
  ];
  for (const [name, original, patch, reason, statusCode, message] of cases) {
    const err = t.throws(() => applyStrategicMergePatch(original, patch, POD), name);
    t.ok(err instanceof PatchError, name);
    t.match(err, { patchType: 'strategic', reason, statusCode, message }, name);
  }
  t.end();
});

void t.test('patches in the form kubectl apply and kubectl edit send', (t) => {
  const live = {
    metadata: { name: 'web', labels: { app: 'web', stale: 'x' } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 'envoy' },
          ],
        },
      },
    },
  };
  const patch = {
    metadata: { labels: { stale: null } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }],
          containers: [
            { $patch: 'delete', name: 'sidecar' },
            { name: 'web', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }] },
          ],
        },
      },
    },
  };
  t.same(applyStrategicMergePatch(live, patch, DEPLOYMENT), {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }] },
          ],
        },
      },
    },
  });
  t.end();
});

