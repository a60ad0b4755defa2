/**
 * The real CLI as a child process for the start/stop tests: each one leads its own process group, so
 * its workerd can be found by group in `/proc` (and whatever a failed test left running be killed).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { expect, vi } from "vitest";
import { listProcesses } from "../../cli/runtime-process";

const ROOT = join(import.meta.dirname, "..", "..");

export interface Cli {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Process groups started here; `killStartedClis()` (after each test) ends what is still running. */
const started = new Set<number>();

/** `node cli/bin.mjs …` as a process-group leader, output collected, `NO_COLOR` set. */
export function spawnCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [join(ROOT, "cli/bin.mjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.add(child.pid!);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited };
}

/** SIGKILLs every process group `spawnCli` started (for `afterEach`). */
export function killStartedClis(): void {
  for (const pgid of started) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  started.clear();
}

/** The live workerd processes of a process group. */
export const workerdsOf = (pgid: number) =>
  listProcesses().filter((p) => p.pgrp === pgid && p.comm.startsWith("workerd"));

/** Waits until no workerd of the group is alive (a SIGKILLed child may stay a zombie for a moment). */
export async function expectNoWorkerdLeft(pgid: number): Promise<void> {
  await vi.waitFor(() => expect(workerdsOf(pgid)).toEqual([]), { timeout: 5000, interval: 100 });
}
