/**
 * `EDGERUN_DEBUG_TIMING=1`: one stderr line per start-up/shutdown phase, in ms since the process
 * started (`performance.now()`), so the CLI's wall time can be attributed without a profiler.
 */
const enabled = Boolean(process.env.EDGERUN_DEBUG_TIMING);

/** Prints `[timing] <ms since process start> <phase>` when the debug trace is on; free otherwise. */
export function mark(phase: string): void {
  if (enabled) process.stderr.write(`[timing] ${performance.now().toFixed(1).padStart(7)} ms ${phase}\n`);
}
