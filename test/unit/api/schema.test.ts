import t from 'tap';
import { API_RESOURCES, ApiBadRequestError, SUBRESOURCE_KINDS, checkObjectSchema, decodeWithFieldValidation, findUnknownFields, schemaForKind } from '../../../core/index.js';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, name: 'http' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1 } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] } },
      },
    },
  },
  status: { replicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:00:00Z' }] },
};

void t.test('every served kind has a schema', (t) => {
  for (const type of [...API_RESOURCES, ...SUBRESOURCE_KINDS.filter((kind) => kind.kind === 'Scale')]) {
    t.ok(schemaForKind(type), `${type.kind}`);
  }
  t.end();
});

void t.test('a realistic manifest has no unknown fields or decode errors', (t) => {
  t.same(checkObjectSchema(DEPLOYMENT, deployment), { unknownFields: [], decodeError: undefined });
  t.end();
});

void t.test('unknown fields are reported with paths and indices, in document order', (t) => {
  const bad = structuredClone(deployment) as Record<string, unknown> & { spec: Record<string, unknown> };
  bad.spec.foo = 1;
  const template = bad.spec.template as { spec: { containers: Record<string, unknown>[] }; metadata: Record<string, unknown> };
  (template.spec.containers[0] as Record<string, unknown>).lifecycle = { preStart: { exec: { command: ['x'] } } };
  template.metadata.spec = {};
  t.same(findUnknownFields(DEPLOYMENT, bad), ['spec.template.metadata.spec', 'spec.template.spec.containers[0].lifecycle.preStart', 'spec.foo']);
  t.same(findUnknownFields(POD, { metadata: { name: 'x', selfLink: '/x', bogus: 1 } }), ['metadata.bogus']);
  t.end();
});

void t.test('fieldValidation directives', (t) => {
  const bad = { ...structuredClone(deployment), spec: { ...structuredClone(deployment.spec), foo: 1 } };
  t.throws(() => decodeWithFieldValidation(DEPLOYMENT, bad, 'Strict'), {
    constructor: ApiBadRequestError,
    message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
  });
  t.throws(() => decodeWithFieldValidation(DEPLOYMENT, bad, 'Strict', 'patch'), { message: 'strict decoding error: unknown field "spec.foo"' });
  t.same(decodeWithFieldValidation(DEPLOYMENT, bad, 'Warn'), ['unknown field "spec.foo"']);
  t.same(decodeWithFieldValidation(DEPLOYMENT, bad, 'Ignore'), []);
  t.same(decodeWithFieldValidation(DEPLOYMENT, deployment, 'Strict'), []);
  t.end();
});

void t.test('type errors are always 400s, worded as the Go decoder', (t) => {
  const stringPort = { spec: { containers: [{ name: 'x', ports: [{ containerPort: '80' }] }] } };
  t.equal(
    checkObjectSchema(POD, stringPort).decodeError,
    'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
  );
  t.equal(checkObjectSchema(POD, { spec: { containers: 'x' } }).decodeError, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  t.equal(checkObjectSchema(POD, { spec: { terminationGracePeriodSeconds: 1.5 } }).decodeError, 'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64');
  t.throws(() => decodeWithFieldValidation(POD, { spec: { containers: [{ name: 'x', resources: { limits: { memory: '1 Gi' } } }] } }, 'Ignore'), {
    message: "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  });
  const SECRET = { group: '', version: 'v1', kind: 'Secret' };
  t.equal(checkObjectSchema(SECRET, { data: { a: 'not base64!' } }).decodeError, 'illegal base64 data at input byte 3');
  t.equal(checkObjectSchema(SECRET, { data: { a: 'YWJjZA' } }).decodeError, 'illegal base64 data at input byte 4');
  t.equal(checkObjectSchema(SECRET, { data: { a: 'YWJjZA==', b: null, c: 'YWJj\nZA==\n' } }).decodeError, undefined, 'line breaks are skipped');
  t.equal(checkObjectSchema(SECRET, { data: { a: 'Y=Jj' } }).decodeError, 'illegal base64 data at input byte 1');
  t.equal(checkObjectSchema(POD, { metadata: { creationTimestamp: 'yesterday' } }).decodeError?.startsWith('parsing time "yesterday"'), true);
  t.end();
});
