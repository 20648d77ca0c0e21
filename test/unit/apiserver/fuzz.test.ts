// A seeded fuzzer against an in-process API server: every answer must come from a server that is
// still up, no answer may be a 5xx, every error must be a well-formed Status, and objects stored
// before the fuzzing must be exactly as they were after it.
// FUZZ_SEED=<n> replays a run; FUZZ_REQUESTS=<n> runs longer.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { asRecord, at, startTestApiServer, statusProblem } from './harness.js';
import type { RawResponse, TestApiServer } from './harness.js';
import { FUZZ_NAMESPACE, FUZZ_TARGET_NAME, PROTECTED_NAMESPACE, fuzzRequest, validManifest } from './fuzz-requests.js';
import type { FuzzRequest } from './fuzz-requests.js';

const DEFAULT_FUZZ_SEED = 0x5eed_2025;
const DEFAULT_FUZZ_REQUESTS = 2_000;
/** Every this many requests, one carries a body over the 3 MiB limit. */
const OVERSIZED_BODY_EVERY = 400;
/** Every this many requests, /healthz must answer ok. */
const HEALTH_CHECK_EVERY = 100;
/** Failures listed in the assertion message (the rest are counted). */
const FAILURES_SHOWN = 15;
const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : DEFAULT_FUZZ_SEED;
const requestCount = process.env.FUZZ_REQUESTS !== undefined ? Number(process.env.FUZZ_REQUESTS) : DEFAULT_FUZZ_REQUESTS;

interface Stored {
  readonly path: string;
  readonly object: unknown;
}

/** Kinds stored in the protected namespace, by collection path. */
const PROTECTED_KINDS: readonly { readonly kind: string; readonly collection: string }[] = [
  { kind: 'Deployment', collection: `/apis/apps/v1/namespaces/${PROTECTED_NAMESPACE}/deployments` },
  { kind: 'StatefulSet', collection: `/apis/apps/v1/namespaces/${PROTECTED_NAMESPACE}/statefulsets` },
  { kind: 'Pod', collection: `/api/v1/namespaces/${PROTECTED_NAMESPACE}/pods` },
  { kind: 'ConfigMap', collection: `/api/v1/namespaces/${PROTECTED_NAMESPACE}/configmaps` },
  { kind: 'Secret', collection: `/api/v1/namespaces/${PROTECTED_NAMESPACE}/secrets` },
  { kind: 'Service', collection: `/api/v1/namespaces/${PROTECTED_NAMESPACE}/services` },
  { kind: 'Job', collection: `/apis/batch/v1/namespaces/${PROTECTED_NAMESPACE}/jobs` },
  { kind: 'Lease', collection: `/apis/coordination.k8s.io/v1/namespaces/${PROTECTED_NAMESPACE}/leases` },
];

/** The kinds the fuzzer's updates and patches find a `target` of. */
const TARGET_COLLECTIONS: readonly { readonly kind: string; readonly collection: string }[] = [
  ...PROTECTED_KINDS.map((k) => ({ kind: k.kind, collection: k.collection.replace(`/namespaces/${PROTECTED_NAMESPACE}/`, `/namespaces/${FUZZ_NAMESPACE}/`) })),
  { kind: 'DaemonSet', collection: `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/daemonsets` },
  { kind: 'CronJob', collection: `/apis/batch/v1/namespaces/${FUZZ_NAMESPACE}/cronjobs` },
  { kind: 'EndpointSlice', collection: `/apis/discovery.k8s.io/v1/namespaces/${FUZZ_NAMESPACE}/endpointslices` },
  { kind: 'Node', collection: '/api/v1/nodes' },
];

async function mustCreate(s: TestApiServer, collection: string, object: object): Promise<RawResponse> {
  const res = await s.request({ method: 'POST', path: collection, body: object });
  if (res.status !== 201) throw new Error(`setup: POST ${collection} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

async function seedObjects(s: TestApiServer): Promise<Stored[]> {
  for (const ns of [PROTECTED_NAMESPACE, FUZZ_NAMESPACE]) await mustCreate(s, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const k of TARGET_COLLECTIONS) await mustCreate(s, k.collection, validManifest(k.kind, FUZZ_TARGET_NAME));
  const stored: Stored[] = [];
  for (const k of PROTECTED_KINDS) {
    const res = await mustCreate(s, k.collection, validManifest(k.kind, `kept-${k.kind.toLowerCase()}`));
    const path = `${k.collection}/kept-${k.kind.toLowerCase()}`;
    stored.push({ path, object: res.json });
  }
  const ns = await s.request({ path: `/api/v1/namespaces/${PROTECTED_NAMESPACE}` });
  stored.push({ path: `/api/v1/namespaces/${PROTECTED_NAMESPACE}`, object: ns.json });
  return stored;
}

/** What is wrong with one answer; undefined when nothing is. */
function problemWith(req: FuzzRequest, res: RawResponse): string | undefined {
  if (res.status >= 500) {
    // A resourceVersion ahead of the store is kube's 504 Timeout ("Too large resource version"), not a failure.
    const tooLarge = res.status === 504 && at(res.json, 'reason') === 'Timeout' && String(at(res.json, 'message')).includes('Too large resource version');
    if (!tooLarge) return `answered ${res.status}: ${res.text.slice(0, 300)}`;
  }
  if (res.status >= 400 && req.method !== 'HEAD') {
    const problem = statusProblem(res);
    if (problem !== undefined) return `answered ${res.status} without a proper Status (${problem})`;
  }
  if (res.status >= 200 && res.status < 300 && req.method !== 'HEAD' && String(res.headers['content-type']).startsWith('application/json') && res.text !== '' && res.json === undefined) {
    return `answered ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`;
  }
  return undefined;
}

function oversizedRequest(rng: SeededRandom): FuzzRequest {
  const size = MAX_REQUEST_BODY_BYTES + 1 + rng.int(1024 * 1024);
  const body = Buffer.alloc(size, rng.chance(0.5) ? ' ' : 'a');
  const type = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json'][rng.int(4)]!;
  const isPatch = type.includes('patch');
  return {
    method: isPatch ? 'PATCH' : 'POST',
    path: isPatch ? `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/${FUZZ_TARGET_NAME}` : `/api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps`,
    headers: { 'Content-Type': type },
    body,
    label: `oversized ${type} body of ${size} bytes`,
  };
}

void t.test(`fuzzing the API (seed ${seed}, ${requestCount} requests): no crash, no 5xx, every error a Status, nothing lost`, async (t) => {
  t.comment(`FUZZ_SEED=${seed} FUZZ_REQUESTS=${requestCount} replays this run`);
  const s = await startTestApiServer({ seed });
  t.teardown(() => s.close());
  const before = await seedObjects(s);
  const rng = new SeededRandom(seed);
  const failures: string[] = [];
  const codes = new Map<number, number>();

  for (let i = 0; i < requestCount; i++) {
    const req = i % OVERSIZED_BODY_EVERY === OVERSIZED_BODY_EVERY / 2 ? oversizedRequest(rng) : fuzzRequest(rng, i);
    let res: RawResponse;
    try {
      res = await s.request({ method: req.method, path: req.path, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}), stopStreams: true });
    } catch (err) {
      failures.push(`#${i} ${req.method} ${req.path.slice(0, 200)} [${req.label}]: no answer: ${String(err)}`);
      continue;
    }
    codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
    const problem = problemWith(req, res);
    if (problem !== undefined) failures.push(`#${i} ${req.method} ${req.path.slice(0, 200)} [${req.label}] ${problem}`);
    if (req.label.startsWith('oversized') && res.status !== 413) failures.push(`#${i} ${req.label} answered ${res.status}, not 413`);
    if (i % HEALTH_CHECK_EVERY === 0) {
      const health = await s.request({ path: '/healthz' });
      if (health.status !== 200 || health.text !== 'ok') failures.push(`#${i} /healthz answered ${health.status} ${health.text}`);
    }
  }
  t.comment(`answers by code: ${[...codes.entries()].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(' ')}`);

  const shown = failures.slice(0, FAILURES_SHOWN).join('\n');
  t.equal(failures.length, 0, `FUZZ_SEED=${seed}: ${failures.length} bad answers\n${shown}`);
  const logged = s.errorsLogged.filter((e) => !e.includes('Too large resource version'));
  t.same(logged, [], `FUZZ_SEED=${seed}: the server logged request failures`);
  t.ok((codes.get(201) ?? 0) + (codes.get(200) ?? 0) > 0, 'some fuzzed requests were valid and succeeded (the fuzzer is not only noise)');
  t.ok([...codes.keys()].some((c) => c === 422), 'some fuzzed requests reached validation (422)');

  for (const b of before) {
    const now = await s.request({ path: b.path });
    t.same(now.json, b.object, `FUZZ_SEED=${seed}: ${b.path} is unchanged`);
  }
  for (const k of PROTECTED_KINDS) {
    const list = await s.request({ path: k.collection });
    const names = (at(list.json, 'items') as unknown[]).map((item) => at(item, 'metadata.name'));
    t.same(names, [`kept-${k.kind.toLowerCase()}`], `FUZZ_SEED=${seed}: nothing was added to or removed from ${k.collection}`);
  }

  // The server still does ordinary work.
  const health = await s.request({ path: '/healthz' });
  t.equal(health.status, 200, '/healthz answers after the fuzzing');
  // In `default`, which no request can delete (the fuzzer may legitimately delete its own namespace).
  const created = await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { metadata: { name: 'after-fuzz' }, data: { a: 'b' } } });
  t.equal(created.status, 201, 'a valid create succeeds after the fuzzing');
  const read = await s.request({ path: '/api/v1/namespaces/default/configmaps/after-fuzz' });
  t.same(asRecord(read.json).data, { a: 'b' }, 'and reads back');
});
