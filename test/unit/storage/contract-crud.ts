/** Contract: create, get, update, guaranteedUpdate, delete, count, currentRevision, TTLs, compaction. */
import type { Test } from 'tap';
import type { StorageObject } from '../../../core/index.js';
import {
  StorageConflictError,
  StorageInvalidObjectError,
  StorageInvalidResourceVersionError,
  StorageKeyExistsError,
  StorageKeyNotFoundError,
  StorageResourceVersionTooLargeError,
} from '../../../core/index.js';
import type { StorageFixture } from './contract-helpers.js';
import { freshScope, podObject, rvOf, specOf, withoutRv } from './contract-helpers.js';
import { WatchRecorder } from './watch-recorder.js';

export async function crudContract(t: Test, fx: StorageFixture): Promise<void> {
  const s = fx.storage;

  await t.test('create stores the object and stamps its revision; get reads it back as a copy', async (t) => {
    const key = `${freshScope()}/ns/a`;
    const input = podObject('a', { app: 'web' }, { n: 1 });
    const created = await s.create(key, input);
    t.same(withoutRv(created), input, 'the stored object is what was given');
    t.equal((input.metadata as Record<string, unknown>).resourceVersion, undefined, 'the input is not modified');
    const rv = rvOf(created);
    t.ok((await s.currentRevision()) >= rv, 'the store is at or past the revision of the create');
    const got = await s.get(key);
    t.same(got, created);
    specOf(got).n = 2;
    t.equal(specOf(await s.get(key)).n, 1, 'objects returned are copies');
    t.same(await s.get(key, { resourceVersion: '0' }), created, "resourceVersion '0' reads any state");
    t.same(await s.get(key, { resourceVersion: String(rv) }), created, 'resourceVersion N reads a state no older than N');
  });

  await t.test('create refuses an existing key and an object that carries a resourceVersion', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await s.create(key, podObject('a'));
    await t.rejects(s.create(key, podObject('a')), StorageKeyExistsError);
    const withRv = podObject('b');
    (withRv.metadata as Record<string, unknown>).resourceVersion = '5';
    await t.rejects(s.create(`${key}b`, withRv), StorageInvalidObjectError);
    await t.rejects(s.get(`${key}b`), StorageKeyNotFoundError, 'nothing was written');
  });

  await t.test('get: missing key, resourceVersion beyond the store, malformed resourceVersion', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await t.rejects(s.get(key), StorageKeyNotFoundError);
    await s.create(key, podObject('a'));
    const current = await s.currentRevision();
    const err = await s.get(key, { resourceVersion: String(current + 1000) }).catch((e: unknown) => e);
    t.ok(err instanceof StorageResourceVersionTooLargeError, 'too large');
    if (err instanceof StorageResourceVersionTooLargeError) t.equal(err.requestedRevision, current + 1000);
    await t.rejects(s.get(key, { resourceVersion: 'abc' }), StorageInvalidResourceVersionError);
    await t.rejects(s.get(key, { resourceVersion: '-1' }), StorageInvalidResourceVersionError);
  });

  await t.test('update: the stored resourceVersion writes, a stale one conflicts, an empty one writes unconditionally', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await t.rejects(s.update(key, podObject('a')), StorageKeyNotFoundError);
    const v1 = await s.create(key, podObject('a', {}, { n: 1 }));
    const v2 = await s.update(key, { ...v1, spec: { n: 2 } });
    t.ok(rvOf(v2) > rvOf(v1), 'a new revision');
    t.equal(specOf(v2).n, 2);
    const stale = await s.update(key, { ...v1, spec: { n: 3 } }).catch((e: unknown) => e);
    t.ok(stale instanceof StorageConflictError && stale.reason === 'ResourceVersionMismatch', 'a stale resourceVersion conflicts');
    t.equal(specOf(await s.get(key)).n, 2, 'the conflicting write changed nothing');
    const unconditional = podObject('a', {}, { n: 4 });
    const v3 = await s.update(key, unconditional);
    t.ok(rvOf(v3) > rvOf(v2));
    t.equal(specOf(await s.get(key)).n, 4);
  });

  await t.test('guaranteedUpdate: concurrent updates of one key all apply, each on the state before it', async (t) => {
    const key = `${freshScope()}/ns/counter`;
    await s.create(key, podObject('counter', {}, { n: 0 }));
    const writers = 8;
    const results = await Promise.all(
      Array.from({ length: writers }, () =>
        s.guaranteedUpdate(key, (current) => {
          const n = Number(specOf(current!).n);
          return { ...current!, spec: { n: n + 1 } };
        }),
      ),
    );
    t.equal(specOf(await s.get(key)).n, writers, 'no update was lost');
    t.equal(new Set(results.map(rvOf)).size, writers, 'each update has its own revision');
  });

  await t.test('guaranteedUpdate: preconditions on uid and resourceVersion', async (t) => {
    const key = `${freshScope()}/ns/a`;
    const v1 = await s.create(key, podObject('a'));
    const bump = (o: StorageObject | undefined): StorageObject => ({ ...o!, spec: { touched: true } });
    const uid = await s.guaranteedUpdate(key, bump, { preconditions: { uid: 'other' } }).catch((e: unknown) => e);
    t.ok(uid instanceof StorageConflictError && uid.reason === 'UIDPrecondition', 'uid mismatch conflicts');
    const v2 = await s.guaranteedUpdate(key, bump, { preconditions: { uid: 'uid-a', resourceVersion: String(rvOf(v1)) } });
    t.ok(rvOf(v2) > rvOf(v1), 'matching preconditions write');
    const rv = await s.guaranteedUpdate(key, (o) => ({ ...o!, spec: { again: true } }), { preconditions: { resourceVersion: String(rvOf(v1)) } }).catch((e: unknown) => e);
    t.ok(rv instanceof StorageConflictError && rv.reason === 'ResourceVersionPrecondition', 'resourceVersion mismatch conflicts');
  });

  await t.test('guaranteedUpdate: a missing key is NotFound, or created with ignoreNotFound', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await t.rejects(
      s.guaranteedUpdate(key, () => podObject('a')),
      StorageKeyNotFoundError,
    );
    let seen: StorageObject | undefined | 'unset' = 'unset';
    const created = await s.guaranteedUpdate(
      key,
      (current) => {
        seen = current;
        return podObject('a', {}, { made: true });
      },
      { ignoreNotFound: true },
    );
    t.equal(seen, undefined, 'tryUpdate saw no current object');
    t.same(specOf(await s.get(key)), { made: true });
    t.equal(rvOf(await s.get(key)), rvOf(created));
  });

  await t.test('guaranteedUpdate: an unchanged object writes nothing and keeps its resourceVersion', async (t) => {
    const key = `${freshScope()}/ns/a`;
    const v1 = await s.create(key, podObject('a', {}, { n: 1 }));
    const same = await s.guaranteedUpdate(key, (current) => current!);
    t.equal(rvOf(same), rvOf(v1));
    const sameByUpdate = await s.update(key, v1);
    t.equal(rvOf(sameByUpdate), rvOf(v1), 'update() of an identical object too');
    t.equal(rvOf(await s.get(key)), rvOf(v1));
  });

  await t.test('guaranteedUpdate: what tryUpdate throws comes back unchanged', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await s.create(key, podObject('a'));
    class Refused extends Error {}
    const refusal = new Refused('no');
    const err = await s.guaranteedUpdate(key, () => Promise.reject(refusal)).catch((e: unknown) => e);
    t.equal(err, refusal);
  });

  await t.test('delete returns the last state at the deleting revision; honours preconditions and validateDeletion', async (t) => {
    const key = `${freshScope()}/ns/a`;
    await t.rejects(s.delete(key), StorageKeyNotFoundError);
    const v1 = await s.create(key, podObject('a', {}, { last: 'state' }));
    const uid = await s.delete(key, { preconditions: { uid: 'other' } }).catch((e: unknown) => e);
    t.ok(uid instanceof StorageConflictError && uid.reason === 'UIDPrecondition');
    class Refused extends Error {}
    const refusal = new Refused('in use');
    let validated: StorageObject | undefined;
    const refused = await s
      .delete(key, {
        validateDeletion: (o) => {
          validated = o;
          throw refusal;
        },
      })
      .catch((e: unknown) => e);
    t.equal(refused, refusal, 'validateDeletion refuses');
    t.equal(rvOf(validated!), rvOf(v1), 'validateDeletion saw the current state');
    t.ok(await s.get(key), 'still there');
    const deleted = await s.delete(key, { preconditions: { uid: 'uid-a', resourceVersion: String(rvOf(v1)) }, validateDeletion: () => undefined });
    t.same(specOf(deleted), { last: 'state' }, 'the last state');
    t.ok(rvOf(deleted) > rvOf(v1), 'stamped with the deleting revision');
    t.ok((await s.currentRevision()) >= rvOf(deleted));
    await t.rejects(s.get(key), StorageKeyNotFoundError);
  });

  await t.test('count counts the keys of a collection only', async (t) => {
    const scope = freshScope();
    for (const n of ['a', 'b', 'c']) await s.create(`${scope}/pods/ns/${n}`, podObject(n));
    await s.create(`${scope}/podsx/ns/d`, podObject('d'));
    t.equal(await s.count(`${scope}/pods`), 3);
    t.equal(await s.count(`${scope}/pods/`), 3);
    t.equal(await s.count(`${scope}/pods/ns`), 3);
    t.equal(await s.count(`${scope}/none`), 0);
  });

  await t.test('an object created with a TTL is deleted when it expires', async (t) => {
    const key = `${freshScope()}/events/ns/e`;
    const created = await s.create(key, podObject('e'), { ttlSeconds: 1 });
    const w = new WatchRecorder(fx.waitMs);
    const watch = await s.watch(key, { resourceVersion: String(rvOf(created)), recursive: false }, w.onEvent, w.onError);
    t.teardown(() => watch.stop());
    await fx.elapse(2_000);
    const e = await w.next();
    t.equal(e.type, 'DELETED');
    await t.rejects(s.get(key), StorageKeyNotFoundError);
  });

  await t.test('compact: repeating it is a no-op; beyond the store is too large', async (t) => {
    await s.create(`${freshScope()}/ns/a`, podObject('a'));
    const current = await s.currentRevision();
    await s.compact(current);
    await s.compact(current);
    await s.compact(current - 1);
    await t.rejects(s.compact(current + 1000), StorageResourceVersionTooLargeError);
  });
}
