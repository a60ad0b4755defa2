/**
 * The CLI's stack for benchmarks: the Worker bundle (built from the working tree) on a bare workerd
 * (`cli/workerd.ts`) with the wrangler.toml Durable Objects, and a `Stack` over it that signs requests
 * with the dev API key — no Miniflare proxies in the way.
 */
import { readFileSync } from "node:fs";
import { workerBundle } from "../../cli/worker-bundle";
import { startWorkerd, type Workerd } from "../../cli/workerd";
import type { Stack } from "./stack";

/** Starts the bundle with these text bindings (`DEV_API_KEY` among them for `stackOf`). */
export async function startEdgerunWorkerd(vars: Record<string, string>): Promise<Workerd> {
  const toml = readFileSync("wrangler.toml", "utf8");
  const durableObjects = [
    ...toml.matchAll(
      /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/g,
    ),
  ].map((m) => ({ binding: m[1]!, className: m[2]! }));
  return startWorkerd({
    script: await workerBundle(),
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects,
    vars,
  });
}

/** The benchmark's view of a running workerd: API calls with `key` as bearer token. */
export function stackOf(runtime: Workerd, key: string): Stack {
  return {
    baseUrl: runtime.origin,
    workerdPid: runtime.pid,
    stop: () => runtime.stop(),
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${key}`);
      if (init.body) headers.set("content-type", "application/json");
      return fetch(`${runtime.origin}${path}`, { ...init, headers });
    },
  };
}
