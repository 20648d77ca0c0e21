/**
 * `npm run bench:raft`: committed entries per second through a 3-member cluster of Raft cores
 * joined by an instant in-memory network, with 128-byte entries. Measures the core alone
 * (no disk, no sockets): the store must never be bottlenecked by it. Last line is JSON.
 */
import { SeededRandom } from '../core/index.js';
import type { Message, NodeId } from '../raft/index.js';
import { bootstrapStorage, MemoryStorage, RawNode } from '../raft/index.js';

const ENTRY_BYTES = 128;
const TOTAL = Number(process.env.BENCH_ENTRIES ?? 2_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
/** Proposed but not yet committed entries the client keeps in flight. */
const WINDOW = 16_384;
const COMPACT_EVERY = 100_000;

const ids: NodeId[] = [1, 2, 3];
const rnd = new SeededRandom(42);
const storages = new Map<NodeId, MemoryStorage>();
const nodes = new Map<NodeId, RawNode>();
for (const id of ids) {
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: ids, learners: [] });
  storages.set(id, storage);
  nodes.set(id, new RawNode({ id, electionTick: 10, heartbeatTick: 1, storage, random: rnd.fork(), checkQuorum: true, preVote: true, maxInflightMsgs: 256 }));
}
const applied = new Map<NodeId, number>(ids.map((id) => [id, 0]));
let inbox: Message[] = [];

/** Handles every Ready (persist to memory, send, apply), then delivers messages, until quiet. */
function pump(): void {
  for (;;) {
    let busy = false;
    for (const [id, node] of nodes) {
      while (node.hasReady()) {
        busy = true;
        const rd = node.ready();
        const s = storages.get(id)!;
        if (rd.snapshot) s.applySnapshot(rd.snapshot);
        if (rd.entries.length > 0) s.append(rd.entries);
        if (rd.hardState) s.setHardState(rd.hardState);
        for (const m of rd.messages) inbox.push(m);
        const last = rd.committedEntries[rd.committedEntries.length - 1];
        if (last) applied.set(id, last.index);
        node.advance(rd);
      }
    }
    if (inbox.length === 0 && !busy) return;
    const batch = inbox;
    inbox = [];
    for (const m of batch) nodes.get(m.to)!.step(m);
  }
}

const leader = nodes.get(1)!;
leader.campaign();
pump();
if (leader.status().softState.state !== 'leader') throw new Error('node 1 did not become leader');

const payload = new Uint8Array(ENTRY_BYTES).fill(7);
const batch: Uint8Array[] = Array.from({ length: BATCH }, () => payload);
const start = leader.status().hardState.commit;
let proposed = 0;
let lastCompact = start;
const t0 = process.hrtime.bigint();
while (applied.get(1)! - start < TOTAL) {
  while (proposed < TOTAL && proposed - (applied.get(1)! - start) < WINDOW) {
    leader.propose(batch);
    proposed += BATCH;
  }
  pump();
  const minApplied = Math.min(...applied.values());
  if (minApplied - lastCompact >= COMPACT_EVERY) {
    for (const s of storages.values()) s.compact(minApplied);
    lastCompact = minApplied;
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const committed = applied.get(1)! - start;
for (const id of ids) if (applied.get(id)! < applied.get(1)! - WINDOW) throw new Error(`member ${id} fell behind`);
const entriesPerSec = Math.round(committed / seconds);
console.error(`${committed} entries of ${ENTRY_BYTES} B committed on a 3-member cluster in ${seconds.toFixed(2)} s (batch ${BATCH}); rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
console.log(JSON.stringify({ entriesPerSec }));
