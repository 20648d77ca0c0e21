// InMemoryTransport: the RaftTransport contract without sockets, for store member tests.
import t from 'tap';
import type { Message, NodeId } from '../../../raft/index.js';
import { message } from '../../../raft/index.js';
import type { InMemoryTransport } from '../../../transport/index.js';
import { InMemoryNetwork } from '../../../transport/index.js';
import { app, seqOf, snapshotChunks, waitFor } from './helpers.js';

interface Node {
  readonly transport: InMemoryTransport;
  readonly received: Message[];
  /** How many handler calls (deliveries) there were. */
  deliveries: number;
  readonly unreachable: NodeId[];
}

async function cluster(network: InMemoryNetwork, ids: NodeId[]): Promise<Map<NodeId, Node>> {
  const nodes = new Map<NodeId, Node>();
  for (const id of ids) {
    const transport = network.transport(id);
    const node: Node = { transport, received: [], deliveries: 0, unreachable: [] };
    transport.onReceive((ms) => {
      node.deliveries++;
      node.received.push(...ms);
    });
    transport.onUnreachable((peer) => node.unreachable.push(peer));
    for (const peer of ids) if (peer !== id) transport.addPeer(peer, InMemoryNetwork.urlOf(peer));
    await transport.start();
    nodes.set(id, node);
  }
  return nodes;
}

void t.test('messages arrive in order, batched per event-loop turn, through the wire codec', async (t) => {
  const nodes = await cluster(new InMemoryNetwork(), [1, 2, 3]);
  const n1 = nodes.get(1)!;
  const n2 = nodes.get(2)!;
  const n3 = nodes.get(3)!;
  for (let i = 0; i < 100; i++) n1.transport.send([app(1, 2, i), app(1, 3, i)]);
  n1.transport.send(snapshotChunks(1, 2, 100, 40));
  await waitFor('delivery', () => n2.received.length === 103 && n3.received.length === 100);
  t.equal(n2.deliveries, 1, 'one delivery for everything sent in one turn');
  t.strictSame(n3.received.map(seqOf), Array.from({ length: 100 }, (_, i) => i));
  t.strictSame(n2.received[5], app(1, 2, 5));
  t.not(n2.received[5]!.entries[0]!.data, app(1, 2, 5).entries[0]!.data, 'payloads are decoded copies');
  t.strictSame(n2.received.slice(100).map((m) => m.snapshot!.offset), [0, 40, 80]);
  const s = n1.transport.stats().peers.find((p) => p.peerId === 2)!;
  t.equal(s.messagesSent, 103);
  t.ok(s.bytesSent > 0);
  t.equal(n2.transport.stats().peers.find((p) => p.peerId === 1)!.bytesReceived, s.bytesSent);
  for (const n of nodes.values()) await n.transport.stop();
});

void t.test('cut links, isolation and stopped members drop messages and report the peer unreachable', async (t) => {
  const network = new InMemoryNetwork();
  const nodes = await cluster(network, [1, 2, 3]);
  const [n1, n2, n3] = [nodes.get(1)!, nodes.get(2)!, nodes.get(3)!];
  network.cutLink(1, 2);
  n1.transport.send([app(1, 2, 0), app(1, 3, 0)]);
  n2.transport.send([app(2, 1, 0)]);
  await waitFor('delivery', () => n3.received.length === 1 && n1.received.length === 1);
  t.strictSame(n1.unreachable, [2], 'the cut direction reports');
  t.equal(n2.received.length, 0);
  t.strictSame(n2.unreachable, [], 'the other direction still works');

  network.heal();
  network.isolate(3);
  n1.transport.send([app(1, 2, 1), app(1, 3, 1)]);
  await waitFor('delivery', () => n2.received.length === 1);
  t.strictSame(n1.unreachable, [2, 3]);

  network.heal();
  await n3.transport.stop();
  t.doesNotThrow(() => n1.transport.send([app(1, 3, 2), message({ type: 'MsgHeartbeat', from: 1, to: 9 })]));
  await waitFor('report', () => n1.unreachable.length === 3);
  t.equal(n1.unreachable[2], 3, 'a stopped member is unreachable');
  t.equal(n1.transport.stats().messagesDroppedUnknownPeer, 1);
  t.equal(n1.transport.stats().peers.find((p) => p.peerId === 3)!.messagesDroppedUnreachable, 2);
  for (const n of nodes.values()) await n.transport.stop();
});

void t.test('a URL served by another member is refused', async (t) => {
  const network = new InMemoryNetwork();
  const nodes = await cluster(network, [1, 2]);
  const n1 = nodes.get(1)!;
  n1.transport.addPeer(5, InMemoryNetwork.urlOf(2));
  n1.transport.send([app(1, 5, 0)]);
  await waitFor('report', () => n1.unreachable.includes(5));
  t.equal(nodes.get(2)!.received.length, 0);
  for (const n of nodes.values()) await n.transport.stop();
});

void t.test('the per-peer queue is bounded within a turn', async (t) => {
  const network = new InMemoryNetwork();
  const a = network.transport(1, { queueMaxMessages: 10 });
  const b = network.transport(2);
  const got: Message[] = [];
  b.onReceive((ms) => got.push(...ms));
  const unreachable: NodeId[] = [];
  a.onUnreachable((id) => unreachable.push(id));
  a.addPeer(2, b.url);
  await a.start();
  await b.start();
  a.send(Array.from({ length: 25 }, (_, i) => app(1, 2, i)));
  await waitFor('delivery', () => got.length === 10);
  t.strictSame(got.map(seqOf), Array.from({ length: 10 }, (_, i) => 15 + i), 'the newest ten');
  t.equal(a.stats().peers[0]!.messagesDroppedOverflow, 15);
  t.strictSame(unreachable, [2], 'overflow reports the peer, as etcd does');
  await a.stop();
  await b.stop();
});
