/**
 * The embedded stack's runtime: the cached Worker bundle served by the `workerd` binary directly, with a
 * text config written per run. Miniflare is not in the way: importing it cost ≈ 0.25 s and ≈ 200 MiB of
 * the CLI's memory, its start ≈ 0.5 s, and it put its own entry, outbound, cache, email and dev-control
 * workers (plus a 0.7 MB zod extension) into workerd, which the CLI never calls. Storage is SQLite in a temporary
 * directory (memory-backed when possible: runtime-dir.ts), deleted when the runtime stops.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { markRuntimeDir, RUNTIME_DIR_PREFIX, runtimeTempDir, sweepStaleRuntimeDirs } from "./runtime-dir";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** A workerd that has not listened by then is stuck (it normally takes 0.2–0.5 s). */
const READY_DEADLINE_MS = 60_000;
/** nodejs_compat is on by default from this date; workerd warns when the flag is given anyway. */
const NODEJS_COMPAT_DEFAULT_ON = "2026-08-04";

export interface WorkerdOptions {
  /** The bundle's entry module; `quickjs.wasm` sits beside it. */
  script: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  durableObjects: Array<{ binding: string; className: string }>;
  /** Text bindings (passed through workerd's environment, so no value is ever quoted into the config). */
  vars: Record<string, string>;
}

export interface WorkerdExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Workerd {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly pid: number;
  /** Resolves when the process exits, whoever ended it, with its exit code or signal. */
  readonly exited: Promise<WorkerdExit>;
  /** SIGKILLs workerd and removes its storage: nothing in it outlives the run. Idempotent. */
  stop(): Promise<void>;
  /** The synchronous form of `stop` for `exit` handlers and a second Ctrl-C. */
  killNow(): void;
  /** SIGKILL only, not waited for; the directory stays until `killNow`/`killAllWorkerd` (process exit). */
  kill(): void;
  /** The last error lines the Worker (JSON, level "error") and workerd itself logged, newest last. */
  recentErrors(): string[];
  /**
   * SIGKILLs this process and starts workerd again on the same storage with other text bindings: what
   * the Durable Objects committed survives (a run resumes from its last checkpoint, as after a crash).
   * The returned handle replaces this one; on failure nothing is left running or on disk.
   */
  respawn(vars: Record<string, string>): Promise<Workerd>;
}

const quote = (text: string) => JSON.stringify(text);

function flags(date: string, given: string[]): string[] {
  if (date < NODEJS_COMPAT_DEFAULT_ON) return given;
  return given.filter((f) => f !== "nodejs_compat" && f !== "nodejs_compat_v2");
}

/** Extra CAs for targets behind a private CA, as Node (and Miniflare) honour them. */
function extraCertificates(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  let pem = "";
  try {
    pem = readFileSync(file, "utf8");
  } catch {
    // unreadable: Node itself only warns
  }
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** SCRIPT_BACKEND=v8|auto: the Worker gets a Worker Loader binding (workerd needs `--experimental`). */
function usesLoader(opts: WorkerdOptions): boolean {
  return opts.vars.SCRIPT_BACKEND === "v8" || opts.vars.SCRIPT_BACKEND === "auto";
}

/** The workerd config (capnp text): one Worker, its SQLite Durable Objects, the internet as outbound. */
function config(opts: WorkerdOptions, envNames: Map<string, string>, certs: string[]): string {
  const bindings = [
    ...[...envNames].map(([name, env]) => `(name = ${quote(name)}, fromEnvironment = ${quote(env)})`),
    ...opts.durableObjects.map(
      (d) => `(name = ${quote(d.binding)}, durableObjectNamespace = ${quote(d.className)})`,
    ),
    // Dynamic workers for SCRIPT_BACKEND=v8 (an experimental workerd feature).
    ...(usesLoader(opts) ? ['(name = "LOADER", workerLoader = ())'] : []),
  ];
  const namespaces = opts.durableObjects.map(
    (d) =>
      `(className = ${quote(d.className)}, uniqueKey = ${quote(`edgerun-${d.className}`)}, enableSql = true)`,
  );
  const tls = `(trustBrowserCas = true${certs.length ? `, trustedCertificates = [${certs.map(quote).join(", ")}]` : ""})`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edgerun", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "240.0.0.0/4"], tlsOptions = ${tls})),
    (name = "storage", disk = (path = "storage", writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "edgerun")],${v8Flags()}
);

const worker :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "index.js"),
    (name = "quickjs.wasm", wasm = embed "quickjs.wasm"),
  ],
  compatibilityDate = ${quote(opts.compatibilityDate)},
  compatibilityFlags = [${flags(opts.compatibilityDate, opts.compatibilityFlags).map(quote).join(", ")}],
  bindings = [
    ${bindings.join(",\n    ")}
  ],
  durableObjectNamespaces = [
    ${namespaces.join(",\n    ")}
  ],
  durableObjectStorage = (localDisk = "storage"),
);
`;
}

/**
 * `EDGERUN_V8_FLAGS` (space-separated) as workerd's `v8Flags`: for profiling the embedded runtime
 * (`--perf-basic-prof` names JavaScript frames for `perf`, bench/README.md), never needed to run.
 */
function v8Flags(): string {
  const flags = (process.env.EDGERUN_V8_FLAGS ?? "").split(/\s+/).filter(Boolean);
  return flags.length ? `\n  v8Flags = [${flags.map(quote).join(", ")}],` : "";
}

/**
 * `EDGERUN_WORKERD_INSPECTOR=127.0.0.1:<port>`: workerd's DevTools inspector on that address, for
 * profiling the embedded runtime's Worker isolate (bench/profile-cli-workerd.ts); never needed to run.
 */
function inspector(): string[] {
  const addr = process.env.EDGERUN_WORKERD_INSPECTOR;
  return addr ? [`--inspector-addr=${addr}`] : [];
}

/** The port workerd reports on its control pipe once the socket listens, or why it never did. */
function listening(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const control = createInterface(child.stdio[3] as Readable);
    const timer = setTimeout(
      () => fail(`it did not listen within ${READY_DEADLINE_MS / 1000} s`),
      READY_DEADLINE_MS,
    );
    const onExit = (code: number | null, signal: string | null) =>
      fail(`workerd exited (${signal ?? `code ${code}`}) before listening${stderr() ? `: ${stderr()}` : ""}`);
    function fail(why: string) {
      clearTimeout(timer);
      control.close();
      reject(new Error(why));
    }
    child.once("exit", onExit);
    child.once("error", (error) => fail(error.message));
    control.on("line", (line) => {
      let message: { event?: string; socket?: string; port?: number };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.event !== "listen" || message.socket !== "http" || typeof message.port !== "number") return;
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve(message.port);
    });
  });
}

/** Every runtime of this process not yet stopped, as synchronous kill-and-remove functions. */
const live = new Set<() => void>();

/**
 * SIGKILLs every workerd this process started and removes their directories, synchronously: for
 * `exit` handlers and signals, including one that arrives while a runtime is still starting.
 */
export function killAllWorkerd(): void {
  for (const kill of live) kill();
}

/**
 * Writes the config beside links to the bundle in a new temporary directory and starts workerd on a
 * random loopback port; resolves once it listens. On failure nothing is left running or on disk.
 */
export async function startWorkerd(opts: WorkerdOptions): Promise<Workerd> {
  const base = runtimeTempDir();
  sweepStaleRuntimeDirs(base);
  const dir = mkdtempSync(join(base, RUNTIME_DIR_PREFIX));
  const current: { child?: ChildProcess } = {};
  const killNow = () => {
    current.child?.kill("SIGKILL");
    if (!live.delete(killNow)) return;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // workerd was still writing as it died: a stray file in the temp directory, nothing running
    }
  };
  live.add(killNow);
  try {
    markRuntimeDir(dir);
    return await launch({ dir, opts, current, killNow });
  } catch (error) {
    killNow();
    throw error;
  }
}

/** One workerd process in `dir` (a first start or a respawn), and its handle. */
async function launch(run: {
  dir: string;
  opts: WorkerdOptions;
  current: { child?: ChildProcess };
  killNow: () => void;
}): Promise<Workerd> {
  const { dir, opts, killNow } = run;
  const child = spawnWorkerd(dir, opts);
  run.current.child = child;
  const port = await listening(child, () => stderrOf.get(child)?.trim() ?? "");
  stderrOf.delete(child);
  const exited = new Promise<WorkerdExit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    exited,
    killNow,
    kill: () => child.kill("SIGKILL"),
    recentErrors: () => [...(errorLinesOf.get(child) ?? [])],
    async stop() {
      child.kill("SIGKILL");
      await exited;
      if (!live.delete(killNow)) return;
      await rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(() => {});
    },
    async respawn(vars) {
      child.kill("SIGKILL");
      await exited;
      try {
        return await launch({ ...run, opts: { ...opts, vars } });
      } catch (error) {
        killNow();
        throw error;
      }
    },
  };
}

/** What each starting workerd wrote to stderr: it explains a failed start (and is dropped once it listens). */
const stderrOf = new WeakMap<ChildProcess, string>();

/** A symlink where allowed (Windows may refuse one without privileges; then a copy, ≈ 4 MB). */
function linkOrCopy(target: string, path: string): void {
  try {
    symlinkSync(target, path);
  } catch {
    copyFileSync(target, path);
  }
}

/** Synchronous on purpose (a handful of small file operations): nothing delays the spawn. */
function spawnWorkerd(dir: string, opts: WorkerdOptions): ChildProcess {
  const envNames = new Map(Object.keys(opts.vars).map((name) => [name, `EDGERUN_BINDING_${name}`]));
  // A respawn finds the storage and the links in place.
  mkdirSync(join(dir, "storage"), { recursive: true });
  if (!existsSync(join(dir, "index.js"))) {
    linkOrCopy(opts.script, join(dir, "index.js"));
    linkOrCopy(join(dirname(opts.script), "quickjs.wasm"), join(dir, "quickjs.wasm"));
  }
  writeFileSync(join(dir, "config.capnp"), config(opts, envNames, extraCertificates()));
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC" };
  for (const [name, value] of Object.entries(opts.vars)) env[envNames.get(name)!] = value;
  const binary = (createRequire(join(ROOT, "package.json"))("workerd") as { default: string }).default;
  const serve = ["serve", ...(usesLoader(opts) ? ["--experimental"] : []), "--control-fd=3", ...inspector()];
  const child = spawn(binary, [...serve, "--socket-addr=http=127.0.0.1:0", "config.capnp"], {
    cwd: dir,
    env,
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  // After the start, stderr is only the Worker's logs: the last few error lines are kept for a 5xx.
  stderrOf.set(child, "");
  const errors: string[] = [];
  let partial = "";
  errorLinesOf.set(child, errors);
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = stderrOf.get(child);
    if (text !== undefined && text.length < 16_384) stderrOf.set(child, text + chunk.toString());
    const lines = (partial + chunk.toString()).split("\n");
    partial = (lines.pop() ?? "").slice(-4096);
    for (const line of lines) {
      // The Worker's JSON error lines, and workerd's own (`src/…c++:123: error: …`, e.g. out of fds).
      if (!line.includes('"level":"error"') && !/\.c\+\+:\d+: error: /.test(line)) continue;
      errors.push(line.slice(0, 2000));
      if (errors.length > RECENT_ERRORS) errors.shift();
    }
  });
  return child;
}

/** Error lines the Worker logged (JSON, level "error"), newest last, per process. */
const errorLinesOf = new WeakMap<ChildProcess, string[]>();
const RECENT_ERRORS = 5;
