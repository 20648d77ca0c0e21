/**
 * StorageKv over the etcd v3 API (EtcdClient): what the API server's storage needs, in requests
 * etcd 3.4 serves, so that the same storage runs on Flotilla's store and on a real etcd.
 *
 * Keys and values are UTF-8 (values are JSON). Writes are single txns comparing mod_revision;
 * a watch is one etcd watch with prev_kv, on its own gRPC stream (EtcdClient gives every watch
 * its own stream; watchers of one API server do not share them yet).
 */
import { randomInt } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { StorageKv, StorageKvEntry, StorageKvEvent, StorageKvRangeRequest, StorageKvRangeResult, StorageKvWatch, StorageKvWatchRequest, StorageKvWatchResponse, StorageKvWriteResult } from '../../core/index.js';
import { StorageError, StorageInternalError, StorageKvCompactedError, StorageKvFutureRevisionError, StorageUnavailableError } from '../../core/index.js';
import type { Event, KeyValue, RangeRequest, TxnResponse } from '../../raft/index.js';
import { FutureRevisionError, prefixEnd, RevisionCompactedError, StoreError } from '../../raft/index.js';
import type { EtcdClient } from '../etcd/index.js';
import { EtcdClientError } from '../etcd/index.js';

/** The part of EtcdClient the storage uses (so that a test or an in-process client can stand in). */
export type EtcdKvClient = Pick<EtcdClient, 'range' | 'txn' | 'compact' | 'leaseGrant' | 'watch' | 'close'>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** range_end "\0": every key >= key (for a prefix of only 0xff bytes, which has no end). */
const ALL_KEYS_FROM = new Uint8Array([0]);

/** etcd's messages for ErrCompacted and ErrFutureRev: clientv3 recognises errors by this text too. */
const COMPACTED_TEXT = 'required revision has been compacted';
const FUTURE_TEXT = 'required revision is a future revision';

const LEASE_EXISTS_TEXT = 'lease already exists';
/** Grants tried with fresh random ids when one is taken (2^-47 odds per try). */
const LEASE_GRANT_ATTEMPTS = 3;

/** A positive lease id that a number holds exactly (below 2^48). */
function randomLeaseId(): number {
  return randomInt(1, 2 ** 48 - 1);
}

const UNAVAILABLE_CODES: ReadonlySet<grpc.status> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

function text(b: Uint8Array): string {
  return decoder.decode(b);
}

function entry(kv: KeyValue): StorageKvEntry {
  return { key: text(kv.key), value: text(kv.value), createRevision: kv.createRevision, modRevision: kv.modRevision, lease: kv.lease };
}

function rangeEndOf(prefix: Uint8Array): Uint8Array {
  return prefixEnd(prefix) ?? ALL_KEYS_FROM;
}

/** An etcd error as a storage error: by gRPC code and etcd's message on the wire, by class in process. */
export function storageErrorFromEtcd(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (err instanceof RevisionCompactedError) return new StorageKvCompactedError(0);
  if (err instanceof FutureRevisionError) return new StorageKvFutureRevisionError(0);
  if (err instanceof StoreError && err.code === 'Unavailable') return new StorageUnavailableError(err.message, { cause: err });
  if (err instanceof EtcdClientError) {
    if (err.details.includes(COMPACTED_TEXT)) return new StorageKvCompactedError(0);
    if (err.details.includes(FUTURE_TEXT)) return new StorageKvFutureRevisionError(0);
    if (UNAVAILABLE_CODES.has(err.code)) return new StorageUnavailableError(err.message, { cause: err });
  }
  return new StorageInternalError(err instanceof Error ? err.message : String(err), { cause: err });
}

export class EtcdKv implements StorageKv {
  constructor(
    private readonly client: EtcdKvClient,
    /** Close the client with the storage. */
    private readonly ownsClient: boolean,
  ) {}

  async range(request: StorageKvRangeRequest): Promise<StorageKvRangeResult> {
    const req: RangeRequest = {
      key: bytes(request.key),
      ...(request.prefix === undefined ? {} : { rangeEnd: rangeEndOf(bytes(request.prefix)) }),
      revision: request.revision ?? 0,
      limit: request.limit ?? 0,
      serializable: request.serializable ?? false,
      countOnly: request.countOnly ?? false,
    };
    try {
      const r = await this.client.range(req);
      return { revision: r.header.revision, kvs: r.kvs.map(entry), more: r.more, count: r.count };
    } catch (err) {
      const e = storageErrorFromEtcd(err);
      if (e instanceof StorageKvFutureRevisionError) throw new StorageKvFutureRevisionError(await this.revisionOrZero());
      throw e;
    }
  }

  async putIfModRevision(key: string, value: string, expectedModRevision: number, lease: number): Promise<StorageKvWriteResult> {
    const k = bytes(key);
    const r = await this.txn({
      compare: [{ result: 'EQUAL', target: 'MOD', key: k, modRevision: expectedModRevision }],
      success: [{ requestPut: { key: k, value: bytes(value), lease } }],
      failure: [{ requestRange: { key: k } }],
    });
    return writeResult(r);
  }

  async deleteIfModRevision(key: string, expectedModRevision: number): Promise<StorageKvWriteResult> {
    const k = bytes(key);
    const r = await this.txn({
      compare: [{ result: 'EQUAL', target: 'MOD', key: k, modRevision: expectedModRevision }],
      success: [{ requestDeleteRange: { key: k } }],
      failure: [{ requestRange: { key: k } }],
    });
    return writeResult(r);
  }

  /**
   * Grants a lease under an id of our choosing: etcd picks random int64 ids, which the client's
   * number-typed int64s would round (and the put would then name a lease that does not exist).
   */
  async grantLease(ttlSeconds: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const id = randomLeaseId();
      try {
        const r = await this.client.leaseGrant(ttlSeconds, id);
        if (r.error !== undefined && r.error !== '') throw new StorageInternalError(`lease grant: ${r.error}`);
        return r.ID;
      } catch (err) {
        const message = err instanceof EtcdClientError ? err.details : err instanceof StoreError ? err.message : '';
        if (attempt < LEASE_GRANT_ATTEMPTS && message.includes(LEASE_EXISTS_TEXT)) continue;
        throw storageErrorFromEtcd(err);
      }
    }
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.compact({ revision, physical: false });
    } catch (err) {
      const e = storageErrorFromEtcd(err);
      if (e instanceof StorageKvFutureRevisionError) throw new StorageKvFutureRevisionError(await this.revisionOrZero());
      throw e;
    }
  }

  watch(request: StorageKvWatchRequest, onResponse: (r: StorageKvWatchResponse) => void, onError: (error: Error) => void): StorageKvWatch {
    const key = bytes(request.key);
    let ended = false;
    const end = (): void => {
      ended = true;
      etcdWatch.cancel();
    };
    const etcdWatch = this.client.watch(
      { key, ...(request.prefix ? { rangeEnd: rangeEndOf(key) } : {}), startRevision: request.startRevision, prevKv: true },
      (r) => {
        if (ended) return;
        if (r.canceled === true) {
          end();
          const compactRevision = r.compactRevision ?? 0;
          onResponse(compactRevision > 0 ? { kind: 'compacted', compactRevision } : { kind: 'canceled', reason: r.cancelReason ?? '' });
          return;
        }
        if (r.events.length > 0) onResponse({ kind: 'events', events: r.events.map(watchEvent) });
        else if (r.created !== true && r.fragment !== true) onResponse({ kind: 'progress', revision: r.header.revision });
      },
      (err) => {
        if (ended) return;
        end();
        onError(storageErrorFromEtcd(err));
      },
    );
    const created = etcdWatch.created.then(
      (r) => r.header.revision,
      (err: unknown) => {
        throw storageErrorFromEtcd(err);
      },
    );
    // A failed creation is also reported through onError; nobody need await this.
    created.catch(() => undefined);
    return {
      created,
      requestProgress: () => {
        if (!ended) etcdWatch.requestProgress();
      },
      cancel: () => {
        if (!ended) end();
      },
    };
  }

  close(): Promise<void> {
    if (this.ownsClient) this.client.close();
    return Promise.resolve();
  }

  private async txn(req: Parameters<EtcdKvClient['txn']>[0]): Promise<TxnResponse> {
    try {
      // Not retried on another member: a write that reached one may have been applied.
      return await this.client.txn(req);
    } catch (err) {
      throw storageErrorFromEtcd(err);
    }
  }

  /** The store's revision, for an error message; 0 when even that fails. */
  private async revisionOrZero(): Promise<number> {
    try {
      return (await this.client.range({ key: bytes('/'), countOnly: true })).header.revision;
    } catch {
      return 0;
    }
  }
}

function writeResult(r: TxnResponse): StorageKvWriteResult {
  if (r.succeeded) return { succeeded: true, revision: r.header.revision };
  const kv = r.responses[0]?.responseRange?.kvs[0];
  return { succeeded: false, current: kv === undefined ? undefined : entry(kv) };
}

function watchEvent(e: Event): StorageKvEvent {
  const prev = e.prevKv ?? undefined;
  return {
    type: e.type,
    key: text(e.kv.key),
    value: e.type === 'PUT' ? text(e.kv.value) : '',
    createRevision: e.type === 'PUT' ? e.kv.createRevision : 0,
    modRevision: e.kv.modRevision,
    // proto-loader leaves an unset message field null.
    prevValue: prev === undefined || prev === null ? undefined : text(prev.value),
  };
}
