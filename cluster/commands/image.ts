// `flotilla image import|list`: the node-local image store (<data-dir>/images), which the process
// runtime of every worker started from that data dir resolves images from.

import path from 'node:path';
import { builtinImageNames, ImageImportError, ImageStore, InvalidImageNameError } from '../../actors/index.js';
import { parseArgs, rejectUnknown, UsageError } from '../args.js';
import { clusterDir } from '../launcher/state.js';

export const IMAGE_USAGE = [
  'usage: flotilla image import NAME[:TAG] DIR|FILE.tar|FILE.tar.gz [--entrypoint CMD] [--cmd ARGS] [--workdir DIR] [--data-dir D]',
  '       flotilla image list [--data-dir D]',
  '  --entrypoint and --cmd take a JSON array (\'["/app/server","--port","80"]\') or words split on spaces.',
].join('\n');

/** A command line as an argv: a JSON array of strings, or words separated by whitespace. */
function parseCommandFlag(name: string, value: string | true | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value === true) throw new UsageError(`--${name} needs a value`);
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`--${name}: not a JSON array: ${text}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new UsageError(`--${name} must be a JSON array of strings`);
    return parsed;
  }
  return text === '' ? [] : text.split(/\s+/);
}

export async function imageCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest);
  const store = new ImageStore(path.join(clusterDir(args.flags.get('data-dir') as string | undefined), 'images'), { now: () => Date.now() });
  if (sub === 'list') {
    rejectUnknown(args, ['data-dir']);
    console.log(`${'IMAGE'.padEnd(40)} ${'ID'.padEnd(20)} SIZE`);
    for (const b of builtinImageNames()) console.log(`${`${b.name}:*`.padEnd(40)} ${'(shipped)'.padEnd(20)} ${b.about}`);
    for (const m of await store.list()) console.log(`${m.ref.padEnd(40)} ${m.id.slice(7, 19).padEnd(20)} ${m.sizeBytes}`);
    return 0;
  }
  if (sub === 'import') {
    rejectUnknown(args, ['data-dir', 'entrypoint', 'cmd', 'workdir']);
    const [ref, source, ...extra] = args.positional;
    if (ref === undefined || source === undefined || extra.length > 0) throw new UsageError('import takes NAME[:TAG] and a DIR or tarball');
    const entrypoint = parseCommandFlag('entrypoint', args.flags.get('entrypoint'));
    const cmd = parseCommandFlag('cmd', args.flags.get('cmd'));
    const workdir = args.flags.get('workdir');
    try {
      const m = await store.importImage(ref, path.resolve(source), {
        ...(entrypoint ? { entrypoint } : {}),
        ...(cmd ? { cmd } : {}),
        ...(typeof workdir === 'string' ? { workingDir: workdir } : {}),
      });
      console.log(`imported ${m.ref} ${m.id} (${m.sizeBytes} bytes)`);
      return 0;
    } catch (err) {
      if (err instanceof ImageImportError || err instanceof InvalidImageNameError) {
        console.error(`flotilla image: ${err.message}`);
        return 1;
      }
      throw err;
    }
  }
  throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`);
}
