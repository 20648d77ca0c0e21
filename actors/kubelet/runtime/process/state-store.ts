// The process runtime's memory on disk: one JSON file per sandbox and per container, each written
// atomically (temp file + rename), so a worker killed at any instant leaves either the old or the
// new record and a restarted runtime can re-adopt what it had.
//
// Layout under stateDir:
//   sandboxes/<sandboxId>/sandbox.json
//   containers/<containerId>/container.json, stdout.fifo, stderr.fifo, exit, container.log[.N]

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ContainerConfig, ContainerState, PodSandboxConfig, PodSandboxState } from '../cri.js';
import type { ContainerLaunchSpec, SandboxIsolationState } from './isolation-contract.js';

export const STATE_FORMAT_VERSION = 1;

export interface SandboxRecord {
  readonly version: number;
  readonly id: string;
  readonly config: PodSandboxConfig;
  state: PodSandboxState;
  readonly createdAtMs: number;
  readonly ip: string;
  readonly isolation: SandboxIsolationState;
}

/** Everything needed to re-adopt, report and clean up one container. */
export interface ContainerRecord {
  readonly version: number;
  readonly id: string;
  readonly sandboxId: string;
  readonly config: ContainerConfig;
  readonly imageId: string;
  readonly imageRootDir?: string;
  /** Entrypoint + args as resolved against the image (in the image's view of paths). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  /** How the isolation said to spawn the command (prepared at create). */
  readonly launch: ContainerLaunchSpec;
  readonly containerDir: string;
  readonly logPath: string;
  readonly exitFilePath: string;
  readonly stdoutFifoPath: string;
  readonly stderrFifoPath: string;
  state: ContainerState;
  readonly createdAtMs: number;
  startedAtMs?: number;
  finishedAtMs?: number;
  /** The exit-code wrapper's pid, which is also the container's process group id. */
  pid?: number;
  /** Field 22 of /proc/PID/stat at start: (pid, startTimeTicks) names the process across pid reuse. */
  startTimeTicks?: number;
  /** Set when the runtime sent SIGKILL to the group: the wrapper died too and wrote no exit file. */
  killedByRuntime?: boolean;
  exitCode?: number;
  reason?: string;
  message?: string;
}

let tmpCounter = 0;

/** Writes `value` as JSON to `file` so that a reader sees either the old or the new content. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(value)}\n`);
  await fsp.rename(tmp, file);
}

export class RuntimeStateStore {
  constructor(readonly stateDir: string) {}

  sandboxDir(sandboxId: string): string {
    return path.join(this.stateDir, 'sandboxes', sandboxId);
  }

  containerDir(containerId: string): string {
    return path.join(this.stateDir, 'containers', containerId);
  }

  async init(): Promise<void> {
    await fsp.mkdir(path.join(this.stateDir, 'sandboxes'), { recursive: true });
    await fsp.mkdir(path.join(this.stateDir, 'containers'), { recursive: true });
  }

  async saveSandbox(record: SandboxRecord): Promise<void> {
    await fsp.mkdir(this.sandboxDir(record.id), { recursive: true });
    await writeJsonAtomic(path.join(this.sandboxDir(record.id), 'sandbox.json'), record);
  }

  async saveContainer(record: ContainerRecord): Promise<void> {
    await fsp.mkdir(this.containerDir(record.id), { recursive: true });
    await writeJsonAtomic(path.join(this.containerDir(record.id), 'container.json'), record);
  }

  async deleteSandbox(sandboxId: string): Promise<void> {
    await fsp.rm(this.sandboxDir(sandboxId), { recursive: true, force: true });
  }

  async deleteContainer(containerId: string): Promise<void> {
    await fsp.rm(this.containerDir(containerId), { recursive: true, force: true });
  }

  async loadSandboxes(): Promise<SandboxRecord[]> {
    return this.loadAll<SandboxRecord>('sandboxes', 'sandbox.json');
  }

  async loadContainers(): Promise<ContainerRecord[]> {
    return this.loadAll<ContainerRecord>('containers', 'container.json');
  }

  /** Records that are missing or unreadable (a directory created but never written) are skipped. */
  private async loadAll<T extends { version: number }>(sub: string, file: string): Promise<T[]> {
    const out: T[] = [];
    let names: string[];
    try {
      names = await fsp.readdir(path.join(this.stateDir, sub));
    } catch {
      return out;
    }
    for (const name of names) {
      try {
        const value = JSON.parse(await fsp.readFile(path.join(this.stateDir, sub, name, file), 'utf8')) as T;
        if (value.version === STATE_FORMAT_VERSION) out.push(value);
      } catch {
        // Not a record (yet): ignored.
      }
    }
    return out;
  }
}
