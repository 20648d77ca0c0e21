// Lists (pagination at one revision, label and field selectors), watches from a resourceVersion,
// watches at a compacted resourceVersion, and Table output.
import t from 'tap';
import type { Test } from 'tap';
import { asRecord, at, configMapManifest, expectStatus, openWatch, podManifest, startTestApiServer } from './harness.js';
import type { TestApiServer } from './harness.js';

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

async function started(t: Test): Promise<TestApiServer> {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  return s;
}

function names(list: unknown): unknown[] {
  return (at(list, 'items') as unknown[]).map((i) => at(i, 'metadata.name'));
}

async function createConfigMaps(s: TestApiServer, count: number, labels: (i: number) => Record<string, string> = () => ({})): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { name: `cm${i}`, labels: labels(i) }, data: { i: String(i) } } });
    if (res.status !== 201) throw new Error(`setup: ${res.text}`);
  }
}

void t.test('limit and continue page through one consistent revision', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 5);
  const first = await s.request({ path: `${CONFIGMAPS}?limit=2` });
  t.equal(first.status, 200);
  t.same(names(first.json), ['cm0', 'cm1']);
  t.equal(at(first.json, 'metadata.remainingItemCount'), 3, 'remainingItemCount counts what is left');
  const token = at(first.json, 'metadata.continue');
  t.type(token, 'string', 'a continue token');
  const revision = at(first.json, 'metadata.resourceVersion');

  // Written between pages: not in this listing, whose pages all read the first page's revision.
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('cm2a') });
  await s.request({ method: 'DELETE', path: `${CONFIGMAPS}/cm3` });

  const second = await s.request({ path: `${CONFIGMAPS}?limit=2&continue=${encodeURIComponent(String(token))}` });
  t.same(names(second.json), ['cm2', 'cm3'], 'the second page is at the first page\'s revision');
  t.equal(at(second.json, 'metadata.resourceVersion'), revision, 'every page reports that revision');
  const third = await s.request({ path: `${CONFIGMAPS}?limit=2&continue=${encodeURIComponent(String(at(second.json, 'metadata.continue')))}` });
  t.same(names(third.json), ['cm4']);
  t.equal(at(third.json, 'metadata.continue'), undefined, 'the last page has no continue');

  const fresh = await s.request({ path: CONFIGMAPS });
  t.same(names(fresh.json), ['cm0', 'cm1', 'cm2', 'cm2a', 'cm4'], 'a new list sees the writes');
});

void t.test('bad list parameters are 400 BadRequest; an expired continue is 410', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 3);
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?limit=abc` }), 400, 'BadRequest', undefined, 'limit=abc');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?continue=not-a-token` }), 400, 'BadRequest', /^invalid continue token/, 'a garbage continue');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?resourceVersion=abc` }), 400, 'BadRequest', 'invalid resource version: "abc"', 'resourceVersion=abc');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?resourceVersionMatch=Sometimes` }), 400, 'BadRequest', undefined, 'resourceVersionMatch=Sometimes');

  const first = await s.request({ path: `${CONFIGMAPS}?limit=1` });
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('later') });
  await s.storage.compact(Number(await s.storage.currentRevision()));
  const expired = await s.request({ path: `${CONFIGMAPS}?limit=1&continue=${encodeURIComponent(String(at(first.json, 'metadata.continue')))}` });
  expectStatus(t, expired, 410, 'Expired', undefined, 'a continue token whose revision was compacted');

  const future = await s.request({ path: `${CONFIGMAPS}?resourceVersion=999999&resourceVersionMatch=NotOlderThan` });
  expectStatus(t, future, 504, 'Timeout', /^Timeout: Too large resource version: 999999, current: \d+$/, 'a resourceVersion the store has not reached');
});

void t.test('label and field selectors filter lists; invalid ones are 400', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 4, (i) => (i % 2 === 0 ? { parity: 'even', n: String(i) } : { parity: 'odd', n: String(i) }));
  const q = async (query: string): Promise<unknown[]> => names((await s.request({ path: `${CONFIGMAPS}?${query}` })).json);
  t.same(await q('labelSelector=parity%3Deven'), ['cm0', 'cm2'], 'equality');
  t.same(await q('labelSelector=parity!%3Deven'), ['cm1', 'cm3'], 'inequality');
  t.same(await q(`labelSelector=${encodeURIComponent('n in (1,2,9)')}`), ['cm1', 'cm2'], 'set membership');
  t.same(await q(`labelSelector=${encodeURIComponent('n notin (0,1)')}`), ['cm2', 'cm3'], 'set exclusion');
  t.same(await q(`labelSelector=${encodeURIComponent('!parity')}`), [], 'absence');
  t.same(await q(`labelSelector=${encodeURIComponent('parity=odd,n=3')}`), ['cm3'], 'conjunction');
  t.same(await q('fieldSelector=metadata.name%3Dcm1'), ['cm1'], 'metadata.name');
  t.same(await q('fieldSelector=metadata.name!%3Dcm1&labelSelector=parity%3Dodd'), ['cm3'], 'field and label together');

  await s.request({ method: 'POST', path: PODS, body: podManifest('p1') });
  t.same(names((await s.request({ path: `${PODS}?fieldSelector=status.phase%3DPending` })).json), ['p1'], 'a pod field selector');
  t.same(names((await s.request({ path: `${PODS}?fieldSelector=spec.nodeName%3Dnode-a` })).json), [], 'spec.nodeName');

  for (const bad of ['a in (', '!!', 'a b', '=x', 'a=b=c']) {
    expectStatus(t, await s.request({ path: `${CONFIGMAPS}?labelSelector=${encodeURIComponent(bad)}` }), 400, 'BadRequest', undefined, `labelSelector ${bad}`);
  }
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?fieldSelector=${encodeURIComponent('spec.foo=1')}` }), 400, 'BadRequest', /spec\.foo/, 'an unsupported field');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?fieldSelector=${encodeURIComponent('metadata.name')}` }), 400, 'BadRequest', undefined, 'a field selector without an operator');
});

void t.test('a watch from a resourceVersion sees ADDED, MODIFIED and DELETED in order', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 1);
  const list = await s.request({ path: CONFIGMAPS });
  const from = String(at(list.json, 'metadata.resourceVersion'));
  const w = await openWatch(s.port, `${CONFIGMAPS}?watch=true&resourceVersion=${from}`);
  t.teardown(() => w.destroy());
  t.equal(w.status, 200);

  const created = await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('w1') });
  const patched = await s.request({ method: 'PATCH', path: `${CONFIGMAPS}/w1`, body: { data: { key: 'changed' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  const deleted = await s.request({ method: 'DELETE', path: `${CONFIGMAPS}/w1` });

  const added = await w.next();
  t.equal(added?.type, 'ADDED');
  t.equal(at(added?.object, 'kind'), 'ConfigMap', 'watch objects carry their kind');
  t.equal(at(added?.object, 'apiVersion'), 'v1');
  t.equal(at(added?.object, 'metadata.resourceVersion'), at(created.json, 'metadata.resourceVersion'));
  const modified = await w.next();
  t.equal(modified?.type, 'MODIFIED');
  t.equal(at(modified?.object, 'data.key'), 'changed');
  t.equal(at(modified?.object, 'metadata.resourceVersion'), at(patched.json, 'metadata.resourceVersion'));
  const gone = await w.next();
  t.equal(gone?.type, 'DELETED');
  t.equal(at(gone?.object, 'metadata.name'), 'w1');
  t.ok(Number(at(gone?.object, 'metadata.resourceVersion')) >= Number(at(deleted.json, 'metadata.resourceVersion')), 'DELETED carries the deletion revision');
});

void t.test('a watch with a label selector sees only matching objects; one from "0" starts with the current state', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 2, (i) => ({ n: String(i) }));
  const w = await openWatch(s.port, `${CONFIGMAPS}?watch=1&resourceVersion=0&labelSelector=n%3D1`);
  t.teardown(() => w.destroy());
  const initial = await w.next();
  t.equal(initial?.type, 'ADDED', 'the current state arrives as ADDED');
  t.equal(at(initial?.object, 'metadata.name'), 'cm1', 'only the matching object');
  await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 'other', labels: { n: '7' } } } });
  await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 'match', labels: { n: '1' } } } });
  const next = await w.next();
  t.equal(at(next?.object, 'metadata.name'), 'match', 'a non-matching write is not seen');
});

void t.test('a watch at a compacted resourceVersion gets one ERROR event with 410 Expired, then ends', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 3);
  const old = 3;
  await s.storage.compact(Number(await s.storage.currentRevision()));
  const w = await openWatch(s.port, `${CONFIGMAPS}?watch=true&resourceVersion=${old}`);
  t.teardown(() => w.destroy());
  t.equal(w.status, 200, 'kube answers 200 and reports the expiry in the stream');
  const ev = await w.next();
  t.equal(ev?.type, 'ERROR');
  const status = asRecord(ev?.object);
  t.equal(status.kind, 'Status');
  t.equal(status.apiVersion, 'v1');
  t.equal(status.status, 'Failure');
  t.equal(status.code, 410);
  t.equal(status.reason, 'Expired');
  t.match(status.message, new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
  t.equal(await w.next(), undefined, 'the stream ends after the error');
});

void t.test('an empty value set in a label selector is 400, as kube ("values set can\'t be empty")', { todo: 'core/selectors accepts "a in ()"' }, async (t) => {
  const s = await started(t);
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?labelSelector=${encodeURIComponent('a in ()')}` }), 400, 'BadRequest');
});

void t.test('watch parameters that do not parse are 400 before the stream starts', async (t) => {
  const s = await started(t);
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?watch=true&resourceVersion=abc` }), 400, 'BadRequest', 'invalid resource version: "abc"');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?watch=true&labelSelector=${encodeURIComponent('a in (')}` }), 400, 'BadRequest');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}?watch=true&timeoutSeconds=soon` }), 400, 'BadRequest', 'invalid value for timeoutSeconds: soon');
});

void t.test('Table output for lists, single objects and watches', async (t) => {
  const s = await started(t);
  await s.request({ method: 'POST', path: PODS, body: podManifest('p1') });
  await s.request({ method: 'POST', path: PODS, body: podManifest('p2') });
  const list = await s.request({ path: PODS, headers: { Accept: TABLE } });
  t.equal(list.status, 200);
  t.equal(at(list.json, 'kind'), 'Table');
  t.equal(at(list.json, 'apiVersion'), 'meta.k8s.io/v1');
  const columns = (at(list.json, 'columnDefinitions') as unknown[]).map((c) => at(c, 'name'));
  t.same(columns.slice(0, 5), ['Name', 'Ready', 'Status', 'Restarts', 'Age'], 'kubectl get pods columns');
  const rows = at(list.json, 'rows') as unknown[];
  t.same(rows.map((r) => at(r, 'cells.0')), ['p1', 'p2'], 'one row per pod, named');
  t.same(at(rows[0], 'cells.2'), 'Pending');
  t.equal(at(rows[0], 'object.kind'), 'PartialObjectMetadata', 'rows carry object metadata by default');
  t.match(at(list.json, 'metadata.resourceVersion'), /^\d+$/);

  const one = await s.request({ path: `${PODS}/p1`, headers: { Accept: TABLE } });
  t.equal(at(one.json, 'kind'), 'Table');
  t.equal((at(one.json, 'rows') as unknown[]).length, 1);
  const none = await s.request({ path: `${PODS}?includeObject=None`, headers: { Accept: TABLE } });
  t.notOk(at(none.json, 'rows.0.object'), 'includeObject=None leaves objects out');
  expectStatus(t, await s.request({ path: `${PODS}?includeObject=Everything`, headers: { Accept: TABLE } }), 400, 'BadRequest');

  const w = await openWatch(s.port, `${PODS}?watch=true&resourceVersion=0`, { Accept: TABLE });
  t.teardown(() => w.destroy());
  const first = await w.next();
  t.equal(first?.type, 'ADDED');
  t.equal(at(first?.object, 'kind'), 'Table', 'watch events are Tables too');
  t.ok(Array.isArray(at(first?.object, 'columnDefinitions')), 'the first carries the columns');
});

/** The raw lines of a JSON watch, as the server wrote them. */
async function rawWatchLines(port: number, path: string, count: number, onOpen: () => void): Promise<string[]> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let buf = '';
      const lines: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (lines.length === count) {
            req.destroy();
            resolve(lines);
          }
        }
      });
      res.on('error', reject);
      onOpen();
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

void t.test('watchers of one change get the same JSON line, with kind and apiVersion', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 1);
  const from = String(at((await s.request({ path: CONFIGMAPS })).json, 'metadata.resourceVersion'));
  let open = 0;
  let allOpen: () => void = () => undefined;
  const opened = new Promise<void>((r) => (allOpen = r));
  const onOpen = (): void => {
    if (++open === 3) allOpen();
  };
  const watchers = [0, 1, 2].map(() => rawWatchLines(s.port, `${CONFIGMAPS}?watch=true&resourceVersion=${from}`, 2, onOpen));
  await opened;
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('shared') });
  await s.request({ method: 'PATCH', path: `${CONFIGMAPS}/shared`, body: { data: { key: 'v2' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  const [a, b, c] = await Promise.all(watchers);
  t.same(b, a, 'byte for byte');
  t.same(c, a);
  const [added, modified] = a!.map((l) => JSON.parse(l) as { type: string; object: unknown });
  t.equal(added!.type, 'ADDED');
  t.equal(at(added!.object, 'kind'), 'ConfigMap');
  t.equal(at(added!.object, 'apiVersion'), 'v1');
  t.equal(modified!.type, 'MODIFIED');
  t.equal(at(modified!.object, 'data.key'), 'v2');
  t.equal(Object.keys(JSON.parse(a![0]!) as object).join(','), 'type,object', 'the event shape kube writes');
});

void t.test('a list written from each object\'s kept JSON is what serializing the list gives, and follows changes', async (t) => {
  const s = await started(t);
  await createConfigMaps(s, 3);
  const first = await s.request({ path: CONFIGMAPS });
  t.equal(first.text, JSON.stringify(first.json), 'the same bytes, key order included');
  t.equal(Object.keys(first.json as object).join(','), 'kind,apiVersion,metadata,items');
  const items = at(first.json, 'items') as unknown[];
  t.equal(items.length, 3);
  t.equal(at(items[0], 'kind'), 'ConfigMap', 'items carry kind and apiVersion');
  t.equal(at(items[0], 'apiVersion'), 'v1');
  const name = String(at(items[1], 'metadata.name'));
  await s.request({ method: 'PATCH', path: `${CONFIGMAPS}/${name}`, body: { data: { key: 'changed é ✓ 🚀' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  const second = await s.request({ path: CONFIGMAPS });
  const changed = (at(second.json, 'items') as unknown[]).find((i) => at(i, 'metadata.name') === name);
  t.equal(at(changed, 'data.key'), 'changed é ✓ 🚀', 'the changed object, not its earlier text, its UTF-8 whole');
  t.equal(second.text, JSON.stringify(second.json));
  t.not(at(second.json, 'metadata.resourceVersion'), at(first.json, 'metadata.resourceVersion'));
  const empty = await s.request({ path: `${CONFIGMAPS}?labelSelector=nothing%3Dhere` });
  t.same(at(empty.json, 'items'), [], 'an empty list has items: []');
});
