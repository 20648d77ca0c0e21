/**
 * `get -w` (a Table watch that must stay open and print each change as a row) and `describe`
 * (typed GETs, then an events search by involvedObject field selectors).
 */
import { outputLines, tableCells } from '../kubectl-runner.js';
import { configMapManifest, deploymentManifest, eventManifest, podManifest } from '../manifests.js';
import type { KubectlCase } from './context.js';
import { applyManifest, kubectlOk, makeNamespace } from './context.js';

/** Rows printed after the first `count` lines, as cells. */
const rowsAfter = (stdout: string, count: number): string[][] => tableCells(outputLines(stdout).slice(count).join('\n'));

const watchPods: KubectlCase = {
  name: 'get -w prints the current pods, then a row for each change made while it watches, until it is killed',
  run: async (t, c) => {
    await makeNamespace(t, c, 'conf-watch');
    await applyManifest(t, c, 'watch-first.yaml', podManifest('first', 'conf-watch', { app: 'w' }));
    const watch = c.watch(['get', 'pods', '-n', 'conf-watch', '-w']);
    try {
      await watch.waitForOutput((s) => outputLines(s).length >= 2, 'the initial table');
      const initial = tableCells(watch.stdout);
      t.same(initial[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], 'the watch starts with the table header');
      t.same(initial[1]?.slice(0, 4), ['first', '0/1', 'Pending', '0']);

      await applyManifest(t, c, 'watch-second.yaml', podManifest('second', 'conf-watch', { app: 'w' }));
      await watch.waitForOutput((s) => rowsAfter(s, 2).some((r) => r[0] === 'second'), 'a row for the pod created during the watch');
      await kubectlOk(t, c, ['label', 'pod', 'first', '-n', 'conf-watch', 'seen=yes']);
      await watch.waitForOutput((s) => rowsAfter(s, 2).some((r) => r[0] === 'first'), 'a row for the pod labelled during the watch');
      const rows = rowsAfter(watch.stdout, 2);
      t.same(rows.map((r) => r.slice(0, 4)), [['second', '0/1', 'Pending', '0'], ['first', '0/1', 'Pending', '0']], 'one row per change, in order, no header repeated');
      t.ok(watch.running, 'the watch is still running: the server keeps the stream open');
    } finally {
      await watch.stop();
    }
  },
};

const watchEvents: KubectlCase = {
  name: 'get -w --output-watch-events shows ADDED, MODIFIED and DELETED',
  run: async (t, c) => {
    await makeNamespace(t, c, 'conf-watch-events');
    await applyManifest(t, c, 'watch-cm.yaml', configMapManifest('one', 'conf-watch-events', { a: '1' }));
    const watch = c.watch(['get', 'configmaps', '-n', 'conf-watch-events', '-w', '--output-watch-events']);
    try {
      await watch.waitForOutput((s) => outputLines(s).length >= 2, 'the initial table');
      const initial = tableCells(watch.stdout);
      t.same(initial[0], ['EVENT', 'NAME', 'DATA', 'AGE']);
      t.same(initial[1]?.slice(0, 3), ['ADDED', 'one', '1']);
      await applyManifest(t, c, 'watch-cm.yaml', configMapManifest('one', 'conf-watch-events', { a: '1', b: '2' }));
      await watch.waitForOutput((s) => outputLines(s).length >= 3, 'the MODIFIED row');
      await kubectlOk(t, c, ['delete', 'configmap', 'one', '-n', 'conf-watch-events']);
      await watch.waitForOutput((s) => outputLines(s).length >= 4, 'the DELETED row');
      t.same(rowsAfter(watch.stdout, 2).map((r) => r.slice(0, 3)), [['MODIFIED', 'one', '2'], ['DELETED', 'one', '2']]);
    } finally {
      await watch.stop();
    }
  },
};

const describeDeployment: KubectlCase = {
  name: 'describe deployment shows its fields, pod template and an empty Events section',
  run: async (t, c) => {
    await makeNamespace(t, c, 'conf-describe');
    await applyManifest(t, c, 'describe-deploy.yaml', deploymentManifest({ name: 'web', namespace: 'conf-describe', replicas: 3 }));
    const out = await kubectlOk(t, c, ['describe', 'deployment', 'web', '-n', 'conf-describe']);
    const lines = outputLines(out);
    const field = (name: string): string | undefined => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();
    t.equal(field('Name'), 'web');
    t.equal(field('Namespace'), 'conf-describe');
    t.equal(field('Labels'), 'app=web');
    t.equal(field('Selector'), 'app=web');
    t.equal(field('Replicas'), '3 desired | 0 updated | 0 total | 0 available | 0 unavailable');
    t.equal(field('StrategyType'), 'RollingUpdate');
    t.equal(field('RollingUpdateStrategy'), '25% max unavailable, 25% max surge');
    t.match(field('CreationTimestamp'), /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/, 'CreationTimestamp in RFC 1123');
    t.ok(lines.includes('Pod Template:'), 'Pod Template section');
    t.ok(lines.some((l) => /^ {4}Image: +nginx:1\.25$/.test(l)), 'the container image');
    t.ok(lines.some((l) => /^ {4}Port: +80\/TCP$/.test(l)), 'the container port');
    t.equal(field('Events'), '<none>', 'Events section, empty');
  },
};

const describePodWithEvents: KubectlCase = {
  name: 'describe pod shows its status and the Events recorded about it',
  run: async (t, c) => {
    await makeNamespace(t, c, 'conf-describe-pod');
    await applyManifest(t, c, 'describe-pod.yaml', podManifest('p', 'conf-describe-pod', { app: 'p' }));
    const uid = await kubectlOk(t, c, ['get', 'pod', 'p', '-n', 'conf-describe-pod', '-o', 'jsonpath={.metadata.uid}']);
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const event = eventManifest({ name: 'p.checked', namespace: 'conf-describe-pod', involved: { kind: 'Pod', name: 'p', uid, apiVersion: 'v1' }, reason: 'Checked', message: 'seen by the conformance test', timestamp });
    t.equal(await applyManifest(t, c, 'describe-event.yaml', event), 'event/p.checked created\n');
    // An event about another object with the same name must not show: describe searches by uid too.
    const other = eventManifest({ name: 'p.other', namespace: 'conf-describe-pod', involved: { kind: 'Pod', name: 'p', uid: '00000000-0000-0000-0000-000000000000', apiVersion: 'v1' }, reason: 'Other', message: 'about an older pod p', timestamp });
    await applyManifest(t, c, 'describe-event-other.yaml', other);

    const lines = outputLines(await kubectlOk(t, c, ['describe', 'pod', 'p', '-n', 'conf-describe-pod']));
    const field = (name: string): string | undefined => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();
    t.equal(field('Name'), 'p');
    t.equal(field('Namespace'), 'conf-describe-pod');
    t.equal(field('Labels'), 'app=p');
    t.equal(field('Status'), 'Pending');
    t.equal(field('Node'), '<none>');
    t.ok(lines.includes('Containers:') && lines.includes('  main:'), 'Containers section names the container');
    t.ok(lines.some((l) => /^ {4}Image: +busybox:1\.36$/.test(l)), 'the container image');
    const at = lines.indexOf('Events:');
    t.ok(at >= 0, 'an Events section with a table');
    const events = tableCells(lines.slice(at + 1).join('\n'));
    t.same(events[0], ['Type', 'Reason', 'Age', 'From', 'Message']);
    t.same(events[1], ['----', '------', '----', '----', '-------']);
    t.equal(events.length, 3, 'exactly one event: the one about this pod');
    t.same([events[2]?.[0], events[2]?.[1], events[2]?.[3], events[2]?.[4]], ['Normal', 'Checked', 'conformance', 'seen by the conformance test']);
  },
};

export const WATCH_DESCRIBE_CASES: readonly KubectlCase[] = [watchPods, watchEvents, describeDeployment, describePodWithEvents];
