// How the HTTP layer writes a watch: what is already queued behind an event goes out in the same
// HTTP chunk (kube-apiserver flushes only once its channel is empty), so a busy watch costs one
// write per batch, not per event.
import { connect } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { KubeHttpServer } from '../../../transport/index.js';
import type { KubeWatchEvent, KubeWatchStream } from '../../../transport/index.js';

const EVENTS = 50;

function queuedStream(count: number, batching: boolean): KubeWatchStream {
  const queue: KubeWatchEvent[] = Array.from({ length: count }, (_, i) => ({ type: 'MODIFIED', object: { seq: i } }));
  const stream: KubeWatchStream = {
    next: () => Promise.resolve(queue.shift()),
    close: () => undefined,
  };
  return batching ? { ...stream, takeQueued: (max: number) => queue.splice(0, max) } : stream;
}

/** The data chunks of a chunked response, as the server framed them. */
function parseChunks(raw: string): string[] {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const chunks: string[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return chunks;
    chunks.push(body.slice(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

async function watchChunks(t: Test, batching: boolean): Promise<string[]> {
  const server = new KubeHttpServer({ handler: () => Promise.resolve({ type: 'watch', stream: queuedStream(EVENTS, batching) }) });
  const { port } = await server.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET /api/v1/configmaps?watch=true HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  return parseChunks(raw);
}

void t.test('events queued behind one another go out in one chunk, in order', async (t) => {
  const chunks = await watchChunks(t, true);
  t.equal(chunks.length, 1, 'one write for the whole queue');
  const lines = chunks.join('').split('\n').filter((l) => l !== '');
  t.same(
    lines.map((l) => (JSON.parse(l) as { object: { seq: number } }).object.seq),
    Array.from({ length: EVENTS }, (_, i) => i),
  );
});

void t.test('a stream that cannot hand over its queue is written an event at a time', async (t) => {
  const chunks = await watchChunks(t, false);
  t.equal(chunks.length, EVENTS);
  t.ok(chunks.every((c) => c.endsWith('\n') && c.indexOf('\n') === c.length - 1), 'one event per chunk');
});
