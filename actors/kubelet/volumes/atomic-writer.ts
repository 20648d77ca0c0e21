// Writes a set of files into a volume directory so that a reader never sees a mix of old and
// new contents (kubelet's AtomicWriter). Layout of `targetDir`:
//
//   ..2024_05_01_10_00_00.AbC123/  the current version's files (a timestamped directory)
//   ..data -> ..2024_05_01_10_00_00.AbC123
//   key -> ..data/key              one symlink per top-level name in the payload
//
// An update writes a new timestamped directory, points `..data_tmp` at it and renames that over
// `..data` (rename is atomic), adds symlinks for new top-level names, removes names no longer in
// the payload, then removes the old directory. A reader that opens `key` resolves `..data` once,
// so it reads wholly the old or wholly the new version.

import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';

/** One file of the payload: its bytes and permission bits. */
export interface FileProjection {
  readonly data: Uint8Array;
  readonly mode: number;
}

/** Relative path (`key`, `dir/file`) → file. */
export type VolumePayload = ReadonlyMap<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';

/** Thrown for a payload path that is absolute, empty, or escapes the volume (`..`). */
export class InvalidPayloadPathError extends Error {
  override readonly name = 'InvalidPayloadPathError';
  constructor(readonly path: string, reason: string) {
    super(`invalid path ${JSON.stringify(path)}: ${reason}`);
  }
}

/** The cleaned relative path, or InvalidPayloadPathError (validatePath in kubelet). */
export function cleanPayloadPath(path: string): string {
  if (path === '') throw new InvalidPayloadPathError(path, 'must not be empty');
  if (path.startsWith('/')) throw new InvalidPayloadPathError(path, 'must be relative path');
  if (path.split('/').includes('..')) throw new InvalidPayloadPathError(path, "must not contain '..'");
  if (path.startsWith('..')) throw new InvalidPayloadPathError(path, "must not start with '..'");
  return posix.normalize(path).replace(/\/$/, '');
}

function isMissing(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

async function sameAsOnDisk(dir: string, payload: VolumePayload, existing: readonly string[]): Promise<boolean> {
  if (existing.length !== payload.size) return false;
  for (const [path, file] of payload) {
    try {
      const full = join(dir, path);
      const [bytes, info] = await Promise.all([readFile(full), stat(full)]);
      if ((info.mode & 0o7777) !== file.mode || !bytes.equals(Buffer.from(file.data))) return false;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
  return true;
}

function topLevelNames(paths: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const path of paths) names.add(path.split('/')[0] ?? path);
  return names;
}

/** `..2024_05_01_10_00_00.` — mkdtemp appends a unique suffix, as kubelet's TempDir does. */
function timestampedDirPrefix(nowMs: number): string {
  const iso = new Date(nowMs).toISOString(); // 2024-05-01T10:00:00.123Z
  return `..${iso.slice(0, 10).replaceAll('-', '_')}_${iso.slice(11, 19).replaceAll(':', '_')}.`;
}

/**
 * Makes `targetDir` hold exactly `payload`, atomically for readers. Does nothing when the
 * current version already matches (contents and modes). Resolves true when it wrote a new
 * version. Not safe to call concurrently for the same directory.
 */
export async function writeVolumePayload(targetDir: string, payload: VolumePayload, nowMs: number): Promise<boolean> {
  const cleaned = new Map<string, FileProjection>();
  for (const [path, file] of payload) cleaned.set(cleanPayloadPath(path), file);

  await mkdir(targetDir, { recursive: true, mode: 0o755 });
  const dataLink = join(targetDir, DATA_DIR);
  let oldTsDir: string | undefined;
  try {
    oldTsDir = await readlink(dataLink);
  } catch (error) {
    if (!isMissing(error) && (error as { code?: unknown }).code !== 'EINVAL') throw error;
  }
  const oldFiles = oldTsDir === undefined ? [] : await listFiles(join(targetDir, oldTsDir)).catch((error: unknown) => {
    if (isMissing(error)) return [];
    throw error;
  });
  if (oldTsDir !== undefined && (await sameAsOnDisk(join(targetDir, oldTsDir), cleaned, oldFiles))) {
    await ensureUserVisibleLinks(targetDir, topLevelNames(cleaned.keys()));
    return false;
  }

  const newTsDir = await mkdtemp(join(targetDir, timestampedDirPrefix(nowMs)));
  const newTsName = basename(newTsDir);
  await chmod(newTsDir, 0o755);
  for (const [path, file] of cleaned) {
    const full = join(newTsDir, path);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, file.data, { mode: file.mode });
    // The umask may have masked the mode at creation.
    await chmod(full, file.mode);
  }

  const tmpLink = join(targetDir, DATA_DIR_TMP);
  await rm(tmpLink, { force: true });
  await symlink(newTsName, tmpLink);
  await rename(tmpLink, dataLink);

  const newNames = topLevelNames(cleaned.keys());
  await ensureUserVisibleLinks(targetDir, newNames);
  for (const name of topLevelNames(oldFiles)) {
    if (!newNames.has(name)) await rm(join(targetDir, name), { force: true, recursive: false });
  }
  if (oldTsDir !== undefined && oldTsDir !== newTsName) await rm(join(targetDir, oldTsDir), { recursive: true, force: true });
  return true;
}

async function ensureUserVisibleLinks(targetDir: string, names: ReadonlySet<string>): Promise<void> {
  for (const name of names) {
    const link = join(targetDir, name);
    try {
      await lstat(link);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await symlink(`${DATA_DIR}/${name}`, link);
    }
  }
}
