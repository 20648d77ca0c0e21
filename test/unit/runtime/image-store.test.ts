import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ImageImportError, ImageNotFoundError, ImageStore, InvalidImageNameError, parseImageReference } from '../../../actors/index.js';

const clock = { now: () => 1_700_000_000_000 };

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-img-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

void t.test('references normalise Docker Hub prefixes and default the tag', (t) => {
  t.same(parseImageReference('nginx'), { name: 'nginx', tag: 'latest' });
  t.same(parseImageReference('docker.io/library/nginx:1.25'), { name: 'nginx', tag: '1.25' });
  t.same(parseImageReference('library/nginx'), { name: 'nginx', tag: 'latest' });
  t.same(parseImageReference('docker.io/bitnami/redis:7'), { name: 'bitnami/redis', tag: '7' });
  t.same(parseImageReference('registry.local:5000/team/app:v2'), { name: 'registry.local:5000/team/app', tag: 'v2' });
  t.same(parseImageReference('localhost/app'), { name: 'localhost/app', tag: 'latest' });
  const digest = `sha256:${'a'.repeat(64)}`;
  t.same(parseImageReference(`app@${digest}`), { name: 'app', tag: 'latest', digest });
  for (const bad of ['', 'Upper/case', 'app:', 'app:-x', 'a b', 'app@sha256:short', 'app//x', '-app']) {
    t.throws(() => parseImageReference(bad), InvalidImageNameError, JSON.stringify(bad));
  }
  t.end();
});

void t.test('shipped images resolve under any tag, with distinct ids per tag', async (t) => {
  const store = new ImageStore(tempDir(t), clock);
  const echo = await store.resolve('flotilla/echo');
  t.equal(echo.manifest.ref, 'flotilla/echo:latest');
  t.equal(echo.rootDir, undefined);
  t.equal(echo.manifest.entrypoint[0], process.execPath);
  t.ok(fs.existsSync(echo.manifest.entrypoint.at(-1)!), 'the compiled program exists');
  const v2 = await store.resolve('docker.io/flotilla/echo:v2');
  t.not(v2.manifest.id, echo.manifest.id);
  t.same((await store.resolve('flotilla/shell')).manifest.cmd, ['/bin/sh']);
  await t.rejects(store.resolve('flotilla/nope'), ImageNotFoundError);
  await t.rejects(store.resolve('NOPE'), InvalidImageNameError);
  t.end();
});

void t.test('import a directory and a tarball; list, resolve by tag and by digest, replace, remove', async (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(src, 'bin', 'hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  const store = new ImageStore(path.join(dir, 'images'), clock);
  const m = await store.importImage('team/hello:1.0', src, { entrypoint: ['/bin/hello'], env: ['A=1'] });
  t.match(m.id, /^sha256:[0-9a-f]{64}$/);
  t.equal(m.ref, 'team/hello:1.0');
  t.equal(m.sizeBytes, fs.statSync(path.join(src, 'bin', 'hello')).size);
  const r = await store.resolve('docker.io/team/hello:1.0');
  t.same(r.manifest, m);
  t.ok(fs.existsSync(path.join(r.rootDir!, 'bin', 'hello')));
  t.same((await store.resolve(`team/hello@${m.id}`)).manifest.id, m.id);
  t.equal(await store.status('team/hello:2.0'), undefined);

  const tarball = path.join(dir, 'img.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', src, '.']);
  const fromTar = await store.importImage('team/hello:tar', tarball, { entrypoint: ['/bin/hello'], env: ['A=1'] });
  t.equal(fromTar.id, m.id, 'same content and config, same id');
  t.same((await store.list()).map((x) => x.ref), ['team/hello:1.0', 'team/hello:tar']);

  fs.writeFileSync(path.join(src, 'bin', 'hello'), '#!/bin/sh\necho changed\n', { mode: 0o755 });
  const replaced = await store.importImage('team/hello:1.0', src, { entrypoint: ['/bin/hello'], env: ['A=1'] });
  t.not(replaced.id, m.id);
  t.equal((await store.resolve('team/hello:1.0')).manifest.id, replaced.id);
  t.equal(fs.readdirSync(path.join(dir, 'images')).length, 2, 'no temp dirs left behind');

  t.equal(await store.removeImage('team/hello:tar'), true);
  t.equal(await store.removeImage('team/hello:tar'), false);
  await t.rejects(store.resolve('team/hello:tar'), ImageNotFoundError);

  await t.rejects(store.importImage('team/x', path.join(dir, 'missing')), ImageImportError);
  await t.rejects(store.importImage('team/x', src), ImageImportError, 'needs an entrypoint or cmd');
  await t.rejects(store.importImage('flotilla/echo', src, { cmd: ['x'] }), ImageImportError, 'shipped names are reserved');
  fs.writeFileSync(path.join(dir, 'not-a-tar.zip'), 'x');
  await t.rejects(store.importImage('team/x', path.join(dir, 'not-a-tar.zip'), { cmd: ['x'] }), ImageImportError);
  t.end();
});
