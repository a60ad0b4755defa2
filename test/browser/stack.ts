/**
 * The real stack for browser tests: `wrangler dev` (Worker, Durable Objects and the built web assets,
 * as `npm start` runs it) on a free port with persistence in a temp dir, behind a small loopback proxy
 * that can cut a run's event stream mid-run (to test reconnection), plus headless Chromium.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { freePort, spawnWranglerDev, waitHealthy } from "../support/wrangler-dev";

const ROOT = join(import.meta.dirname, "..", "..");
export const API_KEY = "edgerun-dev-key";

/** Cuts event streams: when armed, the next `/events` response is closed after `afterEvents` events. */
export interface StreamCutter {
  arm(afterEvents: number): void;
  /** `Last-Event-ID` of every events request seen, in order ("" when absent). */
  readonly eventRequests: string[];
  /** How many streams were cut. */
  readonly cuts: number;
}

function startProxy(target: string): Promise<{ server: Server; url: string; cutter: StreamCutter }> {
  const state = { armed: null as number | null, eventRequests: [] as string[], cuts: 0 };
  const cutter: StreamCutter = {
    arm: (n) => {
      state.armed = n;
    },
    get eventRequests() {
      return state.eventRequests;
    },
    get cuts() {
      return state.cuts;
    },
  };
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const isEvents = /^\/v1\/runs\/[^/]+\/events/.test(req.url ?? "");
    if (isEvents) state.eventRequests.push(String(req.headers["last-event-id"] ?? ""));
    const cutAfter = isEvents ? state.armed : null;
    if (isEvents) state.armed = null;
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (cutAfter === null) {
          up.pipe(res);
          return;
        }
        let seen = 0;
        up.on("data", (chunk: Buffer) => {
          const text = chunk.toString("utf8");
          const blocks = text.split("\n\n");
          // Forward whole events until the budget is spent, then drop the connection mid-stream.
          let forwarded = "";
          for (let i = 0; i < blocks.length - 1; i++) {
            forwarded += `${blocks[i]}\n\n`;
            if (/^id:/m.test(blocks[i] ?? "")) seen++;
            if (seen >= cutAfter) {
              res.write(forwarded);
              state.cuts++;
              up.destroy();
              res.socket?.destroy();
              return;
            }
          }
          res.write(text);
        });
        up.on("end", () => res.end());
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}`, cutter });
    });
  });
}

export interface Stack {
  /** The proxy's URL: what the browser loads. */
  url: string;
  /** wrangler dev's own URL (for API calls from the test). */
  direct: string;
  cutter: StreamCutter;
  browser: Browser;
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** Builds the web assets, starts wrangler dev, the proxy and Chromium. */
export async function startStack(): Promise<Stack> {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build-web.mjs")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`build-web failed: ${build.stderr}`);
  const state = await mkdtemp(join(tmpdir(), "edgerun-browser-"));
  const port = await freePort();
  const direct = `http://127.0.0.1:${port}`;
  const child = spawnWranglerDev({
    port,
    state,
    vars: {
      DEV_API_KEY: API_KEY,
      TARGET_POLICY: "any",
      ENVIRONMENT: "development",
      API_RATE_LIMIT_PER_MINUTE: "100000",
    },
  });

  // wrangler is detached in its own process group (with workerd and esbuild): if this process ends
  // without stop() (a crashed or interrupted run), the group must not outlive it.
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  const stopChild = () =>
    new Promise<void>((resolve) => {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => killGroup("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      killGroup("SIGTERM");
    });
  try {
    await waitHealthy(direct, child);
  } catch (error) {
    await stopChild();
    await rm(state, { recursive: true, force: true });
    throw error;
  }
  const proxy = await startProxy(direct);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  return {
    url: proxy.url,
    direct,
    cutter: proxy.cutter,
    browser,
    api: (path, init = {}) =>
      fetch(`${direct}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", ...init.headers },
      }),
    async stop() {
      await browser.close().catch(() => {});
      proxy.server.closeAllConnections();
      await new Promise((r) => proxy.server.close(r));
      await stopChild();
      await rm(state, { recursive: true, force: true });
    },
  };
}
