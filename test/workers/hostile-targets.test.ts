/**
 * Targets that answer badly fail their own request, never the run: a redirect whose Location is no
 * URL, and bodies that do not decode as their Content-Encoding says (Newman's words: zlib's). Runs go
 * through the API and the run's Durable Object, against the real echo target.
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
    expect(errors.slice(0, 4)).toEqual([
      { name: "RedirectError", message: "the redirect's Location 'http://[::1' is not a valid URL" },
      {
        name: "RedirectError",
        message: "the redirect's Location 'http://exa mple.com:99999/' is not a valid URL",
      },
      { name: "Error", message: "incorrect header check" },
      { name: "Error", message: "Decompression failed" },
    ]);
    expect(errors[4]).toBeUndefined();
    expect(requests[4]?.assertions).toEqual([expect.objectContaining({ name: "ok", passed: true })]);
  });
});
