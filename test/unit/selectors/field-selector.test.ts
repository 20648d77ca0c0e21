import t from 'tap';
import {
  convertFieldSelectorForKind,
  fieldSelectorMatchesObject,
  FieldSelectorNotSupportedError,
  FieldSelectorParseError,
  ParsedFieldSelector,
  parseFieldSelector,
  selectableFieldsOf,
  supportedSelectorFields,
} from '../../../core/index.js';

void t.test('parsing gives sorted terms, = and == alike, escapes removed', (t) => {
  const cases: [input: string, canonical: string, terms: { field: string; operator: string; value: string }[]][] = [
    ['', '', []],
    ['metadata.name=web', 'metadata.name=web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['metadata.name==web', 'metadata.name=web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['status.phase!=Running', 'status.phase!=Running', [{ field: 'status.phase', operator: '!=', value: 'Running' }]],
    [
      'status.phase=Running,metadata.name=web',
      'metadata.name=web,status.phase=Running',
      [
        { field: 'metadata.name', operator: '=', value: 'web' },
        { field: 'status.phase', operator: '=', value: 'Running' },
      ],
    ],
    ['spec.nodeName=', 'spec.nodeName=', [{ field: 'spec.nodeName', operator: '=', value: '' }]],
    ['a=x\\,y\\=z\\\\', 'a=x\\,y\\=z\\\\', [{ field: 'a', operator: '=', value: 'x,y=z\\' }]],
    ['a=b,,c=d', 'a=b,c=d', [
      { field: 'a', operator: '=', value: 'b' },
      { field: 'c', operator: '=', value: 'd' },
    ]],
  ];
  for (const [input, canonical, terms] of cases) {
    const selector = parseFieldSelector(input);
    t.equal(selector.toString(), canonical, input);
    t.same(selector.terms, terms, input);
  }
  t.ok(parseFieldSelector('').isEmpty());
  t.equal(parseFieldSelector('a=b,c!=d').requiresExactMatch('a'), 'b');
  t.equal(parseFieldSelector('a=b,c!=d').requiresExactMatch('c'), undefined);
  t.end();
});

void t.test('parse errors carry fields.ParseSelector messages', (t) => {
  const cases: [input: string, message: string][] = [
    ['abc', "invalid selector: 'abc'; can't understand 'abc'"],
    ['a=b,xyz', "invalid selector: 'a=b,xyz'; can't understand 'xyz'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of cases) {
    t.throws(() => parseFieldSelector(input), new FieldSelectorParseError(input, message), input);
  }
  t.end();
});

void t.test('matching treats absent fields as empty', (t) => {
  const fields = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': '' };
  const cases: [selector: string, matches: boolean][] = [
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name=db', false],
    ['metadata.name!=db', true],
    ['status.phase=Running,metadata.name=web', true],
    ['status.phase=Running,metadata.name=db', false],
    ['spec.nodeName=', true],
    ['not.there=', true],
    ['not.there!=', false],
  ];
  for (const [selector, matches] of cases) t.equal(parseFieldSelector(selector).matches(fields), matches, selector);
  t.ok(ParsedFieldSelector.everything().matches({}));
  t.end();
});

void t.test('each kind accepts only its field labels, with kube-apiserver messages', (t) => {
  const pod = convertFieldSelectorForKind(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), '', 'Pod');
  t.equal(pod.toString(), 'spec.nodeName=n1,status.phase!=Failed');
  t.equal(convertFieldSelectorForKind(parseFieldSelector('spec.host=n1'), '', 'Pod').toString(), 'spec.nodeName=n1');

  const rejected: [selector: string, group: string, kind: string, message: string][] = [
    ['spec.foo=x', '', 'Pod', 'field label not supported: spec.foo'],
    ['metadata.namespace=x', '', 'Node', 'field label not supported: metadata.namespace'],
    ['status.replicas=1', 'apps', 'Deployment', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['data.x=1', '', 'ConfigMap', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['spec.nodeName=n1', '', 'Event', 'field label not supported: spec.nodeName'],
  ];
  for (const [selector, group, kind, message] of rejected) {
    const err = t.throws(() => convertFieldSelectorForKind(parseFieldSelector(selector), group, kind), selector);
    t.ok(err instanceof FieldSelectorNotSupportedError, selector);
    t.equal((err as Error).message, message, selector);
  }

  const accepted: [selector: string, group: string, kind: string][] = [
    ['metadata.name=a,metadata.namespace=b', 'apps', 'Deployment'],
    ['involvedObject.kind=Pod,involvedObject.name=web,reason=Failed,type=Warning,source=kubelet', '', 'Event'],
    ['involvedObject.uid=u,involvedObject.apiVersion=v1,involvedObject.resourceVersion=1', '', 'Event'],
    ['involvedObject.fieldPath=x,involvedObject.namespace=default,reportingComponent=kubelet', '', 'Event'],
    ['type=kubernetes.io/tls', '', 'Secret'],
    ['spec.unschedulable=true', '', 'Node'],
    ['status.phase=Active', '', 'Namespace'],
    ['status.replicas=0', 'apps', 'ReplicaSet'],
    ['status.successful=1', 'batch', 'Job'],
    ['spec.clusterIP=None,spec.type=ClusterIP', '', 'Service'],
    ['spec.restartPolicy=Always,spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=false', '', 'Pod'],
    ['status.podIP=10.0.0.1,status.nominatedNodeName=n', '', 'Pod'],
  ];
  for (const [selector, group, kind] of accepted) {
    t.doesNotThrow(() => convertFieldSelectorForKind(parseFieldSelector(selector), group, kind), `${kind}: ${selector}`);
  }
  t.same(supportedSelectorFields('', 'Node'), ['metadata.name', 'spec.unschedulable']);
  t.end();
});

void t.test('selectable fields of objects are valued as the registries value them', (t) => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
    status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }, { ip: 'fd00::9' }] },
  };
  t.same(selectableFieldsOf('', 'Pod', pod, true), {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'n1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.9',
    'status.nominatedNodeName': '',
  });
  t.same(selectableFieldsOf('', 'Node', { metadata: { name: 'n1' }, spec: {} }, false), {
    'metadata.name': 'n1',
    'spec.unschedulable': 'false',
  });
  t.same(selectableFieldsOf('apps', 'ReplicaSet', { metadata: { name: 'rs', namespace: 'ns' } }, true), {
    'metadata.name': 'rs',
    'metadata.namespace': 'ns',
    'status.replicas': '0',
  });
  t.same(selectableFieldsOf('batch', 'Job', { metadata: { name: 'j' }, status: { succeeded: 2 } }, true), {
    'metadata.name': 'j',
    'metadata.namespace': '',
    'status.successful': '2',
  });
  const event = {
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
    reason: 'Scheduled',
    type: 'Normal',
    reportingComponent: 'default-scheduler',
    source: {},
  };
  const eventFields = selectableFieldsOf('', 'Event', event, true);
  t.equal(eventFields['source'], 'default-scheduler', 'source falls back to the reporting controller');
  t.equal(eventFields['involvedObject.uid'], 'u1');
  t.equal(selectableFieldsOf('', 'Event', { ...event, source: { component: 'kubelet' } }, true)['source'], 'kubelet');
  t.end();
});

void t.test('a converted selector filters objects end to end', (t) => {
  const pods = [
    { metadata: { name: 'a', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } },
    { metadata: { name: 'b', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } },
    { metadata: { name: 'c', namespace: 'kube-system' }, spec: { nodeName: 'n2' }, status: { phase: 'Running' } },
  ];
  const select = (text: string): string[] => {
    const selector = convertFieldSelectorForKind(parseFieldSelector(text), '', 'Pod');
    return pods.filter((pod) => fieldSelectorMatchesObject(selector, '', 'Pod', pod, true)).map((pod) => pod.metadata.name);
  };
  t.same(select('spec.nodeName='), ['b'], 'unscheduled pods');
  t.same(select('spec.host=n2'), ['c']);
  t.same(select('status.phase=Running,metadata.namespace!=kube-system'), ['a']);
  t.same(select(''), ['a', 'b', 'c']);
  t.end();
});

void t.test('selectable fields of a frozen object are worked out once and stay right per kind', (t) => {
  const pod = Object.freeze({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
  const first = selectableFieldsOf('', 'Pod', pod, true);
  t.equal(first['spec.nodeName'], 'n1');
  t.equal(selectableFieldsOf('', 'Pod', pod, true), first, 'the same answer object for the same frozen pod');
  t.same(selectableFieldsOf('', 'Node', pod, false), { 'metadata.name': 'p', 'spec.unschedulable': 'false' }, 'asked as another kind: that kind’s fields');
  const thawed = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' } };
  t.equal(selectableFieldsOf('', 'Pod', thawed, true)['spec.nodeName'], 'n1');
  thawed.spec.nodeName = 'n2';
  t.equal(selectableFieldsOf('', 'Pod', thawed, true)['spec.nodeName'], 'n2', 'an object that may change is read again');
  t.end();
});
