// What the kubelet reads about its host: capacity (for the Node's capacity and allocatable) and
// current pressure figures (for its MemoryPressure, DiskPressure and PIDPressure conditions).
// An interface so tests and hollow nodes supply fixed figures instead of the real host's.

import { readFile, readdir, statfs } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, release, totalmem, version } from 'node:os';

/** The host as the kubelet reports it in Node.status.nodeInfo and capacity. */
export interface NodeHostFacts {
  readonly hostname: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** `amd64` / `arm64` … (Go's GOARCH names, as Kubernetes labels them). */
  readonly architecture: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  /** Bytes of the filesystem holding the kubelet's root dir; absent when unknown. */
  readonly ephemeralStorageBytes?: number;
}

/** Figures behind the pressure conditions, sampled on every status sync. */
export interface NodePressureSample {
  readonly memoryAvailableBytes: number;
  /** Free bytes and size of the filesystem holding the kubelet's root dir. */
  readonly diskAvailableBytes: number;
  readonly diskCapacityBytes: number;
  /** Processes on the host, and the most the kernel allows (pid_max). */
  readonly processCount: number;
  readonly processLimit: number;
}

export interface NodeHostProbe {
  facts(): Promise<NodeHostFacts>;
  sample(): Promise<NodePressureSample>;
}

/** Node's process.arch → Kubernetes' architecture names. */
export function kubernetesArchitecture(nodeArch: string): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'arm':
      return 'arm';
    default:
      return nodeArch; // arm64, ppc64, s390x, riscv64 are spelled the same.
  }
}

/** Entries of /proc scanned to count processes, at most (a bound on the scan). */
export const MAX_PROC_ENTRIES_SCANNED = 1_000_000;

async function osImage(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (pretty?.[1] !== undefined) return pretty[1];
  } catch {
    // Not every host has /etc/os-release.
  }
  return version();
}

async function processCount(): Promise<number> {
  try {
    const entries = await readdir('/proc');
    let count = 0;
    for (const name of entries.slice(0, MAX_PROC_ENTRIES_SCANNED)) if (/^\d+$/.test(name)) count++;
    return count;
  } catch {
    return 0;
  }
}

async function processLimit(): Promise<number> {
  try {
    const n = Number((await readFile('/proc/sys/kernel/pid_max', 'utf8')).trim());
    return Number.isFinite(n) && n > 0 ? n : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * The real host. `rootDir` is the kubelet's data dir (its filesystem is the node's ephemeral
 * storage); `cpuCores` and `memoryBytes` override what the host has (--cpu, --memory).
 */
export function osNodeHostProbe(rootDir: string, overrides: { readonly cpuCores?: number; readonly memoryBytes?: number } = {}): NodeHostProbe {
  return {
    async facts() {
      let ephemeralStorageBytes: number | undefined;
      try {
        const fs = await statfs(rootDir);
        ephemeralStorageBytes = fs.blocks * fs.bsize;
      } catch {
        ephemeralStorageBytes = undefined;
      }
      return {
        hostname: hostname(),
        cpuCores: overrides.cpuCores ?? Math.max(1, cpus().length),
        memoryBytes: overrides.memoryBytes ?? totalmem(),
        architecture: kubernetesArchitecture(arch()),
        kernelVersion: release(),
        osImage: await osImage(),
        ...(ephemeralStorageBytes === undefined ? {} : { ephemeralStorageBytes }),
      };
    },
    async sample() {
      let diskAvailableBytes = 0;
      let diskCapacityBytes = 0;
      try {
        const fs = await statfs(rootDir);
        diskAvailableBytes = fs.bavail * fs.bsize;
        diskCapacityBytes = fs.blocks * fs.bsize;
      } catch {
        // Unknown disk: reported as no pressure (capacity 0 below).
      }
      return { memoryAvailableBytes: freemem(), diskAvailableBytes, diskCapacityBytes, processCount: await processCount(), processLimit: await processLimit() };
    },
  };
}

/** A host that never changes: hollow nodes and tests. */
export function fixedNodeHostProbe(facts: NodeHostFacts, sample: NodePressureSample): NodeHostProbe {
  return { facts: () => Promise.resolve(facts), sample: () => Promise.resolve(sample) };
}
