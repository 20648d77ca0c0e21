/** How often conditions are polled unless a caller says otherwise. */
export const DEFAULT_POLL_MS = 100;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` (sync or async; a throw counts as false) until it holds; rejects after
 * timeoutMs with `what()` and the last error the condition threw.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; pollMs?: number; what: () => string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what()}${cause}`);
    }
    await sleep(opts.pollMs ?? DEFAULT_POLL_MS);
  }
}
