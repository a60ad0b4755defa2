/**
 * Runs one collection runner's CLI (`newman run` or `edgerun run`) with the json reporter and reads
 * back its report: shared by the comparison harnesses (`bench/newman-suite.ts`,
 * `bench/real-world-diff.ts`).
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { ReportJson } from "./newman-suite-compare";

export interface ToolRun {
  code: number | null;
  stderr: string;
  stdout: string;
  report: ReportJson | null;
  /** Whether the kill timeout ended it. */
  killed: boolean;
}

export interface ToolOptions {
  /** Working directory of the child (the repository root). */
  cwd: string;
  /** Extra environment (`SCRIPT_BACKEND` for --backends). */
  env?: Record<string, string>;
  /** Reporters besides json (--backends compares the cli reporter's output too). */
  reporters?: string;
  /** Kills the child's whole process group (the CLI and its workerd) after this long. */
  killAfterMs?: number;
}

/**
 * Runs `node <script> run <args> -r json --reporter-json-export <reportPath>` and resolves with its
 * exit code, output and parsed report (`null` when it wrote none): a report missing is how a
 * comparison sees a tool that refused or crashed on a collection.
 */
export function runTool(
  script: string,
  args: string[],
  reportPath: string,
  opts: ToolOptions,
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [script, "run", ...args, "-r", opts.reporters ?? "json", "--reporter-json-export", reportPath],
      {
        cwd: opts.cwd,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
        stdio: ["ignore", opts.reporters ? "pipe" : "ignore", "pipe"],
        detached: opts.killAfterMs !== undefined,
      },
    );
    let stderr = "";
    let stdout = "";
    let killed = false;
    const timer =
      opts.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          }, opts.killAfterMs);
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      readFile(reportPath, "utf8").then(
        (text) => resolve({ code, stderr, stdout, report: JSON.parse(text) as ReportJson, killed }),
        () => resolve({ code, stderr, stdout, report: null, killed }),
      );
    });
  });
}
