#!/usr/bin/env node
import { UsageError } from './args.js';
import { BENCH_USAGE, benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { IMAGE_USAGE, imageCommand } from './commands/image.js';
import { LINCHECK_USAGE, lincheckCommand } from './commands/lincheck.js';
import { SIM_USAGE, simCommand } from './commands/sim.js';
import { MASTER_USAGE, masterCommand } from './master/run.js';
import { STORE_USAGE, storeCommand } from './store/run.js';
import { WORKER_USAGE, workerCommand } from './worker/run.js';
import { downCommand, kubeconfigCommand, restartCommand, statusCommand, stopCommand, upCommand } from './launcher/commands.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string; about: string }> = {
  demo: { run: demoCommand, usage: 'usage: flotilla demo [--seed S] [--members 3|5] [--pace-ms MS]', about: 'watch one simulated 5-member cluster under faults (npm start)' },
  sim: { run: simCommand, usage: SIM_USAGE, about: 'run seeded simulations of the Raft core with every fault on' },
  lincheck: { run: lincheckCommand, usage: LINCHECK_USAGE, about: 'check a JSON-lines key-value history for linearizability' },
  store: { run: storeCommand, usage: STORE_USAGE, about: 'run one member of the replicated store (etcd v3 API)' },
  master: { run: masterCommand, usage: MASTER_USAGE, about: 'run a master: a store member and the Kubernetes API server' },
  worker: { run: workerCommand, usage: WORKER_USAGE, about: 'run a worker: a kubelet per node (or many hollow nodes) against the masters' },
  bench: { run: benchCommand, usage: BENCH_USAGE, about: 'benchmarks: api, store (any etcd v3 endpoints)' },
  up: { run: upCommand, usage: 'usage: flotilla up [--masters 3] [--workers 0] [--data-dir DIR] [--external-etcd etcd://HOST:PORT,…]', about: 'start a local cluster as separate processes' },
  kubeconfig: { run: kubeconfigCommand, usage: 'usage: flotilla kubeconfig [--data-dir DIR]', about: 'print the path of the local cluster\'s admin kubeconfig' },
  status: { run: statusCommand, usage: 'usage: flotilla status [--json] [--data-dir DIR]', about: 'show the local cluster\'s processes and Raft state' },
  down: { run: downCommand, usage: 'usage: flotilla down [--purge] [--data-dir DIR]', about: 'stop the local cluster (--purge deletes its data)' },
  stop: { run: stopCommand, usage: 'usage: flotilla stop NAME [--signal TERM|KILL|STOP|CONT] [--data-dir DIR]', about: 'stop (or signal) one process of the local cluster' },
  image: { run: imageCommand, usage: IMAGE_USAGE, about: 'import images into the node-local image store, list them' },
  restart: { run: restartCommand, usage: 'usage: flotilla restart NAME [--data-dir DIR]', about: 'restart one process of the local cluster' },
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
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`flotilla: unknown command "${name}"\n${help()}`);
    return 2;
  }
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
