/**
 * readCapped reads a body with a declared Content-Length in one call only when it has no
 * Content-Encoding: the cap counts decoded bytes, so the fast path relies on workerd keeping the
 * header on the responses its fetch decodes. Real fetches in workerd to the local echo server.
 */
import { describe, expect, it } from "vitest";
import { readCapped } from "../../shared/engine/body";
import { target } from "./helpers";

describe("response bodies read in workerd", () => {
  it.each(["gzip", "brotli"])(
    "a %s body keeps its Content-Encoding and is capped decoded",
    async (encoding) => {
      const res = await fetch(`${target()}/${encoding}`);
      expect(res.headers.get("content-encoding")).not.toBeNull();
      const captured = await readCapped(res, 10);
      expect(captured).toMatchObject({ truncated: true });
      expect(captured.body.length).toBe(10);
    },
  );

  it("a plain body with a Content-Length is read whole, and one past the cap is cut at it", async () => {
    const whole = await readCapped(await fetch(`${target()}/bytes/1000`), 1000);
    expect(whole).toMatchObject({ size: 1000, truncated: false });
    expect(whole.body).toBe("a".repeat(1000));
    const cut = await readCapped(await fetch(`${target()}/bytes/1001`), 1000);
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.body.length).toBe(1000);
  });
});
