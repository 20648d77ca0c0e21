// What `flotilla down` does to a worker's pods: a worker that stops (or crashes) leaves its
// containers running on purpose, to re-adopt them; a cluster that goes down takes them with it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLinuxIsolation, ImageStore, jsonStderrActorLogger, NoIsolation, ProcessRuntime } from '../../actors/index.js';
import type { ActorLogger, ContainerIsolation } from '../../actors/index.js';
import { systemClock } from '../clock.js';

/**
 * Stops and removes every pod sandbox recorded under a worker's data dir (containers, their
 * namespaces, cgroups and mounts). Call only once the worker process has stopped: one runtime
 * per state dir. Returns how many sandboxes were removed.
 */
export async function removeWorkerPods(workerDataDir: string): Promise<number> {
  const stateDir = join(workerDataDir, 'runtime');
  if (!existsSync(stateDir)) return 0;
  // The isolation that created the sandboxes, when this host allows it: removal must undo it.
  const isolation: ContainerIsolation = (await createLinuxIsolation()) ?? new NoIsolation();
  const runtime = new ProcessRuntime({
    stateDir,
    imageStore: new ImageStore(join(workerDataDir, 'images'), systemClock),
    isolation,
    clock: systemClock,
    // Only what went wrong: re-adopting each container on the way to removing it is not news.
    log: quietLogger(jsonStderrActorLogger({ component: 'worker-cleanup' })),
  });
  await runtime.start();
  try {
    const sandboxes = await runtime.listPodSandboxes();
    for (const s of sandboxes) await runtime.removePodSandbox(s.id);
    return sandboxes.length;
  } finally {
    await runtime.close();
  }
}

function quietLogger(inner: ActorLogger): ActorLogger {
  return { info: () => undefined, warn: (m, f) => inner.warn(m, f), error: (m, f) => inner.error(m, f) };
}
