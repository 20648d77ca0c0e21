/**
 * A watchdog for the store processes a crash test starts: it reads `+PID` and `-PID` lines on
 * stdin and, when stdin closes (the test process exited, however it died: even SIGKILL from
 * tap's timeout), SIGKILLs every PID still registered. The test's own teardown and exit hooks
 * stop members in the ordinary case; this catches the case they cannot.
 *
 * Run as `node dist/test/integration/crash/reaper.js`; started by store-process.ts.
 */
import { createInterface } from 'node:readline';

const live = new Set<number>();
// Set by store-process.ts. Without it (tap, given this folder, runs every file in it) there is
// nothing to watch.
if (process.env.FLOTILLA_CRASH_REAPER !== '1') process.exit(0);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const pid = Number(line.slice(1));
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  if (line.startsWith('+')) live.add(pid);
  else if (line.startsWith('-')) live.delete(pid);
});
lines.on('close', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  process.exit(0);
});
