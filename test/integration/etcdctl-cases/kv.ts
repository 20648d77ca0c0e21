// put/get/del/txn and the request errors, as etcdctl prints them. Revisions are etcd's: an empty
// store is at revision 1, every write that changes something takes the next one.
import type { Case, RangeJson } from './context.js';
import { b64, currentRevision, fails, known, ok, parseJson } from './context.js';

export const KV_CASES: readonly Case[] = [
  {
    name: 'a fresh cluster is at revision 1; the first put makes revision 2',
    run: async (t, c) => {
      const base = known(c, 'revisionBase');
      const empty = parseJson<RangeJson>(await ok(t, c, ['get', 'first', '-w', 'json']));
      t.equal(empty.header.revision, 1, 'header revision of an empty store', base);
      t.equal(empty.kvs, undefined, 'no kvs');
      t.equal(empty.count, undefined, 'count 0 is omitted');
      t.equal(await ok(t, c, ['put', 'first', 'v']), 'OK\n');
      const got = parseJson<RangeJson>(await ok(t, c, ['get', 'first', '-w', 'json']));
      t.equal(got.header.revision, 2, 'the first put makes revision 2', base);
      t.same(got.kvs, [{ key: b64('first'), value: b64('v'), create_revision: 2, mod_revision: 2, version: 1 }], 'create and mod revision 2, version 1', base);
      t.equal(await ok(t, c, ['get', 'first', '--rev=1']), '', 'nothing at revision 1', base);
    },
  },
  {
    name: 'put and get: prefix, --rev, --limit, --sort-by, --keys-only, --from-key, -w json',
    run: async (t, c) => {
      const r0 = await currentRevision(t, c);
      for (const [k, v] of [
        ['kv/foo', 'bar'],
        ['kv/foo2', 'baz'],
        ['kv/zoo', 'z'],
        ['kv/foo', 'bar2'],
      ] as const) {
        t.equal(await ok(t, c, ['put', k, v]), 'OK\n');
      }
      t.equal(await currentRevision(t, c), r0 + 4, 'one revision per put');
      t.equal(await ok(t, c, ['get', 'kv/foo']), 'kv/foo\nbar2\n');
      t.equal(await ok(t, c, ['get', 'kv/foo', '--prefix']), 'kv/foo\nbar2\nkv/foo2\nbaz\n');
      t.equal(await ok(t, c, ['get', 'kv/foo', `--rev=${r0 + 1}`]), 'kv/foo\nbar\n', '--rev reads history');
      t.equal(await ok(t, c, ['get', 'kv/foo', `--rev=${r0 + 3}`]), 'kv/foo\nbar\n');
      t.equal(await ok(t, c, ['get', 'kv/foo', `--rev=${r0}`]), '', 'before the key existed');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--limit=2']), 'kv/foo\nbar2\nkv/foo2\nbaz\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--sort-by=KEY', '--order=DESCEND']), 'kv/zoo\nz\nkv/foo2\nbaz\nkv/foo\nbar2\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--sort-by=MODIFY', '--order=DESCEND', '--limit=1']), 'kv/foo\nbar2\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--sort-by=CREATE', '--order=DESCEND']), 'kv/zoo\nz\nkv/foo2\nbaz\nkv/foo\nbar2\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--sort-by=VERSION', '--order=DESCEND', '--limit=1']), 'kv/foo\nbar2\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--sort-by=VALUE', '--order=ASCEND']), 'kv/foo\nbar2\nkv/foo2\nbaz\nkv/zoo\nz\n');
      t.equal(await ok(t, c, ['get', 'kv/', '--prefix', '--keys-only']), 'kv/foo\n\nkv/foo2\n\nkv/zoo\n\n');
      t.equal(await ok(t, c, ['get', 'kv/foo2', '--from-key', '--limit=2', '--print-value-only']), 'baz\nz\n');
      t.equal(await ok(t, c, ['get', 'kv/foo', 'kv/zoo', '--print-value-only']), 'bar2\nbaz\n', 'a range [key, end)');

      const json = parseJson<RangeJson>(await ok(t, c, ['get', 'kv/', '--prefix', '--limit=1', '-w', 'json']));
      t.equal(json.header.revision, r0 + 4);
      t.ok(json.header.raft_term > 0, 'raft_term');
      t.equal(json.count, 3);
      t.equal(json.more, true);
      t.same(json.kvs, [{ key: b64('kv/foo'), value: b64('bar2'), create_revision: r0 + 1, mod_revision: r0 + 4, version: 2 }], 'create_revision, mod_revision, version');
      const missing = parseJson<RangeJson>(await ok(t, c, ['get', 'kv/none', '-w', 'json']));
      t.same({ kvs: missing.kvs, count: missing.count, more: missing.more }, { kvs: undefined, count: undefined, more: undefined }, 'a missing key: no kvs, count or more');
      t.equal(await ok(t, c, ['put', 'kv/foo', 'bar3', '--prev-kv']), 'OK\nkv/foo\nbar2\n', 'put --prev-kv prints the previous pair');
    },
  },
  {
    name: 'del: one key, --prev-kv, a missing key, --prefix',
    run: async (t, c) => {
      for (const k of ['del/a/1', 'del/a/2', 'del/a/3', 'del/b']) await ok(t, c, ['put', k, `v-${k}`]);
      const r0 = await currentRevision(t, c);
      t.equal(await ok(t, c, ['del', 'del/b', '--prev-kv']), '1\ndel/b\nv-del/b\n');
      t.equal(await currentRevision(t, c), r0 + 1);
      t.equal(await ok(t, c, ['del', 'del/b']), '0\n', 'a missing key deletes nothing');
      t.equal(await currentRevision(t, c), r0 + 1, 'a delete that deleted nothing takes no revision');
      t.equal(await ok(t, c, ['del', 'del/a/', '--prefix']), '3\n');
      t.equal(await currentRevision(t, c), r0 + 2, 'one revision for the whole range');
      t.equal(await ok(t, c, ['get', 'del/', '--prefix']), '');
      t.equal(await ok(t, c, ['get', 'del/a/2', `--rev=${r0 + 1}`]), 'del/a/2\nv-del/a/2\n', 'history survives the delete');
      await ok(t, c, ['put', 'del/a/1', 'again']);
      const again = parseJson<RangeJson>(await ok(t, c, ['get', 'del/a/1', '-w', 'json']));
      t.same(again.kvs?.map((kv) => [kv.create_revision, kv.mod_revision, kv.version]), [[r0 + 3, r0 + 3, 1]], 'a re-created key starts a new generation: version 1');
    },
  },
  {
    name: 'txn from stdin: compares on value, version, create, mod; success and failure branches',
    run: async (t, c) => {
      await ok(t, c, ['put', 'txn/k1', 'v1']);
      const k1 = parseJson<RangeJson>(await ok(t, c, ['get', 'txn/k1', '-w', 'json'])).kvs?.[0];
      t.ok(k1, 'txn/k1 exists');
      const created = k1?.create_revision ?? 0;
      const r0 = await currentRevision(t, c);

      const success = await ok(t, c, ['txn'], { stdin: 'value("txn/k1") = "v1"\nversion("txn/missing") = "0"\n\nput txn/k2 "ok"\nget txn/k1\n\nput txn/k2 "fail"\n\n' });
      t.equal(success, 'SUCCESS\n\nOK\n\ntxn/k1\nv1\n');
      t.equal(await ok(t, c, ['get', 'txn/k2', '--print-value-only']), 'ok\n');
      t.equal(await currentRevision(t, c), r0 + 1);

      const failure = await ok(t, c, ['txn'], { stdin: `create("txn/k1") = "${created}"\nmod("txn/k1") > "${r0 + 100}"\n\nput txn/k2 "ok2"\n\nput txn/k2 "fail"\ndel txn/k1\n\n` });
      t.equal(failure, 'FAILURE\n\nOK\n\n1\n', 'the failure branch runs when any compare fails');
      t.equal(await ok(t, c, ['get', 'txn/', '--prefix']), 'txn/k2\nfail\n');
      t.equal(await currentRevision(t, c), r0 + 2, 'the whole branch is one revision');

      const cmp = await ok(t, c, ['txn'], { stdin: `version("txn/k2") = "2"\nmod("txn/k2") = "${r0 + 2}"\ncreate("txn/k2") < "${r0 + 2}"\nvalue("txn/k2") != "ok"\n\nget txn/k2\n\n\n` });
      t.equal(cmp, 'SUCCESS\n\ntxn/k2\nfail\n', 'version, mod, create and value compares all hold');
      t.equal(await currentRevision(t, c), r0 + 2, 'a read-only txn takes no revision');

      const json = parseJson<{ header: { revision: number }; succeeded?: boolean; responses: unknown[] }>(
        await ok(t, c, ['txn', '-w', 'json'], { stdin: 'value("txn/k2") = "nope"\n\n\nput txn/k3 "x"\n\n' }),
      );
      t.equal(json.succeeded, undefined, 'succeeded false is omitted');
      t.equal(json.header.revision, r0 + 3);
      t.equal(json.responses.length, 1);
    },
  },
  {
    name: 'errors: empty key, request too large, unknown lease, future revision',
    run: async (t, c) => {
      t.equal(await fails(t, c, ['put', '', 'v']), 'etcdserver: key is not provided');
      t.equal(await fails(t, c, ['get', '']), 'etcdserver: key is not provided');
      const tooBig = 'x'.repeat(c.maxRequestBytes + 1024);
      t.equal(await fails(t, c, ['put', 'err/big'], { stdin: tooBig }), 'etcdserver: request is too large', `a ${tooBig.length}-byte value over --max-request-bytes=${c.maxRequestBytes}`);
      const fits = 'x'.repeat(c.maxRequestBytes - 64 * 1024);
      t.equal(await ok(t, c, ['put', 'err/fits'], { stdin: fits }), 'OK\n', 'a value under the limit');
      t.equal(await ok(t, c, ['get', 'err/fits', '--print-value-only']), `${fits}\n`);
      t.equal(await fails(t, c, ['put', 'err/k', 'v', '--lease=1234']), 'etcdserver: requested lease not found');
      t.equal(await ok(t, c, ['get', 'err/k']), '', 'nothing was written');
      const rev = await currentRevision(t, c);
      t.equal(await fails(t, c, ['get', 'err/k', `--rev=${rev + 1000}`]), 'etcdserver: mvcc: required revision is a future revision');
      t.equal(await fails(t, c, ['txn'], { stdin: 'version("err/k") = "0"\n\nput err/k v --lease=1234\n\n\n' }), 'etcdserver: requested lease not found', 'in a txn too');
      t.equal(await currentRevision(t, c), rev, 'failed requests take no revision');
    },
  },
];
