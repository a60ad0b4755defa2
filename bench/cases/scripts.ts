/**
 * The typical test script's cost per backend (issue 16: "typical script ≤ 0.3 ms median"), for
 * `npm run bench`: runs `bench/cases/v8-scripts.ts` (both ScriptHosts inside one workerd, a warm host
 * per backend) in a child process — it starts its own Miniflare — and reads its summary lines.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface ScriptCostRow {
  backend: string;
  /** Median over batches of the wall time per script, and workerd's mean CPU per script. */
  medianWallMs: number;
  cpuMs: number;
  /** A fresh host's first script (isolate or context, prelude, chai), CPU. */
  firstScriptCpuMs: number;
  batches: number;
  perBatch: number;
}

const ROOT = join(import.meta.dirname, "../..");
const LINE =
  /^(\w+)\s+typical script: median wall ([\d.]+) ms, workerd CPU ([\d.]+) ms per script \((\d+)×(\d+)\); first script of a run: wall [\d.]+ ms, CPU ([\d.]+) ms/;

/** `batches` × `perBatch` typical scripts per backend after a warm-up; 40 fresh hosts for the start. */
export function scriptsCase(opts: { batches: number; perBatch: number }): Promise<ScriptCostRow[]> {
  const args = ["--import", "tsx", join(ROOT, "bench/cases/v8-scripts.ts")];
  args.push(String(opts.batches), String(opts.perBatch), "typical", "40", "quickjs,v8,v8session");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const rows = out
        .split("\n")
        .map((line) => LINE.exec(line))
        .filter((m) => m !== null)
        .map((m) => ({
          backend: m[1]!,
          medianWallMs: Number(m[2]),
          cpuMs: Number(m[3]),
          batches: Number(m[4]),
          perBatch: Number(m[5]),
          firstScriptCpuMs: Number(m[6]),
        }));
      if (code !== 0 || rows.length === 0) reject(new Error(`v8-scripts.ts exited ${code}: ${err || out}`));
      else resolve(rows);
    });
  });
}
