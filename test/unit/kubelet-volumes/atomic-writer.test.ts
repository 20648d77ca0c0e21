import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { InvalidPayloadPathError, cleanPayloadPath, writeVolumePayload, type FileProjection } from '../../../actors/index.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-aw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function file(text: string, mode = 0o644): FileProjection {
  return { data: Buffer.from(text), mode };
}

void t.test('layout: timestamped dir, ..data link, user-visible links into ..data', async (t) => {
  const dir = join(tempDir(t), 'vol');
  t.equal(await writeVolumePayload(dir, new Map([['a', file('1')], ['nested/b', file('2', 0o600)]]), Date.UTC(2024, 4, 1, 10, 0, 0)), true);
  const data = readlinkSync(join(dir, '..data'));
  t.match(data, /^\.\.2024_05_01_10_00_00\./);
  t.equal(readlinkSync(join(dir, 'a')), '..data/a');
  t.equal(readlinkSync(join(dir, 'nested')), '..data/nested');
  t.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  t.equal(readFileSync(join(dir, 'nested/b'), 'utf8'), '2');
  t.equal(statSync(join(dir, 'nested/b')).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);
});

void t.test('an unchanged payload writes nothing; a change swaps versions and removes the old one', async (t) => {
  const dir = join(tempDir(t), 'vol');
  await writeVolumePayload(dir, new Map([['a', file('1')], ['gone', file('x')]]), 0);
  const first = readlinkSync(join(dir, '..data'));
  t.equal(await writeVolumePayload(dir, new Map([['a', file('1')], ['gone', file('x')]]), 1), false);
  t.equal(readlinkSync(join(dir, '..data')), first);

  t.equal(await writeVolumePayload(dir, new Map([['a', file('1', 0o600)], ['gone', file('x')]]), 2), true, 'a mode change is a change');
  const second = readlinkSync(join(dir, '..data'));
  t.not(second, first);

  t.equal(await writeVolumePayload(dir, new Map([['a', file('2')], ['new', file('n')]]), 3), true);
  t.equal(readFileSync(join(dir, 'a'), 'utf8'), '2');
  t.equal(readFileSync(join(dir, 'new'), 'utf8'), 'n');
  t.throws(() => lstatSync(join(dir, 'gone')), { code: 'ENOENT' }, 'names no longer in the payload are removed');
  const entries = readdirSync(dir).sort();
  t.same(entries.filter((e) => e.startsWith('..') && e !== '..data').length, 1, 'only the current timestamped dir remains');
  t.ok(entries.includes('..data'));
  t.notOk(entries.includes('..data_tmp'));
});

void t.test('readers see a whole version: each read during updates matches one written version', async (t) => {
  const dir = join(tempDir(t), 'vol');
  const version = (n: number): Map<string, FileProjection> => new Map([['x', file(`v${n}`)], ['y', file(`v${n}`)]]);
  await writeVolumePayload(dir, version(0), 0);
  let writing = true;
  const torn: string[] = [];
  let reads = 0;
  const reader = (async () => {
    while (writing) {
      // Resolving ..data once, as a process opening files through one snapshot of the link would.
      const current = readlinkSync(join(dir, '..data'));
      try {
        const x = readFileSync(join(dir, current, 'x'), 'utf8');
        const y = readFileSync(join(dir, current, 'y'), 'utf8');
        if (x !== y) torn.push(`${x}/${y}`);
      } catch (error) {
        // The version was retired between resolving the link and reading: not torn, just old.
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      }
      // The visible path always resolves to a complete file.
      const visible = readFileSync(join(dir, 'x'), 'utf8');
      if (!/^v\d+$/.test(visible)) torn.push(`visible ${visible}`);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  for (let n = 1; n <= 30; n++) await writeVolumePayload(dir, version(n), n);
  writing = false;
  await reader;
  t.same(torn, []);
  t.ok(reads > 0);
  t.equal(readFileSync(join(dir, 'x'), 'utf8'), 'v30');
});

void t.test('payload paths are validated', async (t) => {
  t.equal(cleanPayloadPath('a/./b'), 'a/b');
  for (const bad of ['', '/abs', '../up', 'a/../../b', '..hidden']) t.throws(() => cleanPayloadPath(bad), InvalidPayloadPathError, bad);
  const dir = join(tempDir(t), 'vol');
  await t.rejects(writeVolumePayload(dir, new Map([['../escape', file('x')]]), 0), InvalidPayloadPathError);
});
