/**
 * The embedded Worker's bundle: esbuild (as wrangler would) once per source state into
 * `node_modules/.cache/edgerun/worker-<fingerprint>/`, so CLI runs start workerd from a cached bundle.
 * In a shared checkout every edit makes a new one: builds are serialised by a lock file (concurrent
 * builds would race on the generated sandbox libraries) and old bundles are pruned.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { CliError } from "./args";
import { processAlive } from "./process-alive";
import { mark } from "./timing";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, "node_modules/.cache/edgerun");

function ensureSandboxLibraries(): void {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build-sandbox-libs.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (build.status !== 0) {
    throw new CliError("Could not build the sandbox libraries for the embedded server.", [
      build.stderr.trim(),
    ]);
  }
}

/** What the embedded Worker is built from (the generated sandbox libraries derive from these too). */
const WORKER_SOURCES = [
  "workers",
  "durable-objects",
  "platform",
  "shared",
  "cli/worker-bundle.ts",
  "scripts/build-sandbox-libs.mjs",
  "wrangler.toml",
  "package-lock.json",
];

/**
 * Path, size and mtime of every source file (no contents are read). Synchronous on purpose: ≈ 150 stats
 * take ≈ 1 ms this way, while one awaited stat per file cost 20–30 ms of event-loop turns at start-up.
 */
function fingerprint(): string {
  const hash = createHash("sha256");
  const walk = (path: string): void => {
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name !== "generated") walk(join(path, name));
      }
    } else {
      hash.update(path).update(String(info.size)).update(String(info.mtimeMs));
    }
  };
  for (const entry of WORKER_SOURCES) walk(join(ROOT, entry));
  return hash.digest("hex").slice(0, 16);
}

/** Bundles kept besides the newest: another CLI may be starting from one of them right now. */
const KEEP_BUNDLES = 5;
/** A bundle newer than this is never removed (a concurrent CLI may have just found it). */
const KEEP_BUNDLE_MS = 10 * 60_000;

/**
 * Removes old bundles: every source edit makes a new 4 MB one, so a working checkout collected
 * hundreds. workerd reads the bundle when it starts, so a running CLI does not need its files.
 */
async function pruneBundles(cache: string, current: string): Promise<void> {
  const names = (await readdir(cache).catch(() => [] as string[])).filter((n) => n.startsWith("worker-"));
  const dirs = await Promise.all(
    names.map(async (name) => {
      const path = join(cache, name);
      return { path, mtime: (await stat(path).catch(() => null))?.mtimeMs ?? 0 };
    }),
  );
  const old = dirs
    .filter((d) => d.path !== current)
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEEP_BUNDLES)
    .filter((d) => d.mtime < Date.now() - KEEP_BUNDLE_MS);
  await Promise.all(old.map((d) => rm(d.path, { recursive: true, force: true }).catch(() => {})));
}

/**
 * How the Worker is bundled for workerd (also by the benches that build their own Worker): ESM for the
 * `workerd` condition, platform modules external, and QuickJS's wasm as the module `./quickjs.wasm`.
 */
export const WORKER_BUILD: BuildOptions = {
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  external: ["cloudflare:*", "node:*"],
  plugins: [
    {
      // csv-parse (Newman's CSV reader, shared/engine/data-file.ts) and httpntlm (its NTLM messages,
      // shared/engine/auth/ntlm.ts) are CommonJS and `require` the bare "stream" and "crypto": as
      // wrangler's bundler does under nodejs_compat, they get an ES import of node:stream / node:crypto
      // (an ESM bundle cannot `require` an external module).
      name: "node-builtin-require",
      setup(b) {
        b.onResolve({ filter: /^(stream|crypto)$/ }, (args) => ({
          path: args.path,
          namespace: "node-builtin",
        }));
        b.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => ({
          contents: `import m from "node:${args.path}"; export default m; export * from "node:${args.path}";`,
          loader: "js",
        }));
      },
    },
    {
      name: "quickjs-wasm",
      setup(b) {
        b.onResolve({ filter: /^@jitl\/quickjs-wasmfile-release-sync\/wasm$/ }, () => ({
          path: "./quickjs.wasm",
          external: true,
        }));
      },
    },
  ],
};

/**
 * The bundle's entry module for the current sources, built first if needed (then under the build lock,
 * checking again: another CLI may have built it meanwhile).
 */
export async function workerBundle(): Promise<string> {
  const dir = join(CACHE, `worker-${fingerprint()}`);
  mark("sources fingerprinted");
  const entry = join(dir, "index.js");
  // Synchronous up to workerd's spawn (here, settings, config): an awaited call would let the CLI's
  // module loading run first and delay the spawn by ≈ 30 ms.
  if (existsSync(entry)) return entry;
  return await withBuildLock(async () => {
    if (!existsSync(entry)) await buildBundle(dir);
    return entry;
  });
}

/** The PID in a lock file, if that process is still alive (a killed CLI leaves a stale lock). */
function lockHolderAlive(lock: string): boolean {
  const pid = Number(readFileSync(lock, { encoding: "utf8", flag: "r" }).trim());
  return Number.isInteger(pid) && pid > 0 && processAlive(pid);
}

/** Runs `work` holding `build.lock` (created exclusively, holding this PID); waits while another holds it. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(CACHE, "build.lock");
  await mkdir(CACHE, { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let alive = true;
      try {
        alive = lockHolderAlive(lock);
      } catch {
        continue; // released (or not written yet) while we looked: try again
      }
      if (!alive) rmSync(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

async function buildBundle(dir: string): Promise<void> {
  ensureSandboxLibraries();
  mark("sandbox libraries built");
  const tmp = `${dir}.tmp-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(ROOT, "workers/index.ts")],
    outfile: join(tmp, "index.js"),
    ...WORKER_BUILD,
    logLevel: "silent",
  });
  const require = createRequire(join(ROOT, "package.json"));
  await copyFile(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"), join(tmp, "quickjs.wasm"));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  mark("worker bundled");
  await pruneBundles(CACHE, dir);
}
