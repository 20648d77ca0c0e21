// The pod sandbox's namespaces holder: a detached `unshare --fork` whose child is PID 1 of a new
// PID namespace, with new mount, UTS and IPC namespaces, the pod's hostname, and nothing to do
// but sleep and reap. Containers join its namespaces; killing it ends every process in the pod's
// PID namespace. It outlives the worker, so a restarted worker finds it by (pid, start time).

import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { SleepMs } from './cgroup-driver.js';
import type { LinuxTools } from './host-probe.js';
import { LinuxIsolationError } from './linux-isolation-errors.js';
import { isProcessAlive, readChildPids, readProcStartTime } from './proc-files.js';

/** Polls for the holder to appear and set its hostname before giving up. */
export const HOLDER_START_ATTEMPTS = 250;
/** Polls for a killed holder to be gone. */
export const HOLDER_STOP_ATTEMPTS = 250;
export const HOLDER_POLL_MS = 20;
/** The kernel's hostname limit is 64 bytes; Kubernetes truncates pod hostnames to 63. */
export const POD_HOSTNAME_MAX_LENGTH = 63;

/** What a worker remembers about a sandbox's holder (the runtime persists it as JSON). */
export interface SandboxHolderState {
  readonly kind: 'flotilla-linux-sandbox';
  readonly sandboxId: string;
  readonly hostname: string;
  /** The holder's host pid (PID 1 inside the sandbox). */
  readonly holderPid: number;
  /** Field 22 of /proc/PID/stat, so a reused pid is not mistaken for the holder. */
  readonly holderStartTime: number;
}

/** Sets the hostname in its own UTS namespace, says it is ready, then sleeps, reaping orphans (it is PID 1). */
const HOLDER_SCRIPT = [
  'printf %s "$1" > /proc/sys/kernel/hostname || exit 1',
  ': > "$2" || exit 1',
  'trap "exit 0" TERM',
  'while :; do "$3" 3600 & wait; done',
].join('\n');

export function parseSandboxHolderState(state: { readonly [key: string]: unknown }): SandboxHolderState {
  const s = state as Partial<SandboxHolderState>;
  if (
    s.kind !== 'flotilla-linux-sandbox' ||
    typeof s.sandboxId !== 'string' ||
    typeof s.hostname !== 'string' ||
    typeof s.holderPid !== 'number' ||
    typeof s.holderStartTime !== 'number'
  ) {
    throw new LinuxIsolationError('SandboxGone', String(s.sandboxId), 'sandbox isolation state is not from LinuxIsolation');
  }
  return s as SandboxHolderState;
}

export function holderAlive(state: SandboxHolderState): Promise<boolean> {
  return isProcessAlive(state.holderPid, state.holderStartTime);
}

export async function startSandboxHolder(tools: LinuxTools, sandboxId: string, hostname: string, sandboxDir: string, sleep: SleepMs): Promise<SandboxHolderState> {
  const podHostname = hostname.slice(0, POD_HOSTNAME_MAX_LENGTH);
  await fsp.mkdir(sandboxDir, { recursive: true });
  const readyFile = join(sandboxDir, 'isolation-holder-ready');
  await fsp.rm(readyFile, { force: true });

  const unshare = spawn(
    tools.unshare,
    ['--fork', '--pid', '--mount', '--uts', '--ipc', '--mount-proc', '--propagation', 'private', '--', tools.sh, '-c', HOLDER_SCRIPT, 'flotilla-pod', podHostname, readyFile, tools.sleep],
    { detached: true, stdio: 'ignore' },
  );
  let spawnError: Error | undefined;
  unshare.on('error', (err) => {
    spawnError = err;
  });
  unshare.unref();
  const unsharePid = unshare.pid;

  for (let attempt = 0; attempt < HOLDER_START_ATTEMPTS; attempt++) {
    if (spawnError !== undefined) break;
    if (unsharePid !== undefined && unshare.exitCode === null && unshare.signalCode === null) {
      const [holderPid] = await readChildPids(unsharePid);
      const ready = await fsp.access(readyFile).then(() => true, () => false);
      if (holderPid !== undefined && ready) {
        const holderStartTime = await readProcStartTime(holderPid);
        if (holderStartTime !== undefined) {
          return { kind: 'flotilla-linux-sandbox', sandboxId, hostname: podHostname, holderPid, holderStartTime };
        }
      }
    } else if (unsharePid !== undefined) {
      break;
    }
    await sleep(HOLDER_POLL_MS);
  }
  if (unsharePid !== undefined) {
    try {
      process.kill(-unsharePid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const why = spawnError?.message ?? `holder did not come up (unshare exit ${String(unshare.exitCode ?? unshare.signalCode)})`;
  throw new LinuxIsolationError('NamespaceSetup', sandboxId, why);
}

/** SIGKILLs the holder (the kernel then kills every process in its PID namespace) and waits until it is gone. */
export async function stopSandboxHolder(state: SandboxHolderState, sleep: SleepMs): Promise<void> {
  for (let attempt = 0; attempt < HOLDER_STOP_ATTEMPTS; attempt++) {
    if (!(await holderAlive(state))) return;
    try {
      process.kill(state.holderPid, 'SIGKILL');
    } catch {
      return;
    }
    await sleep(HOLDER_POLL_MS);
  }
  throw new LinuxIsolationError('NamespaceSetup', state.sandboxId, `holder pid ${state.holderPid} did not exit after SIGKILL`);
}
