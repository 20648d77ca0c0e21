// The scripts that start a container or an exec inside the sandbox. Process tree of a container
// (all in the runtime's process group, so a group signal reaches the command directly):
//
//   runtime wrapper sh (traps TERM)           host
//   └ nsenter (ignores TERM/INT/HUP; was launch.sh, joined the cgroup before exec)
//     └ inner sh: own mount ns, builds the root, traps TERM      pod PID/UTS/IPC namespaces
//       └ the command, chrooted, default signal dispositions, default capabilities only
//
// nsenter must outlive a TERM the command survives (it would otherwise report 143 for a
// container still running), so it ignores TERM; `env --default-signal` undoes that for what runs
// below it. The inner sh turns the command's death by a signal into exit code 128+n, which
// nsenter can pass on (it cannot re-raise an ignored signal), so the wrapper sees 143 / 137.

import type { LinuxTools } from './host-probe.js';
import { ShellScript, shellCommand, shellQuote } from './shell-script.js';

/** Exit code of a container whose isolation could not be set up (as runc's start failures). */
export const ISOLATION_SETUP_FAILED_EXIT_CODE = 128;

/**
 * The capabilities a container keeps (the container runtimes' default set): no CAP_SYS_ADMIN, so
 * it cannot undo its mounts or leave its root; CAP_SYS_CHROOT stays, which entering the root needs.
 */
export const CONTAINER_DEFAULT_CAPABILITIES: readonly string[] = [
  'chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid',
  'setfcap', 'setpcap', 'net_bind_service', 'sys_chroot', 'kill', 'audit_write',
];

/** Limits the bounding set, so everything exec'd after (as root) holds only these capabilities. */
function dropCapabilities(tools: LinuxTools): string[] {
  return [tools.setpriv, `--bounding-set=-all,${CONTAINER_DEFAULT_CAPABILITIES.map((c) => `+${c}`).join(',')}`, '--'];
}

/** Joins every cgroup in `procsFiles` (the shell's own pid, so what it execs is inside before it runs). */
function joinCgroups(script: ShellScript, procsFiles: readonly string[]): void {
  for (const file of procsFiles) script.raw(`printf '%s\\n' "$$" > ${shellQuote(file)} || exit ${ISOLATION_SETUP_FAILED_EXIT_CODE}`);
}

export interface InnerScriptInput {
  readonly tools: LinuxTools;
  readonly rootfsDir: string;
  readonly workingDir: string;
  readonly argv: readonly string[];
}

/** Wraps the rootfs plan (already in `plan`) with error handling and the command's start. */
export function innerScript(plan: ShellScript, input: InnerScriptInput): string {
  const { tools } = input;
  const script = new ShellScript()
    .raw(`trap 'echo "flotilla: container isolation setup failed" >&2; exit ${ISOLATION_SETUP_FAILED_EXIT_CODE}' EXIT`)
    // Stopped before the command started: end as the command would have (128+n), not as a setup failure.
    .raw("trap 'trap - EXIT; exit 143' TERM; trap 'trap - EXIT; exit 130' INT; trap 'trap - EXIT; exit 129' HUP")
    .raw('set -e')
    .raw('umask 022')
    .raw(plan.text().trimEnd())
    .raw('set +e')
    .raw('trap - EXIT')
    .raw('trap : TERM INT HUP')
    // The shell reports a child killed by a signal ("Terminated") on its stderr: keep that out of the container's log.
    .raw('exec 4>&2 2>/dev/null')
    .raw(`(exec ${shellCommand(...dropCapabilities(tools), tools.unshare, `--root=${input.rootfsDir}`, `--wd=${input.workingDir}`, '--', ...input.argv)} 2>&4 4>&-)`)
    .raw('exit $?');
  return script.text();
}

export interface LaunchScriptInput {
  readonly tools: LinuxTools;
  readonly holderPid: number;
  readonly holderStartTime: number;
  readonly procsFiles: readonly string[];
  readonly innerScriptPath: string;
}

/** Runs on the host: checks the sandbox holder is the same process, joins the cgroup, enters the pod. */
export function launchScript(input: LaunchScriptInput): string {
  const { tools } = input;
  const script = new ShellScript();
  // The holder's command name is `sh`, so splitting its stat line on spaces keeps field numbers.
  script.raw(`read -r flotilla_holder_stat < /proc/${input.holderPid}/stat 2>/dev/null || flotilla_holder_stat=''`);
  script.raw('set -- $flotilla_holder_stat');
  script.raw('unset flotilla_holder_stat');
  script.raw(`[ "\${22}" = '${input.holderStartTime}' ] || { echo "flotilla: pod sandbox is gone" >&2; exit ${ISOLATION_SETUP_FAILED_EXIT_CODE}; }`);
  joinCgroups(script, input.procsFiles);
  script.raw("trap '' TERM INT HUP");
  script.raw(
    `exec ${shellCommand(tools.nsenter, '-t', String(input.holderPid), '-p', '-u', '-i', '--', tools.unshare, '-m', '--propagation', 'private', '--', tools.env, '--default-signal', tools.sh, input.innerScriptPath)}`,
  );
  return script.text();
}

export interface ExecScriptInput {
  readonly tools: LinuxTools;
  /** A process of the container that is chrooted into its root (so it is in the container's mount namespace). */
  readonly targetPid: number;
  readonly procsFiles: readonly string[];
  readonly rootfsDir: string;
  readonly workingDir: string;
  readonly argv: readonly string[];
}

/** Runs on the host: joins the container's cgroup, then its namespaces and root. */
export function execScript(input: ExecScriptInput): string {
  const { tools } = input;
  const script = new ShellScript();
  joinCgroups(script, input.procsFiles);
  script.raw(
    `exec ${shellCommand(tools.nsenter, '-t', String(input.targetPid), '-p', '-m', '-u', '-i', '--', ...dropCapabilities(tools), tools.unshare, `--root=${input.rootfsDir}`, `--wd=${input.workingDir}`, '--', ...input.argv)}`,
  );
  return script.text();
}
