import t from 'tap';
import { applyDefaults, formatFieldError, validateObjectCreate, validateObjectUpdate, type KubeObject } from '../../../core/index.js';

const POD = { group: '', version: 'v1', kind: 'Pod' };

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p', namespace: 'default' }): KubeObject {
  return applyDefaults(POD, { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KubeObject);
}

function errorsOf(object: KubeObject): string[] {
  return validateObjectCreate(POD, object).map(formatFieldError);
}

void t.test('a minimal defaulted pod is valid', (t) => {
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'nginx' }] })), []);
  t.end();
});

void t.test('required fields and names', (t) => {
  t.same(errorsOf(pod({ containers: [] })), ['spec.containers: Required value']);
  t.same(errorsOf(pod({ containers: [{ name: 'web' }] })), ['spec.containers[0].image: Required value']);
  t.same(errorsOf(pod({ containers: [{ name: '', image: 'x' }] })), ['spec.containers[0].name: Required value']);
  t.same(errorsOf(pod({ containers: [{ name: 'Web_1', image: 'x' }] })), [
    "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  t.same(
    errorsOf(
      pod({
        containers: [
          { name: 'web', image: 'x' },
          { name: 'web', image: 'y' },
        ],
      }),
    ),
    ['spec.containers[1].name: Duplicate value: "web"'],
  );
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x' }] }, { name: 'Foo_Bar', namespace: 'default' })), [
    "metadata.name: Invalid value: \"Foo_Bar\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  t.end();
});

void t.test('ports, resources and enumerations', (t) => {
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 70000 }, { containerPort: 0 }] }] })), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].containerPort: Required value',
  ]);
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] })), [
    'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  t.same(
    errorsOf(pod({ containers: [{ name: 'web', image: 'x', resources: { requests: { cpu: '1', memory: '-1' }, limits: { cpu: '500m' } } }] })),
    [
      'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ],
  );
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x', resources: { limits: { gpu: '1' } } }] })), [
    'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
  ]);
  t.same(errorsOf(pod({ restartPolicy: 'Sometimes', containers: [{ name: 'web', image: 'x', imagePullPolicy: 'Maybe' }] })), [
    'spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  t.end();
});

void t.test('volumes, mounts, env and probes', (t) => {
  t.same(
    errorsOf(
      pod({
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'cfg', configMap: {} }],
        containers: [{ name: 'web', image: 'x', volumeMounts: [{ name: 'missing', mountPath: '/a' }, { name: 'data', mountPath: '/a' }] }],
      }),
    ),
    [
      'spec.volumes[1].name: Duplicate value: "data"',
      'spec.volumes[2].configMap.name: Required value',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    ],
  );
  t.same(errorsOf(pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }], containers: [{ name: 'web', image: 'x' }] })), [
    'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
  ]);
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x', env: [{ name: 'A=B' }, { name: 'C', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] })), [
    "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
  ]);
  t.same(errorsOf(pod({ containers: [{ name: 'web', image: 'x', readinessProbe: { periodSeconds: -1 }, livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] })), [
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
  ]);
  t.same(errorsOf(pod({ initContainers: [{ name: 'init', image: 'x', readinessProbe: { exec: { command: ['true'] } } }], containers: [{ name: 'web', image: 'x' }] })), [
    'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
  ]);
  t.same(errorsOf(pod({ tolerations: [{ operator: 'Equal', value: 'x' }], containers: [{ name: 'web', image: 'x' }] })), [
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
  ]);
  t.end();
});

void t.test('pod updates may only change images, deadlines and tolerations', (t) => {
  const old = pod({ containers: [{ name: 'web', image: 'nginx:1.24', ports: [{ containerPort: 80 }] }] }, { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '5' });
  const imageChange = structuredClone(old);
  ((imageChange.spec as { containers: { image: string }[] }).containers[0] as { image: string }).image = 'nginx:1.25';
  t.same(validateObjectUpdate(POD, imageChange, old), [], 'image updates are allowed');
  const portChange = structuredClone(old);
  ((portChange.spec as { containers: { ports: { containerPort: number }[] }[] }).containers[0]?.ports[0] as { containerPort: number }).containerPort = 8080;
  t.same(validateObjectUpdate(POD, portChange, old).map(formatFieldError), [
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  ]);
  const added = structuredClone(old);
  (added.spec as { containers: unknown[] }).containers.push({ name: 'side', image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' });
  t.same(validateObjectUpdate(POD, added, old).map(formatFieldError), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const tolerated = structuredClone(old);
  (tolerated.spec as Record<string, unknown>).tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }];
  t.same(validateObjectUpdate(POD, tolerated, old), [], 'adding tolerations is allowed');
  const renamed = structuredClone(old);
  (renamed.metadata as Record<string, unknown>).uid = 'u2';
  t.same(validateObjectUpdate(POD, renamed, old).map(formatFieldError), ['metadata.uid: Invalid value: "u2": field is immutable']);
  const noVersion = structuredClone(old);
  delete (noVersion.metadata as Record<string, unknown>).resourceVersion;
  t.same(validateObjectUpdate(POD, noVersion, old).map(formatFieldError), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
  t.end();
});
