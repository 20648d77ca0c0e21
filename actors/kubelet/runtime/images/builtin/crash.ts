// The `flotilla/crash` image: prints a line, then exits with code `args[0]` (default 1) after
// `args[1]` seconds (default 0). For crash loops and restart-policy tests. Signals keep their
// default action. Imports nothing: it runs as its own small process.

const code = process.argv[2] === undefined ? 1 : Number(process.argv[2]);
const seconds = process.argv[3] === undefined ? 0 : Number(process.argv[3]);
if (!Number.isInteger(code) || code < 0 || code > 255 || !(seconds >= 0)) {
  process.stderr.write('crash: usage: crash [EXIT_CODE 0-255] [SECONDS]\n');
  process.exit(2);
}

process.stdout.write(`crash: exiting with code ${code} after ${seconds} seconds\n`);
setTimeout(() => process.exit(code), Math.min(seconds * 1000, 2 ** 31 - 1));
