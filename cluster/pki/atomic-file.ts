/**
 * File primitives for the PKI directory. Writes are atomic (a reader sees the old content or the
 * new, never half of it) and secrets are created with their final mode, never readable by others
 * even for a moment.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { PkiFileError } from './errors.js';

/** Largest PKI file we read (certificates, keys, tokens, kubeconfig are all far smaller). */
export const MAX_PKI_FILE_BYTES = 1024 * 1024;
/** Mode of private keys, tokens and kubeconfigs. */
export const SECRET_FILE_MODE = 0o600;
/** Mode of certificates: public. */
export const PUBLIC_FILE_MODE = 0o644;

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** The file's text, or undefined when it does not exist; PkiFileError when it cannot be read. */
export async function readPkiFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new PkiFileError(path, 'not a regular file');
    if (info.size > MAX_PKI_FILE_BYTES) throw new PkiFileError(path, `larger than ${MAX_PKI_FILE_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof PkiFileError) throw err;
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new PkiFileError(path, `cannot read: ${errorCode(err) ?? String(err)}`, { cause: err });
  }
}

/** Writes a sibling temp file with `mode`, flushed to disk, and returns its path. */
async function writeTemp(path: string, data: string, mode: number): Promise<string> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  // open's mode is filtered by the umask; the final mode must not be.
  await chmod(temp, mode);
  return temp;
}

/** Replaces `path` atomically with `data` (rename over the old file). */
export async function writePkiFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = await writeTemp(path, data, mode);
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new PkiFileError(path, `cannot write: ${errorCode(err) ?? String(err)}`, { cause: err });
  }
}

/**
 * Creates `path` atomically with `data` unless it exists (hard link of a complete temp file, which
 * fails rather than replace). Returns false, writing nothing, when `path` already exists.
 */
export async function createPkiFileExclusive(path: string, data: string, mode: number): Promise<boolean> {
  const temp = await writeTemp(path, data, mode);
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw new PkiFileError(path, `cannot create: ${errorCode(err) ?? String(err)}`, { cause: err });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
