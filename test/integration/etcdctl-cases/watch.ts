// etcdctl watch: live events in order, history replayed from --rev, --prev-kv.
import type { Test } from 'tap';
import type { EtcdctlProcess } from '../harness/index.js';
import { sleep, startEtcdctl, waitUntil } from '../harness/index.js';
import type { Case, Ctx } from './context.js';
import type { RangeJson } from './context.js';
import { currentRevision, ok, parseJson } from './context.js';

/** How long a watcher may take to print what was written. */
const WATCH_PRINT_TIMEOUT_MS = 10_000;

/** The writes every watch case observes, and what etcdctl's simple format prints for them. */
const WRITES: readonly (readonly string[])[] = [
  ['put', 'watch/a', '1'],
  ['put', 'watch/b', '2'],
  ['put', 'watch/a', '3'],
  ['del', 'watch/b'],
];
const PRINTED = 'PUT\nwatch/a\n1\nPUT\nwatch/b\n2\nPUT\nwatch/a\n3\nDELETE\nwatch/b\n\n';
const PRINTED_WITH_PREV = 'PUT\nwatch/a\n1\nPUT\nwatch/b\n2\nPUT\nwatch/a\n1\nwatch/a\n3\nDELETE\nwatch/b\n2\nwatch/b\n\n';

/** The revision of the first of WRITES (watch/a is created by it and never deleted). */
async function firstWriteRevision(t: Test, c: Ctx): Promise<number> {
  const kv = parseJson<RangeJson>(await ok(t, c, ['get', 'watch/a', '-w', 'json'])).kvs?.[0];
  t.ok(kv, 'the live watch case wrote first');
  return kv?.create_revision ?? 0;
}

/** Waits until the watcher prints `expected` (or more), then stops it; resolves to what it printed. */
async function collect(w: EtcdctlProcess, expected: string): Promise<string> {
  try {
    await w.waitFor((out) => out.length >= expected.length, WATCH_PRINT_TIMEOUT_MS);
    await sleep(200); // anything printed beyond the expected events would show up here
    return w.stdout();
  } finally {
    await w.stop();
  }
}

/**
 * Starts a live watch on watch/ and returns once it demonstrably receives events: a sync key is
 * put until the watcher prints it (etcdctl says nothing when its watch is created).
 */
async function startLiveWatch(t: Test, c: Ctx): Promise<{ w: EtcdctlProcess; offset: number }> {
  const w = startEtcdctl(['watch', 'watch/', '--prefix'], { endpoints: c.cluster.endpoints });
  let n = 0;
  await waitUntil(
    async () => {
      if (w.stdout().includes('watch/sync')) return true;
      await ok(t, c, ['put', 'watch/sync', String(n++)]);
      await sleep(150);
      return w.stdout().includes('watch/sync');
    },
    { timeoutMs: WATCH_PRINT_TIMEOUT_MS, pollMs: 0, what: () => `the watcher to print watch/sync; it printed ${JSON.stringify(w.stdout())}; stderr ${w.stderr()}` },
  );
  await sleep(300); // let the last sync events arrive before taking the offset
  return { w, offset: w.stdout().length };
}

export const WATCH_CASES: readonly Case[] = [
  {
    name: 'watch: a running watcher prints puts and a delete from another etcdctl, in order',
    run: async (t, c) => {
      const { w, offset } = await startLiveWatch(t, c);
      for (const args of WRITES) await ok(t, c, args);
      const printed = (await collect(w, w.stdout().slice(0, offset) + PRINTED)).slice(offset);
      t.equal(printed, PRINTED, 'the events, in order, and nothing else');
    },
  },
  {
    name: 'watch --rev replays history',
    run: async (t, c) => {
      const first = await firstWriteRevision(t, c);
      const w = startEtcdctl(['watch', 'watch/', '--prefix', `--rev=${first}`], { endpoints: c.cluster.endpoints });
      t.equal(await collect(w, PRINTED), PRINTED);
      const one = startEtcdctl(['watch', 'watch/a', `--rev=${first + 1}`], { endpoints: c.cluster.endpoints });
      t.equal(await collect(one, 'PUT\nwatch/a\n3\n'), 'PUT\nwatch/a\n3\n', 'one key, from a revision between its writes');
    },
  },
  {
    name: 'watch --prefix --prev-kv',
    run: async (t, c) => {
      const first = await firstWriteRevision(t, c);
      const w = startEtcdctl(['watch', 'watch/', '--prefix', '--prev-kv', `--rev=${first}`], { endpoints: c.cluster.endpoints });
      t.equal(await collect(w, PRINTED_WITH_PREV), PRINTED_WITH_PREV, 'the previous pair before each event on an existing key');
      const live = startEtcdctl(['watch', 'watch/a', '--prev-kv', `--rev=${(await currentRevision(t, c)) + 1}`], { endpoints: c.cluster.endpoints });
      await ok(t, c, ['put', 'watch/a', '4']);
      t.equal(await collect(live, 'PUT\nwatch/a\n3\nwatch/a\n4\n'), 'PUT\nwatch/a\n3\nwatch/a\n4\n', 'live, with --prev-kv');
    },
  },
];
