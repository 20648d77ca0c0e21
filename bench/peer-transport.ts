/**
 * `node dist/bench/peer-transport.js`: Raft messages per second through one GrpcRaftTransport
 * link on loopback. The receiving member runs in a worker thread (its own event loop, as another
 * process would); the sender keeps at most WINDOW messages unacknowledged (a leader's in-flight
 * limit) and hands them to send() in batches of BATCH, the size of one Ready's messages.
 * Then the same link with frames cut at one message, to show what batching is worth.
 * Details on stderr; the last line on stdout is JSON.
 *
 * Env: BENCH_MESSAGES (1000000), BENCH_BATCH (256), BENCH_WINDOW (4096: the default per-peer
 * queue bound, so the queue cannot overflow), BENCH_PAYLOAD (32 bytes per entry),
 * BENCH_UNBATCHED_MESSAGES (50000; 0 skips that run).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Message } from '../raft/index.js';
import { message } from '../raft/index.js';
import { GrpcRaftTransport, PEER_QUEUE_MAX_MESSAGES } from '../transport/index.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
const WINDOW = Number(process.env.BENCH_WINDOW ?? PEER_QUEUE_MAX_MESSAGES);
const PAYLOAD_BYTES = Number(process.env.BENCH_PAYLOAD ?? 32);
const UNBATCHED_TOTAL = Number(process.env.BENCH_UNBATCHED_MESSAGES ?? 50_000);
const CLUSTER_ID = 'bench';

interface ReceiverData {
  readonly role: 'receiver';
}

/** Worker: member 2. Posts its port, then its cumulative received count after each delivery. */
async function receiver(): Promise<void> {
  const port = parentPort!;
  const transport = new GrpcRaftTransport({ selfId: 2, clusterId: CLUSTER_ID, probeIntervalMs: 0 });
  let received = 0;
  transport.onReceive((ms) => {
    received += ms.length;
    port.postMessage({ received });
  });
  const busy0 = performance.eventLoopUtilization();
  const bound = await transport.listen('http://127.0.0.1:0');
  await transport.start();
  port.on('message', (msg: { stop?: boolean }) => {
    if (msg.stop) {
      port.postMessage({ busy: performance.eventLoopUtilization(busy0).utilization });
      void transport.stop().then(() => port.close());
    }
  });
  port.postMessage({ port: bound });
}

interface Run {
  readonly messages: number;
  readonly seconds: number;
  readonly frames: number;
  readonly bytes: number;
  /** Event-loop utilization of the sender and of the receiver, 0..1: who was the bottleneck. */
  readonly senderBusy: number;
  readonly receiverBusy: number;
}

/** Sends `total` messages to the worker's member and waits until it has them all. */
async function run(total: number, frameTargetBytes: number | undefined): Promise<Run> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'receiver' } satisfies ReceiverData });
  let acked = 0;
  let receiverBusy = Number.NaN;
  let wake: (() => void) | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (msg: { port?: number; received?: number; busy?: number }) => {
      if (msg.port !== undefined) resolve(msg.port);
      if (msg.busy !== undefined) receiverBusy = msg.busy;
      if (msg.received !== undefined) {
        acked = msg.received;
        wake?.();
      }
    });
  });
  const sender = new GrpcRaftTransport({ selfId: 1, clusterId: CLUSTER_ID, probeIntervalMs: 0, ...(frameTargetBytes === undefined ? {} : { frameTargetBytes }) });
  sender.addPeer(2, `http://127.0.0.1:${port}`);
  await sender.start();

  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  const batchOf = (first: number, n: number): Message[] =>
    Array.from({ length: n }, (_, i) =>
      message({ type: 'MsgApp', from: 1, to: 2, term: 5, logTerm: 5, index: first + i, commit: first + i, entries: [{ term: 5, index: first + i + 1, type: 'normal', data: payload }] }),
    );
  // Warm the stream up (dial, JIT) before the clock starts.
  sender.send(batchOf(0, 1));
  while (acked < 1) await new Promise<void>((r) => (wake = r));
  const base = acked;

  const t0 = performance.now();
  const busy0 = performance.eventLoopUtilization();
  let sent = 0;
  while (acked - base < total) {
    // One batch per event-loop turn, as a member sends one Ready's messages per turn; the
    // window stops the sender when the receiver falls behind.
    if (sent < total && sent - (acked - base) + BATCH <= WINDOW) {
      const n = Math.min(BATCH, total - sent);
      sender.send(batchOf(sent + 1, n));
      sent += n;
      await new Promise((r) => setImmediate(r));
    } else {
      await new Promise<void>((r) => (wake = r));
    }
    const link = sender.stats().peers[0]!;
    if (link.messagesDroppedOverflow + link.messagesDroppedUnreachable > 0) throw new Error(`the link dropped messages: ${JSON.stringify(link)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const senderBusy = performance.eventLoopUtilization(busy0).utilization;
  const link = sender.stats().peers[0]!;
  await sender.stop();
  worker.postMessage({ stop: true });
  await new Promise((r) => worker.once('exit', r));
  return { messages: total, seconds, frames: link.framesSent - 1, bytes: link.bytesSent, senderBusy, receiverBusy };
}

async function main(): Promise<void> {
  const batched = await run(TOTAL, undefined);
  const rate = Math.round(batched.messages / batched.seconds);
  console.error(
    `batched: ${batched.messages} messages (${PAYLOAD_BYTES}-byte entries, send() batches of ${BATCH}, window ${WINDOW}) in ${batched.seconds.toFixed(2)} s = ${rate} msg/s; ` +
      `${batched.frames} frames (${Math.round(batched.messages / batched.frames)} messages/frame), ${(batched.bytes / batched.seconds / 2 ** 20).toFixed(1)} MiB/s; ` +
      `event loops busy: sender ${batched.senderBusy.toFixed(2)}, receiver ${batched.receiverBusy.toFixed(2)}`,
  );
  if (UNBATCHED_TOTAL > 0) {
    const single = await run(UNBATCHED_TOTAL, 1);
    console.error(
      `unbatched (one message per frame): ${single.messages} messages in ${single.seconds.toFixed(2)} s = ${Math.round(single.messages / single.seconds)} msg/s; ` +
        `event loops busy: sender ${single.senderBusy.toFixed(2)}, receiver ${single.receiverBusy.toFixed(2)}`,
    );
  }
  console.error(`rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  console.log(JSON.stringify({ messagesPerSec: rate }));
}

if (isMainThread) {
  await main();
} else if ((workerData as ReceiverData | undefined)?.role === 'receiver') {
  await receiver();
}
