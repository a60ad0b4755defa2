/**
 * Memory of a process tree read from /proc (Linux): the benchmark measures the CLI with its workerd
 * child and the local stack's workerd, which Node's own counters cannot see.
 */
import { readdirSync, readFileSync } from "node:fs";

/** One status field in KiB (`VmRSS`, `VmHWM`), or 0 when the process is gone. */
export function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and all its descendants (children of every thread, recursively). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let children = "";
      try {
        children = readFileSync(`/proc/${p}/task/${t}/children`, "utf8");
      } catch {
        continue;
      }
      for (const c of children.split(" ").filter(Boolean)) walk(Number(c));
    }
  };
  walk(pid);
  return out;
}

/** The first descendant whose command name matches (e.g. `workerd` under wrangler or Miniflare). */
export function findDescendant(pid: number, name: string): number | undefined {
  for (const p of processTree(pid)) {
    try {
      if (readFileSync(`/proc/${p}/comm`, "utf8").trim() === name) return p;
    } catch {
      // gone
    }
  }
  return undefined;
}

/**
 * Samples a process tree's peak resident memory while it runs: the sum over its processes of each
 * one's high-water mark (`VmHWM`), read every `everyMs` (a process that lives shorter is missed).
 */
export function treePeak(pid: number, everyMs = 50): { stop(): number; part(comm: string): number } {
  const peaks = new Map<number, number>();
  const names = new Map<number, string>();
  const sample = () => {
    for (const p of processTree(pid)) {
      const hwm = statusKiB(p, "VmHWM");
      if (hwm > (peaks.get(p) ?? 0)) peaks.set(p, hwm);
      if (!names.has(p)) names.set(p, commOf(p));
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      let sum = 0;
      for (const v of peaks.values()) sum += v;
      return sum / 1024;
    },
    /** After `stop()`: the same sum for the processes whose command name starts with `comm`. */
    part(comm) {
      let sum = 0;
      for (const [p, v] of peaks) if (names.get(p)?.startsWith(comm)) sum += v;
      return sum / 1024;
    },
  };
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Resident memory samples (MiB) of one process, for a phase of the benchmark. */
export class RssSampler {
  readonly #pid: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  samples: number[] = [];

  constructor(pid: number) {
    this.#pid = pid;
  }

  now(): number {
    return statusKiB(this.#pid, "VmRSS") / 1024;
  }

  /** Starts sampling every `everyMs`; `stop()` returns the phase's start, peak and end. */
  start(everyMs = 200): void {
    this.samples = [this.now()];
    this.#timer = setInterval(() => this.samples.push(this.now()), everyMs);
  }

  stop(): { startMiB: number; peakMiB: number; endMiB: number; growthMiB: number; samples: number } {
    clearInterval(this.#timer);
    this.samples.push(this.now());
    const startMiB = this.samples[0]!;
    const peakMiB = Math.max(...this.samples);
    return {
      startMiB: round(startMiB),
      peakMiB: round(peakMiB),
      endMiB: round(this.samples.at(-1)!),
      growthMiB: round(peakMiB - startMiB),
      samples: this.samples.length,
    };
  }
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Median, and percentiles by nearest rank, of a list of numbers. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
