/**
 * Where a CLI run executes: the project's own Worker + Durable Objects started embedded (workerd, from
 * a cached bundle), or a running instance given by --server. Both are used through
 * the same public `/v1` API, so the CLI exercises exactly what a cloud client does.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./args";
import { guardEmbedded } from "./embedded-guard";
import { mark } from "./timing";
import { workerBundle } from "./worker-bundle";
import { killAllWorkerd, startWorkerd, type Workerd } from "./workerd";

export interface Server {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:8787`. */
  readonly baseUrl: string;
  /** The key sent as `Authorization: Bearer` (one-off for the embedded stack). */
  readonly apiKey: string;
  /** Calls the API with the key attached; network failures become CliErrors. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Ends the embedded runtime (a no-op for --server). `exiting`: the process ends right after, so workerd
   * is SIGKILLed without waiting for it (≈ 8 ms) and the exit handler removes its directory.
   */
  stop(opts?: { exiting?: boolean }): Promise<void>;
  /** Embedded only: why the local runtime died (workerd exited or was restarted), once known. */
  readonly died?: Promise<string>;
  /** Embedded only: the script backend the local runtime uses now (`v8` cannot interrupt a stuck script). */
  readonly scriptBackend?: string;
  /**
   * Embedded with V8 only: replaces the runtime by a QuickJS one on the same storage (cli/embedded-guard.ts)
   * when it stopped answering; true when it did (the run resumes), false when there is no fallback left.
   */
  fallback?(reason: string, opts?: { busyForMs?: number }): Promise<boolean>;
  /** Embedded only: a notice for the user once the runtime fell back to QuickJS. */
  readonly fellBack?: Promise<string>;
  /** Embedded only: the last errors the local runtime logged (to explain a 5xx it answered). */
  recentErrors?(): string[];
  /** Embedded only: SIGKILLs the runtime synchronously (second Ctrl-C, process exit). */
  killNow?(): void;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * Requests per alarm slice of the embedded runtime (`SLICE_REQUESTS`; elsewhere 40). Why this many: a
 * slice bounds an invocation's CPU and subrequests on Cloudflare, which local workerd does not limit,
 * while each hand-over costs wall time; pm.sendRequest's per-slice cap scales with it (send-gate.ts).
 * `EDGERUN_SLICE_REQUESTS` overrides it (for benches: bench/cli-phases.ts).
 */
export const EMBEDDED_SLICE_REQUESTS = "1000";

function client(
  base: string | (() => string),
  apiKey: string,
  fetcher: typeof fetch,
  stop: Server["stop"],
  extra: Pick<Server, "died" | "killNow" | "fallback" | "fellBack" | "recentErrors"> & {
    scriptBackend?: () => string;
  } = {},
): Server {
  const { scriptBackend, ...rest } = extra;
  const baseOf = typeof base === "string" ? () => base : base;
  return {
    ...rest,
    get baseUrl() {
      return baseOf();
    },
    get scriptBackend() {
      return scriptBackend?.();
    },
    apiKey,
    async api(path, init = {}) {
      const baseUrl = baseOf();
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${apiKey}`);
      headers.set("user-agent", "edgerun-cli");
      try {
        return await fetcher(`${baseUrl}${path}`, { ...init, headers });
      } catch (error) {
        if ((error as Error).name === "AbortError" || init.signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new CliError(`Cannot reach the edgerun server at ${baseUrl} (${why}).`);
      }
    },
    stop,
  };
}

/** A remote instance (`--server`): checks it answers before anything is submitted. */
export async function connectRemote(url: string, apiKey: string | undefined): Promise<Server> {
  let base: URL;
  try {
    base = new URL(url);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new CliError(`--server must be an http(s) URL, got '${url}'.`);
  }
  if (!apiKey) throw new CliError("--server needs an API key: pass --api-key KEY or set EDGERUN_API_KEY.");
  const server = client(base.href.replace(/\/+$/, ""), apiKey, fetch, async () => {});
  const res = await server
    .api("/healthz", { signal: AbortSignal.timeout(10_000) })
    .catch((error: unknown) => {
      if ((error as Error).name === "TimeoutError") {
        throw new CliError(`The edgerun server at ${url} did not answer within 10 s.`);
      }
      throw error;
    });
  if (!res.ok) throw new CliError(`The edgerun server at ${url} answered /healthz with HTTP ${res.status}.`);
  await res.body?.cancel();
  return server;
}

interface WorkerSettings {
  compatibilityDate: string;
  compatibilityFlags: string[];
  durableObjects: Array<{ binding: string; className: string }>;
}

/** The few wrangler.toml settings the embedded stack needs, so the CLI runs what `wrangler dev` runs. */
function workerSettings(): WorkerSettings {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  const durableObjects = [
    ...toml.matchAll(
      /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/g,
    ),
  ].map((m) => ({ binding: m[1]!, className: m[2]! }));
  if (!date || durableObjects.length === 0)
    throw new Error("wrangler.toml lacks compatibility_date or Durable Objects");
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
    durableObjects,
  };
}

/**
 * Whatever ends this process (an error, process.exit on a second Ctrl-C, SIGINT/SIGTERM while no run
 * is followed), no workerd outlives it, not even one spawned a moment ago and still starting.
 */
function guardProcess(): () => void {
  const handler = (signal: NodeJS.Signals) => {
    killAllWorkerd();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  process.on("exit", killAllWorkerd);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
    process.off("exit", killAllWorkerd);
  };
}

/**
 * Starts the Worker and its Durable Objects on workerd (from the cached bundle) for this process only:
 * random port on loopback, SQLite storage in a temporary directory, a one-off API key, and the
 * permissive target policy so collections can call local services (as Newman can).
 */
/**
 * Where the embedded stack runs scripts: V8 isolates unless `SCRIPT_BACKEND=quickjs`. V8 is about twice
 * as fast as QuickJS; local workerd enforces no CPU or memory limit on its isolates, so the embedded
 * stack is guarded (cli/embedded-guard.ts): a script that never ends or allocates without bound gets
 * the runtime restarted with QuickJS, which stops it at its budget, and the run goes on.
 */
export function embeddedScriptBackend(): string {
  return process.env.SCRIPT_BACKEND ?? "v8";
}

export async function startEmbedded(opts: { scriptBackend?: string } = {}): Promise<Server> {
  // From the first moment: a signal during the start must not leave a workerd behind.
  const unguard = guardProcess();
  try {
    return await startStack(unguard, opts.scriptBackend ?? embeddedScriptBackend());
  } catch (error) {
    unguard();
    throw error;
  }
}

async function startStack(unguard: () => void, scriptBackend: string): Promise<Server> {
  const settings = workerSettings();
  const script = await workerBundle().catch((error: unknown) => {
    throw new CliError(`Could not bundle the embedded Worker: ${(error as Error).message}`);
  });
  mark("bundle found");
  const apiKey = `cli-${randomBytes(16).toString("hex")}`;
  const vars: Record<string, string> = {
    DEV_API_KEY: apiKey,
    TARGET_POLICY: process.env.TARGET_POLICY ?? "any",
    ENVIRONMENT: "cli",
    API_RATE_LIMIT_PER_MINUTE: "100000",
    SCRIPT_BACKEND: scriptBackend,
    // No per-invocation limits here: a run hands over to its next alarm every 1,000 requests, not 40
    // (each hand-over waits ≈ 2.4 ms for workerd's alarm scheduler; bench/README.md rounds 11 and 12).
    SLICE_REQUESTS: process.env.EDGERUN_SLICE_REQUESTS ?? EMBEDDED_SLICE_REQUESTS,
    // Storage dies with the process (no resume): large commit groups, fewer commits and SSE chunks (bench round 17).
    CHECKPOINT_INTERVAL_MS: process.env.EDGERUN_CHECKPOINT_INTERVAL_MS ?? "100",
    COMMIT_GROUP_STEPS: process.env.EDGERUN_COMMIT_GROUP_STEPS ?? "200",
    // Nobody reads the embedded runtime's log: info lines (one per run event batch) would be CPU for nothing.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  // Traces of embedded runs go where the user's OpenTelemetry setup points (if it does).
  for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS"]) {
    const value = process.env[name];
    if (value) vars[name] = value;
  }
  let runtime: Workerd;
  try {
    runtime = await startWorkerd({ script, ...settings, vars });
  } catch (error) {
    throw new CliError(`Could not start the embedded edgerun server: ${(error as Error).message}`);
  }
  const guard = guardEmbedded({ runtime, vars });
  let stopped = false;
  const stop = async (opts: { exiting?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    guard.stop();
    if (opts.exiting) {
      guard.current().kill(); // the process guard's exit handler removes the directory
      return;
    }
    await guard.current().stop();
    unguard();
  };
  return client(() => guard.current().origin, apiKey, fetch, stop, {
    died: guard.died,
    fellBack: guard.fellBack,
    fallback: guard.fallback,
    killNow: () => guard.current().killNow(),
    recentErrors: () => guard.current().recentErrors(),
    scriptBackend: guard.backend,
  });
}
