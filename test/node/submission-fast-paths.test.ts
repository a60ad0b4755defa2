/**
 * The submission's fast paths (bench/README.md, Round 14) answer what the general code answers: the
 * text's depth scan that skips string bodies, the allocation-free depth walk before the collection
 * limits, the body's value count skipped for short texts, and raw URLs with variables parsed in place.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProblemError } from "../../platform/problem";
import { checkJsonLimits, nestsDeeperThan, textLength } from "../../shared/engine/limits";
import { parseRawUrl, parseUrl } from "../../shared/engine/url";
import { jsonDepth, MAX_JSON_DEPTH, MAX_JSON_VALUES, readJsonBody } from "../../workers/openapi/body";

/** The character-by-character scan jsonDepth replaced: the reference. */
function depthByChars(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++;
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

const post = (body: string) =>
  new Request("http://x/v1/runs", { method: "POST", headers: { "content-type": "application/json" }, body });

async function problemOf(body: string): Promise<ReturnType<ProblemError["toProblem"]> | null> {
  try {
    await readJsonBody(post(body));
    return null;
  } catch (err) {
    if (err instanceof ProblemError) return err.toProblem("/v1/runs");
    throw err;
  }
}

describe("jsonDepth", () => {
  it("matches the character scan on escapes, backslash runs, brackets in strings and cut texts", () => {
    const tricky = [
      '["\\"[[[", [1]]',
      '{"a": "\\\\"}, [[[',
      '["\\\\\\"]]]", {"b": [[]]}]',
      '"unterminated [[[',
      '[["a\\',
      '["\\\\\\\\"]',
      "[[[]]]]]][[",
      '{"k\\"[": {"\\\\": [{}]}}',
      "",
    ];
    for (const text of tricky) expect(jsonDepth(text), text).toBe(depthByChars(text));
  });

  it("matches the character scan on any text of JSON's syntax characters", () => {
    const chars = fc.constantFrom('"', "\\", "[", "]", "{", "}", "a", ",", ":");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), (parts) => {
        const text = parts.join("");
        expect(jsonDepth(text)).toBe(depthByChars(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("matches the character scan on serialised JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value) ?? "";
        expect(jsonDepth(text)).toBe(depthByChars(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe("nestsDeeperThan", () => {
  it("is true exactly when checkJsonLimits reports a depth violation", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, maxDepth) => {
        expect(nestsDeeperThan(value, maxDepth)).toBe(checkJsonLimits(value, { maxDepth }).length > 0);
      }),
      { numRuns: 1000 },
    );
  });

  it("walks documents nested far deeper than any stack", () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: "c" }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
  });
});

describe("readJsonBody's limits", () => {
  it("refuses a deep body as too deep, also when it is malformed", async () => {
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    for (const body of [deep, `${deep.slice(0, -3)}}`]) {
      const problem = await problemOf(body);
      expect(problem).toMatchObject({
        status: 413,
        title: "Payload Too Deep",
        detail: `JSON nesting deeper than ${MAX_JSON_DEPTH} levels.`,
      });
    }
    const atLimit = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(await problemOf(atLimit)).toBeNull();
  });

  it("counts the values of a body longer than the value limit, and only then", async () => {
    const many = `[${"0,".repeat(MAX_JSON_VALUES)}0]`;
    expect(await problemOf(many)).toMatchObject({
      status: 413,
      title: "Payload Too Large",
      detail: `more than ${MAX_JSON_VALUES} JSON values`,
    });
    const longButFew = JSON.stringify({ script: "x".repeat(MAX_JSON_VALUES + 10) });
    expect(await problemOf(longButFew)).toBeNull();
    const justBelow = `[${"0,".repeat(MAX_JSON_VALUES - 2)}0]`;
    expect(await problemOf(justBelow)).toBeNull();
  });

  it("refuses a compressed body with 415 and Accept-Encoding: identity instead of reading it as text", async () => {
    const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const req = new Request("http://x/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzip,
    });
    const err = await readJsonBody(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).toProblem("/v1/runs")).toMatchObject({
      status: 415,
      title: "Unsupported Content-Encoding",
    });
    const identity = new Request("http://x/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "identity" },
      body: "{}",
    });
    expect((await readJsonBody(identity)).value).toEqual({});
  });

  it("answers an upload that breaks off mid-body with 400, not an unhandled error", async () => {
    // What workerd's body stream does when the client resets the connection or sends less than its
    // Content-Length: the read rejects ('Network connection lost').
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"collection":'));
        controller.error(new Error("Network connection lost."));
      },
    });
    const req = new Request("http://x/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    const problem = await readJsonBody(req).then(
      () => null,
      (err: unknown) => (err instanceof ProblemError ? err.toProblem("/v1/runs") : err),
    );
    expect(problem).toMatchObject({
      status: 400,
      title: "Incomplete Request Body",
      errors: [{ pointer: "" }],
    });
  });
});

/** parseRawUrl's and parseUrl's answers before the in-place version (e2ff8c0), key order included. */
const BEFORE: Array<[string, unknown, unknown]> = [
  [
    "{{base}}/get?i=1",
    {
      raw: "{{base}}/get?i=1",
      host: ["{{base}}"],
      path: ["get"],
      query: [{ key: "i", value: "1" }],
      variable: [],
    },
    { host: ["h"], path: ["p"], query: [{ key: "i", value: "1" }], variable: [], raw: "{{base}}/get?i=1" },
  ],
  [
    "{{p://}}x/y",
    { raw: "{{p://}}x/y", host: ["{{p://}}x"], path: ["y"], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{p://}}x/y" },
  ],
  [
    "{{proto}}://{{host}}:{{port}}/a/{{b}}/c?{{k}}={{v}}&plain=1&{{novalue}}#{{frag}}",
    {
      raw: "{{proto}}://{{host}}:{{port}}/a/{{b}}/c?{{k}}={{v}}&plain=1&{{novalue}}#{{frag}}",
      host: ["{{host}}"],
      path: ["a", "{{b}}", "c"],
      query: [
        { key: "{{k}}", value: "{{v}}" },
        { key: "plain", value: "1" },
        { key: "{{novalue}}", value: null },
      ],
      variable: [],
      protocol: "{{proto}}",
      hash: "{{frag}}",
      port: "{{port}}",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [
        { key: "{{k}}", value: "{{v}}" },
        { key: "plain", value: "1" },
        { key: "{{novalue}}", value: null },
      ],
      variable: [],
      raw: "{{proto}}://{{host}}:{{port}}/a/{{b}}/c?{{k}}={{v}}&plain=1&{{novalue}}#{{frag}}",
      protocol: "{{proto}}",
      port: "{{port}}",
      hash: "{{frag}}",
    },
  ],
  [
    "http://{{user}}:{{pass}}@{{host}}.example.com/:id/{{x}}:y",
    {
      raw: "http://{{user}}:{{pass}}@{{host}}.example.com/:id/{{x}}:y",
      host: ["{{host}}", "example", "com"],
      path: [":id", "{{x}}:y"],
      query: [],
      variable: [{ key: "id", value: "" }],
      protocol: "http",
      auth: "{{user}}:{{pass}}",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [],
      variable: [],
      raw: "http://{{user}}:{{pass}}@{{host}}.example.com/:id/{{x}}:y",
      protocol: "http",
      auth: "{{user}}:{{pass}}",
    },
  ],
  [
    "{{###}}/a#b",
    { raw: "{{###}}/a#b", host: ["{{###}}"], path: ["a"], query: [], variable: [], hash: "b" },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{###}}/a#b", hash: "b" },
  ],
  [
    "{{a{{b}}}}/x",
    { raw: "{{a{{b}}}}/x", host: ["{{a{{b}}}}"], path: ["x"], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{a{{b}}}}/x" },
  ],
  [
    "{{a{{b}}/x?q={{c}}",
    { raw: "{{a{{b}}/x?q={{c}}", host: ["{{a{{b}}/x?q={{c}}"], path: [], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{a{{b}}/x?q={{c}}" },
  ],
  [
    "http://h/0/{{v}}",
    {
      raw: "http://h/0/{{v}}",
      host: ["h"],
      path: ["{{v}}", "{{v}}"],
      query: [],
      variable: [],
      protocol: "http",
    },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "http://h/0/{{v}}", protocol: "http" },
  ],
  [
    "{{&}}?a={{&}}&b",
    {
      raw: "{{&}}?a={{&}}&b",
      host: ["{{&}}"],
      path: [],
      query: [
        { key: "a", value: "{{&}}" },
        { key: "b", value: null },
      ],
      variable: [],
    },
    {
      host: ["h"],
      path: ["p"],
      query: [
        { key: "a", value: "{{&}}" },
        { key: "b", value: null },
      ],
      variable: [],
      raw: "{{&}}?a={{&}}&b",
    },
  ],
  [
    "  {{base}}/trim  ",
    { raw: "  {{base}}/trim  ", host: ["{{base}}"], path: ["trim"], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "  {{base}}/trim  " },
  ],
  [
    "https://[::1]:{{port}}/x",
    {
      raw: "https://[::1]:{{port}}/x",
      host: ["[::1]"],
      path: ["x"],
      query: [],
      variable: [],
      protocol: "https",
      port: "{{port}}",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [],
      variable: [],
      raw: "https://[::1]:{{port}}/x",
      protocol: "https",
      port: "{{port}}",
    },
  ],
  [
    "{{base}}",
    { raw: "{{base}}", host: ["{{base}}"], path: [], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{base}}" },
  ],
  [
    "{{}}/x",
    { raw: "{{}}/x", host: ["{{}}"], path: ["x"], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{}}/x" },
  ],
  [
    "http://{{a}}.{{b}}.com/{{c}}.json?x={{d}}.{{e}}",
    {
      raw: "http://{{a}}.{{b}}.com/{{c}}.json?x={{d}}.{{e}}",
      host: ["{{a}}", "{{b}}", "com"],
      path: ["{{c}}.json"],
      query: [{ key: "x", value: "{{d}}.{{e}}" }],
      variable: [],
      protocol: "http",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [{ key: "x", value: "{{d}}.{{e}}" }],
      variable: [],
      raw: "http://{{a}}.{{b}}.com/{{c}}.json?x={{d}}.{{e}}",
      protocol: "http",
    },
  ],
  [
    "{{u}}@host/p",
    { raw: "{{u}}@host/p", host: ["host"], path: ["p"], query: [], variable: [], auth: "{{u}}" },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{u}}@host/p", auth: "{{u}}" },
  ],
  [
    "a@b@{{c}}/p?x=1=2",
    {
      raw: "a@b@{{c}}/p?x=1=2",
      host: ["{{c}}"],
      path: ["p"],
      query: [{ key: "x", value: "1=2" }],
      variable: [],
      auth: "a@b",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [{ key: "x", value: "1=2" }],
      variable: [],
      raw: "a@b@{{c}}/p?x=1=2",
      auth: "a@b",
    },
  ],
  [
    "{{h}}:8080",
    { raw: "{{h}}:8080", host: ["{{h}}"], path: [], query: [], variable: [], port: "8080" },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{h}}:8080", port: "8080" },
  ],
  [
    "{{base}}/path/:id/:{{name}}?x",
    {
      raw: "{{base}}/path/:id/:{{name}}?x",
      host: ["{{base}}"],
      path: ["path", ":id", ":{{name}}"],
      query: [{ key: "x", value: null }],
      variable: [
        { key: "id", value: "" },
        { key: "{{name}}", value: "" },
      ],
    },
    {
      host: ["h"],
      path: ["p"],
      query: [{ key: "x", value: null }],
      variable: [],
      raw: "{{base}}/path/:id/:{{name}}?x",
    },
  ],
  [
    "{{p}}{{q}}/r",
    { raw: "{{p}}{{q}}/r", host: ["{{p}}{{q}}"], path: ["r"], query: [], variable: [] },
    { host: ["h"], path: ["p"], query: [], variable: [], raw: "{{p}}{{q}}/r" },
  ],
  [
    "http://x/y?{{q}}",
    {
      raw: "http://x/y?{{q}}",
      host: ["x"],
      path: ["y"],
      query: [{ key: "{{q}}", value: null }],
      variable: [],
      protocol: "http",
    },
    {
      host: ["h"],
      path: ["p"],
      query: [{ key: "{{q}}", value: null }],
      variable: [],
      raw: "http://x/y?{{q}}",
      protocol: "http",
    },
  ],
];

describe("parseRawUrl with variables", () => {
  it("answers what the copying version answered, key order included", () => {
    for (const [raw, rawDef, structured] of BEFORE) {
      expect(JSON.stringify(parseRawUrl(raw)), raw).toBe(JSON.stringify(rawDef));
      expect(JSON.stringify(parseUrl({ raw, host: ["h"], path: ["p"] })), raw).toBe(
        JSON.stringify(structured),
      );
    }
  });
});

describe("textLength", () => {
  it("counts a lone string or nothing as the walk counts them", () => {
    expect(textLength("abc")).toBe(3);
    expect(textLength("")).toBe(0);
    expect(textLength(undefined)).toBe(0);
    expect(textLength(null)).toBe(0);
    expect(textLength(["ab", "c"])).toBe(4);
    expect(textLength({ a: 12, b: [true] })).toBe(7);
  });
});
