import t from 'tap';
import { renderTable, tableColumnsFor, type TableCell } from '../../../core/index.js';
import { ago, DAY_MS, MINUTE_MS, NOW_MS, SECOND_MS } from './helpers.js';

function cells(group: string, resource: string, obj: Record<string, unknown>): TableCell[] {
  const row = renderTable({ group, resource }, [obj], { nowMs: NOW_MS }).rows[0];
  if (row === undefined) throw new Error('no row');
  return row.cells;
}

function columnNames(group: string, resource: string): string[] {
  return tableColumnsFor({ group, resource }).map((c) => (c.priority > 0 ? `${c.name}*` : c.name));
}

const meta = { name: 'x', namespace: 'default', creationTimestamp: ago(3 * DAY_MS) };

void t.test('service: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE + wide SELECTOR', (t) => {
  t.same(columnNames('', 'services'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  const clusterIP = { metadata: meta, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { k8s: 'dns', app: 'kube-dns' } } };
  t.same(cells('', 'services', clusterIP), ['x', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '3d', 'app=kube-dns,k8s=dns']);
  const nodePort = { metadata: meta, spec: { type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
  t.same(cells('', 'services', nodePort).slice(1, 5), ['NodePort', '10.96.0.11', '<none>', '80:30080/TCP']);
  t.equal(cells('', 'services', nodePort)[6], '<none>');
  const pendingLb = { metadata: meta, spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, status: { loadBalancer: {} } };
  t.equal(cells('', 'services', pendingLb)[3], '<pending>');
  const lb = { ...pendingLb, spec: { ...pendingLb.spec, externalIPs: ['1.2.3.4'] }, status: { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } } };
  t.equal(cells('', 'services', lb)[3], '5.6.7.8,lb.example.com,1.2.3.4');
  const external = { metadata: meta, spec: { type: 'ExternalName', externalName: 'db.example.com' } };
  t.same(cells('', 'services', external).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
  const headless = { metadata: meta, spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] } };
  t.same(cells('', 'services', headless).slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
  t.end();
});

void t.test('endpoints: up to three host:port pairs then "+ N more..."', (t) => {
  const one = { metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
  t.same(cells('', 'endpoints', one), ['x', '10.0.0.1:80', '3d']);
  const many = { metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::3' }], ports: [{ port: 80 }, { port: 443 }] }] };
  t.equal(cells('', 'endpoints', many)[1], '10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 3 more...');
  const headless = { metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.9' }] }] };
  t.equal(cells('', 'endpoints', headless)[1], '10.0.0.9');
  t.equal(cells('', 'endpoints', { metadata: meta })[1], '<none>');
  t.end();
});

void t.test('endpointslice: ADDRESSTYPE PORTS ENDPOINTS', (t) => {
  t.same(columnNames('discovery.k8s.io', 'endpointslices'), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  const slice = {
    metadata: meta, addressType: 'IPv4',
    ports: [{ name: 'http', port: 80 }, { name: 'named' }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
  };
  t.same(cells('discovery.k8s.io', 'endpointslices', slice), ['x', 'IPv4', '80,named', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '3d']);
  t.same(cells('discovery.k8s.io', 'endpointslices', { metadata: meta, addressType: 'IPv4' }).slice(2, 4), ['<unset>', '<unset>']);
  t.end();
});

void t.test('node: STATUS ROLES VERSION and wide addresses', (t) => {
  t.same(columnNames('', 'nodes'), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  const node = {
    metadata: { name: 'n1', creationTimestamp: ago(3 * DAY_MS), labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-flotilla', osImage: 'Debian', kernelVersion: '6.1.0', containerRuntimeVersion: 'flotilla://0.1.0' },
    },
  };
  t.same(cells('', 'nodes', node), ['n1', 'Ready,SchedulingDisabled', 'control-plane,edge,worker', '3d', 'v1.32.0-flotilla', '192.168.1.10', '<none>', 'Debian', '6.1.0', 'flotilla://0.1.0']);
  const bare = { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  t.same(cells('', 'nodes', bare), ['n2', 'NotReady', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  t.equal(cells('', 'nodes', { metadata: { name: 'n3' } })[1], 'Unknown');
  t.end();
});

void t.test('namespace, configmap, secret, serviceaccount, lease', (t) => {
  t.same(cells('', 'namespaces', { metadata: meta, status: { phase: 'Terminating' } }), ['x', 'Terminating', '3d']);
  t.same(columnNames('', 'configmaps'), ['Name', 'Data', 'Age']);
  t.same(cells('', 'configmaps', { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['x', 3, '3d']);
  t.same(columnNames('', 'secrets'), ['Name', 'Type', 'Data', 'Age']);
  t.same(cells('', 'secrets', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), ['x', 'kubernetes.io/tls', 2, '3d']);
  t.same(cells('', 'serviceaccounts', { metadata: meta, secrets: [{ name: 'tok' }] }), ['x', 1, '3d']);
  t.same(cells('', 'serviceaccounts', { metadata: meta }), ['x', 0, '3d']);
  t.same(columnNames('coordination.k8s.io', 'leases'), ['Name', 'Holder', 'Age']);
  t.same(cells('coordination.k8s.io', 'leases', { metadata: meta, spec: { holderIdentity: 'master-1' } }), ['x', 'master-1', '3d']);
  t.end();
});

void t.test('event: LAST SEEN TYPE REASON OBJECT MESSAGE with wide extras', (t) => {
  t.same(columnNames('', 'events'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  const event = {
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled', message: 'Successfully pulled image\n', type: 'Normal',
    source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(10 * MINUTE_MS), lastTimestamp: ago(30 * SECOND_MS), count: 4,
  };
  t.same(cells('', 'events', event), ['30s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, n1', 'Successfully pulled image', '10m', 4, 'web.17a']);
  const modern = {
    metadata: { name: 'e2' },
    involvedObject: { kind: 'Node' },
    reason: 'Starting', type: 'Normal', reportingComponent: 'flotilla-proxy',
    eventTime: ago(2 * MINUTE_MS + 5 * SECOND_MS),
  };
  t.same(cells('', 'events', modern), ['2m5s', 'Normal', 'Starting', 'node', '', 'flotilla-proxy', '', '2m5s', 1, 'e2']);
  const series = { ...modern, series: { count: 7, lastObservedTime: ago(SECOND_MS * 3) } };
  t.same([cells('', 'events', series)[0], cells('', 'events', series)[8]], ['3s', 7]);
  t.end();
});
