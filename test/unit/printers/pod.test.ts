import t from 'tap';
import { renderTable, type TableCell } from '../../../core/index.js';
import { ago, DAY_MS, HOUR_MS, MINUTE_MS, NOW_MS, SECOND_MS } from './helpers.js';

const PODS = { group: '', resource: 'pods' };

/** The cells kube prints for one pod, at NOW_MS. */
function podCells(pod: Record<string, unknown>): TableCell[] {
  const table = renderTable(PODS, [pod], { nowMs: NOW_MS });
  const row = table.rows[0];
  if (row === undefined) throw new Error('no row');
  return row.cells;
}

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(5 * MINUTE_MS), ...meta },
    spec,
    status,
  };
}

const oneContainer = { containers: [{ name: 'app', image: 'nginx' }] };

void t.test('pod columns are kube 1.32 columns with wide ones at priority 1', (t) => {
  const table = renderTable(PODS, [], { nowMs: NOW_MS });
  t.same(table.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
    ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
  ]);
  t.equal(table.columnDefinitions[0]?.format, 'name');
  t.end();
});

void t.test('a pending pod without statuses', (t) => {
  t.same(podCells(pod(oneContainer, { phase: 'Pending' })), ['web', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  t.end();
});

void t.test('a running ready pod with IP and node', (t) => {
  const cells = podCells(pod({ ...oneContainer, nodeName: 'n1' }, {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(MINUTE_MS) } } }],
  }));
  t.same(cells, ['web', '1/1', 'Running', '0', '5m', '10.0.0.5', 'n1', '<none>', '<none>']);
  t.end();
});

void t.test('CrashLoopBackOff with restarts shows "(… ago)" from lastState.terminated.finishedAt', (t) => {
  const cells = podCells(pod(oneContainer, {
    phase: 'Running',
    containerStatuses: [{
      name: 'app', ready: false, restartCount: 5,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(3 * MINUTE_MS + 2 * SECOND_MS) } },
    }],
  }));
  t.equal(cells[1], '0/1');
  t.equal(cells[2], 'CrashLoopBackOff');
  t.equal(cells[3], '5 (3m2s ago)');
  t.end();
});

void t.test('restarts without a recorded termination have no suffix', (t) => {
  const cells = podCells(pod(oneContainer, {
    phase: 'Running',
    containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: { running: {} } }],
  }));
  t.equal(cells[3], '2');
  t.end();
});

void t.test('Completed pods carry the Completed row condition', (t) => {
  const table = renderTable(PODS, [pod(oneContainer, {
    phase: 'Succeeded',
    containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  })], { nowMs: NOW_MS });
  t.equal(table.rows[0]?.cells[2], 'Completed');
  t.same(table.rows[0]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  t.end();
});

void t.test('terminated without reason prints ExitCode or Signal', (t) => {
  const exit = podCells(pod(oneContainer, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }] }));
  t.equal(exit[2], 'ExitCode:137');
  const signal = podCells(pod(oneContainer, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }] }));
  t.equal(signal[2], 'Signal:9');
  t.end();
});

void t.test('init containers: Init:0/1, Init:<reason>, Init:ExitCode', (t) => {
  const spec = { initContainers: [{ name: 'init', image: 'busybox' }], ...oneContainer };
  const waiting = podCells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] }));
  t.equal(waiting[2], 'Init:0/1');
  t.equal(waiting[1], '0/1', 'plain init containers do not count toward READY');
  const running = podCells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }));
  t.equal(running[2], 'Init:0/1');
  const pulling = podCells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'ImagePullBackOff' } } }] }));
  t.equal(pulling[2], 'Init:ImagePullBackOff');
  const failed = podCells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 3, state: { terminated: { exitCode: 2 } } }] }));
  t.equal(failed[2], 'Init:ExitCode:2');
  t.equal(failed[3], '3', 'init restarts count while initializing');
  const crashed = podCells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }));
  t.equal(crashed[2], 'Init:Error');
  t.end();
});

void t.test('second of two init containers running prints Init:1/2', (t) => {
  const spec = { initContainers: [{ name: 'a' }, { name: 'b' }], ...oneContainer };
  const cells = podCells(pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'b', state: { running: {} } },
    ],
  }));
  t.equal(cells[2], 'Init:1/2');
  t.end();
});

void t.test('sidecars (restartPolicy Always) count toward READY and total', (t) => {
  const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], ...oneContainer };
  const cells = podCells(pod(spec, {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
    initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: { running: {} } }],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
  }));
  t.same(cells.slice(1, 4), ['2/2', 'Running', '1']);
  t.end();
});

void t.test('Terminating when deletionTimestamp is set on a non-terminal pod; Unknown when NodeLost', (t) => {
  const running = { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] };
  t.equal(podCells(pod(oneContainer, running, { deletionTimestamp: ago(SECOND_MS) }))[2], 'Terminating');
  t.equal(podCells(pod(oneContainer, { ...running, reason: 'NodeLost' }, { deletionTimestamp: ago(SECOND_MS) }))[2], 'Unknown');
  t.equal(podCells(pod(oneContainer, { phase: 'Succeeded' }, { deletionTimestamp: ago(SECOND_MS) }))[2], 'Succeeded');
  t.end();
});

void t.test('status.reason overrides phase (Evicted) and SchedulingGated wins', (t) => {
  t.equal(podCells(pod(oneContainer, { phase: 'Failed', reason: 'Evicted' }))[2], 'Evicted');
  t.equal(podCells(pod(oneContainer, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2], 'SchedulingGated');
  t.end();
});

void t.test('Completed becomes NotReady or Running while another container still runs', (t) => {
  const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
  const statuses = [
    { name: 'a', ready: true, state: { running: {} } },
    { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
  ];
  t.equal(podCells(pod(spec, { phase: 'Running', containerStatuses: statuses }))[2], 'NotReady');
  t.equal(podCells(pod(spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }))[2], 'Running');
  t.end();
});

void t.test('nominated node and readiness gates in wide columns', (t) => {
  const cells = podCells(pod(
    { ...oneContainer, readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
    { phase: 'Pending', nominatedNodeName: 'n2', conditions: [{ type: 'example.com/lb', status: 'True' }] },
  ));
  t.same(cells.slice(7), ['n2', '1/2']);
  t.end();
});

void t.test('age uses days and hours', (t) => {
  const cells = podCells(pod(oneContainer, { phase: 'Pending' }, { creationTimestamp: ago(2 * DAY_MS + 4 * HOUR_MS) }));
  t.equal(cells[4], '2d4h');
  t.equal(podCells(pod(oneContainer, { phase: 'Pending' }, { creationTimestamp: undefined }))[4], '<unknown>');
  t.end();
});
