import { describe, expect, inject, it } from "vitest";

describe("echo target", () => {
  it("answers /get with the query", async () => {
    const res = await fetch(`${inject("targetUrl")}/get?a=1`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { args: Record<string, string> }).args).toEqual({ a: "1" });
  });
});
