/**
 * The per-request path's shortcuts give exactly what the long way gives: the built URL's parse
 * (cached by text, handed to the HTTP layer), event timestamps formatted once per second, and the
 * system headers with their Postman-Token.
 */
import { describe, expect, inject, it } from "vitest";
import { decodeStoredEvent, encodeStoredEvent } from "../../durable-objects/event-codec";
import { CookieJar } from "../../shared/engine/cookie-jar";
import { send } from "../../shared/engine/http";
import { IsoTimestamps } from "../../shared/engine/iso-timestamps";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { buildUrl, parsedUrl, parseRawUrl } from "../../shared/engine/url";

const identity = (s: string) => s;

describe("the built URL's parse", () => {
  it("is the URL's own normalised form, the same for the same text, across many distinct URLs", () => {
    const texts = Array.from(
      { length: 600 },
      (_, i) => `HTTP://Example.COM:${8000 + (i % 300)}/a b/${i}?q=${i}`,
    );
    for (const round of [0, 1])
      for (const text of texts) {
        const href = buildUrl(parseRawUrl(text), identity);
        expect(href, `round ${round}`).toBe(new URL(href).href);
        expect(href.startsWith("http://example.com:")).toBe(true);
        const parsed = parsedUrl(href);
        expect(parsed?.href).toBe(href);
        expect(parsed?.searchParams.get("q")).toBe(text.split("q=")[1]);
      }
  });

  it("parses any other text anew, and gives undefined for one that is not a URL", () => {
    buildUrl(parseRawUrl("http://one.test/x"), identity);
    expect(parsedUrl("http://two.test/y")?.host).toBe("two.test");
    expect(parsedUrl("not a url")).toBeUndefined();
    expect(() => buildUrl(parseRawUrl("http://[bad/"), identity)).toThrow(/invalid URL/);
  });
});

describe("IsoTimestamps", () => {
  it("formats exactly as toISOString, also fractional, negative and far times and clocks going back", () => {
    const iso = new IsoTimestamps();
    const times = [
      0, 1.5, 999, 2, 2.5, 1000, 1001, 1009, 1010, 1099, 1100, 1999, 2000, 1500, -1, -1000, -999,
    ];
    let t = 1_764_000_000_000;
    for (let i = 0; i < 5000; i++) {
      t += (i * 7919) % 13;
      times.push(t);
    }
    times.push(8_640_000_000_000_000, 253_402_300_799_999, 253_402_300_800_000);
    for (const t of times) expect(iso.format(t), String(t)).toBe(new Date(t).toISOString());
  });
});

describe("request events", () => {
  it("carry new Date(now).toISOString() as ts, across millisecond and second boundaries", async () => {
    const start = 1_764_000_000_000;
    const offsets = [999, 1000, 1001, 1010, 1100, 1999, 2000, 61_000, 61_007];
    const plan = buildPlan(
      {
        collection: {
          info: { name: "ts" },
          item: offsets.map((_, i) => ({
            name: `r${i}`,
            request: { method: "GET", url: `${inject("targetUrl")}/get` },
          })),
        } as never,
        options: {},
      },
      "r-ts",
    );
    const given = new Set<string>();
    let calls = 0;
    const { events } = await runLocal(plan, {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: undefined,
      // Each call gives the next time of the list, then one ms more per call.
      now: () => {
        const at = start + (offsets[calls] ?? offsets.at(-1)! + calls);
        calls++;
        given.add(new Date(at).toISOString());
        return at;
      },
      random: Math.random,
    });
    expect(events.length).toBeGreaterThan(offsets.length);
    for (const e of events) expect(given.has(e.ts), e.ts).toBe(true);
    expect(new Set(events.map((e) => e.ts)).size).toBeGreaterThan(3);
  });
});

describe("system headers", () => {
  it("are added in postman-runtime's order unless set or disabled, with a v4-shaped Postman-Token", async () => {
    const seen: Request[] = [];
    const deps = {
      fetch: async (r: Request) => {
        seen.push(r);
        return new Response("ok", { headers: { "content-length": "2" } });
      },
      jar: new CookieJar(),
      checkTarget: () => null,
      now: () => Date.now(),
    };
    const draws = [0.99, 0.5, 0.01, 0.25];
    let n = 0;
    const result = await send(
      { method: "GET", url: "http://h.test/p", headers: [{ key: "accept", value: "text/plain" }] },
      undefined,
      identity,
      { profile: { disabledSystemHeaders: { "cache-control": true } }, maxBodyBytes: 100 },
      { ...deps, random: () => draws[n++ % draws.length]! },
    );
    expect(result.sent.headers.map((h) => h.key)).toEqual([
      "accept",
      "User-Agent",
      "Postman-Token",
      "Host",
      "Accept-Encoding",
      "Connection",
    ]);
    const token = result.sent.headers.find((h) => h.key === "Postman-Token")!.value;
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Draws 0.99, 0.5, 0.01, 0.25 → f, 8, 0, 4 for each `x` in turn.
    expect(token.slice(0, 8)).toBe("f804f804");
    expect(result.sent.headers.find((h) => h.key === "Host")!.value).toBe("h.test");
    expect(seen[0]!.headers.get("accept")).toBe("text/plain");
    expect(seen[0]!.headers.has("cache-control")).toBe(false);
    expect(result.response?.body).toBe("ok");
  });
});

describe("stored events", () => {
  it("encode each dictionary fragment to its own token, also those of equal length", () => {
    // Indices of FRAGMENTS_V1 (append-only): the stored form must not change.
    const cases: Array<[string, number]> = [
      ['"type":"request.completed"', 0],
      ['{"key":"Postman-Token","value":"', 4],
      ['{"key":"Connection","value":"keep-alive"}', 6],
      ['{"key":"connection","value":"keep-alive"}', 7],
      ['"timings":{"waitMs":0,"totalMs":', 17],
      [',"prerequestMs":', 18],
      [',"testMs":', 19],
      [',"bodyPreview":"', 25],
      [',"timeMs":', 27],
      ['{"key":"Host","value":"', 28],
    ];
    for (const [fragment, index] of cases) {
      const stored = encodeStoredEvent(`{${fragment}}`, "{");
      expect(stored, fragment).toBe(`\u0001{${String.fromCharCode(2 + index)}}`);
      expect(decodeStoredEvent(stored, "{")).toBe(`{${fragment}}`);
    }
  });
});
