/**
 * A local workerd out of file descriptors (every Durable Object used in the last seconds holds its SQLite
 * files open): the API answers a problem+json 503 that says what ran out, not a bare 500, and the
 * runtime's own error line is kept for the CLI's 5xx details. Real workerd with the real bundle; its fd
 * limit is lowered with `prlimit` to a few dozen above what it holds at start, so a handful of runs
 * reach it (bench/local-pileup.ts does the same with thousands).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { workerBundle } from "../../cli/worker-bundle";
import { startWorkerd, type Workerd } from "../../cli/workerd";

const KEY = "fd-test-key";
let runtime: Workerd;

beforeAll(async () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  runtime = await startWorkerd({
    script: await workerBundle(),
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: [
      ...toml.matchAll(
        /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/g,
      ),
    ].map((m) => ({ binding: m[1]!, className: m[2]! })),
    vars: { DEV_API_KEY: KEY, TARGET_POLICY: "any", ENVIRONMENT: "development", LOG_LEVEL: "warn" },
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

const submit = () =>
  fetch(`${runtime.origin}/v1/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      collection: {
        info: { name: "one" },
        item: [{ name: "get", request: { url: `${inject("targetUrl")}/get` } }],
      },
    }),
  });

describe("a local runtime out of file descriptors", () => {
  it("answers 503 problem+json naming the cause, with Retry-After, and keeps workerd's error line", async () => {
    expect((await submit()).status).toBe(201); // the workspace's objects are open before the limit
    const open = readdirSync(`/proc/${runtime.pid}/fd`).length;
    execFileSync("prlimit", [`--nofile=${open + 24}`, `--pid=${runtime.pid}`]);
    let res: Response | undefined;
    for (let i = 0; i < 200; i++) {
      res = await submit();
      if (res.status !== 201) break;
      await res.body?.cancel();
    }
    expect(res!.status).toBe(503);
    expect(res!.headers.get("content-type")).toBe("application/problem+json");
    expect(res!.headers.get("retry-after")).toBe("15");
    const problem = (await res!.json()) as { title: string; detail: string; status: number };
    expect(problem).toMatchObject({ status: 503, title: "Runtime Unavailable" });
    expect(problem.detail).toContain("file descriptors");
    expect(runtime.recentErrors().join("\n")).toContain("SQLITE_CANTOPEN");
  });
});
