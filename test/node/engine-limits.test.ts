/**
 * One run cannot harm the instance: a decompression bomb is cut at the capture cap while streaming,
 * `maxRedirects` is capped, and a Set-Cookie flood leaves a bounded jar and a sendable Cookie header.
 * Real local hostile server, real fetch (which decodes gzip while streaming, as workerd's does).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { COOKIE_LIMITS } from "../../shared/engine/cookie-jar";
import { MAX_REDIRECTS } from "../../shared/engine/http";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { MAX_CAPTURE_BYTES } from "../../shared/engine/send-definition";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";
import { type HostileServer, startHostileServer } from "../support/hostile-server";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  await server.close();
});

const deps = {
  fetch: (r: Request) => fetch(r),
  checkTarget: () => null,
  scripts: undefined,
  now: () => Date.now(),
  random: Math.random,
};

async function run(items: Array<Record<string, unknown>>): Promise<RequestCompletedEvent[]> {
  const collection = { info: { name: "limits" }, item: items };
  const { events } = await runLocal(
    buildPlan({ collection: collection as never, options: {} }, "limits"),
    deps,
  );
  return events.filter((e: RunEvent): e is RequestCompletedEvent => e.type === "request.completed");
}

describe("response capture", () => {
  it("stops inflating a gzip bomb at the capture cap and closes the stream", async () => {
    // 1 GiB of zeros, about 1 MiB on the wire.
    const [e] = await run([{ name: "bomb", request: { url: `${server.url}/bomb?mib=1024` } }]);
    expect(e!.response!.code).toBe(200);
    expect(e!.response!.bodyTruncated).toBe(true);
    // The size reported is what was read: the cap plus at most the chunk that crossed it.
    expect(e!.response!.size).toBeGreaterThan(MAX_CAPTURE_BYTES);
    expect(e!.response!.size).toBeLessThan(MAX_CAPTURE_BYTES + 4 * 1024 * 1024);
    await vi.waitFor(() => expect(server.abandoned).toContain("/bomb?mib=1024"));
  });

  it("stops reading an endless body at the capture cap", async () => {
    const [e] = await run([{ name: "stream", request: { url: `${server.url}/stream` } }]);
    expect(e!.response!.bodyTruncated).toBe(true);
    expect(e!.response!.size).toBeLessThan(MAX_CAPTURE_BYTES + 4 * 1024 * 1024);
  });
});

describe("redirects", () => {
  it(`caps protocolProfileBehavior.maxRedirects at ${MAX_REDIRECTS}`, async () => {
    const before = server.hits.get("/loop") ?? 0;
    const [e] = await run([
      {
        name: "loop",
        request: { url: `${server.url}/loop?n=0` },
        protocolProfileBehavior: { maxRedirects: 10_000 },
      },
    ]);
    expect(e!.error).toEqual({
      name: "RedirectError",
      message: `exceeded the maximum of ${MAX_REDIRECTS} redirects`,
    });
    expect((server.hits.get("/loop") ?? 0) - before).toBe(MAX_REDIRECTS + 1);
  });

  it("still honours a smaller maxRedirects", async () => {
    const [e] = await run([
      {
        name: "loop",
        request: { url: `${server.url}/loop?n=0` },
        protocolProfileBehavior: { maxRedirects: 2 },
      },
    ]);
    // Newman's words for the profile's own maximum (postman-request names the last hop's URL).
    expect(e!.error).toEqual({
      name: "Error",
      message: expect.stringMatching(
        /^Exceeded maxRedirects\. Probably stuck in a redirect loop http:\/\/\S+\/loop\?n=2$/,
      ),
    });
  });
});

describe("cookies", () => {
  it("keeps at most the per-domain cap of a Set-Cookie flood; the next request stays sendable", async () => {
    // 400, not 5000: Node's fetch refuses response headers over 16 KiB (test/node/cookie-jar.test.ts
    // feeds the jar 5000 directly).
    const [flood, next] = await run([
      { name: "flood", request: { url: `${server.url}/flood?n=400` } },
      { name: "next", request: { url: `${server.url}/ok` } },
    ]);
    expect(flood!.error).toBeUndefined();
    expect(flood!.response!.code).toBe(200);
    expect(next!.response!.code).toBe(200);
    const sent = server.cookies.get("/ok")!.split("; ");
    expect(sent).toHaveLength(COOKIE_LIMITS.perDomain);
    // The newest cookies win.
    expect(sent).toContain("c399=v");
    expect(sent).not.toContain("c0=v");
  });

  it("ignores cookies larger than the per-cookie cap", async () => {
    const [, next] = await run([
      { name: "flood", request: { url: `${server.url}/flood?n=2&size=5000` } },
      { name: "next", request: { url: `${server.url}/ok` } },
    ]);
    expect(next!.response!.code).toBe(200);
    expect(server.cookies.get("/ok")).toBe("");
  });
});
