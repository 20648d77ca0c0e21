// Decoding the protobuf bodies kubectl 1.32 POSTs for `kubectl create deployment|job|cronjob`, captured
// by us from kubectl v1.32.4 against a throwaway logging server. Each expected object is what the same
// command printed with `--dry-run=client -o json` (Go's JSON encoding of the object kubectl encoded).
// `create job --from=cronjob/c` copied a CronJob the server returned as JSON, so its body also carries
// annotations and an ownerReference.
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
    command: 'kubectl create deployment web --image=nginx:1.25 --replicas=2 --port=80',
    body: base64(
      'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAISDAoK',
      'CgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjUqADIKCgAQ',
      'ABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAo',
      'ADgAGgAiAA==',
    ),
    expected: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }],
          },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: 'kubectl create deployment multi --image=nginx --image=busybox:1.36',
    body: base64(
      'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EuIBCiMKBW11bHRpEgAaACIAKgAyADgAQgBaDAoDYXBwEgVtdWx0aRKsAQgB',
      'Eg4KDAoDYXBwEgVtdWx0aRqPAQoeCgASABoAIgAqADIAOABCAFoMCgNhcHASBW11bHRpEm0SIgoFbmdpbngSBW5naW54KgBC',
      'AGoAcgCAAQCIAQCQAQCiAQASKwoHYnVzeWJveBIMYnVzeWJveDoxLjM2KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIA',
      'WABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
    ),
    expected: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'multi', creationTimestamp: null, labels: { app: 'multi' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'multi' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'multi' } },
          spec: {
            containers: [
              { name: 'nginx', image: 'nginx', resources: {} },
              { name: 'busybox', image: 'busybox:1.36', resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: 'kubectl create deployment cmd --image=busybox -- sleep 3600',
    body: base64(
      'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA2NtZBIAGgAiACoAMgA4AEIAWgoKA2FwcBIDY21kEosBCAESDAoK',
      'CgNhcHASA2NtZBpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDY21kElESMwoHYnVzeWJveBIHYnVzeWJveBoFc2xlZXAa',
      'BDM2MDAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAo',
      'ADgAGgAiAA==',
    ),
    expected: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'cmd', creationTimestamp: null, labels: { app: 'cmd' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'cmd' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'cmd' } },
          spec: { containers: [{ name: 'busybox', image: 'busybox', command: ['sleep', '3600'], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: 'kubectl create job j --image=busybox -- echo hi',
    body: base64(
      'azhzAAoPCghiYXRjaC92MRIDSm9iEoIBChEKAWoSABoAIgAqADIAOABCABJjMmEKEAoAEgAaACIAKgAyADgAQgASTRIqCgFq',
      'EgdidXN5Ym94GgRlY2hvGgJoaSoAQgBqAHIAgAEAiAEAkAEAogEAGgVOZXZlcjIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEA',
      'GgggACgAMAA6ABoAIgA=',
    ),
    expected: {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { name: 'j', creationTimestamp: null },
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }],
            restartPolicy: 'Never',
          },
        },
      },
      status: {},
    },
  },
  {
    command: 'kubectl create cronjob c --image=busybox --schedule=*/5 * * * * -- date',
    body: base64(
      'azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKhAQoRCgFjEgAaACIAKgAyADgAQgASiQEKCyovNSAqICogKiAqGgAqeAoRCgFj',
      'EgAaACIAKgAyADgAQgASYzJhChAKABIAGgAiACoAMgA4AEIAEk0SJgoBYxIHYnVzeWJveBoEZGF0ZSoAQgBqAHIAgAEAiAEA',
      'kAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==',
    ),
    expected: {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'c', creationTimestamp: null },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          metadata: { name: 'c', creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: {
                containers: [{ name: 'c', image: 'busybox', command: ['date'], resources: {} }],
                restartPolicy: 'OnFailure',
              },
            },
          },
        },
      },
      status: {},
    },
  },
  {
    command: 'kubectl create cronjob c2 --image=busybox --schedule=0 1 * * * --restart=Never',
    body: base64(
      'azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKXAQoSCgJjMhIAGgAiACoAMgA4AEIAEn8KCTAgMSAqICogKhoAKnAKEgoCYzIS',
      'ABoAIgAqADIAOABCABJaMlgKEAoAEgAaACIAKgAyADgAQgASRBIhCgJjMhIHYnVzeWJveCoAQgBqAHIAgAEAiAEAkAEAogEA',
      'GgVOZXZlcjIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgAaACIA',
    ),
    expected: {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'c2', creationTimestamp: null },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: {
          metadata: { name: 'c2', creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: { containers: [{ name: 'c2', image: 'busybox', resources: {} }], restartPolicy: 'Never' },
            },
          },
        },
      },
      status: {},
    },
  },
  {
    command: 'kubectl create job j2 --from=cronjob/c',
    body: base64(
      'azhzAAoPCghiYXRjaC92MRIDSm9iEvABCn8KAmoyEgAaACIAKgAyADgAQgBiKwohY3JvbmpvYi5rdWJlcm5ldGVzLmlvL2lu',
      'c3RhbnRpYXRlEgZtYW51YWxqPgoHQ3JvbkpvYhoBYyIkMWUzYzhkOTAtZDFlNy00NjllLTgxMGMtYmU1NGU0YTc5ZDhiKghi',
      'YXRjaC92MTABEmMyYQoQCgASABoAIgAqADIAOABCABJNEiYKAWMSB2J1c3lib3gaBGRhdGUqAEIAagByAIABAIgBAJABAKIB',
      'ABoJT25GYWlsdXJlMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAaCCAAKAAwADoAGgAiAA==',
    ),
    expected: {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: {
        name: 'j2',
        creationTimestamp: null,
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'c',
            uid: '1e3c8d90-d1e7-469e-810c-be54e4a79d8b',
            controller: true,
          },
        ],
      },
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            containers: [{ name: 'c', image: 'busybox', command: ['date'], resources: {} }],
            restartPolicy: 'OnFailure',
          },
        },
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
