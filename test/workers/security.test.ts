/**
 * Safe by default, through the real Worker: tenants cannot see each other, hostile input never causes
 * a 5xx or leaves state behind, quotas answer with problem+json, and the per-workspace allow list is
 * validated. Everything runs in workerd against the real Durable Objects.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Workspace } from "../../durable-objects/workspace";
import { sha256Hex } from "../../platform/keys";
import { api, readSse, target } from "./helpers";

const ADMIN = "edgerun-test-admin";

async function createWorkspace(name: string, allowHosts?: string[]): Promise<{ id: string; key: string }> {
  const res = await api("/v1/admin/workspaces", {
    method: "POST",
    key: ADMIN,
    body: JSON.stringify({ name, ...(allowHosts ? { allowHosts } : {}) }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { workspace: { id: string }; apiKey: string };
  return { id: body.workspace.id, key: body.apiKey };
}

const tiny = () => ({
  collection: {
    info: { name: "tiny" },
    item: [{ name: "r", request: { method: "GET", url: `${target()}/get` } }],
  },
});

async function countRuns(key: string): Promise<number> {
  let total = 0;
  let cursor: string | null = null;
  do {
    const res = await api(`/v1/runs?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { key });
    const page = (await res.json()) as { runs: unknown[]; nextCursor: string | null };
    total += page.runs.length;
    cursor = page.nextCursor;
  } while (cursor);
  return total;
}

describe("tenant isolation", () => {
  it("refuses every run route to another workspace's key, as if the run did not exist", async () => {
    const a = await createWorkspace("tenant A");
    const b = await createWorkspace("tenant B");
    const created = await api("/v1/runs", { method: "POST", key: a.key, body: JSON.stringify(tiny()) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await readSse(await api(`/v1/runs/${id}/events`, { key: a.key }));

    const routes: Array<[string, string]> = [
      ["GET", `/v1/runs/${id}`],
      ["GET", `/v1/runs/${id}/events`],
      ["GET", `/v1/runs/${id}/report`],
      ["GET", `/v1/runs/${id}/report?format=junit`],
      ["POST", `/v1/runs/${id}/cancel`],
    ];
    for (const [method, path] of routes) {
      const res = await api(path, { method, key: b.key });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      // The owner still sees it.
      const own = await api(path, { method, key: a.key });
      expect({ path, status: own.status }).toEqual({ path, status: method === "POST" ? 202 : 200 });
    }
    expect(await countRuns(b.key)).toBe(0);
    expect(await countRuns(a.key)).toBe(1);

    // The same Idempotency-Key in two workspaces names two different runs.
    const post = (key: string) =>
      api("/v1/runs", {
        method: "POST",
        key,
        headers: { "idempotency-key": "shared" },
        body: JSON.stringify(tiny()),
      });
    const ra = (await (await post(a.key)).json()) as { id: string };
    const rb = (await (await post(b.key)).json()) as { id: string };
    expect(ra.id).not.toBe(rb.id);
  });

  it("rejects forged keys: another workspace's prefix, unknown secrets, and keys on the admin API", async () => {
    const a = await createWorkspace("tenant C");
    const b = await createWorkspace("tenant D");
    const secretOfA = a.key.split("_").at(-1)!;
    for (const key of [`er_${b.id}_${secretOfA}`, `er_${a.id}_wrong`, "er_nope_nope", "edgerun-dev-key-x"]) {
      const res = await api("/v1/runs", { key });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    const admin = await api("/v1/admin/workspaces", { method: "POST", key: a.key, body: '{"name":"x"}' });
    expect(admin.status).toBe(401);
  });
});

describe("secrets in stored outputs", () => {
  it("never puts a secret in the event log, the Newman report or the JUnit report", async () => {
    const canary = "CANARY-7f3a9c21e5";
    const body = {
      collection: {
        info: { name: "secrets" },
        auth: { type: "bearer", bearer: [{ key: "token", value: `${canary}-bearer` }] },
        item: [
          {
            name: "uses secrets",
            request: {
              method: "POST",
              url: `${target()}/post?k={{apiKey}}`,
              header: [{ key: "Authorization", value: `Bearer ${canary}-literal` }],
              body: { mode: "raw", raw: '{"key":"{{apiKey}}"}' },
            },
            event: [
              {
                listen: "test",
                script: {
                  exec: [
                    "pm.test('the script sees the real value', () => pm.expect(pm.environment.get('apiKey')).to.have.string('CANARY'));",
                    "console.log('key is', pm.environment.get('apiKey'));",
                  ],
                },
              },
            ],
          },
        ],
      },
      environment: { name: "prod", values: [{ key: "apiKey", value: `${canary}-env`, type: "secret" }] },
    };
    const created = await api("/v1/runs", { method: "POST", body: JSON.stringify(body) });
    const { id } = (await created.json()) as { id: string };
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    const request = events.find((e) => e.event === "request.completed")!.data as {
      assertions: Array<{ passed: boolean }>;
    };
    expect(request.assertions[0]!.passed).toBe(true);
    const outputs = [
      JSON.stringify(events),
      await (await api(`/v1/runs/${id}/report?format=newman`)).text(),
      await (await api(`/v1/runs/${id}/report?format=junit`)).text(),
      await (await api(`/v1/runs/${id}`)).text(),
    ];
    for (const text of outputs) expect(text).not.toContain(canary);
    expect(outputs[1]).toContain("********");
  });
});

describe("per-workspace target allow list", () => {
  it("is set at creation, replaced by the admin API, and validated", async () => {
    const ws = await createWorkspace("allow", ["api.internal.example", "*.staging.example"]);
    const put = (id: string, body: unknown) =>
      api(`/v1/admin/workspaces/${id}/allow-hosts`, {
        method: "PUT",
        key: ADMIN,
        body: JSON.stringify(body),
      });
    const ok = await put(ws.id, { allowHosts: ["10.0.0.8", "[fd00::1]", "Svc.Example"] });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { workspace: { allowHosts: string[] } }).workspace.allowHosts).toEqual([
      "10.0.0.8",
      "[fd00::1]",
      "svc.example",
    ]);
    const bad = await put(ws.id, { allowHosts: ["http://x.example/path"] });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: Array<{ pointer: string }> };
    expect(problem.errors[0]!.pointer).toBe("/allowHosts/0");
    expect((await put("wsdoesnotexist", { allowHosts: [] })).status).toBe(404);
  });
});

describe("quotas", () => {
  it("answers 429 problem+json with Retry-After when a key exhausts its API rate, and stores nothing", async () => {
    const ws = await createWorkspace("quota api");
    const stub = env.WORKSPACE.get(env.WORKSPACE.idFromName(ws.id));
    expect((await api("/v1/runs", { key: ws.key })).status).toBe(200);
    // Use up this minute's window of the key (API_RATE_LIMIT_PER_MINUTE is 100000 in tests), counted
    // in the object's memory.
    const hash = await sha256Hex(ws.key);
    await runInDurableObject(stub, async (instance: Workspace) => {
      for (let i = 0; i < 100_000; i++) await instance.consumeApiQuota(hash, 100_000, 60);
    });
    const res = await api("/v1/runs", { method: "POST", key: ws.key, body: JSON.stringify(tiny()) });
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("ratelimit")).toMatch(/r=0/);
    await runInDurableObject(stub, async (_i, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM runs").one().n).toBe(0);
    });
  });

  it("caps concurrently active runs per workspace with a clear 429", async () => {
    const ws = await createWorkspace("quota runs");
    const stub = env.WORKSPACE.get(env.WORKSPACE.idFromName(ws.id));
    await runInDurableObject(stub, async (_i, state) => {
      for (let i = 0; i < 20; i++) {
        state.storage.sql.exec(
          "INSERT INTO runs (id, created_at, status, monitor_id, data) VALUES (?, ?, 'running', NULL, '{}')",
          `run_fake${String(i).padStart(8, "0")}`,
          new Date().toISOString(),
        );
      }
    });
    const res = await api("/v1/runs", { method: "POST", key: ws.key, body: JSON.stringify(tiny()) });
    expect(res.status).toBe(429);
    const problem = (await res.json()) as { title: string; detail: string; type: string };
    expect(problem.type).toContain("run-quota");
    expect(problem.detail).toContain("20 active runs (limit 20)");
    expect(res.headers.get("retry-after")).toBe("10");
  });
});

/** Mutations of a valid body: any value at a meaningful path, deletions, and broken JSON text. */
function mutatedBodies(): fc.Arbitrary<string> {
  const paths: Array<Array<string | number>> = [
    [],
    ["collection"],
    ["collection", "info"],
    ["collection", "info", "name"],
    ["collection", "item"],
    ["collection", "item", 0],
    ["collection", "item", 0, "request"],
    ["collection", "item", 0, "request", "url"],
    ["collection", "item", 0, "request", "method"],
    ["collection", "item", 0, "request", "header"],
    ["collection", "item", 0, "request", "body"],
    ["collection", "item", 0, "request", "auth"],
    ["collection", "item", 0, "event"],
    ["collection", "variable"],
    ["collection", "auth"],
    ["environment"],
    ["globals"],
    ["iterationData"],
    ["options"],
    ["options", "iterationCount"],
    ["options", "folder"],
    ["options", "parallel"],
    ["options", "rateLimit"],
    ["options", "region"],
  ];
  const setAt = (root: unknown, path: Array<string | number>, value: unknown, remove: boolean): unknown => {
    if (path.length === 0) return remove ? undefined : value;
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null) return copy;
      node = next as Record<string | number, unknown>;
    }
    const last = path.at(-1)!;
    if (remove) delete node[last];
    else node[last] = value;
    return copy;
  };
  const structural = fc
    .tuple(
      fc.constantFrom(...paths),
      fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 300 })),
      fc.boolean(),
    )
    .map(
      ([path, value, remove]) => JSON.stringify(setAt(tiny(), path, value, remove && path.length > 0)) ?? "",
    );
  const textual = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.nat({ max: 400 }).map((n) => JSON.stringify(tiny()).slice(0, n)),
    fc.integer({ min: 100, max: 5000 }).map((n) => `{"collection":${"[".repeat(n)}${"]".repeat(n)}}`),
    fc.integer({ min: 60, max: 400 }).map((n) => {
      let item: unknown = { name: "leaf", request: { url: `${target()}/get` } };
      for (let i = 0; i < n; i++) item = { name: `f${i}`, item: [item] };
      return JSON.stringify({ collection: { info: { name: "deep" }, item: [item] } });
    }),
  );
  return fc.oneof({ arbitrary: structural, weight: 4 }, { arbitrary: textual, weight: 1 });
}

describe("fuzzed submissions", () => {
  it("never answer 5xx, always explain a rejection as problem+json, and store nothing for it", async () => {
    const ws = await createWorkspace("fuzz");
    let accepted = 0;
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    for (const body of fc.sample(mutatedBodies(), { numRuns: 1200, seed: 7 })) {
      const res = await api("/v1/runs", { method: "POST", key: ws.key, body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) {
        accepted++;
        // Accepted mutants may point anywhere: stop them at once (the run ends `cancelled`).
        const { id } = (await res.json()) as { id: string };
        await (await api(`/v1/runs/${id}/cancel`, { method: "POST", key: ws.key })).body?.cancel();
        continue;
      }
      const type = res.headers.get("content-type") ?? "";
      const text = await res.text();
      let problem: { title?: string; status?: number } = {};
      try {
        problem = JSON.parse(text) as typeof problem;
      } catch {
        // reported below
      }
      if (
        res.status >= 500 ||
        !type.includes("application/problem+json") ||
        problem.status !== res.status ||
        !problem.title
      ) {
        problems.push(`${res.status} ${type} ${text.slice(0, 200)} <= ${body.slice(0, 300)}`);
      }
    }
    console.log("fuzz statuses", JSON.stringify([...statuses]));
    expect(problems).toEqual([]);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(await countRuns(ws.key)).toBe(accepted);
  }, 240_000);
});
