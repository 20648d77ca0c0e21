// The `flotilla/sleep` image: runs until stopped, or for `args[0]` seconds, then exits 0. Exits 0
// at once on SIGTERM. Imports nothing: it runs as its own small process.

const seconds = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
if (seconds !== undefined && !(seconds >= 0)) {
  process.stderr.write(`sleep: invalid number of seconds ${JSON.stringify(process.argv[2])}\n`);
  process.exit(2);
}

process.stdout.write(seconds === undefined ? 'sleep: sleeping until stopped\n' : `sleep: sleeping ${seconds} seconds\n`);
// An interval keeps the process alive; a timer of more than 2^31 ms would fire at once.
const keepAlive = setInterval(() => undefined, 1 << 30);
if (seconds !== undefined) {
  setTimeout(() => {
    clearInterval(keepAlive);
    process.exit(0);
  }, Math.min(seconds * 1000, 2 ** 31 - 1));
}

const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
