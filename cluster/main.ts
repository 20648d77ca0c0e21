#!/usr/bin/env node
import { UsageError } from './args.js';
/** A command's code, loaded only when it runs: a worker need not load the master's modules. */
interface Command {
  readonly run: (argv: string[]) => Promise<number>;
  readonly usage: string;
}

const launcher = (name: 'upCommand' | 'kubeconfigCommand' | 'statusCommand' | 'downCommand' | 'stopCommand' | 'restartCommand', usage: string) => async (): Promise<Command> => ({
  run: (await import('./launcher/commands.js'))[name],
  usage,
});

const COMMANDS: Record<string, { load: () => Promise<Command>; about: string }> = {
  demo: { load: async () => ({ run: (await import('./commands/demo.js')).demoCommand, usage: 'usage: flotilla demo [--seed S] [--members 3|5] [--pace-ms MS]' }), about: 'watch one simulated 5-member cluster under faults (npm start)' },
  sim: { load: async () => { const m = await import('./commands/sim.js'); return { run: m.simCommand, usage: m.SIM_USAGE }; }, about: 'run seeded simulations of the Raft core with every fault on' },
  lincheck: { load: async () => { const m = await import('./commands/lincheck.js'); return { run: m.lincheckCommand, usage: m.LINCHECK_USAGE }; }, about: 'check a JSON-lines key-value history for linearizability' },
  store: { load: async () => { const m = await import('./store/run.js'); return { run: m.storeCommand, usage: m.STORE_USAGE }; }, about: 'run one member of the replicated store (etcd v3 API)' },
  master: { load: async () => { const m = await import('./master/run.js'); return { run: m.masterCommand, usage: m.MASTER_USAGE }; }, about: 'run a master: a store member and the Kubernetes API server' },
  worker: { load: async () => { const m = await import('./worker/run.js'); return { run: m.workerCommand, usage: m.WORKER_USAGE }; }, about: 'run a worker: a kubelet per node (or many hollow nodes) against the masters' },
  bench: { load: async () => { const m = await import('./commands/bench.js'); return { run: m.benchCommand, usage: m.BENCH_USAGE }; }, about: 'benchmarks: api, store, startup, scheduler' },
  up: { load: launcher('upCommand', 'usage: flotilla up [--masters 3] [--workers 0] [--data-dir DIR] [--external-etcd etcd://HOST:PORT,…] [--no-controllers]'), about: 'start a local cluster as separate processes' },
  kubeconfig: { load: launcher('kubeconfigCommand', 'usage: flotilla kubeconfig [--data-dir DIR]'), about: "print the path of the local cluster's admin kubeconfig" },
  status: { load: launcher('statusCommand', 'usage: flotilla status [--json] [--data-dir DIR]'), about: "show the local cluster's processes and Raft state" },
  down: { load: launcher('downCommand', 'usage: flotilla down [--purge] [--data-dir DIR]'), about: 'stop the local cluster (--purge deletes its data)' },
  stop: { load: launcher('stopCommand', 'usage: flotilla stop NAME [--signal TERM|KILL|STOP|CONT] [--data-dir DIR]'), about: 'stop (or signal) one process of the local cluster' },
  image: { load: async () => { const m = await import('./commands/image.js'); return { run: m.imageCommand, usage: m.IMAGE_USAGE }; }, about: 'import images into the node-local image store, list them' },
  restart: { load: launcher('restartCommand', 'usage: flotilla restart NAME [--data-dir DIR]'), about: 'restart one process of the local cluster' },
};

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.about}`);
  return ['usage: flotilla COMMAND [flags]', '', 'commands:', ...rows].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`flotilla: unknown command "${name}"\n${help()}`);
    return 2;
  }
  const cmd = await entry.load();
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`flotilla ${name}: ${err.message}\n${cmd.usage}`);
      return 2;
    }
    throw err;
  }
}

// A command that failed exits at once: a server that could not start (a port taken) must not
// linger half-started with its other listeners open.
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
