// The pod sandbox's namespaces holder: a detached `unshare --fork` whose child is PID 1 of a new
// PID namespace, with new mount, UTS and IPC namespaces, the pod's hostname, and nothing to do
// but sleep and reap. Containers join its namespaces; killing it ends every process in the pod's
// PID namespace. It outlives the worker, so a restarted worker finds it by (pid, start time).

import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { SleepMs } from './cgroup-driver.js';
import type { LinuxTools } from './host-probe.js';
import { awaitReadyLine } from '../process/ready-line.js';
import { LinuxIsolationError } from './linux-isolation-errors.js';
import { isProcessAlive, readChildPids, readProcStartTime } from './proc-files.js';

/** How long the holder has to set its hostname and say it is ready. */
export const HOLDER_START_TIMEOUT_MS = 5_000;
/** Polls for the holder's pid to show among unshare's children once it said it is ready. */
export const HOLDER_PID_ATTEMPTS = 50;
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

/** The line the holder writes on fd 3 once its hostname is set. */
const HOLDER_READY = 'holder-ready';

/**
 * Sets the hostname in its own UTS namespace, says it is ready on fd 3 (a socket pair with the
 * worker, closed right after, so nothing it starts holds it), then sleeps, reaping orphans (it is
 * PID 1).
 */
const HOLDER_SCRIPT = [
  'printf %s "$1" > /proc/sys/kernel/hostname || exit 1',
  `echo ${HOLDER_READY} >&3 || exit 1`,
  'exec 3>&-',
  'trap "exit 0" TERM',
  'while :; do "$2" 3600 & wait; done',
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

export async function startSandboxHolder(tools: LinuxTools, sandboxId: string, hostname: string, sleep: SleepMs): Promise<SandboxHolderState> {
  const podHostname = hostname.slice(0, POD_HOSTNAME_MAX_LENGTH);
  const unshare = spawn(
    tools.unshare,
    ['--fork', '--pid', '--mount', '--uts', '--ipc', '--mount-proc', '--propagation', 'private', '--', tools.sh, '-c', HOLDER_SCRIPT, 'flotilla-pod', podHostname, tools.sleep],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
  );
  let spawnError: Error | undefined;
  unshare.on('error', (err) => {
    spawnError = err;
  });
  unshare.unref();
  const unsharePid = unshare.pid;

  // A spawn that failed has no pid; its error arrives on the next tick.
  if (unsharePid === undefined) await new Promise((r) => setImmediate(r));
  // The holder's unshare keeps its copy of the socket for as long as it lives: the line, not the
  // stream's end, is the signal, and the worker closes its side once it has it.
  const handshake = unshare.stdio[3] as Duplex;
  const ready = unsharePid !== undefined && (await awaitReadyLine(handshake, HOLDER_READY, HOLDER_START_TIMEOUT_MS)).ready;
  handshake.destroy();
  // The holder said it is ready, so it exists: its pid shows among unshare's children at once,
  // or after the few polls a loaded /proc may take.
  for (let attempt = 0; ready && attempt < HOLDER_PID_ATTEMPTS; attempt++) {
    if (spawnError !== undefined || unshare.exitCode !== null || unshare.signalCode !== null) break;
    const [holderPid] = await readChildPids(unsharePid);
    const holderStartTime = holderPid === undefined ? undefined : await readProcStartTime(holderPid);
    if (holderPid !== undefined && holderStartTime !== undefined) {
      return { kind: 'flotilla-linux-sandbox', sandboxId, hostname: podHostname, holderPid, holderStartTime };
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
  const why = spawnError?.message ?? `holder did not come up (unshare exit ${String(unshare.exitCode ?? unshare.signalCode)}${ready ? '' : ', it never said it was ready'})`;
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
