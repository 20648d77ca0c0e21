import { Duplex, PassThrough } from 'node:stream';
import t from 'tap';
import { awaitReadyLine } from '../../../actors/index.js';

/** A socket-pair end as the worker sees it: what the child writes comes out of `toWorker`. */
function pair(): { stream: Duplex; child: PassThrough } {
  const child = new PassThrough();
  const stream = Duplex.from({ readable: child, writable: new PassThrough() });
  return { stream, child };
}

void t.test('resolves on the whole line, split across chunks, with what came before it', async (t) => {
  const { stream, child } = pair();
  const result = awaitReadyLine(stream, 'ready');
  child.write('warming up\nrea');
  child.write('dy\n');
  t.same(await result, { ready: true, said: 'warming up\nready' });
  t.notOk(stream.destroyed, 'the stream stays open for an answer');
});

void t.test('the end before the line is not ready, and carries the error the child wrote', async (t) => {
  const { stream, child } = pair();
  const result = awaitReadyLine(stream, 'ready');
  child.end('mkfifo: cannot create fifo: File exists\n');
  t.same(await result, { ready: false, said: 'mkfifo: cannot create fifo: File exists' });
});

void t.test('a line that only starts or ends with it is not the line', async (t) => {
  const { stream, child } = pair();
  const result = awaitReadyLine(stream, 'ready');
  child.end('ready-not\nnot-ready\n');
  t.equal((await result).ready, false);
});

void t.test('gives up after the timeout', async (t) => {
  const { stream } = pair();
  const t0 = Date.now();
  const r = await awaitReadyLine(stream, 'ready', 50);
  t.equal(r.ready, false);
  t.ok(Date.now() - t0 >= 45);
});
