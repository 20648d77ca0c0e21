import type { Clock, TimerHandle } from '../raft/index.js';

/**
 * The real clock: monotonic within the process (performance.now) but anchored at the process
 * start's wall time, so values are also meaningful across processes.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};
