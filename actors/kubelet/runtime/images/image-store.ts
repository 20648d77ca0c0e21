// The node's local image store: a directory of imported images, plus the shipped images resolved
// in code. There is no registry: `flotilla image import` puts images here, and pulling an image
// the store lacks fails with ImageNotFoundError (ErrImagePull), as a pull from a registry would.
//
// Layout: <rootDir>/<key>/manifest.json and <rootDir>/<key>/rootfs/, key = hash of `name:tag`.
// An import builds in a temp dir and renames it into place, so readers see whole images only.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../../../raft/index.js';
import { ImageNotFoundError } from '../runtime-errors.js';
import { isBuiltinImageName, resolveBuiltinImage } from './builtin-images.js';
import type { ImageManifest, ResolvedImage } from './image-manifest.js';
import { formatImageReference, parseImageReference } from './image-reference.js';

/** Most files hashed for an image's id; an import of a bigger tree is refused. */
export const MAX_IMAGE_FILES = 200_000;

/** Thrown by ImageStore.importImage when the source cannot be imported (missing, not a directory or tarball, unpack failed). */
export class ImageImportError extends Error {
  override readonly name = 'ImageImportError';
  constructor(readonly ref: string, readonly why: string) {
    super(`cannot import image ${JSON.stringify(ref)}: ${why}`);
  }
}

export interface ImageImportOptions {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** `NAME=value` pairs. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
}

function storeKey(ref: string): string {
  return createHash('sha256').update(ref).digest('hex').slice(0, 32);
}

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('tar', args, (err, _stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve()));
  });
}

/** Hashes a tree (paths, kinds, link targets and file contents, in sorted order) and sums file sizes. */
async function hashTree(root: string, ref: string): Promise<{ digest: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let files = 0;
  let sizeBytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = (await fsp.readdir(path.join(root, rel))).sort();
    for (const name of names) {
      if (++files > MAX_IMAGE_FILES) throw new ImageImportError(ref, `more than ${MAX_IMAGE_FILES} files`);
      const r = path.posix.join(rel, name);
      const full = path.join(root, r);
      const st = await fsp.lstat(full);
      if (st.isDirectory()) {
        hash.update(`d ${r} ${st.mode & 0o7777}\n`);
        await walk(r);
      } else if (st.isSymbolicLink()) {
        hash.update(`l ${r} ${await fsp.readlink(full)}\n`);
      } else if (st.isFile()) {
        hash.update(`f ${r} ${st.mode & 0o7777} ${st.size}\n`);
        hash.update(await fsp.readFile(full));
        sizeBytes += st.size;
      }
    }
  };
  await walk('');
  return { digest: hash.digest('hex'), sizeBytes };
}

export class ImageStore {
  constructor(
    readonly rootDir: string,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** The image a reference names; rejects with InvalidImageNameError or ImageNotFoundError. */
  async resolve(refText: string): Promise<ResolvedImage> {
    const found = await this.status(refText);
    if (found === undefined) throw new ImageNotFoundError(refText);
    return found;
  }

  /** The image when present, else undefined; rejects with InvalidImageNameError for a malformed reference. */
  async status(refText: string): Promise<ResolvedImage | undefined> {
    const ref = parseImageReference(refText);
    if (isBuiltinImageName(ref.name)) return resolveBuiltinImage(ref);
    const dir = path.join(this.rootDir, storeKey(formatImageReference(ref)));
    const manifest = await this.readManifest(dir);
    if (manifest !== undefined && (ref.digest === undefined || ref.digest === manifest.id)) return { manifest, rootDir: path.join(dir, 'rootfs') };
    if (ref.digest !== undefined) {
      // `name@sha256:…` without a matching tag: any image of that name with that id.
      for (const m of await this.list()) {
        if (m.id === ref.digest && parseImageReference(m.ref).name === ref.name) return { manifest: m, rootDir: path.join(this.rootDir, storeKey(m.ref), 'rootfs') };
      }
    }
    return undefined;
  }

  /** Imported images (the shipped ones are not listed here), sorted by reference. */
  async list(): Promise<ImageManifest[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.rootDir);
    } catch {
      return [];
    }
    const out: ImageManifest[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const m = await this.readManifest(path.join(this.rootDir, name));
      if (m) out.push(m);
    }
    return out.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /**
   * Imports `source` (a directory, or a `.tar`/`.tar.gz`/`.tgz` unpacked with the host's tar) as
   * `refText`, replacing an image of the same name and tag.
   */
  async importImage(refText: string, source: string, options: ImageImportOptions = {}): Promise<ImageManifest> {
    const ref = parseImageReference(refText);
    if (ref.digest !== undefined) throw new ImageImportError(refText, 'import under a name and tag, not a digest');
    if (isBuiltinImageName(ref.name)) throw new ImageImportError(refText, `${ref.name} is a shipped image`);
    const refKey = formatImageReference(ref);
    let st;
    try {
      st = await fsp.stat(source);
    } catch {
      throw new ImageImportError(refText, `${source} does not exist`);
    }
    await fsp.mkdir(this.rootDir, { recursive: true });
    const tmp = await fsp.mkdtemp(path.join(this.rootDir, '.import-'));
    try {
      const rootfs = path.join(tmp, 'rootfs');
      if (st.isDirectory()) {
        await fsp.cp(source, rootfs, { recursive: true, verbatimSymlinks: true });
      } else if (/\.(tar\.gz|tgz)$/.test(source) || source.endsWith('.tar')) {
        await fsp.mkdir(rootfs);
        try {
          await runTar([source.endsWith('.tar') ? '-xf' : '-xzf', source, '-C', rootfs, '--no-same-owner']);
        } catch (err) {
          throw new ImageImportError(refText, `tar failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else {
        throw new ImageImportError(refText, `${source} is neither a directory nor a .tar, .tar.gz or .tgz file`);
      }
      const config = { entrypoint: options.entrypoint ?? [], cmd: options.cmd ?? [], env: options.env ?? [], workingDir: options.workingDir ?? '' };
      if (config.entrypoint.length === 0 && config.cmd.length === 0) throw new ImageImportError(refText, 'give the image an --entrypoint or a --cmd');
      const tree = await hashTree(rootfs, refText);
      const id = `sha256:${createHash('sha256').update(tree.digest).update(JSON.stringify(config)).digest('hex')}`;
      const manifest: ImageManifest = { ref: refKey, id, ...config, sizeBytes: tree.sizeBytes, createdAtMs: this.clock.now() };
      await fsp.writeFile(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const dir = path.join(this.rootDir, storeKey(refKey));
      const old = `${tmp}.old`;
      await fsp.rename(dir, old).catch(() => undefined);
      await fsp.rename(tmp, dir);
      await fsp.rm(old, { recursive: true, force: true });
      return manifest;
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /** Removes an imported image; false when there was none. */
  async removeImage(refText: string): Promise<boolean> {
    const ref = parseImageReference(refText);
    const dir = path.join(this.rootDir, storeKey(formatImageReference(ref)));
    if ((await this.readManifest(dir)) === undefined) return false;
    await fsp.rm(dir, { recursive: true, force: true });
    return true;
  }

  private async readManifest(dir: string): Promise<ImageManifest | undefined> {
    try {
      return JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8')) as ImageManifest;
    } catch {
      return undefined;
    }
  }
}
