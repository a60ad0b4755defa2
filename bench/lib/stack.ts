/**
 * The local stack for the benchmark: the Worker bundled once by wrangler (`deploy --dry-run`, so
 * source edits during a long benchmark cannot reload it) and run on workerd through Miniflare with
 * the wrangler.toml Durable Objects, SQLite storage in a temporary directory, and limits raised so 50
 * runs may be active at once; plus helpers to submit runs and read their SSE streams as a client does.
 */
import { spawn } from "node:child_process";
import { openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type SseMessage, SseParser } from "../../web/src/sse-parser";
import { processTree } from "./proc";

const ROOT = join(import.meta.dirname, "../..");
const KEY = "bench-key";

export interface Stack {
  baseUrl: string;
  workerdPid: number;
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** `wrangler deploy --dry-run --outdir`: the exact bundle a deploy would upload. */
function bundle(outdir: string, logFile: string): Promise<void> {
  const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const log = openSync(logFile, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
      cwd: ROOT,
      stdio: ["ignore", log, log],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler exited ${code}`))));
  });
}

function workerdPids(): Set<number> {
  return new Set(
    processTree(process.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim() === "workerd";
      } catch {
        return false;
      }
    }),
  );
}

/** Bundles the Worker and starts it with storage under `persistDir` (wrangler's output in `logFile`). */
export async function startStack(
  persistDir: string,
  logFile: string,
  opts: { inspectorPort?: number } = {},
): Promise<Stack> {
  const dist = join(persistDir, "..", "dist");
  await bundle(dist, logFile);
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!;
  const classes = [...toml.matchAll(/name\s*=\s*"([A-Z_]+)"\s*class_name\s*=\s*"([^"]+)"/g)];
  const wasm = readdirSync(dist).filter((f) => f.endsWith("-wasm"));
  const vars = {
    DEV_API_KEY: KEY,
    TARGET_POLICY: "any",
    ENVIRONMENT: "development",
    MAX_ACTIVE_RUNS: "100",
    MAX_RUNS_PER_HOUR: "100000",
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    // A/B of the group commit: `CHECKPOINT_INTERVAL_MS=0 npm run bench -- --cases concurrent`.
    ...(process.env.CHECKPOINT_INTERVAL_MS
      ? { CHECKPOINT_INTERVAL_MS: process.env.CHECKPOINT_INTERVAL_MS }
      : {}),
    // The script backend: `SCRIPT_BACKEND=v8 npm run bench -- --cases concurrent` (LOADER bound below).
    ...(process.env.SCRIPT_BACKEND ? { SCRIPT_BACKEND: process.env.SCRIPT_BACKEND } : {}),
  };
  const before = workerdPids();
  const { Miniflare, NoOpLog } = await import("miniflare");
  const modules: Record<string, { type: "esm" | "wasm"; contents: string | Uint8Array<ArrayBuffer> }> = {
    "index.js": { type: "esm", contents: readFileSync(join(dist, "index.js"), "utf8") },
  };
  for (const f of wasm) modules[f] = { type: "wasm", contents: new Uint8Array(readFileSync(join(dist, f))) };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    log: new NoOpLog(),
    handleStructuredLogs: () => {},
    resourcePersistencePath: persistDir,
    ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
    workers: [
      {
        config: {
          name: "edgerun",
          compatibilityDate: date,
          compatibilityFlags: ["nodejs_compat"],
          manifest: { mainModule: "index.js", modules },
          env: {
            ...Object.fromEntries(
              Object.entries(vars).map(([k, value]) => [k, { type: "text" as const, value }]),
            ),
            ...(process.env.SCRIPT_BACKEND === "v8" ? { LOADER: { type: "worker-loader" as const } } : {}),
            ...Object.fromEntries(
              classes.map((m) => [
                m[1]!,
                { type: "durable-object" as const, worker: "edgerun", exportName: m[2]! },
              ]),
            ),
          },
          exports: Object.fromEntries(
            classes.map((m) => [m[2]!, { type: "durable-object" as const, storage: "sqlite" as const }]),
          ),
        },
      },
    ],
  });
  const url = await mf.ready;
  const workerdPid = [...workerdPids()].find((p) => !before.has(p));
  if (!workerdPid) throw new Error("no workerd process found for the stack");
  return {
    baseUrl: url.origin,
    workerdPid,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${KEY}`);
      if (init.body) headers.set("content-type", "application/json");
      return fetch(`${url.origin}${path}`, { ...init, headers });
    },
    stop: () => mf.dispose(),
  };
}

/** Submits a run; returns its id. */
export async function submitRun(stack: Stack, body: unknown): Promise<string> {
  const res = await stack.api("/v1/runs", { method: "POST", body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST /v1/runs: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Reads a run's SSE stream to its end, calling `onMessage` with each event and its arrival time. */
export async function readEvents(
  stack: Stack,
  runId: string,
  onMessage: (message: SseMessage, receivedAt: number) => void,
): Promise<{ bytes: number }> {
  const res = await stack.api(`/v1/runs/${runId}/events`);
  if (!res.ok || !res.body) throw new Error(`GET events: ${res.status}`);
  return readStream(res, onMessage);
}

/**
 * Starts a run and follows it in one request (`POST /v1/runs` with `Accept: text/event-stream`), as a
 * client that wants every event live does: no event waits for a second connection.
 */
export async function startAndFollow(
  stack: Stack,
  body: unknown,
  onMessage: (message: SseMessage, receivedAt: number) => void,
): Promise<{ bytes: number }> {
  const res = await stack.api("/v1/runs", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { accept: "text/event-stream" },
  });
  if (res.status !== 201 || !res.body) throw new Error(`POST /v1/runs: ${res.status} ${await res.text()}`);
  return readStream(res, onMessage);
}

async function readStream(
  res: Response,
  onMessage: (message: SseMessage, receivedAt: number) => void,
): Promise<{ bytes: number }> {
  if (!res.body) throw new Error("no event stream");
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.byteLength;
    const now = Date.now();
    for (const m of parser.push(decoder.decode(chunk, { stream: true }))) onMessage(m, now);
  }
  return { bytes };
}
