// hostPath volumes: the host's own path, checked against the volume's `type` as kubelet's
// hostPath plugin does before the pod may start.

import { constants } from 'node:fs';
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import type { HostPathVolumeSource } from '../../../core/index.js';

/** Thrown when a hostPath is not what its volume's `type` requires (or cannot be created). */
export class HostPathTypeError extends Error {
  override readonly name = 'HostPathTypeError';
  constructor(readonly path: string, readonly type: string, message: string) {
    super(message);
  }
}

type HostPathKind = 'directory' | 'file' | 'socket' | 'charDevice' | 'blockDevice' | 'other' | 'missing';

async function kindOf(path: string): Promise<HostPathKind> {
  try {
    // stat follows symlinks: a link to a directory is a directory, as Go's os.Stat sees it.
    const info = await stat(path);
    if (info.isDirectory()) return 'directory';
    if (info.isFile()) return 'file';
    if (info.isSocket()) return 'socket';
    if (info.isCharacterDevice()) return 'charDevice';
    if (info.isBlockDevice()) return 'blockDevice';
    return 'other';
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) {
      // A dangling symlink exists but is nothing usable.
      return (await lstat(path).then(() => true, () => false)) ? 'other' : 'missing';
    }
    throw error;
  }
}

function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

const EXPECTED: Partial<Record<NonNullable<HostPathVolumeSource['type']>, { kind: HostPathKind; noun: string }>> = {
  Directory: { kind: 'directory', noun: 'a directory' },
  DirectoryOrCreate: { kind: 'directory', noun: 'a directory' },
  File: { kind: 'file', noun: 'a file' },
  FileOrCreate: { kind: 'file', noun: 'a file' },
  Socket: { kind: 'socket', noun: 'a socket file' },
  CharDevice: { kind: 'charDevice', noun: 'a character device' },
  BlockDevice: { kind: 'blockDevice', noun: 'a block device' },
};

/**
 * Checks (and for the *OrCreate types, creates) the hostPath; resolves to the path. Rejects with
 * HostPathTypeError whose message is kubelet's (`hostPath type check failed: /x is not a directory`).
 * FileOrCreate does not create missing parent directories, as in Kubernetes.
 */
export async function prepareHostPath(source: HostPathVolumeSource): Promise<string> {
  const path = source.path;
  const type = source.type ?? '';
  const expected = type === '' ? undefined : EXPECTED[type];
  if (expected === undefined) return path;
  let kind = await kindOf(path);
  if (kind === 'missing' && type === 'DirectoryOrCreate') {
    await mkdir(path, { recursive: true, mode: 0o755 });
    kind = await kindOf(path);
  } else if (kind === 'missing' && type === 'FileOrCreate') {
    try {
      const handle = await open(path, constants.O_CREAT | constants.O_WRONLY, 0o644);
      await handle.close();
    } catch (error) {
      throw new HostPathTypeError(path, type, `hostPath type check failed: ${path} could not be created: ${error instanceof Error ? error.message : String(error)}`);
    }
    kind = await kindOf(path);
  }
  if (kind !== expected.kind) throw new HostPathTypeError(path, type, `hostPath type check failed: ${path} is not ${expected.noun}`);
  return path;
}
