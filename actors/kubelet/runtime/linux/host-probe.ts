// What this host lets the worker isolate: Linux, root, the util-linux/coreutils tools the launch
// scripts run, namespaces that can actually be created (root in a container without
// CAP_SYS_ADMIN cannot), and a cgroup hierarchy with the memory controller.

import { execFile } from 'node:child_process';
import { promises as fsp, constants as fsConstants } from 'node:fs';
import type { RuntimeIsolation } from '../cri.js';
import { detectCgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import { readMountInfo } from './proc-files.js';

/** Absolute paths of the programs the launch scripts run (never looked up through a container's PATH). */
export interface LinuxTools {
  readonly sh: string;
  readonly env: string;
  readonly unshare: string;
  readonly nsenter: string;
  readonly mount: string;
  readonly umount: string;
  readonly findmnt: string;
  readonly mkdir: string;
  readonly mknod: string;
  readonly cp: string;
  readonly ln: string;
  readonly touch: string;
  readonly sleep: string;
  readonly setpriv: string;
}

const TOOL_NAMES: Readonly<Record<keyof LinuxTools, string>> = {
  sh: 'sh',
  env: 'env',
  unshare: 'unshare',
  nsenter: 'nsenter',
  mount: 'mount',
  umount: 'umount',
  findmnt: 'findmnt',
  mkdir: 'mkdir',
  mknod: 'mknod',
  cp: 'cp',
  ln: 'ln',
  touch: 'touch',
  sleep: 'sleep',
  setpriv: 'setpriv',
};

/** Where tools are looked for, in order (the worker's own PATH is not trusted to be complete). */
export const LINUX_TOOL_DIRS: readonly string[] = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Longest a probe command may run before the probe counts as failed. */
export const PROBE_COMMAND_TIMEOUT_MS = 5_000;

export interface LinuxIsolationProbe {
  readonly isolation: RuntimeIsolation;
  /** Present when namespaces can be used. */
  readonly tools?: LinuxTools;
  readonly cgroups: CgroupLayout;
}

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of LINUX_TOOL_DIRS) {
    const path = `${dir}/${name}`;
    try {
      await fsp.access(path, fsConstants.X_OK);
      return path;
    } catch {
      // Try the next directory.
    }
  }
  return undefined;
}

function runProbe(file: string, args: readonly string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_COMMAND_TIMEOUT_MS }, (err, _stdout, stderr) => {
      resolve({ ok: err === null, stderr: stderr.trim() });
    });
  });
}

function unavailable(reason: string, cgroups: CgroupLayout): LinuxIsolationProbe {
  return { isolation: { namespaces: false, cgroups: 'none', reason }, cgroups };
}

/** Probes the host once; cheap enough to call at worker start. */
export async function probeLinuxIsolation(): Promise<LinuxIsolationProbe> {
  const noCgroups: CgroupLayout = { version: 'none', reason: 'not probed' };
  if (process.platform !== 'linux') return unavailable(`not Linux (${process.platform})`, noCgroups);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return unavailable('not running as root', noCgroups);

  const found: Partial<Record<keyof LinuxTools, string>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(TOOL_NAMES) as [keyof LinuxTools, string][]) {
    const path = await findTool(name);
    if (path === undefined) missing.push(name);
    else found[key] = path;
  }
  if (missing.length > 0) return unavailable(`missing tools: ${missing.join(', ')}`, noCgroups);
  const tools = found as LinuxTools;

  // `env --default-signal` (coreutils 8.31+) is what hands a container default signal dispositions.
  const envProbe = await runProbe(tools.env, ['--default-signal', 'true']);
  if (!envProbe.ok) return unavailable(`env has no --default-signal (coreutils older than 8.31): ${envProbe.stderr}`, noCgroups);
  const nsProbe = await runProbe(tools.unshare, ['--fork', '--pid', '--mount', '--uts', '--ipc', '--mount-proc', '--', tools.sh, '-c', 'exit 0']);
  if (!nsProbe.ok) return unavailable(`cannot create namespaces: ${nsProbe.stderr}`, noCgroups);

  const cgroups = await detectCgroupLayout(await readMountInfo());
  if (cgroups.version === 'none') {
    return { isolation: { namespaces: true, cgroups: 'none', reason: `limits not enforced: ${cgroups.reason}` }, tools, cgroups };
  }
  return { isolation: { namespaces: true, cgroups: cgroups.version }, tools, cgroups };
}

/** What isolation this host supports, with the reason when partial or absent (for the Node's status). */
export async function detectLinuxIsolation(): Promise<RuntimeIsolation> {
  return (await probeLinuxIsolation()).isolation;
}
