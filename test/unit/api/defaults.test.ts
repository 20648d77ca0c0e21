import t from 'tap';
import { applyDefaults, defaultImagePullPolicy, type KubeObject } from '../../../core/index.js';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

void t.test('image pull policy follows the tag', (t) => {
  t.equal(defaultImagePullPolicy('nginx'), 'Always');
  t.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
  t.equal(defaultImagePullPolicy('nginx:1.25'), 'IfNotPresent');
  t.equal(defaultImagePullPolicy('localhost:5000/app'), 'Always', 'a registry port is not a tag');
  t.equal(defaultImagePullPolicy('registry.io:5000/team/app:v2'), 'IfNotPresent');
  t.equal(defaultImagePullPolicy('nginx@sha256:abcdef'), 'IfNotPresent', 'digest without tag');
  t.end();
});

void t.test('pod defaults as kube-apiserver applies them', (t) => {
  const pod = applyDefaults(POD, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '0.5', memory: '1.5Gi' } },
          livenessProbe: { httpGet: { port: 80 } },
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        },
      ],
      volumes: [{ name: 'scratch' }, { name: 'config', configMap: { name: 'c' } }],
    },
  } as KubeObject);
  t.same(pod.spec, {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '500m', memory: '1536Mi' } },
        livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'config', configMap: { name: 'c', defaultMode: 420 } },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
  });
  t.end();
});

void t.test('templates get pod-spec defaults but not pod-only ones', (t) => {
  const deployment = applyDefaults(DEPLOYMENT, {
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '1' } } }] } },
    },
  } as KubeObject);
  const spec = deployment.spec as Record<string, unknown>;
  t.equal(spec.replicas, 1);
  t.same(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.equal(spec.revisionHistoryLimit, 10);
  t.equal(spec.progressDeadlineSeconds, 600);
  const podSpec = (spec.template as { spec: Record<string, unknown> }).spec;
  t.equal(podSpec.restartPolicy, 'Always');
  t.equal(podSpec.enableServiceLinks, undefined, 'enableServiceLinks is Pod-only');
  const container = (podSpec.containers as Record<string, unknown>[])[0];
  t.same(container?.resources, { limits: { cpu: '1' } }, 'requests are not copied from limits in templates');
  t.equal(container?.imagePullPolicy, 'Always');
  const recreate = applyDefaults(DEPLOYMENT, { spec: { strategy: { type: 'Recreate' } } } as KubeObject);
  t.same((recreate.spec as Record<string, unknown>).strategy, { type: 'Recreate' }, 'no rollingUpdate for Recreate');
  t.end();
});

void t.test('workload and batch defaults', (t) => {
  const sts = applyDefaults({ group: 'apps', version: 'v1', kind: 'StatefulSet' }, {
    spec: { serviceName: 's', volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] },
  } as KubeObject).spec as Record<string, unknown>;
  t.equal(sts.podManagementPolicy, 'OrderedReady');
  t.same(sts.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  t.same(sts.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  t.equal(sts.replicas, 1);
  t.same(sts.volumeClaimTemplates, [{ metadata: { name: 'data' }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);
  const ds = applyDefaults({ group: 'apps', version: 'v1', kind: 'DaemonSet' }, { spec: {} } as KubeObject).spec as Record<string, unknown>;
  t.same(ds.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  t.equal(ds.revisionHistoryLimit, 10);
  const job = applyDefaults({ group: 'batch', version: 'v1', kind: 'Job' }, {
    metadata: { name: 'j' },
    spec: { template: { metadata: { labels: { app: 'j' } }, spec: { restartPolicy: 'Never', containers: [] } } },
  } as KubeObject);
  const jobSpec = job.spec as Record<string, unknown>;
  t.same(
    [jobSpec.completions, jobSpec.parallelism, jobSpec.backoffLimit, jobSpec.completionMode, jobSpec.suspend, jobSpec.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed'],
  );
  t.same(job.metadata?.labels, { app: 'j' }, 'Job labels default from the template');
  const parallelOnly = applyDefaults({ group: 'batch', version: 'v1', kind: 'Job' }, { spec: { parallelism: 3 } } as KubeObject).spec as Record<string, unknown>;
  t.equal(parallelOnly.completions, undefined, 'completions stay unset when parallelism is given');
  const cron = applyDefaults({ group: 'batch', version: 'v1', kind: 'CronJob' }, { spec: { schedule: '* * * * *' } } as KubeObject).spec as Record<string, unknown>;
  t.same(
    [cron.concurrencyPolicy, cron.suspend, cron.successfulJobsHistoryLimit, cron.failedJobsHistoryLimit],
    ['Allow', false, 3, 1],
  );
  t.end();
});

void t.test('core kinds', (t) => {
  const service = applyDefaults({ group: '', version: 'v1', kind: 'Service' }, {
    spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https' }], selector: { app: 'x' } },
  } as KubeObject).spec;
  t.same(service, {
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 443, targetPort: 'https', protocol: 'TCP' },
    ],
    selector: { app: 'x' },
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
  });
  const nodePort = applyDefaults({ group: '', version: 'v1', kind: 'Service' }, { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject)
    .spec as Record<string, unknown>;
  t.equal(nodePort.externalTrafficPolicy, 'Cluster');
  t.equal(nodePort.allocateLoadBalancerNodePorts, true);
  const secret = applyDefaults({ group: '', version: 'v1', kind: 'Secret' }, { stringData: { password: 'pä' }, data: { user: 'YWRtaW4=' } } as KubeObject);
  t.same(secret, { type: 'Opaque', data: { user: 'YWRtaW4=', password: 'cMOk' } }, 'stringData merged into data');
  const namespace = applyDefaults({ group: '', version: 'v1', kind: 'Namespace' }, { metadata: { name: 'team' } } as KubeObject);
  t.same(namespace, { metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' } }, status: { phase: 'Active' } });
  const node = applyDefaults({ group: '', version: 'v1', kind: 'Node' }, { status: { capacity: { cpu: '4', memory: '8Gi' } } } as KubeObject);
  t.same((node.status as Record<string, unknown>).allocatable, { cpu: '4', memory: '8Gi' });
  const configMap = { data: { a: 'b' } };
  t.same(applyDefaults({ group: '', version: 'v1', kind: 'ConfigMap' }, configMap), { data: { a: 'b' } }, 'no defaults');
  t.end();
});
