import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { RuntimeStateStore, STATE_FORMAT_VERSION, writeJsonAtomic, type SandboxRecord } from '../../../actors/index.js';

void t.test('records persist atomically and load back; unreadable or foreign records are skipped', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-state-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = new RuntimeStateStore(dir);
  await store.init();
  const sandbox: SandboxRecord = {
    version: STATE_FORMAT_VERSION,
    id: 's1',
    config: { podUid: 'u', podName: 'p', podNamespace: 'default', hostname: 'p', labels: { a: 'b' }, annotations: {} },
    state: 'ready',
    createdAtMs: 5,
    ip: '10.0.0.1',
    isolation: { holderPid: 42 },
  };
  await store.saveSandbox(sandbox);
  sandbox.state = 'notready';
  await store.saveSandbox(sandbox);
  t.same(await store.loadSandboxes(), [sandbox]);
  t.same(fs.readdirSync(store.sandboxDir('s1')), ['sandbox.json'], 'no temp files left');

  fs.mkdirSync(path.join(dir, 'sandboxes', 'half-made'));
  fs.mkdirSync(path.join(dir, 'sandboxes', 'torn'));
  fs.writeFileSync(path.join(dir, 'sandboxes', 'torn', 'sandbox.json'), '{"version":1,"id":');
  fs.mkdirSync(path.join(dir, 'sandboxes', 'future'));
  fs.writeFileSync(path.join(dir, 'sandboxes', 'future', 'sandbox.json'), '{"version":99,"id":"future"}');
  t.same((await store.loadSandboxes()).map((s) => s.id), ['s1']);

  await store.deleteSandbox('s1');
  await store.deleteSandbox('s1');
  t.same(await store.loadSandboxes(), []);
  t.same(await new RuntimeStateStore(path.join(dir, 'missing')).loadContainers(), []);

  const file = path.join(dir, 'x.json');
  await Promise.all([writeJsonAtomic(file, { n: 1 }), writeJsonAtomic(file, { n: 2 })]);
  t.ok([1, 2].includes((JSON.parse(fs.readFileSync(file, 'utf8')) as { n: number }).n), 'concurrent writers never tear the file');
  t.end();
});
