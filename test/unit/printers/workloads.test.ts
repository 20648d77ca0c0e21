import t from 'tap';
import { renderTable, tableColumnsFor, type TableCell } from '../../../core/index.js';
import { ago, HOUR_MS, MINUTE_MS, NOW_MS, SECOND_MS } from './helpers.js';

function cells(group: string, resource: string, obj: Record<string, unknown>): TableCell[] {
  const row = renderTable({ group, resource }, [obj], { nowMs: NOW_MS }).rows[0];
  if (row === undefined) throw new Error('no row');
  return row.cells;
}

function columnNames(group: string, resource: string): string[] {
  return tableColumnsFor({ group, resource }).map((c) => (c.priority > 0 ? `${c.name}*` : c.name));
}

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] },
};
const meta = { name: 'web', namespace: 'default', creationTimestamp: ago(10 * MINUTE_MS) };

void t.test('deployment: NAME READY UP-TO-DATE AVAILABLE AGE + wide CONTAINERS IMAGES SELECTOR', (t) => {
  t.same(columnNames('apps', 'deployments'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const deployment = {
    metadata: meta,
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
      template,
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };
  t.same(cells('apps', 'deployments', deployment), ['web', '2/3', 3, 2, '10m', 'nginx,log', 'nginx:1.25,busybox', 'app=web,tier in (be,fe)']);
  const fresh = { metadata: meta, spec: { replicas: 1, selector: {}, template }, status: {} };
  t.same(cells('apps', 'deployments', fresh).slice(1, 4), ['0/1', 0, 0]);
  t.equal(cells('apps', 'deployments', fresh)[7], '', 'an empty selector prints as ""');
  t.end();
});

void t.test('replicaset: DESIRED CURRENT READY as integers', (t) => {
  t.same(columnNames('apps', 'replicasets'), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const rs = { metadata: meta, spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template }, status: { replicas: 2, readyReplicas: 1 } };
  t.same(cells('apps', 'replicasets', rs), ['web', 2, 2, 1, '10m', 'nginx,log', 'nginx:1.25,busybox', 'app=web,pod-template-hash=abc']);
  const noSelector = { metadata: meta, spec: { replicas: 0, template }, status: {} };
  t.equal(cells('apps', 'replicasets', noSelector)[7], '<none>');
  t.end();
});

void t.test('statefulset: NAME READY AGE', (t) => {
  t.same(columnNames('apps', 'statefulsets'), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
  const sts = { metadata: meta, spec: { replicas: 3, template }, status: { readyReplicas: 3 } };
  t.same(cells('apps', 'statefulsets', sts), ['web', '3/3', '10m', 'nginx,log', 'nginx:1.25,busybox']);
  t.end();
});

void t.test('daemonset: counts, NODE SELECTOR, wide SELECTOR', (t) => {
  t.same(columnNames('apps', 'daemonsets'), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const ds = {
    metadata: meta,
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  };
  t.same(cells('apps', 'daemonsets', ds), ['web', 3, 3, 2, 3, 2, 'disk=ssd,kubernetes.io/os=linux', '10m', 'a', 'agent:1', 'app=agent']);
  t.end();
});

void t.test('job: STATUS COMPLETIONS DURATION (1.32 columns)', (t) => {
  t.same(columnNames('batch', 'jobs'), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const running = {
    metadata: meta,
    spec: { completions: 3, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template },
    status: { startTime: ago(90 * SECOND_MS), active: 1, succeeded: 1 },
  };
  t.same(cells('batch', 'jobs', running).slice(0, 5), ['web', 'Running', '1/3', '90s', '10m']);
  t.equal(cells('batch', 'jobs', running)[7], 'batch.kubernetes.io/controller-uid=u1');
  const complete = {
    metadata: meta,
    spec: { completions: 1, template },
    status: { startTime: ago(HOUR_MS), completionTime: ago(HOUR_MS - 45 * SECOND_MS), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
  };
  t.same(cells('batch', 'jobs', complete).slice(1, 4), ['Complete', '1/1', '45s']);
  const failed = { metadata: meta, spec: { template }, status: { conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] } };
  t.same(cells('batch', 'jobs', failed).slice(1, 4), ['Failed', '0/1', '']);
  const parallel = { metadata: meta, spec: { parallelism: 4, template }, status: { succeeded: 0 } };
  t.equal(cells('batch', 'jobs', parallel)[2], '0/1 of 4');
  const suspended = { metadata: meta, spec: { completions: 2, template }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } };
  t.equal(cells('batch', 'jobs', suspended)[1], 'Suspended');
  const deleting = { metadata: { ...meta, deletionTimestamp: ago(0) }, spec: { template }, status: {} };
  t.equal(cells('batch', 'jobs', deleting)[1], 'Terminating');
  t.end();
});

void t.test('cronjob: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE', (t) => {
  t.same(columnNames('batch', 'cronjobs'), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const cj = {
    metadata: meta,
    spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } },
    status: { active: [{ name: 'web-1' }], lastScheduleTime: ago(4 * MINUTE_MS) },
  };
  t.same(cells('batch', 'cronjobs', cj), ['web', '*/5 * * * *', '<none>', 'False', 1, '4m', '10m', 'nginx,log', 'nginx:1.25,busybox', '<none>']);
  const tz = { metadata: meta, spec: { schedule: '0 0 * * *', timeZone: 'Etc/UTC', jobTemplate: { spec: { template } } }, status: {} };
  t.same(cells('batch', 'cronjobs', tz).slice(2, 6), ['Etc/UTC', '<unset>', 0, '<none>']);
  t.end();
});
