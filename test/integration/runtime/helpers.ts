// Shared set-up of the process-runtime integration tests: a runtime over temp dirs, and a
// teardown that kills every process group the runtime recorded and removes the dirs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { ImageStore, NoIsolation, ProcessRuntime, realClock, type ContainerConfig, type ContainerStatus, type PodSandboxConfig } from '../../../actors/index.js';

export const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface RuntimeFixture {
  readonly dir: string;
  readonly stateDir: string;
  readonly images: ImageStore;
  newRuntime(options?: { maxLogFileBytes?: number; maxLogFiles?: number }): Promise<ProcessRuntime>;
  /** Every container pid the state dir holds (for cleanup and for faking records). */
  recordedPids(): number[];
}

/** Temp dirs and runtimes that `t.teardown` cleans: runtimes closed, recorded process groups killed, dirs removed. */
export function runtimeFixture(t: Test): RuntimeFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-rt-'));
  const stateDir = path.join(dir, 'state');
  const images = new ImageStore(path.join(dir, 'images'), realClock);
  const runtimes: ProcessRuntime[] = [];
  const recordedPids = (): number[] => {
    const out: number[] = [];
    const containers = path.join(stateDir, 'containers');
    if (!fs.existsSync(containers)) return out;
    for (const id of fs.readdirSync(containers)) {
      try {
        const r = JSON.parse(fs.readFileSync(path.join(containers, id, 'container.json'), 'utf8')) as { pid?: number };
        if (r.pid !== undefined) out.push(r.pid);
      } catch {
        // no record
      }
    }
    return out;
  };
  t.teardown(async () => {
    for (const r of runtimes) await r.close();
    for (const pid of recordedPids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    stateDir,
    images,
    recordedPids,
    async newRuntime(options = {}) {
      const rt = new ProcessRuntime({ stateDir, imageStore: images, isolation: new NoIsolation(), clock: realClock, log: silentLog, podIP: '127.0.0.1', adoptedExitPollIntervalMs: 100, ...options });
      runtimes.push(rt);
      await rt.start();
      return rt;
    },
  };
}

export function sandboxConfig(name: string): PodSandboxConfig {
  return { podUid: `uid-${name}`, podName: name, podNamespace: 'default', hostname: name, labels: {}, annotations: {} };
}

export function containerConfig(image: string, over: Partial<ContainerConfig> = {}): ContainerConfig {
  return { name: 'main', attempt: 0, image, env: [], mounts: [], resources: {}, labels: {}, ...over };
}

/** Polls `check` every 20 ms until it returns a value; rejects after `timeoutMs` (a failure, not a timing assertion). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the status the runtime reports once `containerId` has exited. */
export function waitForExit(rt: ProcessRuntime, containerId: string, timeoutMs = 10_000): Promise<ContainerStatus> {
  return waitFor(`container ${containerId} to exit`, async () => {
    const s = await rt.containerStatus(containerId);
    return s.state === 'exited' ? s : undefined;
  }, timeoutMs);
}

export async function runContainer(rt: ProcessRuntime, pod: string, config: ContainerConfig): Promise<{ sandboxId: string; containerId: string }> {
  const sandboxId = await rt.runPodSandbox(sandboxConfig(pod));
  const containerId = await rt.createContainer(sandboxId, config);
  await rt.startContainer(containerId);
  return { sandboxId, containerId };
}

export async function collectLogs(lines: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l.text);
  return out;
}
