// Which cgroup hierarchy can enforce container limits on this host, from the mount table.
// v2 when the unified hierarchy has the memory controller (a pure v2 host, /sys/fs/cgroup);
// else v1 when the memory controller has its own hierarchy (v1 or "hybrid" hosts, where a
// cgroup2 mount at /sys/fs/cgroup/unified holds no controllers).

import { readCgroupFile } from './cgroup-driver.js';
import type { CgroupV1Mounts } from './cgroup-v1.js';
import type { MountInfoEntry } from './proc-files.js';

export type CgroupLayout =
  | { readonly version: 'v1'; readonly mounts: CgroupV1Mounts }
  | { readonly version: 'v2'; readonly root: string }
  | { readonly version: 'none'; readonly reason: string };

const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;

export async function detectCgroupLayout(mounts: readonly MountInfoEntry[]): Promise<CgroupLayout> {
  for (const m of mounts) {
    if (m.fsType !== 'cgroup2') continue;
    const controllers = ((await readCgroupFile(`${m.mountPoint}/cgroup.controllers`)) ?? '').trim().split(/\s+/);
    if (controllers.includes('memory')) return { version: 'v2', root: m.mountPoint };
  }
  const found = new Map<string, string>();
  for (const m of mounts) {
    if (m.fsType !== 'cgroup') continue;
    for (const c of V1_CONTROLLERS) {
      // The first mount of a hierarchy wins; bind mounts of it elsewhere are the same hierarchy.
      if (m.superOptions.includes(c) && !found.has(c)) found.set(c, m.mountPoint);
    }
  }
  const memory = found.get('memory');
  if (memory === undefined) return { version: 'none', reason: 'no cgroup memory controller is mounted' };
  return {
    version: 'v1',
    mounts: { memory, cpu: found.get('cpu'), cpuacct: found.get('cpuacct'), pids: found.get('pids') },
  };
}
