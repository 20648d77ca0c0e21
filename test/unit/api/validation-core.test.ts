import t from 'tap';
import { applyDefaults, formatFieldError, validateObjectCreate, validateObjectUpdate, validateStatusUpdate, type GroupVersionKind, type KubeObject } from '../../../core/index.js';

const core = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });

function errorsOf(gvk: GroupVersionKind, object: Record<string, unknown>, defaults = true): string[] {
  const value = (defaults ? applyDefaults(gvk, object) : object) as KubeObject;
  return validateObjectCreate(gvk, value).map(formatFieldError);
}

function updateErrors(gvk: GroupVersionKind, next: Record<string, unknown>, prev: Record<string, unknown>): string[] {
  return validateObjectUpdate(gvk, next as KubeObject, prev as KubeObject).map(formatFieldError);
}

const meta = (name: string) => ({ name, namespace: 'default', resourceVersion: '1' });

void t.test('services', (t) => {
  const SVC = core('Service');
  t.same(errorsOf(SVC, { metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }), []);
  t.same(errorsOf(SVC, { metadata: meta('1web'), spec: { ports: [{ port: 80 }] } }), [
    "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  t.same(errorsOf(SVC, { metadata: meta('web'), spec: {} }), ['spec.ports: Required value']);
  t.same(errorsOf(SVC, { metadata: meta('web'), spec: { ports: [{ port: 80 }, { port: 80, name: 'b' }] } }), [
    'spec.ports[0].name: Required value',
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  t.same(errorsOf(SVC, { metadata: meta('web'), spec: { type: 'Magic', ports: [{ port: 0 }] } }), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  t.same(errorsOf(SVC, { metadata: meta('web'), spec: { ports: [{ port: 80, nodePort: 30080 }] } }), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
  const old = { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None' } };
  const next = structuredClone(old);
  next.spec.clusterIP = '10.96.0.11';
  next.spec.clusterIPs = ['10.96.0.11'];
  t.same(updateErrors(SVC, next, old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  t.end();
});

void t.test('config maps and secrets', (t) => {
  const CM = core('ConfigMap');
  t.same(errorsOf(CM, { metadata: meta('cfg'), data: { 'app.properties': 'x', 'bad key': 'y' } }), [
    "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  const frozen = { metadata: meta('cfg'), immutable: true, data: { a: '1' } };
  t.same(updateErrors(CM, { ...frozen, data: { a: '2' } }, frozen), ['data: Forbidden: field is immutable when `immutable` is set']);
  t.same(updateErrors(CM, { ...frozen, immutable: false }, frozen), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  const SECRET = core('Secret');
  t.same(errorsOf(SECRET, { metadata: meta('s'), data: { password: 'cGFzcw==' } }), []);
  t.same(errorsOf(SECRET, { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }), ['data[tls.key]: Required value']);
  t.same(updateErrors(SECRET, { metadata: meta('s'), type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }, { metadata: meta('s'), type: 'Opaque', data: {} }), [
    'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
  ]);
  t.end();
});

void t.test('namespaces, nodes and service accounts', (t) => {
  const NS = core('Namespace');
  t.same(errorsOf(NS, { metadata: { name: 'team-a' } }), []);
  t.same(errorsOf(NS, { metadata: { name: 'team.a' } }), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  t.same(errorsOf(NS, { metadata: { name: 'a', namespace: 'b' } }), ['metadata.namespace: Forbidden: not allowed on this type']);
  t.same(errorsOf(NS, { metadata: { name: 'a' }, spec: { finalizers: ['custom'] } }), [
    'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  const NODE = core('Node');
  t.same(errorsOf(NODE, { metadata: { name: 'worker-1' }, spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoWhere' }] } }), [
    'spec.taints[0].effect: Unsupported value: "NoWhere": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  t.same(errorsOf(NODE, { metadata: { name: 'worker-1' }, status: { capacity: { cpu: '-1' } } }), [
    'status.capacity[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    'status.allocatable[cpu]: Invalid value: "-1": must be greater than or equal to 0',
  ], 'allocatable defaults to capacity, so both are reported');
  t.same(errorsOf(core('ServiceAccount'), { metadata: meta('default') }), []);
  t.end();
});

void t.test('events, leases, endpoints and endpoint slices', (t) => {
  const EVENT = core('Event');
  t.same(errorsOf(EVENT, { metadata: meta('web.17a'), involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started' }), []);
  t.same(errorsOf(EVENT, { metadata: meta('web.17a'), reason: 'Started' }), ['involvedObject: Required value']);
  t.same(errorsOf(EVENT, { metadata: meta('web.17a'), involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } }), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
  const LEASE = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' };
  t.same(errorsOf(LEASE, { metadata: meta('master'), spec: { holderIdentity: 'm1', leaseDurationSeconds: 0, leaseTransitions: -1 } }), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const EP = core('Endpoints');
  t.same(errorsOf(EP, { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }] }] }), [
    'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  t.same(errorsOf(EP, { metadata: meta('web'), subsets: [{ ports: [{ port: 80 }] }] }), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
  const SLICE = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' };
  t.same(errorsOf(SLICE, { metadata: meta('web-abc'), addressType: 'IPv4', endpoints: [{ addresses: [] }], ports: [{ port: 80 }] }), [
    'endpoints[0].addresses: Required value: must contain at least 1 address',
  ]);
  t.same(
    updateErrors(SLICE, { metadata: meta('web-abc'), addressType: 'IPv6', endpoints: [] }, { metadata: meta('web-abc'), addressType: 'IPv4', endpoints: [] }),
    ['addressType: Invalid value: "IPv6": field is immutable'],
  );
  t.end();
});

void t.test('metadata update rules and status writes', (t) => {
  const CM = core('ConfigMap');
  const old = {
    metadata: { ...meta('cfg'), uid: 'u1', creationTimestamp: '2024-05-01T10:00:00Z', deletionTimestamp: '2024-05-01T11:00:00Z', finalizers: ['example.com/a'] },
  };
  const next = structuredClone(old);
  next.metadata.finalizers = ['example.com/a', 'example.com/b'];
  next.metadata.creationTimestamp = '2024-05-02T10:00:00Z';
  t.same(updateErrors(CM, next, old), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    'metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable',
  ]);
  const status = validateStatusUpdate(
    { metadata: meta('web'), status: { replicas: -1, readyReplicas: 1 } } as KubeObject,
    { metadata: meta('web') } as KubeObject,
  );
  t.same(status.map(formatFieldError), ['status.replicas: Invalid value: -1: must be greater than or equal to 0']);
  t.end();
});
