/**
 * The embedded stack runs scripts in V8 isolates (about twice as fast as QuickJS), but local workerd
 * enforces neither their CPU nor their memory limit: a script that never ends blocks the runtime's one
 * thread, one that allocates without bound takes workerd down. In production the platform enforces
 * both. Locally this guard does: when the V8 runtime stops answering for longer than a script may run,
 * grows past a memory bound, or dies, it is SIGKILLed and started again on the same storage with
 * QuickJS, which interrupts a script at its budget. The run resumes from its last checkpoint (the
 * request that was in flight is sent again and says so, as after any crash), the offending script now
 * fails with the budget's error, and the rest of the run goes on in QuickJS. This happens at most once.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import type { Workerd } from "./workerd";

/** workerd's resident memory beyond which the V8 runtime is replaced (a run's own data stays far below). */
export const V8_MEMORY_LIMIT_MIB = 1536;
const MEMORY_SAMPLE_MS = 100;
/** Exits somebody asked for (a user, a service manager, the kernel's OOM killer): no fallback. */
const STOP_SIGNALS = new Set<NodeJS.Signals>(["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"]);

export interface EmbeddedGuard {
  /** The runtime in use now (a fallback replaces it). */
  current(): Workerd;
  /** The script backend in use now. */
  backend(): string;
  /**
   * Replaces a V8 runtime by a QuickJS one (once; concurrent calls share it). Resolves true when the
   * runtime was replaced, false when there is nothing to fall back to (already QuickJS, or stopped).
   * `busyForMs`: only if the runtime kept a core busy for that long (a stuck script does; a runtime
   * that drains after a SIGTERM, or waits, does not).
   */
  fallback(reason: string, opts?: { busyForMs?: number }): Promise<boolean>;
  /** Resolves with a notice for the user once a fallback happened. */
  readonly fellBack: Promise<string>;
  /** Resolves with why the runtime died when no fallback is left (the run is lost then). */
  readonly died: Promise<string>;
  /** Stops watching (before the runtime is stopped on purpose). */
  stop(): void;
}

/** CPU time a process used so far in ms (Linux: utime + stime, 10 ms ticks), or NaN where unknown. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process in MiB (Linux), or 0 where /proc cannot tell. */
function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Watches `runtime` (started with `vars`); see the module comment. */
export function guardEmbedded(opts: {
  runtime: Workerd;
  vars: Record<string, string>;
  memoryLimitMiB?: number;
}): EmbeddedGuard {
  const limit = opts.memoryLimitMiB ?? V8_MEMORY_LIMIT_MIB;
  let runtime = opts.runtime;
  let backend = opts.vars.SCRIPT_BACKEND ?? "quickjs";
  let stopped = false;
  let switching: Promise<boolean> | undefined;
  const retired = new Set<Workerd>();
  let notify: (notice: string) => void = () => {};
  const fellBack = new Promise<string>((resolve) => {
    notify = resolve;
  });
  let declareDead: (why: string) => void = () => {};
  const died = new Promise<string>((resolve) => {
    declareDead = resolve;
  });

  /** (time, CPU ms) of the runtime, newest last, over the last minute. */
  const cpu: Array<[number, number]> = [];
  const busyFor = (ms: number): boolean => {
    const now = cpu.at(-1);
    const then = cpu.findLast(([t]) => now !== undefined && t <= now[0] - ms);
    // Where /proc cannot tell, a silent runtime is taken to be stuck.
    if (!now || !then || Number.isNaN(now[1])) return true;
    return now[1] - then[1] >= 0.7 * fairShare() * (now[0] - then[0]);
  };

  const fallback = (reason: string, when: { busyForMs?: number } = {}): Promise<boolean> => {
    if (switching) return switching;
    if (stopped || backend !== "v8") return Promise.resolve(false);
    if (when.busyForMs !== undefined && !busyFor(when.busyForMs)) return Promise.resolve(false);
    backend = "quickjs";
    clearInterval(sampler);
    switching = (async () => {
      const vars = { ...opts.vars, SCRIPT_BACKEND: "quickjs" };
      retired.add(runtime); // its end is ours, not news
      try {
        runtime = await runtime.respawn(vars);
      } catch (error) {
        declareDead(
          `the embedded edgerun server could not be restarted with QuickJS (${(error as Error).message})`,
        );
        return false;
      }
      watchExit(runtime);
      notify(
        `${reason}; locally, scripts in V8 cannot be interrupted, so the embedded server was restarted ` +
          "with QuickJS, which enforces the script budget, and the run goes on from its last checkpoint " +
          "(the request in flight is sent again)",
      );
      return true;
    })();
    return switching;
  };

  function watchExit(watched: Workerd): void {
    void watched.exited.then(async (exit) => {
      if (stopped || retired.has(watched)) return;
      // A crash (V8's fatal out-of-memory aborts workerd) falls back; a kill or stop by someone does not.
      const crashed = exit.signal === null ? exit.code !== 0 : !STOP_SIGNALS.has(exit.signal);
      const how = exit.signal ?? `code ${exit.code}`;
      if (crashed && (await fallback(`the embedded server (workerd, pid ${watched.pid}) crashed (${how})`)))
        return;
      if (!retired.has(watched))
        declareDead(
          `the embedded edgerun server (workerd, pid ${watched.pid}) exited unexpectedly; the run is lost`,
        );
    });
  }
  watchExit(runtime);

  const sampler = setInterval(() => {
    if (backend !== "v8" || stopped) return;
    const now = Date.now();
    cpu.push([now, cpuMs(runtime.pid)]);
    while (cpu.length > 0 && cpu[0]![0] < now - 60_000) cpu.shift();
    const rss = rssMiB(runtime.pid);
    if (rss > limit) void fallback(`the embedded server grew to ${Math.round(rss)} MiB (limit ${limit} MiB)`);
  }, MEMORY_SAMPLE_MS);
  sampler.unref();
  if (backend !== "v8") clearInterval(sampler);

  return {
    current: () => runtime,
    backend: () => backend,
    fallback,
    fellBack,
    died,
    stop() {
      stopped = true;
      clearInterval(sampler);
    },
  };
}

/**
 * The share of one core a process that never stops computing gets on this machine now: all of it on an
 * idle one, less when more threads want to run than there are cores (a loaded CI runner), where a stuck
 * script's runtime showed ≈ 30 % of a core and was taken for an idle one.
 */
function fairShare(): number {
  return Math.min(1, availableParallelism() / Math.max(1, loadavg()[0] ?? 1));
}
