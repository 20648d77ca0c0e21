import t from 'tap';
import {
  ApiBadRequestError,
  ApiUnknownError,
  GENERATED_NAME_ALPHABET,
  SeededRandom,
  applyDefaults,
  applyPodAdmissionDefaults,
  applyScaleToWorkload,
  computePodQosClass,
  ensureObjectNamespace,
  formatRfc3339,
  formatRfc3339Micro,
  generateObjectName,
  getControllerOf,
  isControlledBy,
  lookupResourceByKind,
  newControllerRef,
  objectKey,
  prepareObjectForCreate,
  prepareObjectForUpdate,
  prepareStatusUpdate,
  removeOwnerReference,
  scaleOfWorkload,
  setOwnerReference,
  splitObjectKey,
  type ApiResourceType,
  type KubeObject,
  type Pod,
} from '../../../core/index.js';

const NOW = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

function typeOf(group: string, kind: string): ApiResourceType {
  const type = lookupResourceByKind(group, 'v1', kind);
  if (type === undefined) throw new Error(kind);
  return type;
}

function context(uid = 'uid-1') {
  return { nowMs: NOW, newUid: () => uid, random: new SeededRandom(7) };
}

void t.test('names, keys and timestamps', (t) => {
  const name = generateObjectName('web-', new SeededRandom(1));
  t.match(name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.equal(generateObjectName('a'.repeat(70), { int: () => 0 }), `${'a'.repeat(58)}bbbbb`, 'prefix cut to 58 characters');
  t.equal(GENERATED_NAME_ALPHABET.length, 27);
  t.equal(formatRfc3339(NOW), '2024-05-01T10:00:00Z');
  t.equal(formatRfc3339Micro(NOW), '2024-05-01T10:00:00.123000Z');
  t.equal(objectKey({ metadata: { name: 'x', namespace: 'ns' } }), 'ns/x');
  t.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
  t.same(splitObjectKey('ns/x'), { namespace: 'ns', name: 'x' });
  t.end();
});

void t.test('namespace scoping follows the request', (t) => {
  const unset: KubeObject = { metadata: { name: 'x' } };
  ensureObjectNamespace(unset, 'team', true);
  t.equal(unset.metadata?.namespace, 'team');
  const clusterScoped: KubeObject = { metadata: { name: 'x', namespace: 'team' } };
  ensureObjectNamespace(clusterScoped, '', false);
  t.equal(clusterScoped.metadata?.namespace, undefined);
  t.throws(() => ensureObjectNamespace({ metadata: { namespace: 'a' } }, 'b', true), {
    constructor: ApiBadRequestError,
    message: 'the namespace of the provided object does not match the namespace sent on the request',
  });
  t.end();
});

void t.test('create preparation', (t) => {
  const deployment = prepareObjectForCreate(
    typeOf('apps', 'Deployment'),
    {
      metadata: { generateName: 'web-', namespace: 'default', selfLink: '/x', deletionTimestamp: '2024-01-01T00:00:00Z', generation: 9 },
      spec: { replicas: 1 },
      status: { replicas: 5 },
    },
    context(),
  );
  t.match(deployment.metadata?.name, /^web-[a-z0-9]{5}$/);
  t.equal(deployment.metadata?.uid, 'uid-1');
  t.equal(deployment.metadata?.creationTimestamp, '2024-05-01T10:00:00Z');
  t.equal(deployment.metadata?.generation, 1);
  t.notOk('selfLink' in (deployment.metadata ?? {}));
  t.notOk('deletionTimestamp' in (deployment.metadata ?? {}));
  t.same(deployment.status, {}, 'client-set status is dropped');
  t.throws(() => prepareObjectForCreate(typeOf('', 'ConfigMap'), { metadata: { name: 'c', resourceVersion: '5' } }, context()), {
    constructor: ApiUnknownError,
    message: 'resourceVersion should not be set on objects to be created',
  });
  const configMap = prepareObjectForCreate(typeOf('', 'ConfigMap'), { metadata: { name: 'c' } }, context());
  t.equal(configMap.metadata?.generation, undefined, 'kinds without spec generation get none');
  const namespace = prepareObjectForCreate(typeOf('', 'Namespace'), { metadata: { name: 'team' }, status: { phase: 'Terminating' } }, context());
  t.same([namespace.spec, namespace.status], [{ finalizers: ['kubernetes'] }, { phase: 'Active' }]);
  const service = prepareObjectForCreate(typeOf('', 'Service'), { metadata: { name: 's' }, spec: { clusterIP: '10.96.0.5', type: 'ClusterIP' } }, context());
  t.same(service.spec, { clusterIP: '10.96.0.5', type: 'ClusterIP', clusterIPs: ['10.96.0.5'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
  t.same(service.status, { loadBalancer: {} });
  const pod = applyDefaults({ group: '', version: 'v1', kind: 'Pod' }, {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
    status: { phase: 'Running' },
  } as KubeObject);
  prepareObjectForCreate(typeOf('', 'Pod'), pod, context());
  t.same(pod.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  t.end();
});

void t.test('QoS classes', (t) => {
  const withResources = (resources: Record<string, unknown>): Pod => ({ spec: { containers: [{ name: 'c', resources }] } });
  t.equal(computePodQosClass(withResources({})), 'BestEffort');
  t.equal(computePodQosClass(withResources({ requests: { cpu: '100m' } })), 'Burstable');
  t.equal(computePodQosClass(withResources({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  t.equal(computePodQosClass(withResources({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })), 'Burstable');
  t.end();
});

void t.test('update preparation keeps system metadata and status, bumps generation on spec change', (t) => {
  const type = typeOf('apps', 'Deployment');
  const stored: KubeObject = {
    metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 3, creationTimestamp: '2024-05-01T10:00:00Z', resourceVersion: '10' },
    spec: { replicas: 1 },
    status: { replicas: 1, observedGeneration: 3 },
  };
  const labelsOnly = prepareObjectForUpdate(type, { metadata: { name: 'web', namespace: 'default', resourceVersion: '10', labels: { a: 'b' } }, spec: { replicas: 1 } }, stored);
  t.equal(labelsOnly.metadata?.generation, 3, 'label changes leave generation alone');
  t.equal(labelsOnly.metadata?.uid, 'u1');
  t.equal(labelsOnly.metadata?.creationTimestamp, '2024-05-01T10:00:00Z');
  t.same(labelsOnly.status, { replicas: 1, observedGeneration: 3 }, 'status comes from the stored object');
  const scaled = prepareObjectForUpdate(type, { metadata: { name: 'web', resourceVersion: '10', generation: 1 }, spec: { replicas: 2 }, status: {} }, stored);
  t.equal(scaled.metadata?.generation, 4);
  const annotated = prepareObjectForUpdate(type, { metadata: { name: 'web', resourceVersion: '10', annotations: { x: 'y' } }, spec: { replicas: 1 } }, stored);
  t.equal(annotated.metadata?.generation, 4, 'deployment annotations bump generation');
  const statusWrite = prepareStatusUpdate(type, { metadata: { name: 'web', resourceVersion: '10', labels: { sneaky: 'x' } }, spec: { replicas: 9 }, status: { replicas: 2 } }, stored);
  t.same([statusWrite.spec, statusWrite.status, statusWrite.metadata?.labels], [{ replicas: 1 }, { replicas: 2 }, undefined]);
  const serviceType = typeOf('', 'Service');
  const storedService: KubeObject = {
    metadata: { name: 's', resourceVersion: '2' },
    spec: { type: 'NodePort', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] },
  };
  const replaced = prepareObjectForUpdate(serviceType, { metadata: { name: 's', resourceVersion: '2' }, spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } }, storedService);
  t.same(replaced.spec, { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }], clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] });
  t.end();
});

void t.test('owner references', (t) => {
  const owner: KubeObject = { metadata: { name: 'web-abc', uid: 'rs-1' } };
  const ref = newControllerRef(owner, { group: 'apps', version: 'v1', kind: 'ReplicaSet' });
  t.same(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1', controller: true, blockOwnerDeletion: true });
  const pod: KubeObject = { metadata: { name: 'p' } };
  setOwnerReference(pod, ref);
  setOwnerReference(pod, ref);
  t.equal(pod.metadata?.ownerReferences?.length, 1);
  t.ok(isControlledBy(pod, 'rs-1'));
  t.equal(getControllerOf(pod)?.name, 'web-abc');
  t.ok(removeOwnerReference(pod, 'rs-1'));
  t.equal(pod.metadata?.ownerReferences, undefined);
  t.notOk(removeOwnerReference(pod, 'rs-1'));
  t.end();
});

void t.test('pod admission defaults and scale', (t) => {
  const pod = applyPodAdmissionDefaults({ spec: { containers: [{ name: 'c' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] } });
  t.equal(pod.spec?.serviceAccountName, 'default');
  t.equal(pod.spec?.serviceAccount, 'default');
  t.same(pod.spec?.tolerations, [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  t.same([pod.spec?.priority, pod.spec?.preemptionPolicy], [0, 'PreemptLowerPriority']);
  const deployment: KubeObject = {
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '4' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' } } },
    status: { replicas: 2 },
  };
  t.same(scaleOfWorkload(deployment), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '4' },
    spec: { replicas: 3 },
    status: { replicas: 2, selector: 'app=web,tier=fe' },
  });
  const scaled = applyScaleToWorkload(deployment, { spec: { replicas: 5 } });
  t.equal((scaled.spec as { replicas: number }).replicas, 5);
  t.equal((deployment.spec as { replicas: number }).replicas, 3, 'input untouched');
  t.end();
});
