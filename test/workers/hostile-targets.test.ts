/**
 * Targets that answer badly fail their own request, never the run: a redirect whose Location is no
 * URL, bodies that do not decode as their Content-Encoding says (Newman's words: zlib's), hosts no
 * fetch can load (Newman's failed DNS lookup); and a
 * collection shape Newman runs is run (a raw body that is no string). Runs go through the API and the
 * run's Durable Object, against the real echo target.
 */
import { describe, expect, it } from "vitest";
import { api, collection, readSse, startRun, target } from "./helpers";

describe("hostile targets", () => {
  it("fails only the request whose response is unusable, with Newman's words, and goes on", async () => {
    const bad = (location: string) =>
      `${target()}/redirect-to?url=${encodeURIComponent(location)}&status=302`;
    const { id, res } = await startRun({
      collection: collection("Hostile", [
        { name: "bracket", url: bad("http://[::1") },
        { name: "space and port", url: bad("http://exa mple.com:99999/") },
        { name: "gzip label", url: `${target()}/response-headers?Content-Encoding=gzip` },
        { name: "br label", url: `${target()}/response-headers?Content-Encoding=br` },
        { name: "unresolved host", url: "http://{{missingHost}}/get" },
        { name: "space in host", url: "http://exa mple.test/get" },
        {
          name: "fine",
          url: `${target()}/get`,
          tests: ["pm.test('ok', () => pm.response.to.have.status(200))"],
        },
      ]),
    });
    expect(res.status).toBe(201);
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    expect(events.at(-1)?.event).toBe("run.completed");
    const requests = events.filter((e) => e.event === "request.completed").map((e) => e.data);
    const errors = requests.map((r) => r.error as { name: string; message: string } | undefined);
    expect(errors.slice(0, 6)).toEqual([
      { name: "RedirectError", message: "the redirect's Location 'http://[::1' is not a valid URL" },
      {
        name: "RedirectError",
        message: "the redirect's Location 'http://exa mple.com:99999/' is not a valid URL",
      },
      { name: "Error", message: "incorrect header check" },
      { name: "Error", message: "Decompression failed" },
      // Newman's DNS lookup of a host WHATWG or workerd's fetch refuses.
      { name: "Error", message: "getaddrinfo ENOTFOUND {{missinghost}}" },
      { name: "Error", message: "getaddrinfo ENOTFOUND exa mple.test" },
    ]);
    expect(errors[6]).toBeUndefined();
    expect(requests[6]?.assertions).toEqual([expect.objectContaining({ name: "ok", passed: true })]);
  });

  it("takes a raw body that is no string as Newman sends it: JSON text, or empty when falsy", async () => {
    const item = (name: string, raw: unknown) => ({
      name,
      request: { method: "POST", url: `${target()}/post`, body: { mode: "raw", raw } },
    });
    const { id, res } = await startRun({
      collection: {
        info: { name: "Raw", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        item: [item("object", { a: [1, "x"] }), item("number", 5), item("null", null)],
      },
    });
    expect(res.status).toBe(201);
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    const sent = events
      .filter((e) => e.event === "request.completed")
      .map((e) => JSON.parse((e.data.response as { bodyPreview: string }).bodyPreview).data);
    expect(sent).toEqual(['{"a":[1,"x"]}', "5", ""]);
  });
});
