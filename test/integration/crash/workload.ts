/**
 * Client workloads for the crash tests, run against real members over the etcd v3 API.
 *
 * RegisterWorkload: concurrent clients doing linearizable reads, writes and compare-and-set on
 * a few keys, recorded as a history for core/lincheck. How an outcome is recorded:
 *   read   ok with the value read; any error is `fail` (a read changes nothing).
 *   write  ok when acknowledged; any error is `info`: a put that reached a member may still be
 *          applied (a deadline, a connection that broke after sending, a member that stopped
 *          after proposing all look alike at the client).
 *   cas    a Txn (value == expected → put new): ok when it succeeded, `fail` when the compare
 *          failed, `info` on any error, for the same reason as a write.
 * A process whose op ended in `info` is retired (Jepsen's rule: it may still be in flight) and
 * its client goes on as a new process.
 *
 * UniqueKeyWriter: puts keys that are each written once, and remembers which were acknowledged.
 */
import { HistoryRecorder } from '../../../core/index.js';
import type { HistoryEvent } from '../../../core/index.js';
import type { EtcdClient } from '../../../transport/index.js';
import { EtcdClientError } from '../../../transport/index.js';
import { sleep } from './store-process.js';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const dec = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** A small seeded PRNG (mulberry32), so a workload's choices follow its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tallies of outcomes, by function and type. */
export type OutcomeCounts = Record<'read' | 'write' | 'cas', Record<'ok' | 'fail' | 'info', number>>;

function emptyCounts(): OutcomeCounts {
  const z = (): Record<'ok' | 'fail' | 'info', number> => ({ ok: 0, fail: 0, info: 0 });
  return { read: z(), write: z(), cas: z() };
}

/** A linearizable read of `key`: its value as a number, or null when missing. */
export async function readValue(client: EtcdClient, key: string, endpoint?: number): Promise<number | null> {
  const res = await client.range({ key: enc(key) }, endpoint);
  const kv = res.kvs[0];
  return kv ? Number(dec(kv.value)) : null;
}

export interface RegisterWorkloadOptions {
  /** One EtcdClient per concurrent client, each over all members. */
  readonly clients: readonly EtcdClient[];
  readonly keys: readonly string[];
  readonly seed: number;
  /** Pause between one client's ops (bounds the history's size on a small machine). */
  readonly thinkMs: number;
}

export class RegisterWorkload {
  readonly recorder = new HistoryRecorder();
  readonly counts = emptyCounts();
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** Next process id for a retired client or the final reads; ids never repeat. */
  private nextProcess: number;
  private nextValue = 1;
  private readonly random: () => number;

  constructor(private readonly o: RegisterWorkloadOptions) {
    this.nextProcess = o.clients.length;
    this.random = rng(o.seed);
  }

  start(): void {
    this.loops = this.o.clients.map((c, i) => this.run(c, i));
  }

  /** Stops the clients after their current op; resolves when all have. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  events(): readonly HistoryEvent[] {
    return this.recorder.events();
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  private async run(client: EtcdClient, index: number): Promise<void> {
    let process = index;
    let endpoint = index % client.endpoints.length;
    /** The last value this client saw per key: what its cas expects. */
    const seen = new Map<string, number>();
    while (!this.stopping) {
      const key = this.pick(this.o.keys);
      const dice = this.random();
      let failed = false;
      if (dice < 0.4) {
        this.recorder.invoke(process, 'read', key, null);
        try {
          const v = await readValue(client, key, endpoint);
          this.recorder.ok(process, 'read', key, v);
          this.counts.read.ok++;
          if (v !== null) seen.set(key, v);
        } catch (err) {
          this.recorder.fail(process, 'read', key, null);
          this.counts.read.fail++;
          failed = expectClientError(err);
        }
      } else if (dice < 0.7 || !seen.has(key)) {
        // A cas needs an expected value: a cas expecting "missing" cannot be expressed in etcd
        // (a VALUE compare on a missing key always fails), so without one this is a write.
        const value = this.nextValue++;
        this.recorder.invoke(process, 'write', key, value);
        try {
          await client.put({ key: enc(key), value: enc(String(value)) }, { endpoint });
          this.recorder.ok(process, 'write', key, value);
          this.counts.write.ok++;
          seen.set(key, value);
        } catch (err) {
          this.recorder.info(process, 'write', key, value);
          this.counts.write.info++;
          failed = expectClientError(err);
          process = this.nextProcess++;
        }
      } else {
        const expected = seen.get(key)!;
        const value = this.nextValue++;
        this.recorder.invoke(process, 'cas', key, [expected, value]);
        try {
          const res = await client.txn(
            {
              compare: [{ result: 'EQUAL', target: 'VALUE', key: enc(key), value: enc(String(expected)) }],
              success: [{ requestPut: { key: enc(key), value: enc(String(value)) } }],
              failure: [],
            },
            { endpoint },
          );
          if (res.succeeded) {
            this.recorder.ok(process, 'cas', key, [expected, value]);
            this.counts.cas.ok++;
            seen.set(key, value);
          } else {
            this.recorder.fail(process, 'cas', key, [expected, value]);
            this.counts.cas.fail++;
            seen.delete(key);
          }
        } catch (err) {
          this.recorder.info(process, 'cas', key, [expected, value]);
          this.counts.cas.info++;
          failed = expectClientError(err);
          process = this.nextProcess++;
        }
      }
      if (failed) {
        // Fail over to the next member, and do not spin against a dead one.
        endpoint = (endpoint + 1) % client.endpoints.length;
        await sleep(50);
      } else if (this.o.thinkMs > 0) {
        await sleep(this.o.thinkMs * (0.5 + this.random()));
      }
    }
  }

  /**
   * After recovery: one linearizable read of every key, recorded in the history (retried on
   * error, as a failed read changes nothing). Returns the values read.
   */
  async finalReads(client: EtcdClient, deadlineMs = 20_000): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    const deadline = performance.now() + deadlineMs;
    const process = this.nextProcess++;
    for (const key of this.o.keys) {
      for (;;) {
        this.recorder.invoke(process, 'read', key, null);
        try {
          const v = await readValue(client, key);
          this.recorder.ok(process, 'read', key, v);
          out.set(key, v);
          break;
        } catch (err) {
          this.recorder.fail(process, 'read', key, null);
          expectClientError(err);
          if (performance.now() > deadline) throw new Error(`final read of ${key} kept failing: ${String(err)}`);
          await sleep(200);
        }
      }
    }
    return out;
  }
}

/** Errors a client may get while members crash: gRPC statuses. Anything else is a test bug. */
function expectClientError(err: unknown): true {
  if (err instanceof EtcdClientError) return true;
  throw err;
}

/**
 * Puts `prefix<n>` for n = 0, 1, … (each key once, value `v<n>`), one at a time, rotating
 * members on errors; `acked` holds the keys whose put was acknowledged.
 */
export class UniqueKeyWriter {
  readonly acked: string[] = [];
  /** Puts that failed: their keys may or may not exist. */
  unknown = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: EtcdClient,
    readonly prefix: string,
    /** The member (index into the client's endpoints) tried first. */
    private readonly firstEndpoint = 0,
    private readonly valueBytes = 16,
  ) {}

  valueOf(n: number): string {
    return `v${n}`.padEnd(this.valueBytes, '.');
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let endpoint = this.firstEndpoint % this.client.endpoints.length;
    for (let n = 0; !this.stopping; n++) {
      const key = `${this.prefix}${n}`;
      try {
        await this.client.put({ key: enc(key), value: enc(this.valueOf(n)) }, { endpoint });
        this.acked.push(key);
      } catch (err) {
        expectClientError(err);
        this.unknown++;
        endpoint = (endpoint + 1) % this.client.endpoints.length;
        await sleep(50);
      }
    }
  }

  /** The acknowledged keys missing (or with a wrong value) in a linearizable read of the prefix. */
  async lost(client: EtcdClient = this.client): Promise<string[]> {
    const present = await readPrefix(client, this.prefix);
    return this.acked.filter((k) => present.get(k) !== this.valueOf(Number(k.slice(this.prefix.length))));
  }
}

/** Every key under `prefix` with its value: a linearizable read, or a serializable one (served by the member alone). */
export async function readPrefix(client: EtcdClient, prefix: string, opts: { serializable?: boolean } = {}): Promise<Map<string, string>> {
  const res = await client.range({ key: enc(prefix), rangeEnd: prefixEnd(prefix), serializable: opts.serializable ?? false });
  return new Map(res.kvs.map((kv) => [dec(kv.key), dec(kv.value)]));
}

/** etcd's range end for "every key with this prefix". */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = b.subarray(0, i + 1);
      end[i]!++;
      return end;
    }
  }
  return Buffer.from([0]);
}

/**
 * The whole keyspace as one member holds it (a serializable read, served from its own state):
 * key → value@modRevision. `client` must have that member as its only endpoint.
 */
export async function memberImage(client: EtcdClient): Promise<Map<string, string>> {
  const res = await client.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]), serializable: true });
  return new Map(res.kvs.map((kv) => [dec(kv.key), `${dec(kv.value)}@${kv.modRevision}`]));
}
