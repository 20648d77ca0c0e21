// The whole pod template, encoded by kubectl's own Go code: `kubectl create job --from=cronjob/rich`
// GETs the CronJob (our server stored it from JSON, setting nearly every JobSpec, PodSpec and
// Container field we have tables for) and POSTs a Job copying its jobTemplate as protobuf. Captured by
// us from kubectl v1.32.4; the expected object is what the same command printed with
// `--dry-run=client -o json`.
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
    command: 'kubectl create job rich-job --from=cronjob/rich',
    body: base64(
      'azhzAAoPCghiYXRjaC92MRIDSm9iEvISCq0BCghyaWNoLWpvYhIAGgAiACoAMgA4AEIAWgkKBHRlYW0SAWFaDQoEdGllchIF',
      'YmF0Y2hiKwohY3JvbmpvYi5rdWJlcm5ldGVzLmlvL2luc3RhbnRpYXRlEgZtYW51YWxiCQoEbm90ZRIBeGpBCgdDcm9uSm9i',
      'GgRyaWNoIiQ5NDRiMTI5OC1kNzNmLTQxN2EtODFjZi0xM2EzNWNlNmE0NzkqCGJhdGNoL3YxMAEStREIAhAEGNgEKAAywRAK',
      'JQoAEgAaACIAKgAyADgAQgBaCwoDYXBwEgRyaWNoYgYKAWESAWISlxAKGwoFY2FjaGUSEhIQCgZNZW1vcnkSBgoENjRNaQof',
      'CgRob3N0EhcKFQoIL3Zhci9sb2cSCURpcmVjdG9yeQolCgNjZmcSHpoBGwoFCgNjZmcSDQoBYRIFYS50eHQYpAMYgAIgAQoS',
      'CgNzZWMSCzIJCgJzMRiAAyAACh8KA25mcxIYOhYKCDEwLjAuMC4xEggvZXhwb3J0cxgBChEKA3B2YxIKUggKBGRhdGEQAQpL',
      'CgRkYXBpEkOCAUAKHQoGbGFiZWxzEhMKABIPbWV0YWRhdGEubGFiZWxzCh8KA2NwdRoYCgRtYWluEgpsaW1pdHMuY3B1GgQK',
      'AjFtCmQKBHByb2oSXNIBWQoRIg8KA2FwaRCQHBoFdG9rZW4KERoPCgUKA2NmZxIGCgFhEgFhCgoKCAoECgJzMSABCiISIAoe',
      'CgJucxIYCgJ2MRISbWV0YWRhdGEubmFtZXNwYWNlEKQDCisKA2NzaRIk4gEhCg9jc2kuZXhhbXBsZS5jb20QASIGCgFrEgF2',
      'KgQKAnMxCiYKA2ltZxIf8gEcCgxidXN5Ym94OjEuMzYSDElmTm90UHJlc2VudBKGBgoEbWFpbhIMYnVzeWJveDoxLjM2GgJz',
      'aCICLWMiB3NsZWVwIDEqBC90bXAyEgoEaHR0cBAAGJA/IgNUQ1AqADIXCgAQ6SkYNSIDVURQKgkxMjcuMC4wLjE6CgoFUExB',
      'SU4SAXY6CQoFRU1QVFkSADocCgNQT0QSABoTChEKABINbWV0YWRhdGEubmFtZTohCgNNRU0SABoYEhYKABINbGltaXRzLm1l',
      'bW9yeRoDCgEwOhYKAkNNEgAaDhoMCgUKA2NmZxIBYRgAOhQKA1NFQxIAGgsiCQoECgJzMRIBcEJeCg0KA2NwdRIGCgQ1MDBt',
      'ChEKBm1lbW9yeRIHCgUxMjhNaRINCgNjcHUSBgoEMjUwbRIZChFlcGhlbWVyYWwtc3RvcmFnZRIECgIxRxIQCgZtZW1vcnkS',
      'BgoENjRNaUoVCgVjYWNoZRAAGgYvY2FjaGUiADIASioKA2NmZxABGggvZXRjL2NmZyIFYS50eHQqBE5vbmUyADoIRGlzYWJs',
      'ZWRKFgoEaG9zdBAAGgIvaCIAMgYkKFBPRClSNQonEiUKCC9oZWFsdGh6EgcIABCQPxoAGgAiBEhUVFAqCAoDWC1BEgFiEAMY',
      'ASAFKAEwAzgKWhwKEBoOCgoIARAAGgRodHRwEgAQABgAIAAoADAAYhAKCAoGCgRlY2hvEgQiAggFahQvZGV2L3Rlcm1pbmF0',
      'aW9uLWxvZ3IGQWx3YXlzel0KEAoJTkVUX0FETUlOEgNBTEwQABoQCgASABoAIghzMDpjMSxjMiDoBygBMAE4AEDoB0oHRGVm',
      'YXVsdFoQCg5SdW50aW1lRGVmYXVsdGIOCglMb2NhbGhvc3QSAXCAAQGIAQCQAQGaAREKBENGR18SCQoFCgNjZmcQAZoBCgoA',
      'GgYKBAoCczGiARVGYWxsYmFja1RvTG9nc09uRXJyb3KqARAKA3JhdxIJL2Rldi94dmRhsgEcChAKDgoDY2F0CgcvdG1wL29r',
      'EAAYACAAKAAwALoBEgoDY3B1EgtOb3RSZXF1aXJlZBJLCgRncnBjEgFnKgBCAFIZCg0iCwipRhIGaGVhbHRoEAAYACAAKAAw',
      'AFoRCgUiAwioRhAAGAAgACgAMABqAHIAgAEAiAEAkAEAogEAGgVOZXZlciAAKIQHMgxDbHVzdGVyRmlyc3Q6CwoEZGlzaxID',
      'c3NkOhkKEGt1YmVybmV0ZXMuaW8vb3MSBWxpbnV4QgNzYTFKAFICbjFYAWAAaAByVBAAILgXIKAfKNAPOhgKE25ldC5pcHY0',
      'LmlwX2ZvcndhcmQSATFKDk9uUm9vdE1pc21hdGNoUhYKCUxvY2FsaG9zdBIJcHJvZi5qc29uYgVNZXJnZXoJCgdyZWdjcmVk',
      'ggEBaIoBA3N1YpIBqwEKRwowCi4KEAoEem9uZRICSW4aAWEaAWISGgoNbWV0YWRhdGEubmFtZRIFTm90SW4aAm45EhMIChIP',
      'Cg0KA2dwdRIGRXhpc3RzEisKKQoLCgkKA2FwcBICZGISAXgaBHpvbmUqEXBvZC10ZW1wbGF0ZS1oYXNoGjMSMQgyEi0KERIP',
      'CgNhcHASAkluGgRyaWNoGhZrdWJlcm5ldGVzLmlvL2hvc3RuYW1lIgCaARFkZWZhdWx0LXNjaGVkdWxlcqIBOgoEaW5pdBIH',
      'YnVzeWJveBoCc2gaAi1jGgR0cnVlKgBCAGoAcgCAAQCIAQCQAQCiAQDCAQZBbHdheXOoAQCyARkKAWsSBUVxdWFsGgF2IgpO',
      'b1NjaGVkdWxlsgEZCgASBkV4aXN0cxoAIglOb0V4ZWN1dGUoHroBFgoJMTI3LjAuMC4xEglmb28ubG9jYWzCAQRoaWdoyAHo',
      'B9IBKQoHMS4xLjEuMRIJc3ZjLmxvY2FsGgoKBW5kb3RzEgEyGgcKBWVkbnMw2AEB4gETChFleGFtcGxlLmNvbS9yZWFkeeoB',
      'BHJ1bmPwAQD6AQVOZXZlcoICDQoDY3B1EgYKBDEwMG2KAkoIARIEem9uZRoNRG9Ob3RTY2hlZHVsZSINCgsKA2FwcBIEcmlj',
      'aCgCMgVIb25vcjoGSWdub3JlQhFwb2QtdGVtcGxhdGUtaGFzaJgCAaICBwoFbGludXioAgCyAhIKEGV4YW1wbGUuY29tL2dh',
      'dGW6AhMKA2dwdSIMZ3B1LXRlbXBsYXRlOABAZEoHSW5kZXhlZFABWj8KGQoHRmFpbEpvYhIOCgRtYWluEgJJbhgBGCoKIgoG',
      'SWdub3JlGhgKEERpc3J1cHRpb25UYXJnZXQSBFRydWVgAWgCcgZGYWlsZWSCAQkKBwoDMC0yEAEaCCAAKAAwADoAGgAiAA==',
    ),
    expected: {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: {
        name: 'rich-job',
        creationTimestamp: null,
        labels: { team: 'a', tier: 'batch' },
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', note: 'x' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'rich',
            uid: '944b1298-d73f-417a-81cf-13a35ce6a479',
            controller: true,
          },
        ],
      },
      spec: {
        parallelism: 2,
        completions: 4,
        activeDeadlineSeconds: 600,
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 1 }] },
        backoffLimit: 0,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 2,
        manualSelector: false,
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'rich' }, annotations: { a: 'b' } },
          spec: {
            volumes: [
              { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
              {
                name: 'cfg',
                configMap: {
                  name: 'cfg',
                  items: [{ key: 'a', path: 'a.txt', mode: 420 }],
                  defaultMode: 256,
                  optional: true,
                },
              },
              { name: 'sec', secret: { secretName: 's1', defaultMode: 384, optional: false } },
              { name: 'nfs', nfs: { server: '10.0.0.1', path: '/exports', readOnly: true } },
              { name: 'pvc', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
              {
                name: 'dapi',
                downwardAPI: {
                  items: [
                    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                    {
                      path: 'cpu',
                      resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' },
                    },
                  ],
                },
              },
              {
                name: 'proj',
                projected: {
                  sources: [
                    { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
                    { configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } },
                    { secret: { name: 's1', optional: true } },
                    {
                      downwardAPI: {
                        items: [{ path: 'ns', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                      },
                    },
                  ],
                  defaultMode: 420,
                },
              },
              {
                name: 'csi',
                csi: {
                  driver: 'csi.example.com',
                  readOnly: true,
                  volumeAttributes: { k: 'v' },
                  nodePublishSecretRef: { name: 's1' },
                },
              },
              { name: 'img', image: { reference: 'busybox:1.36', pullPolicy: 'IfNotPresent' } },
            ],
            initContainers: [
              {
                name: 'init',
                image: 'busybox',
                command: ['sh', '-c', 'true'],
                resources: {},
                restartPolicy: 'Always',
              },
            ],
            containers: [
              {
                name: 'main',
                image: 'busybox:1.36',
                command: ['sh'],
                args: ['-c', 'sleep 1'],
                workingDir: '/tmp',
                ports: [
                  { name: 'http', containerPort: 8080, protocol: 'TCP' },
                  { hostPort: 5353, containerPort: 53, protocol: 'UDP', hostIP: '127.0.0.1' },
                ],
                envFrom: [
                  { prefix: 'CFG_', configMapRef: { name: 'cfg', optional: true } },
                  { secretRef: { name: 's1' } },
                ],
                env: [
                  { name: 'PLAIN', value: 'v' },
                  { name: 'EMPTY' },
                  { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  {
                    name: 'MEM',
                    valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } },
                  },
                  { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a', optional: false } } },
                  { name: 'SEC', valueFrom: { secretKeyRef: { name: 's1', key: 'p' } } },
                ],
                resources: {
                  limits: { cpu: '500m', memory: '128Mi' },
                  requests: { cpu: '250m', 'ephemeral-storage': '1G', memory: '64Mi' },
                },
                resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
                volumeMounts: [
                  { name: 'cache', mountPath: '/cache' },
                  {
                    name: 'cfg',
                    readOnly: true,
                    recursiveReadOnly: 'Disabled',
                    mountPath: '/etc/cfg',
                    subPath: 'a.txt',
                    mountPropagation: 'None',
                  },
                  { name: 'host', mountPath: '/h', subPathExpr: '$(POD)' },
                ],
                volumeDevices: [{ name: 'raw', devicePath: '/dev/xvda' }],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-A', value: 'b' }] },
                  initialDelaySeconds: 3,
                  timeoutSeconds: 1,
                  periodSeconds: 5,
                  successThreshold: 1,
                  failureThreshold: 3,
                  terminationGracePeriodSeconds: 10,
                },
                readinessProbe: { tcpSocket: { port: 'http' } },
                startupProbe: { exec: { command: ['cat', '/tmp/ok'] } },
                lifecycle: { postStart: { exec: { command: ['echo'] } }, preStop: { sleep: { seconds: 5 } } },
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'FallbackToLogsOnError',
                imagePullPolicy: 'Always',
                securityContext: {
                  capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
                  privileged: false,
                  seLinuxOptions: { level: 's0:c1,c2' },
                  runAsUser: 1000,
                  runAsGroup: 1000,
                  runAsNonRoot: true,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  procMount: 'Default',
                  seccompProfile: { type: 'RuntimeDefault' },
                  appArmorProfile: { type: 'Localhost', localhostProfile: 'p' },
                },
                stdin: true,
                tty: true,
              },
              {
                name: 'grpc',
                image: 'g',
                resources: {},
                livenessProbe: { grpc: { port: 9001, service: 'health' } },
                readinessProbe: { grpc: { port: 9000, service: null } },
              },
            ],
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 0,
            activeDeadlineSeconds: 900,
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { disk: 'ssd', 'kubernetes.io/os': 'linux' },
            serviceAccountName: 'sa1',
            automountServiceAccountToken: false,
            nodeName: 'n1',
            hostNetwork: true,
            shareProcessNamespace: true,
            securityContext: {
              runAsUser: 0,
              supplementalGroups: [3000, 4000],
              supplementalGroupsPolicy: 'Merge',
              fsGroup: 2000,
              sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }],
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'Localhost', localhostProfile: 'prof.json' },
            },
            imagePullSecrets: [{ name: 'regcred' }],
            hostname: 'h',
            subdomain: 'sub',
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }],
                      matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n9'] }],
                    },
                  ],
                },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }],
              },
              podAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: { app: 'db' } },
                    namespaces: ['x'],
                    topologyKey: 'zone',
                    matchLabelKeys: ['pod-template-hash'],
                  },
                ],
              },
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 50,
                    podAffinityTerm: {
                      labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['rich'] }] },
                      topologyKey: 'kubernetes.io/hostname',
                      namespaceSelector: {},
                    },
                  },
                ],
              },
            },
            schedulerName: 'default-scheduler',
            tolerations: [
              { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' },
              { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
            ],
            hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
            priorityClassName: 'high',
            priority: 1000,
            dnsConfig: {
              nameservers: ['1.1.1.1'],
              searches: ['svc.local'],
              options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
            },
            readinessGates: [{ conditionType: 'example.com/ready' }],
            runtimeClassName: 'runc',
            enableServiceLinks: false,
            preemptionPolicy: 'Never',
            overhead: { cpu: '100m' },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'zone',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app: 'rich' } },
                minDomains: 2,
                nodeAffinityPolicy: 'Honor',
                nodeTaintsPolicy: 'Ignore',
                matchLabelKeys: ['pod-template-hash'],
              },
            ],
            setHostnameAsFQDN: true,
            os: { name: 'linux' },
            hostUsers: false,
            schedulingGates: [{ name: 'example.com/gate' }],
            resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'gpu-template' }],
          },
        },
        ttlSecondsAfterFinished: 100,
        completionMode: 'Indexed',
        suspend: true,
        podReplacementPolicy: 'Failed',
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
