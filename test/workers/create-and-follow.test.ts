/** `POST /v1/runs` with `Accept: text/event-stream`: one request starts a run and follows it. */
import { describe, expect, it } from "vitest";
import { api, collection, readSse, target } from "./helpers";

const body = () =>
  JSON.stringify({
    collection: collection("Follow", [
      {
        name: "One",
        url: `${target()}/get?n=1`,
        tests: ["pm.test('ok', () => pm.response.to.have.status(200));"],
      },
      { name: "Two", url: `${target()}/status/201` },
    ]),
  });

describe("create and follow", () => {
  it("answers 201 with the run's event stream from its first event and its URL in Location", async () => {
    const res = await api("/v1/runs", {
      method: "POST",
      body: body(),
      headers: { accept: "text/event-stream" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const location = res.headers.get("location");
    expect(location).toMatch(/^\/v1\/runs\/run_[a-z0-9]+$/);
    const messages = await readSse(res);
    expect(messages.map((m) => m.id)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.map((m) => m.event)).toEqual([
      "run.started",
      "iteration.started",
      "request.completed",
      "request.completed",
      "iteration.completed",
      "run.completed",
    ]);
    // The same run, as GET …/events and GET /v1/runs/{id} know it.
    const replay = await readSse(await api(`${location}/events`));
    expect(replay.map((m) => m.data)).toEqual(messages.map((m) => m.data));
    const summary = (await (await api(location!)).json()) as { status: string };
    expect(summary.status).toBe("completed");
  });

  it("replays the same run's stream for a repeated Idempotency-Key", async () => {
    const headers = { accept: "text/event-stream", "idempotency-key": `follow-${crypto.randomUUID()}` };
    const first = await api("/v1/runs", { method: "POST", body: body(), headers });
    const firstEvents = await readSse(first);
    const again = await api("/v1/runs", { method: "POST", body: body(), headers });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect((await readSse(again)).map((m) => m.data)).toEqual(firstEvents.map((m) => m.data));
  });

  it("keeps JSON for other Accept values and problem+json for a rejection", async () => {
    const refused = await api("/v1/runs", {
      method: "POST",
      body: body(),
      headers: { accept: "text/event-stream;q=0, application/json" },
    });
    expect(refused.status).toBe(201);
    expect(refused.headers.get("content-type")).toContain("application/json");
    // Follow the run to its end: a run still executing when the file ends outlives the test and has
    // stalled the next test files of the workerd suite.
    const run = (await refused.json()) as { links: { events: string } };
    const events = await readSse(await api(run.links.events));
    expect(events.at(-1)?.event).toBe("run.completed");
    const bad = await api("/v1/runs", {
      method: "POST",
      body: JSON.stringify({ collection: { item: "nope" } }),
      headers: { accept: "text/event-stream" },
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    await bad.body?.cancel();
  });
});
