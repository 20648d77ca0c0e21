import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ApiLatencyRecorder, KubeconfigTargetError, loadKubeconfigTarget, nearestRankPercentile, runBounded, runOpenLoop } from '../../../bench/index.js';

void t.test('nearest-rank percentiles', (t) => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(nearestRankPercentile(sorted, 0.5), 50);
  t.equal(nearestRankPercentile(sorted, 0.99), 99);
  t.equal(nearestRankPercentile(sorted, 1), 100);
  t.equal(nearestRankPercentile(Float64Array.of(7), 0.99), 7, 'one sample is every percentile');
  t.equal(nearestRankPercentile(new Float64Array(0), 0.5), 0);
  t.end();
});

void t.test('the latency recorder grows to its bound and summarizes', (t) => {
  const r = new ApiLatencyRecorder(3000);
  for (let i = 2000; i >= 1; i--) r.record(i);
  r.errors = 2;
  t.match(r.summary(), { count: 2000, errors: 2, p50Ms: 1000, p90Ms: 1800, p99Ms: 1980, maxMs: 2000 });
  for (let i = 0; i < 1000; i++) r.record(1);
  t.throws(() => r.record(1), RangeError, 'past its bound it refuses instead of dropping samples');
  t.end();
});

void t.test('open loop: every op scheduled on a fixed timeline, errors counted apart', async (t) => {
  const scheduled: number[] = [];
  const r = await runOpenLoop({ ratePerS: 1000, count: 20 }, (i, scheduledMs) => {
    scheduled.push(scheduledMs);
    return i % 5 === 0 ? Promise.reject(new Error(`op ${i} failed`)) : Promise.resolve();
  });
  t.equal(r.started, 20);
  t.equal(r.count, 16);
  t.equal(r.errors, 4);
  t.equal(r.firstError, 'op 0 failed');
  for (let i = 1; i < scheduled.length; i++) t.ok(Math.abs(scheduled[i]! - scheduled[i - 1]! - 1) < 1e-9, `op ${i} is 1 ms after op ${i - 1}`);
  t.ok(r.rate <= 1000, 'the achieved rate is never above the schedule');
});

void t.test('open loop stops scheduling when aborted', async (t) => {
  const abort = new AbortController();
  const r = await runOpenLoop({ ratePerS: 1000, count: 1000, signal: abort.signal }, (i) => {
    if (i === 4) abort.abort();
    return Promise.resolve();
  });
  t.equal(r.started, 5);
});

void t.test('open loop holds at most maxInFlight', async (t) => {
  let inFlight = 0;
  let most = 0;
  const r = await runOpenLoop({ ratePerS: 100_000, count: 50, maxInFlight: 3 }, async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
  });
  t.equal(r.count, 50);
  t.equal(most, 3);
});

void t.test('bounded runs never exceed their concurrency', async (t) => {
  let inFlight = 0;
  let most = 0;
  const seen = new Set<number>();
  const r = await runBounded(40, 4, async (i) => {
    seen.add(i);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    if (i === 39) throw new Error('last one fails');
  });
  t.equal(seen.size, 40);
  t.equal(most, 4);
  t.equal(r.count, 39);
  t.equal(r.errors, 1);
  t.equal(r.firstError, 'last one fails');
});

void t.test('kubeconfig target: the current context, inline and file credentials', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-kubeconfig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), 'CA FROM FILE');
  writeFileSync(join(dir, 'token'), 'file-token\n');
  const path = join(dir, 'config');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: b',
      'clusters:',
      `- name: one\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: ${Buffer.from('INLINE CA').toString('base64')}`,
      '- name: two\n  cluster:\n    server: https://10.0.0.2:6443\n    certificate-authority: ca.pem',
      'users:',
      '- name: alice\n  user:\n    token: inline-token',
      '- name: bob\n  user:\n    tokenFile: token',
      'contexts:',
      '- name: a\n  context:\n    cluster: one\n    user: alice',
      '- name: b\n  context:\n    cluster: two\n    user: bob',
      '',
    ].join('\n'),
  );
  t.same(loadKubeconfigTarget(path), { servers: ['https://10.0.0.2:6443'], caPem: 'CA FROM FILE', token: 'file-token' }, 'relative files resolve next to the kubeconfig');
  const b = loadKubeconfigTarget(path);
  writeFileSync(path, readFileSync(path, 'utf8').replace('current-context: b', 'current-context: a'));
  t.same(loadKubeconfigTarget(path), { servers: ['https://10.0.0.1:6443'], caPem: 'INLINE CA', token: 'inline-token' }, 'inline data is base64');
  t.not(b.token, 'inline-token');
  writeFileSync(path, 'current-context: nowhere\ncontexts: []\n');
  t.throws(() => loadKubeconfigTarget(path), KubeconfigTargetError);
  t.throws(() => loadKubeconfigTarget(join(dir, 'missing')), KubeconfigTargetError);
  t.end();
});
