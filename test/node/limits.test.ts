/**
 * Input limits hold for every shape a field may take, and the JSON checks are iterative: documents
 * nested far deeper than any stack allows are refused with a pointer instead of crashing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validationProblem } from "../../platform/problem";
import { checkCollectionLimits, checkJsonLimits, checkScopeLimits, LIMITS } from "../../shared/engine/limits";
import { IterationDataSchema } from "../../shared/schemas/api";

const big = (n: number) => "x".repeat(n);
const one = (item: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  info: { name: "limits" },
  item: [{ name: "r", ...item }],
  ...extra,
});
const pointers = (raw: unknown) => checkCollectionLimits(raw).map((v) => v.pointer);

function nested(levels: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

describe("collection limits on every shape", () => {
  it("accepts an ordinary collection", () => {
    const c = one({
      event: [{ listen: "test", script: { exec: ["pm.test('ok', () => {})"] } }],
      request: {
        method: "POST",
        url: {
          raw: "https://example.com/a?b=1",
          host: ["example", "com"],
          path: ["a"],
          query: [{ key: "b", value: "1" }],
        },
        header: [{ key: "Accept", value: "application/json" }],
        auth: { type: "bearer", bearer: [{ key: "token", value: "t0k3n" }] },
      },
    });
    expect(checkCollectionLimits(c)).toEqual([]);
  });

  it.each([
    [
      "script as a plain string",
      { event: [{ listen: "test", script: big(5 * 1024 * 1024) }] },
      "/item/0/event/0/script",
    ],
    [
      "exec as one string",
      { event: [{ listen: "test", script: { exec: big(300_000) } }] },
      "/item/0/event/0/script/exec",
    ],
    [
      "exec as lines",
      { event: [{ listen: "test", script: { exec: Array(3000).fill(big(100)) } }] },
      "/item/0/event/0/script/exec",
    ],
    [
      "header as one string",
      { request: { url: "http://e.x/", header: `X-A: ${big(200_000)}` } },
      "/item/0/request/header",
    ],
    [
      "header value in a list",
      { request: { url: "http://e.x/", header: [{ key: "X-A", value: big(70_000) }] } },
      "/item/0/request/header/0/value",
    ],
    [
      "header value as an object",
      { request: { url: "http://e.x/", header: [{ key: "X-A", value: { v: big(70_000) } }] } },
      "/item/0/request/header/0/value",
    ],
    [
      "header name",
      { request: { url: "http://e.x/", header: [{ key: big(70_000), value: "1" }] } },
      "/item/0/request/header/0/key",
    ],
    [
      "header count in the string form",
      { request: { url: "http://e.x/", header: Array(300).fill("X-A: 1").join("\n") } },
      "/item/0/request/header",
    ],
    ["request as a URL string", { request: `http://e.x/${big(LIMITS.urlChars + 10)}` }, "/item/0/request"],
    [
      "url as a string",
      { request: { url: `http://e.x/${big(LIMITS.urlChars + 10)}` } },
      "/item/0/request/url",
    ],
    [
      "url raw",
      { request: { url: { raw: `http://e.x/${big(LIMITS.urlChars + 10)}` } } },
      "/item/0/request/url/raw",
    ],
    [
      "raw-less url with a long host string",
      { request: { url: { host: big(100_000) } } },
      "/item/0/request/url",
    ],
    [
      "raw-less url with host labels",
      { request: { url: { host: Array(7000).fill(big(10)) } } },
      "/item/0/request/url",
    ],
    [
      "raw-less url with long query values",
      { request: { url: { host: ["e"], query: [{ key: "q", value: big(LIMITS.urlChars + 10) }] } } },
      "/item/0/request/url",
    ],
    [
      "raw-less url with a path object",
      { request: { url: { host: ["e"], path: [{ type: "string", value: big(LIMITS.urlChars + 10) }] } } },
      "/item/0/request/url",
    ],
    [
      "url path variables",
      {
        request: {
          url: { raw: "http://e/:id", variable: [{ key: "id", value: big(LIMITS.urlChars + 10) }] },
        },
      },
      "/item/0/request/url/variable",
    ],
    [
      "bearer token (v2.1 list)",
      {
        request: {
          url: "http://e/",
          auth: { type: "bearer", bearer: [{ key: "token", value: big(70_000) }] },
        },
      },
      "/item/0/request/auth/bearer/0/value",
    ],
    [
      "bearer token (v2.0 object)",
      { request: { url: "http://e/", auth: { type: "bearer", bearer: { token: big(70_000) } } } },
      "/item/0/request/auth/bearer/token",
    ],
    ["method", { request: { url: "http://e/", method: big(1000) } }, "/item/0/request/method"],
    ["item variables", { variable: Array(LIMITS.variables + 1).fill({ key: "a" }) }, "/item/0/variable"],
  ])("refuses an oversized %s", (_name, item, pointer) => {
    expect(pointers(one(item))).toContain(pointer);
  });

  it("checks collection-level scripts, auth and variables too", () => {
    const c = one(
      {},
      {
        event: [{ listen: "prerequest", script: big(LIMITS.scriptChars + 1) }],
        auth: { type: "apikey", apikey: [{ key: "value", value: big(70_000) }] },
        variable: Array(LIMITS.variables + 1).fill({ key: "v" }),
      },
    );
    expect(pointers(c)).toEqual(
      expect.arrayContaining(["/event/0/script", "/auth/apikey/0/value", "/variable"]),
    );
  });

  it("bounds names (collection, folder, request, environment) and one request's headers together", () => {
    const c = {
      info: { name: big(LIMITS.nameChars + 1) },
      item: [{ name: big(LIMITS.nameChars + 1), item: [{ name: "r", request: { url: "http://e/" } }] }],
    };
    expect(pointers(c)).toEqual(["/info/name", "/item/0/name"]);
    expect(checkScopeLimits({ name: big(LIMITS.nameChars + 1), values: [] })[0]?.pointer).toBe("/name");
    expect(checkScopeLimits({ name: "env", values: [] })).toEqual([]);
    // 150 headers of 64,000 characters: each within its own limit, together 9.6 MB in one event.
    const header = Array.from({ length: 150 }, (_, i) => ({ key: `X-${i}`, value: big(64_000) }));
    expect(pointers(one({ request: { url: "http://e/", header } }))).toEqual(["/item/0/request/header"]);
    const block = header.map((h) => `${h.key}: ${h.value}`).join("\n");
    expect(pointers(one({ request: { url: "http://e/", header: block } }))).toEqual([
      "/item/0/request/header",
    ]);
  });

  it("checks a Postman API export and a v1 collection as what they become", () => {
    const wrapped = { collection: one({ request: { url: big(LIMITS.urlChars + 1) } }) };
    expect(pointers(wrapped)).toEqual(["/collection/item/0/request/url"]);
    const request = { id: "r", name: "R", method: "GET", url: "http://e/", headers: `X-A: ${big(70_000)}` };
    const legacy = { id: "c", name: "v1", order: ["r"], requests: [request] };
    const [violation] = checkCollectionLimits(legacy);
    expect(violation?.pointer).toBe("");
    expect(violation?.message).toMatch(/header value .* \(at \/item\/0\/request\/header\/0\/value of the/);
    // Two million references to one request would convert to two million items: refused uncounted.
    const amplified = { ...legacy, order: Array(2_000_000).fill("r") };
    expect(checkCollectionLimits(amplified)).toEqual([
      { pointer: "/order", message: expect.stringMatching(/more than 5000 items/) },
    ]);
    const inFolders = {
      ...legacy,
      folders: [{ id: "f", name: "F", order: Array(LIMITS.items).fill("r") }],
    };
    expect(checkCollectionLimits(inFolders)[0]?.pointer).toBe("/order");
  });

  it("takes folders nested to the folder limit and names the limit one level deeper", () => {
    const tree = (folders: number) => {
      let items: unknown[] = [
        {
          name: "leaf",
          request: { url: { raw: "http://e/?a=1", query: [{ key: "a", value: "1" }] }, method: "GET" },
          event: [{ listen: "test", script: { exec: ["pm.test('t', () => {});"] } }],
        },
      ];
      for (let i = 0; i < folders; i++) items = [{ name: `f${i}`, item: items }];
      return {
        info: { name: "deep", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" },
        item: items,
      };
    };
    expect(checkCollectionLimits(tree(LIMITS.depth - 1))).toEqual([]);
    const v = checkCollectionLimits(tree(LIMITS.depth));
    expect(v).toHaveLength(1);
    expect(v[0]?.message).toMatch(/folders nested deeper than 32 levels/);
  });

  it("refuses a collection nested far beyond any stack without throwing", () => {
    const c = one({ request: { url: "http://e/", body: { mode: "raw", options: nested(100_000) } } });
    const v = checkCollectionLimits(c);
    expect(v[0]?.message).toMatch(/deeper than 96/);
  });

  it("never throws on arbitrary JSON (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkCollectionLimits(value);
        checkCollectionLimits({
          info: { name: "x" },
          item: [{ request: value, event: [{ script: value }] }],
        });
        return true;
      }),
    );
  });
});

describe("checkJsonLimits", () => {
  it.each(["iterationData", "environment", "globals"])(
    "refuses %s nested 5,000+ levels with a pointer, iteratively",
    (field) => {
      for (const levels of [5_000, 200_000]) {
        const body = { collection: one({}), [field]: nested(levels) };
        const v = checkJsonLimits(body, { maxDepth: LIMITS.jsonDepth });
        expect(v).toHaveLength(1);
        expect(v[0]?.pointer.startsWith(`/${field}/`)).toBe(true);
        expect(v[0]?.message).toMatch(/deeper than 96 levels/);
      }
    },
  );

  it("agrees with a recursive depth count on arbitrary JSON (property)", () => {
    const depth = (v: unknown): number =>
      v && typeof v === "object" ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, maxDepth) => {
        const refused = checkJsonLimits(value, { maxDepth }).length > 0;
        return refused === depth(value) > maxDepth;
      }),
    );
  });

  it("counts values, bounds strings and keys, and escapes pointers (RFC 6901)", () => {
    expect(checkJsonLimits(Array(11).fill(0), { maxDepth: 5, maxNodes: 10 })[0]?.message).toMatch(
      /more than 10/,
    );
    expect(checkJsonLimits({ "a/b~c": ["ok", big(11)] }, { maxDepth: 5, maxStringChars: 10 })).toEqual([
      { pointer: "/a~1b~0c/1", message: "string longer than 10 characters" },
    ]);
    expect(
      checkJsonLimits({ [big(11)]: 1 }, { maxDepth: 5, maxStringChars: 10, pointer: "/env" })[0],
    ).toEqual({
      pointer: "/env",
      message: "key longer than 10 characters",
    });
    expect(checkJsonLimits({ a: [1, { b: "x" }] }, { maxDepth: 3 })).toEqual([]);
  });
});

describe("iterationData", () => {
  it("holds rows to the data file limit as JSON text, as it holds a CSV file's text", () => {
    const row = { user: "x".repeat(1000) };
    const big = Array.from({ length: 6000 }, () => row); // ≈ 6 MiB as JSON, under the row limit
    const refused = IterationDataSchema.safeParse(big);
    expect(refused.success).toBe(false);
    const problem = validationProblem(refused.error!, "/iterationData");
    expect(problem.errors?.[0]).toEqual({
      pointer: "/iterationData",
      detail: expect.stringMatching(/larger than 5242880 characters as JSON/),
    });
    expect(IterationDataSchema.safeParse(big.slice(0, 4000)).success).toBe(true);
    expect(IterationDataSchema.safeParse("a\n" + "x".repeat(5 * 1024 * 1024)).success).toBe(false);
  });
});
