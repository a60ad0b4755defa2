/**
 * Stored collections and environments through the real Worker and Workspace objects: versions, ETags,
 * pagination, write-only secrets, runs from stored ids, tenant isolation, and nothing stored on rejection.
 */
import { describe, expect, it } from "vitest";
import { api, collection, readSse, target } from "./helpers";

const ADMIN = "edgerun-test-admin";

async function newWorkspace(name: string): Promise<string> {
  const res = await api("/v1/admin/workspaces", {
    method: "POST",
    key: ADMIN,
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

const post = (path: string, body: unknown, key: string) =>
  api(path, { method: "POST", key, body: JSON.stringify(body) });

const envDoc = (secret: string) => ({
  name: "staging",
  values: [
    { key: "baseUrl", value: target(), enabled: true },
    { key: "token", value: secret, type: "secret", enabled: true },
  ],
});

const echoCollection = () =>
  collection("Stored", [
    {
      name: "Echo token",
      url: "{{baseUrl}}/get?t={{token}}",
      tests: ["pm.test('ok', () => pm.response.to.have.status(200));"],
    },
  ]);

/** Starts a run from `body`, reads its whole event stream, and checks its one request's assertions passed. */
async function runToEnd(
  body: unknown,
  key: string,
): Promise<{ id: string; events: Awaited<ReturnType<typeof readSse>> }> {
  const run = await post("/v1/runs", body, key);
  expect(run.status).toBe(201);
  const { id } = (await run.json()) as { id: string };
  const events = await readSse(await api(`/v1/runs/${id}/events`, { key }));
  const completed = events.find((e) => e.event === "request.completed")!.data as {
    assertions: Array<{ passed: boolean }>;
  };
  expect(completed.assertions).toEqual([expect.objectContaining({ passed: true })]);
  return { id, events };
}

describe("stored collections and environments", () => {
  it("stores, versions, lists, conditionally gets and deletes a collection", async () => {
    const key = await newWorkspace("crud");
    const created = await post("/v1/collections", echoCollection(), key);
    expect(created.status).toBe(201);
    const v1 = (await created.json()) as {
      id: string;
      version: number;
      etag: string;
      collection: { info: { name: string } };
    };
    expect(v1).toMatchObject({ version: 1, latestVersion: 1, name: "Stored" });
    expect(created.headers.get("location")).toBe(`/v1/collections/${v1.id}`);
    expect(created.headers.get("etag")).toBe(v1.etag);

    const notModified = await api(`/v1/collections/${v1.id}`, { key, headers: { "if-none-match": v1.etag } });
    expect(notModified.status).toBe(304);

    const renamed = { ...echoCollection(), info: { ...echoCollection().info, name: "Stored v2" } };
    const stale = await api(`/v1/collections/${v1.id}`, {
      method: "PUT",
      key,
      body: JSON.stringify(renamed),
      headers: { "if-match": '"nope"' },
    });
    expect(stale.status).toBe(412);
    const replaced = await api(`/v1/collections/${v1.id}`, {
      method: "PUT",
      key,
      body: JSON.stringify(renamed),
      headers: { "if-match": v1.etag },
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ version: 2, name: "Stored v2" });

    const old = (await (await api(`/v1/collections/${v1.id}?version=1`, { key })).json()) as {
      version: number;
      name: string;
      collection: { info: { name: string } };
    };
    expect(old.version).toBe(1);
    expect(old.collection.info.name).toBe("Stored");
    // The version's own name, not the latest one's.
    expect(old.name).toBe("Stored");
    expect((await api(`/v1/collections/${v1.id}?version=9`, { key })).status).toBe(404);
    const notANumber = await api(`/v1/collections/${v1.id}?version=abc`, { key });
    expect(notANumber.status).toBe(400);
    expect(((await notANumber.json()) as { errors: Array<{ detail: string }> }).errors[0]!.detail).toBe(
      "version must be a whole number from 1",
    );

    const list = (await (await api("/v1/collections", { key })).json()) as {
      collections: Array<{ id: string }>;
    };
    expect(list.collections.map((c) => c.id)).toEqual([v1.id]);

    expect((await api(`/v1/collections/${v1.id}`, { method: "DELETE", key })).status).toBe(204);
    expect((await api(`/v1/collections/${v1.id}`, { key })).status).toBe(404);
    expect((await api(`/v1/collections/${v1.id}`, { method: "DELETE", key })).status).toBe(404);
  });

  it("paginates with a cursor and answers 400 for a cursor it never produced", async () => {
    const key = await newWorkspace("pages");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post("/v1/environments", { name: `env ${i}`, values: [] }, key);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        `/v1/environments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { key },
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { environments: Array<{ id: string }>; nextCursor: string | null };
      expect(page.environments.length).toBeLessThanOrEqual(2);
      seen.push(...page.environments.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(5);
    for (const bad of ["garbage", "eyJ4Ijp9", "%%%"]) {
      const res = await api(`/v1/environments?cursor=${encodeURIComponent(bad)}`, { key });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await api("/v1/runs?cursor=garbage", { key })).status).toBe(400);
  });

  it("never returns a secret value, keeps it across a masked round trip, and runs with the real value", async () => {
    const key = await newWorkspace("secrets");
    const canary = "canary-5f1d9e7a";
    const envRes = await post("/v1/environments", envDoc(canary), key);
    const env = (await envRes.json()) as {
      id: string;
      environment: { values: Array<{ key: string; value: string }> };
    };
    expect(JSON.stringify(env)).not.toContain(canary);
    expect(env.environment.values.find((v) => v.key === "token")?.value).toBe("********");

    // PUT back what GET returned: the masked secret keeps its stored value.
    const got = (await (await api(`/v1/environments/${env.id}`, { key })).json()) as { environment: unknown };
    expect(JSON.stringify(got)).not.toContain(canary);
    const put = await api(`/v1/environments/${env.id}`, {
      method: "PUT",
      key,
      body: JSON.stringify(got.environment),
    });
    expect(put.status).toBe(200);
    expect(JSON.stringify(await put.json())).not.toContain(canary);

    // The mask under a key no stored secret has (renamed, or new on create) stands for nothing: refused.
    const renamed = {
      name: "staging",
      values: [{ key: "token2", value: "********", type: "secret", enabled: true }],
    };
    for (const [path, method] of [
      [`/v1/environments/${env.id}`, "PUT"],
      ["/v1/environments", "POST"],
    ] as const) {
      const refused = await api(path, { method, key, body: JSON.stringify(renamed) });
      expect(refused.status).toBe(400);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await refused.json()) as { detail: string; errors: Array<{ pointer: string }> };
      expect(problem.detail).toContain("'token2'");
      expect(problem.errors[0]!.pointer).toBe("/values/0/value");
    }
    const list = (await (await api("/v1/environments", { key })).json()) as { environments: unknown[] };
    expect(list.environments).toHaveLength(1);

    const col = (await (await post("/v1/collections", echoCollection(), key)).json()) as { id: string };
    const { id, events } = await runToEnd(
      { collection: col.id, environment: env.id, collectionVersion: 1 },
      key,
    );
    // The target saw the real secret; the event shows it masked.
    expect(JSON.stringify(events)).not.toContain(canary);
    const summary = (await (await api(`/v1/runs/${id}`, { key })).json()) as {
      status: string;
      source: unknown;
    };
    expect(summary.status).toBe("completed");
    expect(summary.source).toEqual({
      collection: { id: col.id, version: 1 },
      environment: { id: env.id, version: 2 },
    });
  });

  it("keeps workspaces apart: another workspace gets 404 and an empty list", async () => {
    const owner = await newWorkspace("owner");
    const other = await newWorkspace("other");
    const col = (await (await post("/v1/collections", echoCollection(), owner)).json()) as { id: string };
    expect((await api(`/v1/collections/${col.id}`, { key: other })).status).toBe(404);
    expect(
      (
        await api(`/v1/collections/${col.id}`, {
          method: "PUT",
          key: other,
          body: JSON.stringify(echoCollection()),
        })
      ).status,
    ).toBe(404);
    expect((await api(`/v1/collections/${col.id}`, { method: "DELETE", key: other })).status).toBe(404);
    expect(await (await api("/v1/collections", { key: other })).json()).toEqual({
      collections: [],
      nextCursor: null,
    });
    const run = await post("/v1/runs", { collection: col.id }, other);
    expect(run.status).toBe(404);
    expect((await api(`/v1/collections/${col.id}`, { key: owner })).status).toBe(200);
  });

  it("answers bad bodies with 4xx problem+json and stores nothing", async () => {
    const key = await newWorkspace("rejects");
    const bad: Array<[string, RequestInit, number]> = [
      ["not json", { body: "{oops" }, 400],
      ["not a collection", { body: JSON.stringify({ item: 5 }) }, 400],
      [
        "wrong media type",
        { body: JSON.stringify(echoCollection()), headers: { "content-type": "text/plain" } },
        415,
      ],
      ["invalid utf-8", { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400],
      ["too deep", { body: `${"[".repeat(5000)}${"]".repeat(5000)}` }, 413],
      [
        "too large",
        { body: JSON.stringify({ ...echoCollection(), pad: "x".repeat(13 * 1024 * 1024) }) },
        413,
      ],
    ];
    for (const [name, init, status] of bad) {
      const res = await api("/v1/collections", { method: "POST", key, ...init });
      expect(res.status, name).toBe(status);
      expect(res.headers.get("content-type"), name).toContain("application/problem+json");
    }
    expect(await (await api("/v1/collections", { key })).json()).toEqual({
      collections: [],
      nextCursor: null,
    });
    const wrongMethod = await api("/v1/collections", { method: "PATCH", key, body: "{}" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toContain("POST");
  });

  it("accepts Postman API wrappers ({ collection } / { environment })", async () => {
    const key = await newWorkspace("wrappers");
    const col = await post("/v1/collections", { collection: echoCollection() }, key);
    expect(col.status).toBe(201);
    const env = await post("/v1/environments", { environment: envDoc("s3cret-value") }, key);
    expect(env.status).toBe(201);
    expect(((await env.json()) as { name: string }).name).toBe("staging");
  });

  it("stores a Collection v3 tree (path → YAML) and runs it by id", async () => {
    const key = await newWorkspace("v3");
    const files = {
      "postman/collections/Tree/.resources/definition.yaml": "$kind: collection\nname: Tree v3\n",
      "postman/collections/Tree/Ping.request.yaml": [
        "$kind: http-request",
        "method: GET",
        `url: '${target()}/get?v=3'`,
        "order: 1000",
        "scripts:",
        "  - type: afterResponse",
        "    code: |-",
        "      pm.test('v3 ran', () => pm.expect(pm.response.json().args.v).to.eql('3'));",
        "    language: text/javascript",
      ].join("\n"),
    };
    const stored = await post("/v1/collections", { format: "v3", files }, key);
    expect(stored.status).toBe(201);
    const col = (await stored.json()) as { id: string; name: string };
    expect(col.name).toBe("Tree v3");
    const broken = await post(
      "/v1/collections",
      { format: "v3", files: { "postman/collections/T/A.request.yaml": "$kind: [" } },
      key,
    );
    expect(broken.status).toBe(400);
    const run = await post("/v1/runs", { collection: col.id }, key);
    expect(run.status).toBe(201);
    const { id } = (await run.json()) as { id: string };
    const events = await readSse(await api(`/v1/runs/${id}/events`, { key }));
    const done = events.find((e) => e.event === "request.completed")!.data as {
      assertions: Array<{ name: string; passed: boolean }>;
    };
    expect(done.assertions).toEqual([expect.objectContaining({ name: "v3 ran", passed: true })]);
  });

  it("runs a stored collection and environment named as collectionId / environmentId, as the contract spells them", async () => {
    const key = await newWorkspace("ids");
    const col = (await (await post("/v1/collections", echoCollection(), key)).json()) as { id: string };
    const env = (await (await post("/v1/environments", envDoc("id-secret"), key)).json()) as { id: string };
    const { id } = await runToEnd({ collectionId: col.id, environmentId: env.id, collectionVersion: 1 }, key);
    const summary = (await (await api(`/v1/runs/${id}`, { key })).json()) as { source: unknown };
    expect(summary.source).toEqual({
      collection: { id: col.id, version: 1 },
      environment: { id: env.id, version: 1 },
    });

    // Both forms at once, or neither: a 400 with the pointer of the field at fault, and no run stored.
    const both = await post("/v1/runs", { collection: col.id, collectionId: col.id }, key);
    expect(both.status).toBe(400);
    const bothProblem = (await both.json()) as { errors: Array<{ pointer: string }> };
    expect(bothProblem.errors.map((e) => e.pointer)).toEqual(["/collectionId"]);
    const neither = await post("/v1/runs", { environmentId: env.id }, key);
    expect(neither.status).toBe(400);
    const neitherProblem = (await neither.json()) as { errors: Array<{ pointer: string }> };
    expect(neitherProblem.errors.map((e) => e.pointer)).toEqual(["/collection"]);
    const list = (await (await api("/v1/runs", { key })).json()) as { runs: unknown[] };
    expect(list.runs).toHaveLength(1);
  });
});
