/**
 * HTTP hygiene of the public API: media types, encodings, sizes counted while streaming, nesting
 * depth on every field, 405 with Allow, CORS, auth on every route, and strict Last-Event-ID parsing.
 * Every rejection is problem+json and stores nothing.
 */
import { describe, expect, it } from "vitest";
import { api, collection, readSse, startRun, target } from "./helpers";

const tiny = () => collection("Tiny", [{ name: "one", url: `${target()}/get` }]);
const runCount = async () =>
  ((await (await api("/v1/runs?limit=100")).json()) as { runs: unknown[] }).runs.length;

function nested(depth: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("HTTP hygiene", () => {
  it("refuses bad submissions with problem+json and stores no run", async () => {
    const before = await runCount();
    const cases: Array<[string, RequestInit, number]> = [
      [
        "no content type",
        { body: JSON.stringify({ collection: tiny() }), headers: { "content-type": "" } },
        415,
      ],
      [
        "form content type",
        { body: "collection=x", headers: { "content-type": "application/x-www-form-urlencoded" } },
        415,
      ],
      ["invalid UTF-8", { body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]) }, 400],
      [
        "deep iterationData",
        {
          body: `{"collection":${JSON.stringify(tiny())},"iterationData":[${JSON.stringify(nested(5000))}]}`,
        },
        413,
      ],
      [
        "deep environment",
        {
          body: `{"collection":${JSON.stringify(tiny())},"environment":${JSON.stringify({ name: "e", values: [{ key: "k", value: nested(6000) }] })}}`,
        },
        413,
      ],
      [
        "deep globals",
        { body: `{"collection":${JSON.stringify(tiny())},"globals":${"[".repeat(8000)}${"]".repeat(8000)}}` },
        413,
      ],
    ];
    for (const [name, init, status] of cases) {
      const res = await api("/v1/runs", { method: "POST", ...init });
      expect(res.status, name).toBe(status);
      expect(res.headers.get("content-type"), name).toContain("application/problem+json");
      const problem = (await res.json()) as { status: number; title: string };
      expect(problem.status, name).toBe(status);
    }
    expect(await runCount()).toBe(before);
  });

  it("counts a chunked body while it streams and stops at the cap", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await api("/v1/runs", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    // Reading stopped at the cap (12 MiB), long before the 40 MiB the client would send.
    expect(sent).toBeLessThan(20);
  });

  it("refuses a name past its limit (one row of the workspace's index) for runs, collections, environments", async () => {
    const name = "n".repeat(16 * 1024 + 1);
    const cases: Array<[string, unknown, string]> = [
      ["/v1/runs", { collection: { ...tiny(), info: { name } } }, "/collection/info/name"],
      ["/v1/collections", { ...tiny(), item: [{ name, request: `${target()}/get` }] }, "/item/0/name"],
      ["/v1/environments", { name, values: [] }, "/name"],
    ];
    for (const [path, doc, pointer] of cases) {
      const res = await api(path, { method: "POST", body: JSON.stringify(doc) });
      expect(res.status, path).toBe(413);
      const problem = (await res.json()) as { errors: Array<{ pointer: string; detail: string }> };
      expect(problem.errors[0], path).toMatchObject({
        pointer,
        detail: expect.stringMatching(/name of more than 16384/),
      });
    }
  });

  it("answers 405 with Allow for a known path and 404 for an unknown one", async () => {
    const res = await api("/v1/runs", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toMatch(/GET/);
    expect(res.headers.get("allow")).toMatch(/POST/);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await api("/v1/nothing-here")).status).toBe(404);
  });

  it("requires an API key on every /v1 route", async () => {
    for (const path of [
      "/v1/runs",
      "/v1/collections",
      "/v1/environments",
      "/v1/runs/run_0000000000",
      "/v1/monitors",
    ]) {
      const res = await api(path, { key: null });
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate"), path).toContain("Bearer");
    }
    expect((await api("/v1/admin/workspaces", { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("answers CORS preflights for configured origins only", async () => {
    const pre = await api("/v1/runs", {
      method: "OPTIONS",
      key: null,
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    const other = await api("/v1/runs", {
      method: "OPTIONS",
      key: null,
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const error = await api("/v1/runs", { key: null, headers: { origin: "https://app.example.com" } });
    expect(error.status).toBe(401);
    expect(error.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });

  it("accepts only a non-negative integer Last-Event-ID and says so otherwise", async () => {
    const { id } = await startRun({ collection: tiny() });
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    const after2 = await readSse(await api(`/v1/runs/${id}/events`, { headers: { "last-event-id": "2" } }));
    expect(after2.map((m) => m.id)).toEqual(all.slice(2).map((m) => m.id));
    for (const bad of ["1e309", "3abc", "-1", "0x10", "2.5"]) {
      const res = await api(`/v1/runs/${id}/events`, { headers: { "last-event-id": bad } });
      const text = await res.text();
      expect(text, bad).toContain("is not a non-negative integer; replaying from the start");
      expect(text.match(/^id: /gm)?.length, bad).toBe(all.length);
    }
  });
});
