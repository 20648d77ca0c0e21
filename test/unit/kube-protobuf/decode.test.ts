// The decoder's JSON rules on hand-encoded bodies: Go's omitempty, pointers and structs, the
// apimachinery special types, maps, merging, packed numbers, and unknown fields. Bodies are built
// with the small encoder below; field numbers are those of k8s.io/api's generated.proto.
import t from 'tap';
import { decodeKubeProtobuf } from '../../../transport/index.js';

type Bytes = readonly number[];

function varint(value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wireType: number): Bytes => varint(field * 8 + wireType);
const len = (field: number, payload: Bytes): Bytes => [...key(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, text: string): Bytes => len(field, [...Buffer.from(text, 'utf8')]);
const num = (field: number, value: number | bigint): Bytes => [...key(field, 0), ...varint(value)];
const msg = (field: number, ...parts: Bytes[]): Bytes => len(field, parts.flat());
const entry = (field: number, k: string, v: string): Bytes => msg(field, str(1, k), str(2, v));
const body = (apiVersion: string, kind: string, ...object: Bytes[]): Uint8Array =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, apiVersion), str(2, kind)), ...msg(2, ...object)]);

const JAN_2_2024 = 1704164645; // 2024-01-02T03:04:05Z

void t.test('Deployment: pointers, pointers without omitempty and structs follow Go', (t) => {
  const decoded = decodeKubeProtobuf(
    body('apps/v1', 'Deployment', msg(2, num(1, 0), msg(3, msg(2)), num(5, 0), num(7, 0)), msg(3)),
  );
  t.strictSame(decoded.object, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { creationTimestamp: null }, // absent struct: its zero value
    spec: {
      replicas: 0, // *int32 sent as 0: kept
      selector: null, // *LabelSelector without omitempty
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      strategy: {},
    },
    status: {},
  });
  t.end();
});

void t.test('IntOrString decodes to a number or a string', (t) => {
  const rollingUpdate = msg(2, msg(1, num(1, 1), str(3, '25%')), msg(2, num(1, 0), num(2, 1)));
  const decoded = decodeKubeProtobuf(body('apps/v1', 'Deployment', msg(2, msg(4, str(1, 'RollingUpdate'), rollingUpdate))));
  const spec = decoded.object.spec as Record<string, unknown>;
  t.strictSame(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } });
  t.end();
});

void t.test('ObjectMeta: times, owner references, finalizers, managed fields', (t) => {
  const fields = '{"f:metadata":{"f:labels":{}}}';
  const meta = msg(
    1,
    str(1, 'team-b'),
    str(2, 'team-'),
    str(5, 'a-uid'),
    str(6, '42'),
    num(7, 3),
    msg(8, num(1, JAN_2_2024), num(2, 999)), // nanos are dropped, as kube does
    msg(9), // an empty Time is the zero time: null
    num(10, 0),
    entry(12, 'note', 'x'),
    msg(13, str(1, 'Deployment'), str(3, 'web'), str(4, 'u1'), str(5, 'apps/v1'), num(6, 1)),
    str(14, 'kubernetes'),
    msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, num(1, 0)), str(6, 'FieldsV1'), msg(7, str(1, fields))),
  );
  t.strictSame(decodeKubeProtobuf(body('v1', 'Namespace', meta)).object.metadata, {
    name: 'team-b',
    generateName: 'team-',
    uid: 'a-uid',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2024-01-02T03:04:05Z',
    deletionTimestamp: null,
    deletionGracePeriodSeconds: 0,
    annotations: { note: 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true }],
    finalizers: ['kubernetes'],
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Update',
        apiVersion: 'v1',
        time: '1970-01-01T00:00:00Z', // a present Time with seconds 0 is the epoch, not null
        fieldsType: 'FieldsV1',
        fieldsV1: JSON.parse(fields) as unknown,
      },
    ],
  });
  t.end();
});

void t.test('quantities are written in canonical form', (t) => {
  const quantity = (text: string): Bytes[] => [str(1, text)];
  const resources = msg(8, msg(1, str(1, 'cpu'), msg(2, ...quantity('0.5'))), msg(2, str(1, 'memory'), msg(2, ...quantity('1024Mi'))));
  const env = msg(7, str(1, 'MEM'), msg(3, msg(2, str(2, 'limits.memory'), msg(3))));
  const container = msg(2, str(1, 'c'), env, resources);
  const pod = decodeKubeProtobuf(body('v1', 'Pod', msg(2, container))).object;
  t.strictSame((pod.spec as Record<string, unknown>).containers, [
    {
      name: 'c',
      env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } }],
      resources: { limits: { cpu: '500m' }, requests: { memory: '1Gi' } },
    },
  ]);
  t.end();
});

void t.test('Secret bytes are base64; map keys are sorted, last duplicate wins, __proto__ is data', (t) => {
  const binary = len(2, [0x00, 0xff, 0x10]);
  const decoded = decodeKubeProtobuf(
    body(
      'v1',
      'Secret',
      msg(1, str(1, 's'), entry(11, '__proto__', 'p'), entry(11, 'b', '1'), entry(11, 'a', '1'), entry(11, 'b', '2')),
      msg(2, str(1, 'z'), binary),
      msg(2, str(1, 'empty')), // an entry without a value is an empty []byte: ""
      num(5, 1),
      entry(4, 'plain', 'text'),
      str(3, 'Opaque'),
    ),
  ).object;
  const metadata = decoded.metadata as Record<string, unknown>;
  t.strictSame(Object.keys(metadata.labels as object), ['__proto__', 'a', 'b']);
  t.equal(Object.getPrototypeOf(metadata.labels), Object.prototype, 'the __proto__ key did not replace the prototype');
  t.equal((metadata.labels as Record<string, unknown>).b, '2');
  t.strictSame(decoded.data, { empty: '', z: 'AP8Q' });
  t.equal(decoded.immutable, true);
  t.strictSame(decoded.stringData, { plain: 'text' });
  t.equal(decoded.type, 'Opaque');
  t.end();
});

void t.test('a message field sent twice is merged; a scalar sent twice keeps the last value', (t) => {
  const decoded = decodeKubeProtobuf(
    body('v1', 'ConfigMap', msg(1, str(1, 'first'), entry(11, 'x', '1')), msg(1, str(1, 'cfg'), str(3, 'ns'), entry(11, 'y', '2'))),
  );
  t.strictSame(decoded.object.metadata, { name: 'cfg', namespace: 'ns', creationTimestamp: null, labels: { x: '1', y: '2' } });
  t.end();
});

void t.test('repeated numbers decode packed and unpacked; negative int32 sign-extends', (t) => {
  const securityContext = msg(14, len(4, [...varint(1), ...varint(2)]), num(4, 3), num(2, 0));
  const container = msg(2, str(1, 'c'), msg(6, num(2, -1), num(3, 80)));
  const spec = decodeKubeProtobuf(body('v1', 'Pod', msg(2, container, securityContext))).object.spec as Record<string, unknown>;
  t.strictSame(spec.securityContext, { runAsUser: 0, supplementalGroups: [1, 2, 3] });
  t.strictSame((spec.containers as Record<string, unknown>[])[0]?.ports, [{ hostPort: -1, containerPort: 80 }]);
  t.end();
});

void t.test('Service: spec and status', (t) => {
  const port = msg(1, str(1, 'http'), str(2, 'TCP'), str(6, 'http'), num(3, 80), msg(4, num(1, 1), str(3, 'web')), num(5, 30080));
  const spec = msg(2, port, entry(2, 'app', 'web'), str(4, 'NodePort'), msg(14, msg(1, num(1, 600))), str(17, 'SingleStack'), num(20, 0));
  const status = msg(3, msg(1, msg(1, str(1, '10.0.0.9'), str(3, 'VIP'), msg(4, num(1, 80), str(2, 'TCP')))));
  const decoded = decodeKubeProtobuf(body('v1', 'Service', msg(1, str(1, 'web')), spec, status)).object;
  t.strictSame(decoded.spec, {
    ports: [{ name: 'http', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 'web', nodePort: 30080 }],
    selector: { app: 'web' },
    type: 'NodePort',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
    ipFamilyPolicy: 'SingleStack',
    allocateLoadBalancerNodePorts: false,
  });
  t.strictSame(decoded.status, { loadBalancer: { ingress: [{ ip: '10.0.0.9', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }] } });
  t.end();
});

void t.test('Pod status decodes; container statuses are reported as unknown', (t) => {
  const condition = msg(2, str(1, 'Ready'), str(2, 'True'), msg(3), msg(4, num(1, JAN_2_2024)));
  const status = msg(3, str(1, 'Running'), condition, str(6, '10.1.0.5'), msg(12, str(1, '10.1.0.5')), msg(7, num(1, JAN_2_2024)), msg(8, str(1, 'c')));
  const decoded = decodeKubeProtobuf(body('v1', 'Pod', status));
  t.strictSame(decoded.object.status, {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-02T03:04:05Z' }],
    podIP: '10.1.0.5',
    podIPs: [{ ip: '10.1.0.5' }],
    startTime: '2024-01-02T03:04:05Z',
  });
  t.strictSame(decoded.unknownFields, ['status.#8']);
  t.end();
});

void t.test('unknown fields of every wire type are skipped and reported by path', (t) => {
  const group = [...key(60, 3), ...num(1, 5), ...key(61, 3), ...key(61, 4), ...key(60, 4)];
  const fixed32 = [...key(30, 5), 1, 2, 3, 4];
  const fixed64 = [...key(31, 1), 1, 2, 3, 4, 5, 6, 7, 8];
  const decoded = decodeKubeProtobuf(
    body(
      'v1',
      'ConfigMap',
      num(9, 7),
      msg(1, str(1, 'cfg'), fixed32, fixed64, group),
      msg(2, str(1, 'a'), str(2, '1'), num(3, 1)),
      str(99, 'later'),
      str(99, 'again'),
    ),
  );
  t.strictSame(decoded.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cfg', creationTimestamp: null }, data: { a: '1' } });
  t.strictSame([...decoded.unknownFields].sort(), ['#9', '#99', 'data[a].#3', 'metadata.#30', 'metadata.#31', 'metadata.#60']);
  t.end();
});

void t.test('unknown fields inside repeated and inlined messages carry the JSON path', (t) => {
  const volume = msg(1, str(1, 'v'), msg(2, msg(2, str(1, 'Memory')), str(4, 'gce')));
  const containers = [msg(2, str(1, 'a')), msg(2, str(1, 'b'), num(77, 1))];
  const decoded = decodeKubeProtobuf(body('v1', 'Pod', msg(2, volume, ...containers)));
  t.strictSame(decoded.unknownFields, ['spec.volumes[0].#4', 'spec.containers[1].#77']);
  t.strictSame((decoded.object.spec as Record<string, unknown>).volumes, [{ name: 'v', emptyDir: { medium: 'Memory' } }]);
  t.end();
});
