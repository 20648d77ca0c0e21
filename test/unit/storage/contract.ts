/**
 * The Storage contract suite, written once and run against every implementation:
 * InMemoryStorage (test/unit/storage/in-memory.test.ts) and EtcdStorage over Flotilla's store and
 * over a real etcd 3.4 (test/integration/storage/). An expectation is what kube-apiserver's etcd3
 * store does, unless a comment says otherwise.
 *
 * Tests share one storage and keep to their own key prefix; they run one after another, since
 * the compaction tests compact the whole store.
 */
import type { Test } from 'tap';
import { crudContract } from './contract-crud.js';
import type { StorageFixture } from './contract-helpers.js';
import { listContract } from './contract-list.js';
import { watchContract } from './contract-watch.js';

export type { StorageFixture } from './contract-helpers.js';

/** Runs every contract test as a subtest of `t`, in order. */
export async function runStorageContract(t: Test, fx: StorageFixture): Promise<void> {
  await t.test('crud', (t) => crudContract(t, fx));
  await t.test('list', (t) => listContract(t, fx));
  await t.test('watch', (t) => watchContract(t, fx));
}
