import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, collection, readSse, startRun, target } from "./helpers";

const threeRequests = () =>
  collection("Skeleton", [
    { name: "Get", url: "{{baseUrl}}/get?n=1" },
    { name: "Post", method: "POST", url: "{{baseUrl}}/post", body: '{"hello":"{{who}}"}' },
    { name: "Status", url: "{{baseUrl}}/status/201" },
  ]);

const environment = () => ({
  name: "local",
  values: [
    { key: "baseUrl", value: target(), enabled: true },
    { key: "who", value: "world", enabled: true },
    { key: "headerValue", value: "h1", enabled: true },
  ],
});

describe("runs API", () => {
  it("runs a 3-request collection end to end and streams its events", async () => {
    const { res, id, json } = await startRun({ collection: threeRequests(), environment: environment() });
    expect(res.status).toBe(201);
    expect(json.links).toEqual({
      self: `/v1/runs/${id}`,
      events: `/v1/runs/${id}/events`,
      report: `/v1/runs/${id}/report`,
    });

    const stream = await api(`/v1/runs/${id}/events`);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const messages = await readSse(stream);
    expect(messages.map((m) => m.event)).toEqual([
      "run.started",
      "iteration.started",
      "request.completed",
      "request.completed",
      "request.completed",
      "iteration.completed",
      "run.completed",
    ]);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const m of messages) expect(m.data.v).toBe(1);
    const [get, post, status] = messages
      .filter((m) => m.event === "request.completed")
      .map((m) => m.data as any);
    expect(get.response.code).toBe(200);
    expect(get.request.headers).toContainEqual({ key: "X-Test", value: "h1" });
    expect(JSON.parse(post.response.bodyPreview).json).toEqual({ hello: "world" });
    expect(status.response.code).toBe(201);

    const summary = await (await api(`/v1/runs/${id}`)).json<any>();
    expect(summary.status).toBe("completed");
    expect(summary.stats.requests.total).toBe(3);
  });

  it("replays exactly the missing events after Last-Event-ID, with no gaps or duplicates", async () => {
    const { id } = await startRun({
      collection: collection("Resume", [
        { name: "a", url: `${target()}/delay/50` },
        { name: "b", url: `${target()}/delay/50` },
        { name: "c", url: `${target()}/delay/50` },
        { name: "d", url: `${target()}/delay/50` },
      ]),
    });
    const first = await readSse(await api(`/v1/runs/${id}/events`), (m) => m.id === 3);
    expect(first.map((m) => m.id)).toEqual([1, 2, 3]);
    const rest = await readSse(await api(`/v1/runs/${id}/events`, { headers: { "last-event-id": "3" } }));
    const ids = [...first, ...rest].map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(rest.at(-1)?.event).toBe("run.completed");
    expect(ids.length).toBe(8);
  });

  it("serves two concurrent subscribers the same sequence", async () => {
    const { id } = await startRun({
      collection: collection("Two", [
        { name: "a", url: `${target()}/delay/30` },
        { name: "b", url: `${target()}/get` },
      ]),
    });
    const [a, b] = await Promise.all([
      readSse(await api(`/v1/runs/${id}/events`)),
      readSse(await api(`/v1/runs/${id}/events`)),
    ]);
    expect(a.map((m) => [m.id, m.event])).toEqual(b.map((m) => [m.id, m.event]));
    expect(a.at(-1)?.event).toBe("run.completed");
  });

  it("replays a finished run fully and closes the stream", async () => {
    const { id } = await startRun({
      collection: collection("Done", [{ name: "a", url: `${target()}/get` }]),
    });
    await readSse(await api(`/v1/runs/${id}/events`));
    const again = await readSse(await api(`/v1/runs/${id}/events`), () => false);
    expect(again.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it("rejects an invalid collection with problem+json pointers and creates no Durable Object", async () => {
    const before = (await listDurableObjectIds(env.RUN_COORDINATOR)).length;
    const res = await api("/v1/runs", {
      method: "POST",
      body: JSON.stringify({ collection: { info: {}, item: [{ name: "x", request: { url: 42 } }] } }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = await res.json<any>();
    expect(problem.status).toBe(400);
    expect(problem.title).toBeTruthy();
    const pointers = problem.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain("/collection/info/name");
    expect(pointers.some((p: string) => p.startsWith("/collection/item/0/request"))).toBe(true);
    expect((await listDurableObjectIds(env.RUN_COORDINATOR)).length).toBe(before);
  });

  it("answers malformed JSON and unknown runs with problem+json", async () => {
    const bad = await api("/v1/runs", { method: "POST", body: "{nope" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    const missing = await api("/v1/runs/run_doesnotexist000000");
    expect(missing.status).toBe(404);
    expect((await missing.json<any>()).type).toContain("not-found");
    expect((await api("/v1/runs/run_doesnotexist000000/events")).status).toBe(404);
  });

  it("requires an API key", async () => {
    const res = await api("/v1/runs", { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await api("/v1/runs", { key: "wrong" })).status).toBe(401);
  });

  it("answers /healthz", async () => {
    const res = await api("/healthz", { key: null });
    expect(res.status).toBe(200);
    expect(await res.json<any>()).toMatchObject({ ok: true });
  });
});

describe("scripts in workerd", () => {
  it("runs pre-request and test scripts through the QuickJS sandbox", async () => {
    const coll = {
      info: { name: "Scripted" },
      event: [{ listen: "prerequest", script: { exec: ["pm.variables.set('who', 'sandbox');"] } }],
      item: [
        {
          name: "Echo",
          event: [
            {
              listen: "prerequest",
              script: {
                exec: ["pm.request.headers.add({ key: 'X-From', value: pm.variables.get('who') });"],
              },
            },
            {
              listen: "test",
              script: {
                exec: [
                  "pm.test('status', () => pm.response.to.have.status(200));",
                  "pm.test('header echoed', () => pm.expect(pm.response.json().headers['x-from']).to.equal('sandbox'));",
                  "pm.environment.set('seen', 'yes'); console.log('done');",
                  "pm.test('fails on purpose', () => pm.expect(1).to.equal(2));",
                ],
              },
            },
          ],
          request: { method: "GET", url: `${target()}/headers` },
        },
      ],
    };
    const { id } = await startRun({ collection: coll, environment: { name: "e", values: [] } });
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    const req = all.find((m) => m.event === "request.completed")!.data as any;
    expect(req.scriptErrors).toEqual([]);
    expect(req.assertions.map((a: { name: string; passed: boolean }) => [a.name, a.passed])).toEqual([
      ["status", true],
      ["header echoed", true],
      ["fails on purpose", false],
    ]);
    // Logged by the test script after its first two assertions (the CLI prints it between them).
    expect(req.console).toEqual([
      { level: "log", message: "done", args: ["done"], event: "test", afterAssertions: 2 },
    ]);
    const end = all.at(-1)!.data as any;
    expect(end.stats.assertions).toMatchObject({ total: 3, failed: 1 });
    const report = (await (await api(`/v1/runs/${id}/report`)).json()) as any;
    expect(report.environment.values).toContainEqual(expect.objectContaining({ key: "seen", value: "yes" }));
  });

  it("reads CSV iteration data as Newman does: a blank line is an iteration, unquoted numbers are numbers", async () => {
    const coll = collection("Data", [{ name: "Echo", url: `${target()}/get?who={{who}}` }]);
    const { res, id } = await startRun({ collection: coll, iterationData: 'who,n\n ann , 7\n\n"bob",008\n' });
    expect(res.status).toBe(201);
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    const urls = all.filter((m) => m.event === "request.completed").map((m) => (m.data as any).request.url);
    expect(urls).toEqual([`${target()}/get?who=ann`, `${target()}/get?who=`, `${target()}/get?who=bob`]);
  });
});
