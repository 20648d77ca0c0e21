/** Contract: getList — prefixes, revisions, paging, continue tokens, predicates, compaction. */
import type { Test } from 'tap';
import type { Storage } from '../../../core/index.js';
import {
  StorageContinueExpiredError,
  StorageInvalidContinueError,
  StorageInvalidListOptionsError,
  StorageResourceVersionTooLargeError,
  StorageResourceVersionTooOldError,
  encodeContinueToken,
} from '../../../core/index.js';
import type { StorageFixture } from './contract-helpers.js';
import { freshScope, labelsOf, nameOf, podObject, rvOf, specOf } from './contract-helpers.js';

async function createPods(s: Storage, collection: string, names: readonly string[], labels: (name: string) => Record<string, string> = () => ({})): Promise<number> {
  let rv = 0;
  for (const n of names) rv = rvOf(await s.create(`${collection}/${n}`, podObject(n, labels(n))));
  return rv;
}

function decodeToken(token: string): unknown {
  return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
}

export async function listContract(t: Test, fx: StorageFixture): Promise<void> {
  const s = fx.storage;

  await t.test('lists the collection in key order, at the latest revision, and nothing beside it', async (t) => {
    const scope = freshScope();
    const last = await createPods(s, `${scope}/pods/ns`, ['c', 'a', 'b']);
    await createPods(s, `${scope}/podsx/ns`, ['x']);
    await createPods(s, `${scope}/pods-other/ns`, ['y']);
    const list = await s.getList(`${scope}/pods`);
    t.same(list.items.map(nameOf), ['a', 'b', 'c']);
    t.ok(Number(list.resourceVersion) >= last, 'the list revision covers every item');
    t.equal(list.continue, undefined);
    t.equal(list.remainingItemCount, undefined);
    t.same((await s.getList(`${scope}/pods/ns/`)).items.map(nameOf), ['a', 'b', 'c'], 'a trailing slash is the same collection');
    t.same((await s.getList(`${scope}/nothing`)).items, []);
    t.same((await s.getList(`${scope}/pods`, { resourceVersion: '0' })).items.map(nameOf), ['a', 'b', 'c'], "resourceVersion '0'");
  });

  await t.test('pages are all read at the first page revision, with kube continue tokens', async (t) => {
    const scope = freshScope();
    await createPods(s, `${scope}/pods/ns`, ['p0', 'p1', 'p2', 'p3', 'p4']);
    const page1 = await s.getList(`${scope}/pods`, { limit: 2 });
    t.same(page1.items.map(nameOf), ['p0', 'p1']);
    t.equal(page1.remainingItemCount, 3);
    t.ok(page1.continue);
    t.same(decodeToken(page1.continue!), { v: 'meta.k8s.io/v1', rv: Number(page1.resourceVersion), start: 'ns/p1\u0000' }, 'token format');

    await s.create(`${scope}/pods/ns/p5`, podObject('p5'));
    await s.delete(`${scope}/pods/ns/p3`);
    await s.guaranteedUpdate(`${scope}/pods/ns/p2`, (o) => ({ ...o!, spec: { changed: true } }));

    const page2 = await s.getList(`${scope}/pods`, { limit: 2, continue: page1.continue! });
    t.same(page2.items.map(nameOf), ['p2', 'p3'], 'the deleted p3 is still in the snapshot');
    t.same(specOf(page2.items[0]!), {}, 'p2 as it was at the first page');
    t.equal(page2.resourceVersion, page1.resourceVersion);
    t.equal(page2.remainingItemCount, 1);
    const page3 = await s.getList(`${scope}/pods`, { limit: 2, continue: page2.continue! });
    t.same(page3.items.map(nameOf), ['p4'], 'p5, created later, is not in the list');
    t.equal(page3.continue, undefined);
    t.equal(page3.remainingItemCount, undefined);
  });

  await t.test('a filtering predicate fills the page from further reads; no remainingItemCount', async (t) => {
    const scope = freshScope();
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
    await createPods(s, `${scope}/pods/ns`, names, (n) => ({ odd: String(Number(n.slice(1)) % 2 === 1) }));
    const predicate = (o: Record<string, unknown>): boolean => labelsOf(o).odd === 'true';
    const page1 = await s.getList(`${scope}/pods`, { limit: 3, predicate });
    t.same(page1.items.map(nameOf), ['p1', 'p3', 'p5']);
    t.ok(page1.continue);
    t.equal(page1.remainingItemCount, undefined);
    const page2 = await s.getList(`${scope}/pods`, { limit: 3, predicate, continue: page1.continue! });
    t.same(page2.items.map(nameOf), ['p7', 'p9']);
    t.equal(page2.continue, undefined);
    const all = await s.getList(`${scope}/pods`, { predicate });
    t.same(all.items.map(nameOf), ['p1', 'p3', 'p5', 'p7', 'p9']);
  });

  await t.test('continue tokens that do not decode or leave their collection are refused', async (t) => {
    const scope = freshScope();
    await createPods(s, `${scope}/pods/ns`, ['a']);
    await t.rejects(s.getList(`${scope}/pods`, { limit: 1, continue: 'not a token!' }), StorageInvalidContinueError);
    const escape = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 5, start: '../secrets/x' })).toString('base64url');
    await t.rejects(s.getList(`${scope}/pods`, { limit: 1, continue: escape }), StorageInvalidContinueError);
    const version = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v2', rv: 5, start: 'a' })).toString('base64url');
    await t.rejects(s.getList(`${scope}/pods`, { limit: 1, continue: version }), StorageInvalidContinueError);
    const zero = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' })).toString('base64url');
    await t.rejects(s.getList(`${scope}/pods`, { limit: 1, continue: zero }), StorageInvalidContinueError);
  });

  await t.test('resourceVersionMatch: Exact reads the past, NotOlderThan refuses the future', async (t) => {
    const scope = freshScope();
    const key = `${scope}/pods/ns/a`;
    const v1 = await s.create(key, podObject('a', {}, { n: 1 }));
    await s.guaranteedUpdate(key, (o) => ({ ...o!, spec: { n: 2 } }));
    await s.create(`${scope}/pods/ns/b`, podObject('b'));
    const exact = await s.getList(`${scope}/pods`, { resourceVersion: String(rvOf(v1)), resourceVersionMatch: 'Exact' });
    t.equal(exact.resourceVersion, String(rvOf(v1)));
    t.same(exact.items.map((o) => [nameOf(o), specOf(o).n, rvOf(o)]), [['a', 1, rvOf(v1)]]);
    const legacyPaged = await s.getList(`${scope}/pods`, { resourceVersion: String(rvOf(v1)), limit: 10 });
    t.equal(legacyPaged.resourceVersion, String(rvOf(v1)), 'a paged legacy list at N reads exactly N');
    const notOlder = await s.getList(`${scope}/pods`, { resourceVersion: String(rvOf(v1)), resourceVersionMatch: 'NotOlderThan' });
    t.same(notOlder.items.map(nameOf), ['a', 'b']);
    t.ok(Number(notOlder.resourceVersion) > rvOf(v1));
    const future = String((await s.currentRevision()) + 1000);
    await t.rejects(s.getList(`${scope}/pods`, { resourceVersion: future, resourceVersionMatch: 'NotOlderThan' }), StorageResourceVersionTooLargeError);
    await t.rejects(s.getList(`${scope}/pods`, { resourceVersion: future }), StorageResourceVersionTooLargeError);
    await t.rejects(s.getList(`${scope}/pods`, { resourceVersion: future, resourceVersionMatch: 'Exact' }), StorageResourceVersionTooLargeError);
    await t.rejects(
      s.getList(`${scope}/pods`, { resourceVersion: '1', resourceVersionMatch: 'Sometime' as unknown as 'Exact' }),
      StorageInvalidListOptionsError,
    );
  });

  await t.test('after compaction: an Exact list is expired, a continue token is expired with one that resumes at the latest', async (t) => {
    const scope = freshScope();
    const old = await createPods(s, `${scope}/pods/ns`, ['a', 'b', 'c']);
    const page1 = await s.getList(`${scope}/pods`, { limit: 1 });
    await s.create(`${scope}/pods/ns/d`, podObject('d'));
    await s.compact(await s.currentRevision());

    const exact = await s.getList(`${scope}/pods`, { resourceVersion: String(old), resourceVersionMatch: 'Exact' }).catch((e: unknown) => e);
    t.ok(exact instanceof StorageResourceVersionTooOldError && exact.operation === 'list', 'Exact at a compacted revision is expired');
    const expired = await s.getList(`${scope}/pods`, { limit: 1, continue: page1.continue! }).catch((e: unknown) => e);
    t.ok(expired instanceof StorageContinueExpiredError, 'the continue token is expired');
    if (!(expired instanceof StorageContinueExpiredError)) return;
    t.same(decodeToken(expired.inconsistentContinue), { v: 'meta.k8s.io/v1', rv: -1, start: 'ns/a\u0000' });
    const rest = await s.getList(`${scope}/pods`, { limit: 10, continue: expired.inconsistentContinue });
    t.same(rest.items.map(nameOf), ['b', 'c', 'd'], 'the inconsistent token resumes at the latest revision');
    t.ok(Number(rest.resourceVersion) >= rvOf(rest.items[2]!));
  });

  await t.test('a token made by another server for the same collection works (the format is the contract)', async (t) => {
    const scope = freshScope();
    await createPods(s, `${scope}/pods/ns`, ['a', 'b', 'c']);
    const rv = await s.currentRevision();
    const token = encodeContinueToken(`${scope}/pods/ns/a\u0000`, `${scope}/pods/`, rv);
    const page = await s.getList(`${scope}/pods`, { limit: 5, continue: token });
    t.same(page.items.map(nameOf), ['b', 'c']);
    t.equal(page.resourceVersion, String(rv));
  });
}
