/**
 * A raw `fetch` loop inside workerd (Miniflare, no Durable Object, no engine) against the same local
 * echo target, with and without the headers the engine sends: it separates workerd's own outbound
 * fetch cost from anything edgerun adds on the request path.
 */
import type { Server } from "node:http";
import { round } from "../lib/proc";

const WORKER = `
import { DurableObject } from "cloudflare:workers";
async function loop({ target, n, headers, write: mode }, write) {
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    if (mode === "both") write(i);
    const res = await fetch(target + "/get?i=" + i, { headers });
    await res.text();
    write?.(i);
  }
  return Response.json({ ms: Date.now() - t0 });
}
export class Loop extends DurableObject {
  async fetch(request) {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
    // Like the RunCoordinator: a write before the request (in flight) and a commit after it.
    const body = await request.json();
    if (!body.write) return loop(body);
    return loop(body, (i) => sql.exec("INSERT OR REPLACE INTO t VALUES (1, ?)", "x".repeat(900) + i));
  }
}
export default {
  async fetch(request, env) {
    const body = await request.json();
    if (body.durable) return env.LOOP.get(env.LOOP.idFromName("x")).fetch("http://do/", { method: "POST", body: JSON.stringify(body) });
    return loop(body);
  },
};`;

/** Headers the engine sends on every request (Postman's defaults). */
const ENGINE_HEADERS = {
  "User-Agent": "PostmanRuntime/7.43.0 edgerun/0.1",
  Accept: "*/*",
  "Cache-Control": "no-cache",
  "Postman-Token": "47433bce-7eef-4e2f-bfb2-e0f72659475e",
  "Accept-Encoding": "gzip, deflate, br",
  Connection: "keep-alive",
};

export interface WorkerdFetchResult {
  requests: number;
  bareMsPerRequest: number;
  engineHeadersMsPerRequest: number;
  /** The same loop inside a SQLite Durable Object, without and with a write before and after each fetch. */
  inDurableObjectMsPerRequest: number;
  /** … with one write per request (after the fetch), the RunCoordinator's commit alone. */
  oneWriteMsPerRequest: number;
  durableWritesMsPerRequest: number;
  /** TCP connections the echo target accepted per loop: 1 means workerd reuses its connection. */
  connections: { bare: number; engineHeaders: number };
}

/** Times `requests` sequential fetches in workerd twice: bare, then with the engine's headers. */
export async function workerdFetchCase(opts: {
  url: string;
  server: Server;
  requests: number;
}): Promise<WorkerdFetchResult> {
  let connections = 0;
  const count = () => connections++;
  opts.server.on("connection", count);
  const { Miniflare, NoOpLog } = await import("miniflare");
  const mf = new Miniflare({
    log: new NoOpLog(),
    workers: [
      {
        config: {
          name: "fetch-loop",
          compatibilityDate: "2026-10-20",
          compatibilityFlags: ["nodejs_compat"],
          manifest: { mainModule: "index.js", modules: { "index.js": { type: "esm", contents: WORKER } } },
          env: { LOOP: { type: "durable-object", worker: "fetch-loop", exportName: "Loop" } },
          exports: { Loop: { type: "durable-object", storage: "sqlite" } },
        },
      },
    ],
  });
  try {
    const time = async (
      n: number,
      headers: Record<string, string>,
      durable = false,
      write: "" | "after" | "both" = "",
    ) => {
      const res = await mf.dispatchFetch("http://bench/", {
        method: "POST",
        body: JSON.stringify({ target: opts.url, n, headers, durable, write }),
      });
      return ((await res.json()) as { ms: number }).ms / n;
    };
    await time(100, {});
    connections = 0;
    const bare = await time(opts.requests, {});
    const bareConnections = connections;
    connections = 0;
    const engine = await time(opts.requests, ENGINE_HEADERS);
    await time(50, {}, true, "both");
    const inDo = await time(opts.requests, {}, true);
    const oneWrite = await time(opts.requests, {}, true, "after");
    const durable = await time(opts.requests, {}, true, "both");
    return {
      requests: opts.requests,
      bareMsPerRequest: round(bare, 3),
      engineHeadersMsPerRequest: round(engine, 3),
      inDurableObjectMsPerRequest: round(inDo, 3),
      oneWriteMsPerRequest: round(oneWrite, 3),
      durableWritesMsPerRequest: round(durable, 3),
      connections: { bare: bareConnections, engineHeaders: connections },
    };
  } finally {
    opts.server.off("connection", count);
    await mf.dispose();
  }
}
