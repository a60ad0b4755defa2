/**
 * Starting the real local stack (`wrangler dev` on workerd, local SQLite) from Node tests: a free port,
 * the process in its own group (so a test can kill wrangler and workerd together), and a readiness wait.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** `wrangler dev` on 127.0.0.1:`port` persisting to `state`, detached in its own process group. */
export function spawnWranglerDev(opts: {
  port: number;
  state: string;
  vars: Record<string, string>;
}): ChildProcess {
  const vars = Object.entries(opts.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  return spawn(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--inspector-port",
      "0",
      "--persist-to",
      opts.state,
      ...vars,
      "--show-interactive-dev-session=false",
    ],
    { cwd: ROOT, detached: true, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}

/** Resolves once `/healthz` answers; throws if `child` exits first or the deadline passes. */
export async function waitHealthy(
  base: string,
  child?: ChildProcess,
  deadline = Date.now() + 60_000,
): Promise<void> {
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy at ${base}`);
}
