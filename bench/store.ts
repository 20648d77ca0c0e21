import { randomBytes } from 'node:crypto';
import { EtcdClient } from '../transport/index.js';

export interface StoreBenchOptions {
  /** host:port of each member; clients are spread over them round-robin. */
  readonly endpoints: readonly string[];
  readonly clients: number;
  readonly total: number;
  readonly valSize: number;
  readonly op: 'put' | 'range' | 'txn';
  /** Range consistency: linearizable (ReadIndex) or serializable (local). */
  readonly serializable: boolean;
  /** Channels per endpoint shared by the clients (etcd's --conns). */
  readonly conns?: number;
}

export interface StoreBenchResult {
  readonly ops: number;
  readonly errors: number;
  /** How many errors of each message (the first few distinct ones), to say what failed. */
  readonly errorKinds?: Readonly<Record<string, number>>;
  readonly qps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly seconds: number;
}

/** Distinct error messages counted; further kinds count in `errors` only. */
const MAX_ERROR_KINDS = 5;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * Drives `total` requests through `clients` concurrent clients, like etcd's benchmark tool:
 * put (unique keys), range (one key, linearizable or serializable) or txn (a put in a txn).
 * Latency is measured per request from send to response.
 */
export async function runStoreBench(o: StoreBenchOptions): Promise<StoreBenchResult> {
  const conns = Math.max(1, o.conns ?? 1);
  const channels: EtcdClient[] = [];
  for (let c = 0; c < conns; c++) for (let e = 0; e < o.endpoints.length; e++) channels.push(new EtcdClient({ endpoints: [o.endpoints[e]!], timeoutMs: 10_000 }));
  const value = randomBytes(o.valSize);
  const rangeKey = Buffer.from('bench-range-key');
  if (o.op === 'range') await channels[0]!.put({ key: rangeKey, value });
  const lat = new Float64Array(o.total);
  let issued = 0;
  let done = 0;
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const prefix = `bench-${Date.now().toString(36)}-`;
  const worker = async (w: number): Promise<void> => {
    const client = channels[w % channels.length]!;
    for (;;) {
      const n = issued++;
      if (n >= o.total) return;
      const t0 = performance.now();
      try {
        if (o.op === 'put') {
          await client.put({ key: Buffer.from(prefix + n), value });
        } else if (o.op === 'txn') {
          await client.txn({ compare: [], success: [{ requestPut: { key: Buffer.from(prefix + n), value } }], failure: [] });
        } else {
          await client.range({ key: rangeKey, serializable: o.serializable });
        }
      } catch (err) {
        errors++;
        // Numbers (timings, addresses) vary from one error to the next; the kind is the rest.
        const kind = (err instanceof Error ? err.message : String(err)).replace(/\d+(\.\d+)?/g, 'N');
        if (kind in errorKinds || Object.keys(errorKinds).length < MAX_ERROR_KINDS) errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
      lat[done++] = performance.now() - t0;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.clients }, (_, w) => worker(w)));
  const seconds = (performance.now() - t0) / 1000;
  for (const c of channels) c.close();
  const sorted = lat.subarray(0, done).sort();
  return {
    ops: done,
    errors,
    ...(errors > 0 ? { errorKinds } : {}),
    qps: Math.round(done / seconds),
    p50Ms: +percentile(sorted, 0.5).toFixed(3),
    p90Ms: +percentile(sorted, 0.9).toFixed(3),
    p99Ms: +percentile(sorted, 0.99).toFixed(3),
    seconds: +seconds.toFixed(2),
  };
}
