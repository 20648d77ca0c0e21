import type { KeySpan } from './bytes.js';
import { bytesToKey, compareBytes, EMPTY_BYTES, keySpan, spanContains } from './bytes.js';
import { DuplicateKeyError, EmptyKeyError, KeyNotFoundError, StoreError, TooManyOpsError } from './errors.js';
import type { Compare, DeleteRangeRequest, KeyValue, PutRequest, RangeRequest, RequestOp, TxnRequest } from './types.js';

/**
 * Request validation (etcd's v3rpc checks, which etcd runs before proposing) and the pure parts
 * of txn semantics. The store runs the same checks when it applies, so a request that skipped
 * them is refused deterministically on every member.
 */

/** A put with ignore_value that carries a value. */
export class ValueProvidedError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: value is provided');
  }
}

/** A put with ignore_lease that carries a lease. */
export class LeaseProvidedError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: lease is provided');
  }
}

export function validateRangeRequest(r: RangeRequest): void {
  if (r.key.length === 0) throw new EmptyKeyError();
}

export function validatePutRequest(r: PutRequest): void {
  if (r.key.length === 0) throw new EmptyKeyError();
  if (r.ignoreValue === true && r.value.length !== 0) throw new ValueProvidedError();
  if (r.ignoreLease === true && (r.lease ?? 0) !== 0) throw new LeaseProvidedError();
}

export function validateDeleteRangeRequest(r: DeleteRangeRequest): void {
  if (r.key.length === 0) throw new EmptyKeyError();
}

/**
 * etcd's checkTxnRequest then checkIntervals: at most maxTxnOps compares and ops per branch
 * (a nested txn gets what its parent left), no empty keys or empty ops, and no key put twice, or
 * put and deleted, in one txn (DuplicateKeyError).
 */
export function validateTxnRequest(r: TxnRequest, maxTxnOps: number): void {
  checkTxnShape(r, maxTxnOps);
  checkIntervals(r.success);
  checkIntervals(r.failure);
}

function checkTxnShape(r: TxnRequest, maxTxnOps: number): void {
  const opc = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (opc > maxTxnOps) throw new TooManyOpsError();
  for (const c of r.compare) if (c.key.length === 0) throw new EmptyKeyError();
  for (const op of r.success) checkRequestOp(op, maxTxnOps - opc);
  for (const op of r.failure) checkRequestOp(op, maxTxnOps - opc);
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if (op.requestRange !== undefined) validateRangeRequest(op.requestRange);
  else if (op.requestPut !== undefined) validatePutRequest(op.requestPut);
  else if (op.requestDeleteRange !== undefined) validateDeleteRangeRequest(op.requestDeleteRange);
  else if (op.requestTxn !== undefined) checkTxnShape(op.requestTxn, maxTxnOps);
  else throw new KeyNotFoundError(); // etcd's answer to an empty op
}

/**
 * etcd's checkIntervals: the keys this level (and its nested txns) put, and the ranges it
 * deletes; throws DuplicateKeyError when a put meets another put or a delete. The two branches of
 * a nested txn may put the same key (only one runs).
 *
 * Unlike etcd, a delete range ending in "\0" counts as every key >= its key (etcd's interval
 * check reads it as the empty interval [key, "\0")), so a txn never writes one key twice in a
 * revision: that is an invariant of the key index.
 */
function checkIntervals(reqs: readonly RequestOp[]): { puts: Set<string>; dels: KeySpan[] } {
  const dels: KeySpan[] = [];
  for (const op of reqs) {
    const d = op.requestDeleteRange;
    if (d !== undefined) dels.push(keySpan(d.key, d.rangeEnd));
  }
  const deleted = (k: string): boolean => dels.some((span) => spanContains(span, k));
  const puts = new Set<string>();
  for (const op of reqs) {
    const t = op.requestTxn;
    if (t === undefined) continue;
    const then = checkIntervals(t.success);
    const otherwise = checkIntervals(t.failure);
    for (const k of then.puts) {
      if (puts.has(k) || deleted(k)) throw new DuplicateKeyError();
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      if ((puts.has(k) && !then.puts.has(k)) || deleted(k)) throw new DuplicateKeyError();
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of reqs) {
    const p = op.requestPut;
    if (p === undefined) continue;
    const k = bytesToKey(p.key);
    if (puts.has(k) || deleted(k)) throw new DuplicateKeyError();
    puts.add(k);
  }
  return { puts, dels };
}

/** Whether no branch, at any depth, puts or deletes (etcd's isTxnReadonly). */
export function isTxnReadOnly(r: TxnRequest): boolean {
  const readOnly = (ops: readonly RequestOp[]): boolean =>
    ops.every((op) => op.requestPut === undefined && op.requestDeleteRange === undefined && (op.requestTxn === undefined || isTxnReadOnly(op.requestTxn)));
  return readOnly(r.success) && readOnly(r.failure);
}

const ABSENT: KeyValue = { key: EMPTY_BYTES, createRevision: 0, modRevision: 0, version: 0, value: EMPTY_BYTES, lease: 0 };

/**
 * etcd's applyCompare over the KeyValues in the compare's range at the txn's start: true when
 * every one satisfies it. No key: VALUE compares fail, the others compare against zero.
 */
export function compareHolds(c: Compare, kvs: readonly KeyValue[]): boolean {
  if (kvs.length === 0) return c.target === 'VALUE' ? false : compareKV(c, ABSENT);
  for (const kv of kvs) if (!compareKV(c, kv)) return false;
  return true;
}

function compareKV(c: Compare, kv: KeyValue): boolean {
  let result: number;
  switch (c.target) {
    case 'VALUE':
      result = compareBytes(kv.value, c.value ?? EMPTY_BYTES);
      break;
    case 'CREATE':
      result = kv.createRevision - (c.createRevision ?? 0);
      break;
    case 'MOD':
      result = kv.modRevision - (c.modRevision ?? 0);
      break;
    case 'VERSION':
      result = kv.version - (c.version ?? 0);
      break;
    case 'LEASE':
      result = kv.lease - (c.lease ?? 0);
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return result === 0;
    case 'NOT_EQUAL':
      return result !== 0;
    case 'GREATER':
      return result > 0;
    case 'LESS':
      return result < 0;
  }
}
