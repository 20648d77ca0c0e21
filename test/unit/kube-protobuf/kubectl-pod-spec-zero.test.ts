// Zero values through kubectl's own Go code: like kubectl-pod-spec-rich, but the CronJob's template sets
// fields to "", 0, false, [] and {} (and list items to {}), so the expected object (printed by the
// same command with `--dry-run=client -o json`) shows which fields Go writes when zero (no omitempty,
// pointers, structs) and which it leaves out. Captured by us from kubectl v1.32.4.
import t from 'tap';
import { decodeKubeProtobuf } from '../../../transport/index.js';

const base64 = (...lines: string[]): Uint8Array => Buffer.from(lines.join(''), 'base64');

interface Capture {
  readonly command: string;
  readonly body: Uint8Array;
  readonly expected: Record<string, unknown>;
}

const CAPTURES: readonly Capture[] = [
  {
    command: 'kubectl create job zero-job --from=cronjob/zero',
    body: base64(
      'azhzAAoPCghiYXRjaC92MRIDSm9iEtkHCogBCgh6ZXJvLWpvYhIAGgAiACoAMgA4AEIAYisKIWNyb25qb2Iua3ViZXJuZXRl',
      'cy5pby9pbnN0YW50aWF0ZRIGbWFudWFsakEKB0Nyb25Kb2IaBHplcm8iJGFmZmI2MmFjLTZmM2QtNDRmNi05NmUwLTE3ODA0',
      'ZWM2YTNmMCoIYmF0Y2gvdjEwARLBBggAEAAYACIAKAAykQYKEAoAEgAaACIAKgAyADgAQgAS/AUKCAoAEgQSAgoACggKABIE',
      'CgIKAAoLCgASB5oBBAoCCgAKCAoAEgQyAgoACgwKABIIOgYKABIAGAAKCgoAEgZSBAoAEAAKIAoAEhyCARkKAgoAChMKABIE',
      'CgASABoJCgASABoDCgEwCgcKABID0gEACisKABIn0gEkCgAKBiIECgAaAAoGGgQKAgoACgYKBAoCCgAKAhIACgQqAiIACgkK',
      'ABIF4gECCgAKCwoAEgfyAQQKABIAChEKABINmgEKCgIKABIECgASAAoECgASABKaAgoAEgAqADIKCgAQABgAIgAqADoECgAS',
      'ADoGCgASABoAOgwKABIAGgYKBAoAEgA6EQoAEgAaCxIJCgASABoDCgEwOg4KABIAGggaBgoCCgASADoOCgASABoIIgYKAgoA',
      'EgBCBhoECgASAEoKCgAQABoAIgAyAFIMCgAQABgAIAAoADAAWhwKEBIOCgASBggAEAAaABoAIgAQABgAIAAoADAAYggKABIE',
      'IgIIAGoAcgB6FgoAGggKABIAGgAiAFIAWgIKAGICCgCAAQCIAQCQAQCaAQIKAJoBCAoAEgQKAgoAmgEICgAaBAoCCgCiAQCq',
      'AQQKABIAsgEYCgwaCgoGCAAQABoAEgAQABgAIAAoADAAugEECgASAMIBABJjCgASACoAQgBSDgoCCgAQABgAIAAoADAAWhAK',
      'BCICCAAQABgAIAAoADAAYgBqAHIAegCAAQCIAQCQAQCiAQCyASIKFhIUCgASBggAEAAaABoAIgAqBAoAEgAQABgAIAAoADAA',
      'GgAgACgAMgBCAEoAUgBYAGAAaAByGgoICgASABoAIgA6BAoAEgBCAFICCgBaAgoAegIKAIIBAIoBAJIBGgoICgASBAgAEgAS',
      'DAoCGgASBggAEgIaABoAmgEAqAEAsgEICgASABoAIgC6AQIKAMIBAMgBANIBBBoCCgDYAQDiAQIKAOoBAPABAPoBAIoCBggA',
      'EgAaAJgCAKICAgoAqAIAsgICCgC6AgIKAMICADgAQABKAFAAWgwKAgoACgYKABICEgBgAGgAcgB6AIIBAgoAGgggACgAMAA6',
      'ABoAIgA=',
    ),
    expected: {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: {
        name: 'zero-job',
        creationTimestamp: null,
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'zero',
            uid: 'affb62ac-6f3d-44f6-96e0-17804ec6a3f0',
            controller: true,
          },
        ],
      },
      spec: {
        parallelism: 0,
        completions: 0,
        activeDeadlineSeconds: 0,
        podFailurePolicy: { rules: [{ action: '' }, { action: '', onExitCodes: { operator: '', values: null } }] },
        successPolicy: { rules: [{}] },
        backoffLimit: 0,
        backoffLimitPerIndex: 0,
        maxFailedIndexes: 0,
        selector: {},
        manualSelector: false,
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            volumes: [
              { name: '', emptyDir: {} },
              { name: '', hostPath: { path: '' } },
              { name: '', configMap: {} },
              { name: '', secret: {} },
              { name: '', nfs: { server: '', path: '' } },
              { name: '', persistentVolumeClaim: { claimName: '' } },
              {
                name: '',
                downwardAPI: {
                  items: [
                    { path: '' },
                    {
                      path: '',
                      fieldRef: { fieldPath: '' },
                      resourceFieldRef: { resource: '', divisor: '0' },
                    },
                  ],
                },
              },
              { name: '', projected: { sources: null } },
              {
                name: '',
                projected: {
                  sources: [
                    {},
                    { serviceAccountToken: { path: '' } },
                    { configMap: {} },
                    { secret: {} },
                    { downwardAPI: {} },
                    { clusterTrustBundle: { path: '' } },
                  ],
                },
              },
              { name: '', csi: { driver: '' } },
              { name: '', image: {} },
              { name: '', configMap: { items: [{ key: '', path: '' }] } },
              { name: '' },
            ],
            containers: [
              {
                name: '',
                ports: [{ containerPort: 0 }],
                envFrom: [{}, { configMapRef: {} }, { secretRef: {} }],
                env: [
                  { name: '' },
                  { name: '', valueFrom: {} },
                  { name: '', valueFrom: { fieldRef: { fieldPath: '' } } },
                  { name: '', valueFrom: { resourceFieldRef: { resource: '', divisor: '0' } } },
                  { name: '', valueFrom: { configMapKeyRef: { key: '' } } },
                  { name: '', valueFrom: { secretKeyRef: { key: '' } } },
                ],
                resources: { claims: [{ name: '' }] },
                resizePolicy: [{ resourceName: '', restartPolicy: '' }],
                restartPolicy: '',
                volumeMounts: [{ name: '', mountPath: '' }],
                volumeDevices: [{ name: '', devicePath: '' }],
                livenessProbe: {},
                readinessProbe: { httpGet: { port: 0 } },
                startupProbe: { tcpSocket: { port: 0 } },
                lifecycle: { postStart: {}, preStop: { sleep: { seconds: 0 } } },
                securityContext: {
                  capabilities: {},
                  seLinuxOptions: {},
                  windowsOptions: {},
                  seccompProfile: { type: '' },
                  appArmorProfile: { type: '' },
                },
              },
              {
                name: '',
                resources: {},
                livenessProbe: { exec: {} },
                readinessProbe: { grpc: { port: 0, service: null } },
                startupProbe: { httpGet: { port: 0, httpHeaders: [{ name: '', value: '' }] } },
                lifecycle: {},
                securityContext: {},
              },
            ],
            terminationGracePeriodSeconds: 0,
            activeDeadlineSeconds: 0,
            automountServiceAccountToken: false,
            shareProcessNamespace: false,
            securityContext: {
              seLinuxOptions: {},
              windowsOptions: {},
              sysctls: [{ name: '', value: '' }],
              seccompProfile: { type: '' },
              appArmorProfile: { type: '' },
            },
            imagePullSecrets: [{}],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: null },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
              },
              podAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '' }],
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: '' } }],
              },
              podAntiAffinity: {},
            },
            tolerations: [{}],
            hostAliases: [{ ip: '' }],
            priority: 0,
            dnsConfig: { options: [{}] },
            readinessGates: [{ conditionType: '' }],
            runtimeClassName: '',
            enableServiceLinks: false,
            preemptionPolicy: '',
            topologySpreadConstraints: [{ maxSkew: 0, topologyKey: '', whenUnsatisfiable: '' }],
            setHostnameAsFQDN: false,
            os: { name: '' },
            hostUsers: false,
            schedulingGates: [{ name: '' }],
            resourceClaims: [{ name: '' }],
            resources: {},
          },
        },
        ttlSecondsAfterFinished: 0,
        completionMode: '',
        suspend: false,
        podReplacementPolicy: '',
        managedBy: '',
      },
      status: {},
    },
  },
];

for (const capture of CAPTURES) {
  void t.test(capture.command, (t) => {
    const decoded = decodeKubeProtobuf(capture.body);
    t.equal(decoded.kind, capture.expected.kind);
    t.equal(decoded.apiVersion, capture.expected.apiVersion);
    t.strictSame(decoded.object, capture.expected);
    t.equal(JSON.stringify(decoded.object), JSON.stringify(capture.expected), 'keys in the order kubectl prints them');
    t.strictSame(decoded.unknownFields, []);
    t.end();
  });
}
