/**
 * Where the CLI's wall time goes: runs `edgerun run` on the benchmark collection against the same echo
 * target as `npm run bench`'s cli case (in this process, as there), with `EDGERUN_DEBUG_TIMING=1`, and
 * prints the median time of each phase plus the CPU the CLI's Node process and its workerd used up to
 * then (both sampled from `/proc` every 10 ms), so a change can be placed in the phase it moves.
 *
 *   node --import tsx bench/cli-phases.ts [--requests 5000] [--repeats 3] [--reporter cli]
 *
 * `EDGERUN_*` and `SCRIPT_BACKEND` pass through to the CLI (an A/B toggles one of them between runs).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startEchoServer } from "../test/echo-server";
import { EDGERUN_BIN } from "./cases/cli";
import { benchCollection } from "./lib/collections";
import { findDescendant, percentile } from "./lib/proc";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    repeats: { type: "string", default: "3" },
    reporter: { type: "string", default: "cli" },
  },
});

/** utime + stime of a process in ms, or undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Sample {
  at: number;
  cli: number;
  workerd: number;
}

interface Phase {
  name: string;
  at: number;
}

/** The phases worth a row: the first of each name (request.completed only its first and last). */
function phasesOf(stderr: string): Phase[] {
  const all = [...stderr.matchAll(/^\[timing\] +(\d+\.\d) ms (.+)$/gm)].map((m) => ({
    at: Number(m[1]),
    name: m[2]!.replace(/ \(this process used .*/, "").replace(/ \(run\.started\)/, ""),
  }));
  const out: Phase[] = [];
  const seen = new Set<string>();
  const completed = all.filter((p) => p.name === "request.completed");
  for (const p of all) {
    if (p.name === "request.completed") continue;
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.push(p);
    if (p.name.startsWith("first event") && completed.length) {
      out.push({ name: "first request.completed", at: completed[0]!.at });
      out.push({ name: "last request.completed", at: completed.at(-1)!.at });
    }
  }
  return out;
}

interface Run {
  wall: number;
  phases: Phase[];
  samples: Sample[];
}

async function once(args: string[]): Promise<Run> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [EDGERUN_BIN, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, EDGERUN_DEBUG_TIMING: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const samples: Sample[] = [];
  let workerdPid: number | undefined;
  const sample = () => {
    workerdPid ??= findDescendant(child.pid!, "workerd");
    const cli = cpuMs(child.pid!);
    const workerd = workerdPid === undefined ? 0 : cpuMs(workerdPid);
    if (cli !== undefined && workerd !== undefined)
      samples.push({ at: performance.now() - t0, cli, workerd });
  };
  const timer = setInterval(sample, 10);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`edgerun exited ${code}: ${stderr.slice(-800)}`);
  return { wall: performance.now() - t0, phases: phasesOf(stderr), samples };
}

/** The last sample at or before `at` (ms since spawn). */
function cpuAt(samples: Sample[], at: number): Sample {
  let best = samples[0] ?? { at: 0, cli: 0, workerd: 0 };
  for (const s of samples) if (s.at <= at) best = s;
  return best;
}

const echo = await startEchoServer();
const dir = await mkdtemp(join(tmpdir(), "edgerun-cli-phases-"));
try {
  const requests = Number(values.requests);
  const file = join(dir, `c${requests}.json`);
  await writeFile(file, JSON.stringify(benchCollection(requests)));
  const args = ["run", file, "--env-var", `base=${echo.url}`, "-r", values.reporter!];
  await once(args); // builds the cached bundle if the sources changed (not start-up)
  const runs: Run[] = [];
  for (let r = 0; r < Number(values.repeats); r++) runs.push(await once(args));
  const names = runs[0]!.phases.map((p) => p.name);
  const med = (xs: number[]) => Math.round(percentile(xs, 50));
  console.log(`${requests} requests, ${runs.length} runs, median (ms since the CLI started)`);
  console.log(
    `${"phase".padEnd(40)} ${"at".padStart(7)} ${"Δ".padStart(7)} ${"cli cpu".padStart(8)} ${"wd cpu".padStart(8)}`,
  );
  let prev = 0;
  for (const name of names) {
    const ats = runs.map((r) => r.phases.find((p) => p.name === name)?.at ?? Number.NaN);
    const at = med(ats);
    const cli = med(runs.map((r, i) => cpuAt(r.samples, ats[i]!).cli));
    const wd = med(runs.map((r, i) => cpuAt(r.samples, ats[i]!).workerd));
    console.log(
      `${name.padEnd(40)} ${String(at).padStart(7)} ${String(at - prev).padStart(7)} ${String(cli).padStart(8)} ${String(wd).padStart(8)}`,
    );
    prev = at;
  }
  const last = (r: Run) => r.samples.at(-1)!;
  console.log(
    `wall ${med(runs.map((r) => r.wall))} ms (${runs.map((r) => Math.round(r.wall)).join(", ")}); ` +
      `CPU: cli ${med(runs.map((r) => last(r).cli))} ms, workerd ${med(runs.map((r) => last(r).workerd))} ms`,
  );
} finally {
  await echo.close();
  await rm(dir, { recursive: true, force: true });
}
