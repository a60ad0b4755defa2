/**
 * The harness of the script-host benches (bench/cases/v8-scripts.ts, v8-call.ts): a bench Worker's
 * source bundled as the CLI bundles the real one, run in one workerd (Miniflare) with a Worker Loader
 * binding `LOADER` (and QuickJS's wasm), and workerd's CPU time read from /proc.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";
import type { Miniflare } from "miniflare";
import { WORKER_BUILD } from "../../cli/worker-bundle";
import { findDescendant } from "./proc";

const ROOT = join(import.meta.dirname, "../..");

/** utime + stime of a process in ms (clock ticks of 10 ms on Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The median of a list of numbers. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Bundles a bench Worker's source (imports relative to the repository root) for workerd. */
async function bundle(source: string, name: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: `${name}-worker.ts` },
    ...WORKER_BUILD,
    write: false,
    external: [...(WORKER_BUILD.external ?? []), "./quickjs.wasm"],
    logLevel: "error",
  });
  return out.outputFiles[0]!.text;
}

/**
 * Runs `body` against the bench Worker (`source`) in a fresh workerd, with workerd's pid for cpuMs;
 * the workerd stops afterwards.
 */
export async function withLoaderWorker(
  options: { name: string; source: string },
  body: (mf: Miniflare, pid: number) => Promise<void>,
): Promise<void> {
  const require = createRequire(join(ROOT, "package.json"));
  const wasm = readFileSync(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"));
  const { Miniflare, NoOpLog } = await import("miniflare");
  const mf = new Miniflare({
    log: new NoOpLog(),
    workers: [
      {
        config: {
          name: options.name,
          compatibilityDate: "2026-10-20",
          compatibilityFlags: ["nodejs_compat"],
          manifest: {
            mainModule: "index.js",
            modules: {
              "index.js": { type: "esm", contents: await bundle(options.source, options.name) },
              "quickjs.wasm": { type: "wasm", contents: new Uint8Array(wasm) },
            },
          },
          env: { LOADER: { type: "worker-loader" } },
        },
      },
    ],
  });
  try {
    await mf.ready;
    const pid = findDescendant(process.pid, "workerd");
    if (!pid) throw new Error("workerd process not found");
    await body(mf, pid);
  } finally {
    await mf.dispose();
  }
}
