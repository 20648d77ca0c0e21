import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  CriLogLineMerger,
  RotatingLogFile,
  decodeCriLogEntry,
  decodeCriLogFile,
  encodeCriLogEntry,
  formatRfc3339Nano,
  logFilesOldestFirst,
  parseRfc3339Nano,
  readContainerLogLines,
  type CriLogEntry,
} from '../../../actors/index.js';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const entry = (timeMs: number, text: string, tag: 'F' | 'P' = 'F', stream: 'stdout' | 'stderr' = 'stdout'): CriLogEntry => ({ stream, tag, timeMs, content: Buffer.from(text) });

async function collect(it: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l.text);
  return out;
}

void t.test('RFC 3339 nano timestamps round-trip; trimmed form drops trailing zeros', (t) => {
  t.equal(formatRfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02T03:04:05.006000000Z');
  t.equal(formatRfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 6), true), '2024-01-02T03:04:05.006Z');
  t.equal(formatRfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5), true), '2024-01-02T03:04:05Z');
  t.equal(formatRfc3339Nano(1000.0005), '1970-01-01T00:00:01.000000500Z');
  t.equal(parseRfc3339Nano('2024-01-02T03:04:05.006000000Z'), Date.UTC(2024, 0, 2, 3, 4, 5, 6));
  t.equal(parseRfc3339Nano('2024-01-02T03:04:05Z'), Date.UTC(2024, 0, 2, 3, 4, 5));
  t.equal(parseRfc3339Nano('2024-01-02T05:04:05.5+02:00'), Date.UTC(2024, 0, 2, 3, 4, 5, 500));
  t.equal(parseRfc3339Nano('yesterday'), undefined);
  t.end();
});

void t.test('entries encode as CRI lines and decode back; malformed lines are skipped', (t) => {
  const e = entry(Date.UTC(2024, 0, 1), 'hello world', 'P', 'stderr');
  const line = encodeCriLogEntry(e);
  t.equal(line.toString(), '2024-01-01T00:00:00.000000000Z stderr P hello world\n');
  t.same(decodeCriLogEntry(line.subarray(0, line.length - 1)), e);
  t.same(decodeCriLogEntry(Buffer.from('2024-01-01T00:00:00Z stdout F')), entry(Date.UTC(2024, 0, 1), ''));
  const file = Buffer.concat([line, Buffer.from('garbage\n2024-01-01T00:00:00Z stdin F x\n'), encodeCriLogEntry(entry(5, 'ok'))]);
  t.same(decodeCriLogFile(file).map((x) => x.content.toString()), ['hello world', 'ok']);
  t.end();
});

void t.test('P chunks join per stream, interleaved with the other stream', (t) => {
  const m = new CriLogLineMerger();
  t.equal(m.push(entry(1, 'ab', 'P')), undefined);
  t.same(m.push(entry(2, 'err', 'F', 'stderr'))?.content.toString(), 'err');
  const whole = m.push(entry(3, 'cd', 'F'));
  t.same([whole?.content.toString(), whole?.timeMs], ['abcd', 1]);
  m.push(entry(4, 'dangling', 'P'));
  t.same(m.flush().map((l) => l.content.toString()), ['dangling']);
  t.end();
});

void t.test('the log file rotates by size, keeping maxLogFiles files', (t) => {
  const dir = tempDir(t);
  const logPath = path.join(dir, 'c.log');
  const file = new RotatingLogFile(logPath, { maxLogFileBytes: 200, maxLogFiles: 3 });
  for (let i = 0; i < 30; i++) file.append(entry(i, `line ${i}`));
  file.close();
  t.same(logFilesOldestFirst(logPath, 3), [`${logPath}.2`, `${logPath}.1`, logPath]);
  t.same(fs.readdirSync(dir).sort(), ['c.log', 'c.log.1', 'c.log.2']);
  for (const f of fs.readdirSync(dir)) t.ok(fs.statSync(path.join(dir, f)).size <= 200, `${f} within the bound`);
  const all = logFilesOldestFirst(logPath, 3).flatMap((f) => decodeCriLogFile(fs.readFileSync(f)).map((e) => e.content.toString()));
  t.equal(all.at(-1), 'line 29');
  t.same(all, all.map((_, i) => `line ${30 - all.length + i}`), 'contiguous, oldest dropped');
  t.end();
});

void t.test('reading across rotated files: tail, since, timestamps, limitBytes', async (t) => {
  const dir = tempDir(t);
  const logPath = path.join(dir, 'c.log');
  const file = new RotatingLogFile(logPath, { maxLogFileBytes: 150, maxLogFiles: 5 });
  for (let i = 0; i < 8; i++) file.append(entry(1000 * i, `l${i}`));
  file.close();
  const src = { logPath, maxLogFiles: 5 };
  t.same(await collect(readContainerLogLines(src, {})), ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);
  t.same(await collect(readContainerLogLines(src, { tailLines: 3 })), ['l5', 'l6', 'l7']);
  t.same(await collect(readContainerLogLines(src, { sinceMs: 6000 })), ['l6', 'l7']);
  t.same(await collect(readContainerLogLines(src, { sinceMs: 2500, tailLines: 1 })), ['l7']);
  t.same(await collect(readContainerLogLines(src, { timestamps: true, tailLines: 1 })), ['1970-01-01T00:00:07Z l7']);
  t.same(await collect(readContainerLogLines(src, { limitBytes: 7 })), ['l0', 'l1', 'l']);
  t.same(await collect(readContainerLogLines({ logPath: path.join(dir, 'none.log'), maxLogFiles: 5 }, { follow: true })), [], 'no file, no writer: nothing, and no wait');
  t.end();
});
