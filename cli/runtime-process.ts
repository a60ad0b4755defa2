/**
 * The embedded stack's workerd process, seen from outside Miniflare (which does not expose it): found in
 * `/proc` as a child of this process, watched so a dead runtime is noticed at once, and killed for sure
 * when the CLI leaves. Linux only (`/proc`); elsewhere the helpers find nothing and Miniflare's own
 * dispose is all there is.
 */
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
}

/** `/proc/<pid>/stat`: the command name is in parentheses and may itself contain spaces or ')'. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const [state = "", ppid = "0", pgrp = "0"] = text
    .slice(close + 2)
    .split(" ")
    .slice(0, 3);
  return { pid, comm: text.slice(open + 1, close), state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/** Every live process on the machine (empty where there is no `/proc`). */
export function listProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat && stat.state !== "Z") out.push(stat);
  }
  return out;
}

/** The workerd processes this CLI started (Miniflare spawns them as direct children). */
export function workerdChildren(parent = process.pid): number[] {
  return listProcesses()
    .filter((p) => p.ppid === parent && p.comm.startsWith("workerd"))
    .map((p) => p.pid);
}

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

export interface RuntimeWatch {
  /** Resolves with a one-line reason when a watched workerd process is gone. */
  readonly died: Promise<string>;
  /** Stops watching (before a deliberate stop, which would otherwise look like a death). */
  stop(): void;
  /** SIGKILLs every workerd child, synchronously: safe in `exit` handlers and on a second Ctrl-C. */
  killAll(): void;
}

/**
 * Watches the workerd children present now. A SIGKILLed or crashed runtime loses the in-memory run
 * (Miniflare would silently start a fresh one on the same port), so the first exit is reported as death.
 */
export function watchRuntime(pollMs = 250): RuntimeWatch {
  const pids = new Set(workerdChildren());
  let report: (reason: string) => void = () => {};
  const died = new Promise<string>((resolve) => {
    report = resolve;
  });
  const timer = setInterval(() => {
    for (const pid of pids) {
      if (!alive(pid)) {
        clearInterval(timer);
        report(`the embedded edgerun server (workerd, pid ${pid}) exited unexpectedly; the run is lost`);
        return;
      }
    }
  }, pollMs);
  timer.unref();
  const killAll = () => {
    for (const pid of new Set([...pids, ...workerdChildren()])) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  return { died, stop: () => clearInterval(timer), killAll };
}
