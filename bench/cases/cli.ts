/**
 * `edgerun run` (embedded workerd stack) vs `newman run` on the same scripted collections and the same
 * local echo target: alternating runs, median wall time and the peak resident memory of each tool's
 * whole process tree (the CLI's workerd included).
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { benchCollection } from "../lib/collections";
import { percentile, round, treePeak } from "../lib/proc";

const ROOT = join(import.meta.dirname, "../..");
export const NEWMAN_BIN = join(ROOT, "node_modules/newman/bin/newman.js");
export const EDGERUN_BIN = join(ROOT, "cli/bin.mjs");

export interface CliRow {
  requests: number;
  repeats: number;
  newmanMs: number;
  edgerunMs: number;
  ratio: number;
  newmanPeakMiB: number;
  edgerunPeakMiB: number;
  /** workerd's part of `edgerunPeakMiB` (the rest is the CLI's Node process). */
  edgerunWorkerdPeakMiB: number;
}

interface Peak {
  /** Sum over the tree's processes of each one's high-water mark (`VmHWM`), MiB. */
  total: number;
  /** The same for the workerd processes alone. */
  workerd: number;
}

/** Async spawn: the echo target lives in this process, so the event loop must stay free. */
function timed(bin: string, args: string[], timeoutMs: number): Promise<{ ms: number; peak: Peak }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const peak = child.pid ? treePeak(child.pid) : { stop: () => 0, part: () => 0 };
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const total = peak.stop();
      if (code === 0) resolve({ ms: performance.now() - t0, peak: { total, workerd: peak.part("workerd") } });
      else reject(new Error(`${bin} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** One row per collection size; newman and edgerun alternate so load drifts hit both alike. */
export async function cliCase(opts: {
  url: string;
  dir: string;
  sizes: Array<{ requests: number; repeats: number }>;
}): Promise<CliRow[]> {
  const rows: CliRow[] = [];
  let warm = false;
  for (const { requests, repeats } of opts.sizes) {
    const file = join(opts.dir, `c${requests}.json`);
    await writeFile(file, JSON.stringify(benchCollection(requests)));
    const args = ["run", file, "--env-var", `base=${opts.url}`, "-r", "cli"];
    const limit = 60_000 + requests * 60; // newman ≈ 11 ms per scripted request
    const ours: Array<{ ms: number; peak: Peak }> = [];
    const theirs: Array<{ ms: number; peak: Peak }> = [];
    // One untimed run first: it builds the cached Worker bundle if the sources changed, as an installed
    // CLI never has to (in a shared checkout every edit changes them; that rebuild is not start-up).
    if (!warm) await timed(EDGERUN_BIN, args, limit);
    warm = true;
    for (let r = 0; r < repeats; r++) {
      theirs.push(await timed(NEWMAN_BIN, args, limit));
      ours.push(await timed(EDGERUN_BIN, args, limit));
    }
    const o = percentile(
      ours.map((x) => x.ms),
      50,
    );
    const n = percentile(
      theirs.map((x) => x.ms),
      50,
    );
    rows.push({
      requests,
      repeats,
      newmanMs: Math.round(n),
      edgerunMs: Math.round(o),
      ratio: round(o / n, 3),
      newmanPeakMiB: round(Math.max(...theirs.map((x) => x.peak.total))),
      edgerunPeakMiB: round(Math.max(...ours.map((x) => x.peak.total))),
      edgerunWorkerdPeakMiB: round(Math.max(...ours.map((x) => x.peak.workerd))),
    });
  }
  return rows;
}
