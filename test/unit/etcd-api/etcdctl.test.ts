// The etcd API against the real etcdctl 3.4 (ETCDCTL_API=3), over a FakeKvStore: every command
// a user of Flotilla's store would reach for, and the errors etcdctl must print as it does for etcd.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { FAKE_CLUSTER_ID, FAKE_MEMBER_ID } from './fake-store.js';
import type { EtcdctlResult, Harness } from './harness.js';
import { ETCDCTL_SKIP, etcdctl, startEtcdctl, startServer, waitUntil } from './harness.js';

const hex = (n: number): string => n.toString(16);
const show = (args: readonly string[]): string => args.map((a) => (a.length > 24 ? `${a.slice(0, 20)}…` : a)).join(' ');

/** Runs etcdctl and expects it to succeed; returns stdout. */
async function ok(t: Test, h: Harness, args: readonly string[], input?: string): Promise<string> {
  const r = await etcdctl(t, h, args, input === undefined ? {} : { input });
  t.equal(r.code, 0, `etcdctl ${show(args)} exits 0${r.code === 0 ? '' : `; stderr: ${r.stderr}`}`);
  return r.stdout;
}

/** Runs etcdctl and expects it to fail; returns the result. */
async function fails(t: Test, h: Harness, args: readonly string[], opts: { input?: string } = {}): Promise<EtcdctlResult> {
  const r = await etcdctl(t, h, args, opts);
  t.not(r.code, 0, `etcdctl ${show(args)} fails`);
  return r;
}

/** etcdctl's last "Error: …" line. */
const errorLine = (r: EtcdctlResult): string => r.stderr.split('\n').filter((l) => l.startsWith('Error:')).at(-1) ?? r.stderr;

void t.test('put and get: prefix, revision, limit, sort, keys-only, json', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  t.equal(await ok(t, h, ['put', 'foo', 'bar']), 'OK\n');
  await ok(t, h, ['put', 'foo2', 'baz']);
  await ok(t, h, ['put', 'zoo', 'z']);
  await ok(t, h, ['put', 'foo', 'bar2']); // revision 5; foo was bar at 4

  t.equal(await ok(t, h, ['get', 'foo']), 'foo\nbar2\n');
  t.equal(await ok(t, h, ['get', 'foo', '--prefix']), 'foo\nbar2\nfoo2\nbaz\n');
  t.equal(await ok(t, h, ['get', 'foo', '--rev=4']), 'foo\nbar\n', '--rev reads history');
  t.equal(await ok(t, h, ['get', 'foo', '--rev=1']), '', 'before the key existed');
  t.equal(await ok(t, h, ['get', '', '--prefix', '--limit=2']), 'foo\nbar2\nfoo2\nbaz\n');
  t.equal(await ok(t, h, ['get', '', '--prefix', '--sort-by=KEY', '--order=DESCEND']), 'zoo\nz\nfoo2\nbaz\nfoo\nbar2\n');
  t.equal(await ok(t, h, ['get', '', '--prefix', '--sort-by=MODIFY', '--order=DESCEND', '--limit=1']), 'foo\nbar2\n');
  t.equal(await ok(t, h, ['get', 'f', '--prefix', '--keys-only']), 'foo\n\nfoo2\n\n');
  t.equal(await ok(t, h, ['get', 'foo2', '--from-key', '--print-value-only']), 'baz\nz\n');

  const json = JSON.parse(await ok(t, h, ['get', 'f', '--prefix', '--limit=1', '-w', 'json'])) as {
    header: { cluster_id: number; member_id: number; revision: number; raft_term: number };
    kvs: { key: string; value: string; create_revision: number; mod_revision: number; version: number; lease?: number }[];
    more: boolean;
    count: number;
  };
  t.same(json.header, { cluster_id: FAKE_CLUSTER_ID, member_id: FAKE_MEMBER_ID, revision: 5, raft_term: 2 }, 'uint64 ids survive the wire');
  t.equal(json.count, 2);
  t.equal(json.more, true);
  t.same(json.kvs, [{ key: Buffer.from('foo').toString('base64'), value: Buffer.from('bar2').toString('base64'), create_revision: 2, mod_revision: 5, version: 2 }], 'lease 0 is not on the wire');
});

void t.test('del: one key, --prev-kv, --prefix', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  for (const k of ['a/1', 'a/2', 'a/3', 'b']) await ok(t, h, ['put', k, `v-${k}`]);
  t.equal(await ok(t, h, ['del', 'b', '--prev-kv']), '1\nb\nv-b\n');
  t.equal(await ok(t, h, ['del', 'b']), '0\n', 'a missing key deletes nothing');
  t.equal(await ok(t, h, ['del', 'a/', '--prefix']), '3\n');
  t.equal(await ok(t, h, ['get', '', '--prefix']), '');
  t.equal(h.fake.revision, 7, 'one revision per put, one per delete that deleted');
});

void t.test('txn from stdin: compares, success and failure branches', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  await ok(t, h, ['put', 'k1', 'v1']);
  const success = await ok(t, h, ['txn'], 'value("k1") = "v1"\nversion("missing") = "0"\n\nput k2 "ok"\nget k1\n\nput k2 "fail"\n\n');
  t.equal(success, 'SUCCESS\n\nOK\n\nk1\nv1\n');
  t.equal(await ok(t, h, ['get', 'k2', '--print-value-only']), 'ok\n');

  const failure = await ok(t, h, ['txn'], 'mod("k1") > "100"\n\nput k2 "ok"\n\nput k2 "fail"\ndel k1\n\n');
  t.equal(failure, 'FAILURE\n\nOK\n\n1\n');
  t.equal(await ok(t, h, ['get', 'k2', '--print-value-only']), 'fail\n');
  t.equal(await ok(t, h, ['get', 'k1']), '');
});

void t.test('watch: events from another process, --prefix, --rev, --prev-kv; leaving cancels', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  await ok(t, h, ['put', 'w/old', 'v0']); // revision 2

  const live = startEtcdctl(t, h, ['watch', 'w/', '--prefix', '--prev-kv']);
  await waitUntil(() => h.fake.watcherCount === 1, 10_000, () => 'etcdctl watch to create its watcher');
  await ok(t, h, ['put', 'w/1', 'v1']);
  await ok(t, h, ['put', 'w/1', 'v2']);
  await ok(t, h, ['put', 'other', 'x']);
  await ok(t, h, ['del', 'w/1']);
  // etcdctl prints an event's previous pair before it; a delete's own pair has an empty value.
  const expected = 'PUT\nw/1\nv1\nPUT\nw/1\nv1\nw/1\nv2\nDELETE\nw/1\nv2\nw/1\n\n';
  await live.waitFor(expected).catch(() => undefined);
  t.equal(live.output(), expected, 'events in order, with previous values, nothing outside the prefix');

  const history = startEtcdctl(t, h, ['watch', 'w/old', '--rev=1']);
  t.equal(await history.waitFor('v0\n'), 'PUT\nw/old\nv0\n', '--rev replays history');

  await live.stop();
  await history.stop();
  await waitUntil(() => h.fake.watcherCount === 0, 10_000, () => `the store's watchers to be canceled (${h.fake.watcherCount} left)`);
  t.pass('a client that goes away cancels its watchers');
});

void t.test('watch at a compacted revision is canceled with etcd\'s reason', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  for (let i = 0; i < 4; i++) await ok(t, h, ['put', 'a', `${i}`]);
  t.equal(await ok(t, h, ['compaction', '4']), 'compacted revision 4\n');
  const r = await fails(t, h, ['watch', 'a', '--rev=2']);
  t.match(r.stdout + r.stderr, 'etcdserver: mvcc: required revision has been compacted');
  t.equal(errorLine(await fails(t, h, ['get', 'a', '--rev=2'])), 'Error: etcdserver: mvcc: required revision has been compacted');
  t.equal(await ok(t, h, ['get', 'a', '--rev=4', '--print-value-only']), '2\n', 'the compaction revision itself stays readable');
});

void t.test('lease: grant, attach, timetolive --keys, list, keep-alive, revoke', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  const granted = await ok(t, h, ['lease', 'grant', '60']);
  const id = /^lease ([0-9a-f]{16}) granted with TTL\(60s\)\n$/.exec(granted)?.[1];
  t.ok(id, `grant prints the lease id: ${granted}`);
  if (!id) return;
  await ok(t, h, ['put', 'leased', 'v', `--lease=${id}`]);
  t.match(await ok(t, h, ['lease', 'timetolive', id, '--keys']), new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\((59|60)s\\), attached keys\\(\\[leased\\]\\)\n$`));
  t.equal(await ok(t, h, ['lease', 'list']), `found 1 leases\n${id}\n`);
  t.equal(await ok(t, h, ['lease', 'keep-alive', '--once', id]), `lease ${id} keepalived with TTL(60)\n`);

  const keeper = startEtcdctl(t, h, ['lease', 'keep-alive', id]);
  t.match(await keeper.waitFor('keepalived'), `lease ${id} keepalived with TTL(60)`);
  await keeper.stop();

  t.equal(await ok(t, h, ['lease', 'revoke', id]), `lease ${id} revoked\n`);
  t.equal(await ok(t, h, ['get', 'leased']), '', 'revoking deletes the attached keys');
  t.equal(await ok(t, h, ['lease', 'timetolive', id]), `lease ${id} already expired\n`);
  t.equal(errorLine(await fails(t, h, ['lease', 'keep-alive', '--once', id])), 'Error: etcdserver: requested lease not found');
});

void t.test('member list, add (learner), promote, update, remove', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  t.equal(await ok(t, h, ['member', 'list']), `${hex(FAKE_MEMBER_ID)}, started, fake, http://127.0.0.1:2380, http://${h.endpoint}, false\n`);
  const added = await ok(t, h, ['member', 'add', 'n2', '--peer-urls=http://10.0.0.2:2380', '--learner']);
  const newId = /Member\s+([0-9a-f]+) added to cluster\s+([0-9a-f]+)/.exec(added);
  t.ok(newId, added);
  if (!newId?.[1]) return;
  t.equal(newId[2], hex(FAKE_CLUSTER_ID));
  t.match(added, 'ETCD_INITIAL_CLUSTER="fake=http://127.0.0.1:2380,n2=http://10.0.0.2:2380"');
  t.match(await ok(t, h, ['member', 'list']), `${newId[1]}, unstarted, , http://10.0.0.2:2380, , true`);
  t.match(await ok(t, h, ['member', 'promote', newId[1]]), new RegExp(`Member +${newId[1]} promoted in cluster +${hex(FAKE_CLUSTER_ID)}`));
  t.equal(errorLine(await fails(t, h, ['member', 'promote', newId[1]])), 'Error: etcdserver: can only promote a learner member');
  t.match(await ok(t, h, ['member', 'update', newId[1], '--peer-urls=http://10.0.0.3:2380']), new RegExp(`Member +${newId[1]} updated in cluster +${hex(FAKE_CLUSTER_ID)}`));
  t.match(await ok(t, h, ['member', 'list']), `${newId[1]}, unstarted, , http://10.0.0.3:2380, , false`);
  t.match(await ok(t, h, ['member', 'remove', newId[1]]), new RegExp(`Member +${newId[1]} removed from cluster +${hex(FAKE_CLUSTER_ID)}`));
  t.equal(errorLine(await fails(t, h, ['member', 'remove', newId[1]])), 'Error: etcdserver: member not found');
  t.equal(h.fake.members.length, 1);
});

void t.test('endpoint status and health, alarms, defrag, hashkv, move-leader', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  await ok(t, h, ['put', 'a', '1']);
  const [status] = JSON.parse(await ok(t, h, ['endpoint', 'status', '-w', 'json'])) as { Endpoint: string; Status: { header: { member_id: number }; version: string; leader: number; raftTerm: number; dbSize: number } }[];
  t.equal(status?.Endpoint, h.endpoint);
  t.equal(status?.Status.header.member_id, FAKE_MEMBER_ID);
  t.equal(status?.Status.leader, FAKE_MEMBER_ID);
  t.equal(status?.Status.version, '3.4.0');
  t.ok((status?.Status.dbSize ?? 0) > 0);
  const [health] = JSON.parse(await ok(t, h, ['endpoint', 'health', '-w', 'json'])) as { endpoint: string; health: boolean }[];
  t.same({ endpoint: health?.endpoint, health: health?.health }, { endpoint: h.endpoint, health: true });

  t.equal(await ok(t, h, ['alarm', 'list']), '');
  h.fake.raiseAlarm('NOSPACE');
  t.equal(await ok(t, h, ['alarm', 'list']), `memberID:${FAKE_MEMBER_ID} alarm:NOSPACE \n`);
  t.equal(await ok(t, h, ['alarm', 'disarm']), `memberID:${FAKE_MEMBER_ID} alarm:NOSPACE \n`);
  t.equal(await ok(t, h, ['alarm', 'list']), '');

  t.match(await ok(t, h, ['defrag']), `Finished defragmenting etcd member[${h.endpoint}]`);
  const [hashkv] = JSON.parse(await ok(t, h, ['endpoint', 'hashkv', '-w', 'json'])) as { HashKV: { hash: number } }[];
  t.equal(hashkv?.HashKV.hash, (await h.fake.hashKV(0)).hash);
  t.match(await ok(t, h, ['move-leader', hex(FAKE_MEMBER_ID)]), 'Leadership transferred');
});

void t.test('compaction', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  for (let i = 0; i < 3; i++) await ok(t, h, ['put', 'c', `${i}`]);
  t.equal(await ok(t, h, ['compaction', '3']), 'compacted revision 3\n');
  t.equal(h.fake.compactRevision, 3);
  t.equal(errorLine(await fails(t, h, ['compaction', '3'])), 'Error: etcdserver: mvcc: required revision has been compacted');
  t.equal(errorLine(await fails(t, h, ['compaction', '99'])), 'Error: etcdserver: mvcc: required revision is a future revision');
});

void t.test('snapshot save: the store\'s bytes, padded to pages, with the SHA-256 etcdctl checks', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t, { store: { snapshotChunkBytes: 100 } });
  for (let i = 0; i < 20; i++) await ok(t, h, ['put', `snap/${i}`, 'x'.repeat(i * 10)]);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-etcd-snapshot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'snap.db');
  const r = await etcdctl(t, h, ['snapshot', 'save', path]);
  t.equal(r.code, 0, `snapshot save exits 0${r.code === 0 ? '' : `; stderr: ${r.stderr}`}`);
  t.equal(r.stdout, `Snapshot saved at ${path}\n`);
  const saved = readFileSync(path);
  const expected = h.fake.snapshotBytes();
  t.equal(saved.length % 512, 32, 'whole pages and a digest');
  t.same(saved.subarray(0, expected.length), expected, 'the store\'s snapshot, unchanged');
  t.ok(saved.subarray(expected.length, saved.length - 32).every((b) => b === 0), 'zero padding');
  t.same(saved.subarray(saved.length - 32), createHash('sha256').update(saved.subarray(0, saved.length - 32)).digest());
});

void t.test('errors print etcd\'s messages', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  t.equal(errorLine(await fails(t, h, ['put', '', 'v'])), 'Error: etcdserver: key is not provided');
  t.equal(errorLine(await fails(t, h, ['get', ''])), 'Error: etcdserver: key is not provided');
  // Over the 1.5 MiB limit but under etcdctl's own 2 MiB send limit; argv cannot carry it, stdin can.
  t.equal(errorLine(await fails(t, h, ['put', 'big'], { input: 'x'.repeat(1_600_000) })), 'Error: etcdserver: request is too large');
  t.equal(await ok(t, h, ['put', 'big'], 'x'.repeat(1_500_000)), 'OK\n', 'a value under the limit is taken');
  t.equal(errorLine(await fails(t, h, ['put', 'k', 'v', '--lease=1234abcd'])), 'Error: etcdserver: requested lease not found');
  t.equal(errorLine(await fails(t, h, ['lease', 'revoke', '1234abcd'])), 'Error: failed to revoke lease (etcdserver: requested lease not found)');
  t.equal(errorLine(await fails(t, h, ['put', 'nokey', '--ignore-value'])), 'Error: etcdserver: key not found');
});

void t.test('auth is disabled: credentials are ignored, enabling needs a root user', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  await ok(t, h, ['put', 'a', '1']);
  t.equal(await ok(t, h, ['--user', 'root:secret', 'get', 'a']), 'a\n1\n', 'Authenticate answers "not enabled" and the client goes on without a token');
  t.equal(errorLine(await fails(t, h, ['auth', 'enable'])), 'Error: etcdserver: root user does not exist');
  t.equal(await ok(t, h, ['auth', 'disable']), 'Authentication Disabled\n');
  t.equal(await ok(t, h, ['user', 'list']), '');
  t.equal(await ok(t, h, ['role', 'list']), '');
  t.equal(errorLine(await fails(t, h, ['user', 'get', 'bob'])), 'Error: etcdserver: user name not found');
  t.equal(errorLine(await fails(t, h, ['role', 'get', 'r'])), 'Error: etcdserver: role name not found');
  t.match(errorLine(await fails(t, h, ['user', 'add', 'bob', '--new-user-password=x'])), 'code = Unimplemented');
});

void t.test('the client\'s deadline reaches the store', { skip: ETCDCTL_SKIP }, async (t) => {
  const h = await startServer(t);
  await ok(t, h, ['--command-timeout=3s', 'put', 'a', '1']);
  const deadline = h.fake.lastDeadlineMs ?? 0;
  t.ok(deadline > 1500 && deadline <= 3000, `deadline ${deadline} ms from --command-timeout=3s`);
});
