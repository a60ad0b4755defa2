/**
 * Notices a dead server while a run is followed. An event stream alone cannot tell: a workerd that got
 * SIGTERM drains (it refuses new connections but keeps the open stream and the run going), and a
 * remote server that vanished may leave a half-open socket. So the CLI also probes `/healthz` (no key,
 * not rate-limited) and, for the embedded stack, watches the workerd process itself.
 */
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import type { Server } from "./server";

export interface WatchdogOptions {
  /** Pause between probes. */
  intervalMs?: number;
  /** How long one probe may take before it counts as failed. */
  timeoutMs?: number;
  /** Consecutive refused connections that mean the server is gone (definite: nothing listens). */
  refusedLimit?: number;
  /** Consecutive failures of any kind (timeouts, 5xx) that mean the server is gone. */
  failureLimit?: number;
  /**
   * For a server with a fallback (the embedded V8 runtime): how long it may not answer before a script
   * is taken to be stuck and the server falls back (longer than a script may run); until then failed
   * probes do not count.
   */
  hangMs?: number;
  /**
   * When the followed run last produced an event (ms epoch): a runtime whose run still streams events
   * is not stuck, even if it refuses or ignores new connections (workerd draining after a SIGTERM).
   */
  lastActivity?: () => number;
}

export interface Watchdog {
  /** Resolves with a one-line reason once the server is considered dead; never rejects. */
  readonly dead: Promise<string>;
  stop(): void;
}

/**
 * One probe on a fresh connection (`agent: false`): a pooled keep-alive socket would still reach a
 * draining workerd that already refuses new connections.
 */
function healthz(url: string, timeoutMs: number): Promise<number> {
  const get = url.startsWith("https:") ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { name: "TimeoutError" })));
    req.on("error", reject);
  });
}

function describe(error: unknown): { refused: boolean; why: string } {
  const err = error as Error & { code?: string };
  const code = err.code ?? "";
  if (err.name === "TimeoutError") return { refused: false, why: "no answer in time" };
  return {
    refused: code === "ECONNREFUSED" || code === "ECONNRESET",
    why: code || err.message,
  };
}

/** Starts probing `server` in the background; `stop()` ends it (always call it). */
export function watchServer(server: Server, opts: WatchdogOptions = {}): Watchdog {
  const { intervalMs = 1000, refusedLimit = 3, failureLimit = 6, hangMs = 7000 } = opts;
  // A fallback must come in time: a probe never waits longer than half the hang bound.
  const timeoutMs = Math.min(opts.timeoutMs ?? 3000, Math.max(500, hangMs / 2));
  let lastAnswer = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let report: (reason: string) => void = () => {};
  const dead = new Promise<string>((resolve) => {
    report = (reason) => {
      stopped = true;
      resolve(reason);
    };
  });
  server.died?.then(report, () => {});
  let refused = 0;
  let failed = 0;
  let probed = server.baseUrl;
  const probe = async () => {
    if (server.baseUrl !== probed) {
      // A new runtime (the embedded V8 one fell back to QuickJS): what the old one did does not count.
      probed = server.baseUrl;
      refused = 0;
      failed = 0;
      lastAnswer = Date.now();
    }
    try {
      const status = await healthz(`${server.baseUrl}/healthz`, timeoutMs);
      if (status === 200) {
        refused = 0;
        failed = 0;
        lastAnswer = Date.now();
      } else if (++failed >= failureLimit) {
        report(`the edgerun server at ${server.baseUrl} answers /healthz with HTTP ${status}`);
      }
    } catch (error) {
      if (server.fallback && server.scriptBackend === "v8" && !describe(error).refused) {
        // A stuck V8 runtime (it accepts connections but never answers) falls back here.
        const silent = Date.now() - lastAnswer;
        if (silent < hangMs) return;
        // Still streaming the run's events (draining after a SIGTERM): not stuck; count the failure.
        const streaming = Date.now() - (opts.lastActivity?.() ?? 0) < hangMs;
        const reason = `a script did not finish (the embedded server was stuck for ${Math.round(silent / 1000)} s)`;
        // Busy all along: a stuck script. A silent runtime that idles (draining after a SIGTERM) is not one.
        if (!streaming && (await server.fallback(reason, { busyForMs: hangMs - 1000 }))) {
          refused = 0;
          failed = 0;
          lastAnswer = Date.now();
          return;
        }
      }
      const { refused: isRefused, why } = describe(error);
      refused = isRefused ? refused + 1 : 0;
      failed++;
      if (refused >= refusedLimit || failed >= failureLimit) {
        // Locally, V8 isolates have no enforced CPU limit: the likely cause is a script that never ends.
        const streaming = Date.now() - (opts.lastActivity?.() ?? 0) < hangMs;
        const hint =
          server.scriptBackend === "v8" && !streaming
            ? "; a script may be stuck in an endless loop: locally, scripts in V8 are not interrupted — " +
              "with SCRIPT_BACKEND=quickjs they run in QuickJS, which stops a script at its budget"
            : "";
        report(`the edgerun server at ${server.baseUrl} stopped answering (${why})${hint}`);
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void probe().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    dead,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
