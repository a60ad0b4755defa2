/**
 * Processes seen through `/proc` (Linux): the signal tests use it to prove that no workerd of the CLI's
 * process group outlives it. Elsewhere the helpers find nothing.
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
