/**
 * Prelude modules imported directly in Node (they are TypeScript now): V8 wording of QuickJS errors,
 * JSON errors, lists and variable scopes, request building and `{{…}}` substitution. The bundle as a
 * whole runs in QuickJS in sandbox.test.ts and the CLI differential tests.
 */
import { describe, expect, it } from "vitest";
import type { Scopes, VarEntry } from "../../shared/engine/types";
import { jsonError } from "../../shared/sandbox/prelude/json-error";
import { legacyLoaders } from "../../shared/sandbox/prelude/legacy";
import { PropertyList, VARIABLE_LIMITS, variableScope } from "../../shared/sandbox/prelude/lists";
import { PostmanRequest, toRequestDefinition } from "../../shared/sandbox/prelude/request";
import type { RequestAuth } from "../../shared/sandbox/prelude/request-auth";
import { Url } from "../../shared/sandbox/prelude/request-url";
import { createResponse } from "../../shared/sandbox/prelude/response-object";
import { createReplaceIn, scopeApi } from "../../shared/sandbox/prelude/scope-api";
import { atob, btoa } from "../../shared/sandbox/prelude/shims";
import { v8Message, v8Name } from "../../shared/sandbox/prelude/v8-messages";

/** An error as QuickJS throws it from the user's script: its stack points at `line:col` of the source. */
function quickjsError(name: string, message: string, line: number, col: number, native?: string): Error {
  const err = new Error(message);
  err.name = name;
  const frames = [
    native ? `    at ${native} (native)` : "",
    `    at <anonymous> (script.js:${line + 2}:${col})`,
  ];
  err.stack = frames.filter(Boolean).join("\n");
  return err;
}
/** The error QuickJS throws at the first occurrence of `marker` in the (one-line) `source`. */
const at = (name: string, message: string, source: string, marker: string, last = false) =>
  v8Message(
    quickjsError(name, message, 1, (last ? source.lastIndexOf(marker) : source.indexOf(marker)) + 1),
    source,
  );

describe("v8-messages", () => {
  it("words property reads, calls and constructors on undefined as V8 does", () => {
    expect(v8Message(new TypeError("cannot read property 'x' of undefined"), "")).toBe(
      "Cannot read properties of undefined (reading 'x')",
    );
    const src = "pm.response.json().name.nope()";
    expect(at("TypeError", "not a function", src, "()", true)).toBe(
      "pm.response.json(...).name.nope is not a function",
    );
    expect(v8Message(new Error("'foo' is not defined"), "foo")).toBe("foo is not defined");
    const overflow = new Error("stack overflow");
    overflow.name = "InternalError";
    expect(v8Name(overflow)).toBe("RangeError");
    expect(v8Message(overflow, "")).toBe("Maximum call stack size exceeded");
    expect(v8Message("plain", "")).toBe("plain");
    const uri = new Error("expecting hex digit");
    uri.name = "URIError";
    expect(v8Message(uri, "decodeURIComponent('%')")).toBe("URI malformed");
  });

  it("words the 'in' operator on undefined, null and primitives", () => {
    const cases: Array<[string, string]> = [
      ["'x' in undefined", "Cannot use 'in' operator to search for 'x' in undefined"],
      ["var n = null; 'a' in n", "Cannot use 'in' operator to search for 'a' in null"],
      ["var k = 'z'; k in 5", "Cannot use 'in' operator to search for 'z' in 5"],
      ["'a' in 'str'", "Cannot use 'in' operator to search for 'a' in str"],
    ];
    // QuickJS points at the `in` keyword.
    for (const [src, want] of cases) expect(at("TypeError", "invalid 'in' operand", src, "in ")).toBe(want);
    // A value the text does not determine keeps QuickJS's wording.
    expect(at("TypeError", "invalid 'in' operand", "var u; u = f(); 'a' in u", "in u")).toBe(
      "invalid 'in' operand",
    );
  });

  it("words instanceof with a right side that is not callable or not an object", () => {
    const msg = "invalid 'instanceof' right operand";
    expect(at("TypeError", msg, "var o = {}; x instanceof o", "instanceof")).toBe(
      "Right-hand side of 'instanceof' is not callable",
    );
    expect(at("TypeError", msg, "x instanceof 5", "instanceof")).toBe(
      "Right-hand side of 'instanceof' is not an object",
    );
  });

  it("words destructuring undefined and null, and leaves Object.keys(undefined) alone", () => {
    const msg = "cannot convert to object";
    const destructure = (src: string) => v8Message(quickjsError("TypeError", msg, 0, 9), src);
    expect(destructure("var u; const {a, b} = u;")).toBe(
      "Cannot destructure property 'a' of 'u' as it is undefined.",
    );
    expect(destructure("var n = null; let {a: x} = n")).toBe(
      "Cannot destructure property 'a' of 'n' as it is null.",
    );
    expect(destructure("var u; const {} = u")).toBe("Cannot destructure 'u' as it is undefined.");
    expect(destructure("const {...r} = undefined")).toBe(
      "Cannot destructure 'undefined' as it is undefined.",
    );
    expect(v8Message(quickjsError("TypeError", msg, 1, 12, "keys"), "Object.keys(undefined)")).toBe(
      "Cannot convert undefined or null to object",
    );
  });
});

describe("json-error", () => {
  it("names the offending token with its line, column and a caret", () => {
    const err = jsonError("{\n  nope }", new SyntaxError("x"));
    expect(err.name).toBe("JSONError");
    expect(err.message).toBe("Unexpected token 'n' at 2:3\n  nope }\n  ^");
    expect(jsonError("", undefined).message).toBe("No data, empty input at 1:1\n\n^");
    expect(jsonError(undefined, undefined).message).toBe('"undefined" is not valid JSON');
    // liquid-json's (jju's) wording, as Newman's sandbox: where the text ends, and what it expected.
    expect(jsonError('{"a":', undefined).message).toBe('No value found for key a at 1:6\n{"a":\n     ^');
    expect(jsonError('{"a": 1,', undefined).message).toBe(
      'Unexpected end of input at 1:9\n{"a": 1,\n        ^',
    );
    expect(jsonError("[", undefined).message).toBe("No data, only a whitespace at 1:2\n[\n ^");
  });
});

describe("lists and variable scopes", () => {
  it("finds the last member, a disabled one too, case-insensitively for headers (as postman-collection)", () => {
    const headers = new PropertyList(
      [
        { key: "Accept", value: "a" },
        { key: "accept", value: "b", disabled: true },
      ],
      { header: true },
    );
    expect(headers.get("ACCEPT")).toBe("b");
    headers.add("X-Id: 7");
    // A Header keeps its value's type and takes the upserted key's case (postman-collection's Header#update).
    headers.upsert({ key: "x-id", value: 8 });
    expect(headers.toObject(true)).toEqual({ accept: "a", "x-id": 8 });
    expect(headers.one("X-ID")?.key).toBe("x-id");
    expect(headers.count()).toBe(3);
    expect(headers.all().map((h) => h.key)).toEqual(["Accept", "accept", "x-id"]);
    expect(String(headers)).toBe("Accept: a\r\nx-id: 8\r\n");
    expect(PropertyList.name).toBe("a");
  });

  it("sets, reads back and unsets variables with Newman's rules and the size caps", () => {
    const list: VarEntry[] = [{ key: "a", value: "1", enabled: false }];
    const env = variableScope(list, (t) => t, { label: "pm.environment", undefinedAs: null });
    expect(env.has("a")).toBe(false);
    env.set("a", undefined);
    expect(env.get("a")).toBe(null);
    expect(list).toEqual([{ key: "a", value: null, enabled: true }]);
    env.set(5, 6, "secret");
    expect(env.toObject()).toEqual({ a: null, "5": 6 });
    expect(env.has(5)).toBe(false); // keys are strings
    env.unset("a");
    // postman-collection's VariableScope JSON: an id, then each variable as type, value, key.
    expect(env.toJSON()).toEqual({
      id: expect.any(String),
      values: [{ type: "secret", value: 6, key: "5" }],
    });
    expect(env.toJSON().id).toBe(env.toJSON().id);
    expect(() => env.set("big", "x".repeat(VARIABLE_LIMITS.valueChars))).toThrow(/at most 1048576/);
  });
});

describe("request building", () => {
  it("parses and prints URLs with the engine's rules", () => {
    const url = new Url("https://u:p@{{host}}:8080/a/:id?x=1&y#frag");
    expect(url.toString()).toBe("https://u:p@{{host}}:8080/a/:id?x=1&y#frag");
    url.addQueryParams(["z=2"]);
    url.removeQueryParams("x");
    // A path variable declared by the text alone has no value: it stays (postman-collection's Url#getPath).
    expect(url.getPathWithQuery()).toBe("/a/:id?y&z=2");
    expect(url.toDefinition().variable).toEqual([{ key: "id", value: "" }]);
    // Scripts see the collection format (postman-collection's Url#toJSON): no raw, auth as an object.
    expect(url.toJSON()).toEqual({
      auth: { user: "u", password: "p" },
      protocol: "https",
      port: "8080",
      path: ["a", ":id"],
      hash: "frag",
      host: ["{{host}}"],
      query: [
        { key: "y", value: null },
        { key: "z", value: "2" },
      ],
      variable: [{ type: "any", key: "id" }],
    });
  });

  it("hands the engine its RequestDefinition while scripts see the collection format", () => {
    const request = new PostmanRequest({
      method: "POST",
      url: "https://a.com/x?q=1",
      headers: [
        { key: "A", value: "1" },
        { key: "B", value: "2", disabled: true },
      ],
      body: { mode: "raw", raw: "hi" },
      auth: { type: "bearer", bearer: [{ key: "token", value: "t" }] },
    });
    expect(request.toJSON()).toEqual({
      url: {
        protocol: "https",
        path: ["x"],
        host: ["a", "com"],
        query: [{ key: "q", value: "1" }],
        variable: [],
      },
      header: [
        { key: "A", value: "1" },
        { disabled: true, key: "B", value: "2" },
      ],
      method: "POST",
      body: { mode: "raw", raw: "hi" },
      auth: { type: "bearer", bearer: [{ type: "any", value: "t", key: "token" }] },
    });
    const definition = toRequestDefinition(request);
    expect(definition).toMatchObject({
      method: "POST",
      url: { raw: "https://a.com/x?q=1", host: ["a", "com"], path: ["x"] },
      headers: [
        { key: "A", value: "1" },
        { key: "B", value: "2", disabled: true },
      ],
      body: { mode: "raw", raw: "hi" },
    });
    // pm.sendRequest(pm.request.toJSON()) sends the same request.
    expect(toRequestDefinition(request.toJSON())).toMatchObject({ ...definition, auth: { type: "bearer" } });
    // pm.request.auth is a RequestAuth: a parameter a script changes or a type it selects is what is sent.
    const auth = request.auth as RequestAuth;
    auth.update({ token: "t2" });
    expect(request.toDefinition().auth).toEqual({ type: "bearer", bearer: [{ key: "token", value: "t2" }] });
    auth.use("basic", { username: "ada", password: "pw" });
    expect(request.toDefinition().auth).toEqual({
      type: "basic",
      bearer: [{ key: "token", value: "t2" }],
      basic: [
        { key: "username", value: "ada" },
        { key: "password", value: "pw" },
      ],
    });
  });

  it("writes a response's cookies in Cookie#toJSON's order of fields", () => {
    const response = createResponse({
      code: 200,
      status: "OK",
      headers: [{ key: "Set-Cookie", value: "sid=abc; HttpOnly; Path=/; Secure; Domain=x.test" }],
      body: "",
      responseSize: 0,
      responseTime: 1,
    });
    const cookie = (response.toJSON().cookie as Record<string, unknown>[])[0];
    expect(Object.keys(cookie ?? {})).toEqual(["name", "domain", "path", "secure", "httpOnly", "value"]);
  });

  it("turns what pm.sendRequest accepts into a RequestDefinition", () => {
    expect(toRequestDefinition("http://h/p?q=1")).toMatchObject({
      method: "GET",
      url: { host: ["h"], path: ["p"], query: [{ key: "q", value: "1" }] },
      headers: [],
    });
    const def = toRequestDefinition({
      url: "http://h/x",
      method: "post",
      header: "A: 1\nB: 2",
      body: { mode: "raw", raw: { a: 1 } },
    });
    expect(def.method).toBe("POST");
    expect(def.headers).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "2" },
    ]);
    expect(def.body).toEqual({ mode: "raw", raw: '{"a":1}' });
    const req = new PostmanRequest({ method: "GET", url: "http://h/", headers: [{ key: "k", value: "v" }] });
    expect(toRequestDefinition(req).headers).toEqual([{ key: "k", value: "v" }]);
  });
});

describe("scope api and shims", () => {
  const scopes = (): Scopes => ({
    globals: [{ key: "g", value: "G" }],
    collection: [],
    environment: [{ key: "e", value: "{{g}}-E" }],
    data: { d: 1 },
    local: [],
  });

  it("resolves {{…}} with Postman's precedence, dynamic variables and a depth bound", () => {
    const s = scopes();
    const api = scopeApi(
      s,
      createReplaceIn(() => 0),
    );
    // A local set to undefined renders "" (a name found nowhere stays as written).
    (api.variables.set as (k: string, v: unknown) => void)("u", undefined);
    expect(api.resolveIn("{{e}} {{d}} {{u}} {{missing}}")).toBe("G-E 1  {{missing}}");
    expect(api.resolveIn("{{$timestamp}}")).toMatch(/^\d+$/);
    s.local.push({ key: "loop", value: "{{loop}}" });
    expect(api.resolveIn("{{loop}}")).toBe("{{loop}}");
  });

  it("builds the dynamic-variable resolver on first use, with the Math.random of the context's start", () => {
    const original = Math.random;
    try {
      Math.random = () => 0;
      const replaceIn = createReplaceIn(() => 0);
      // A script that replaces Math.random later does not reach the resolver it builds on first use.
      Math.random = () => 0.999;
      expect(scopeApi(scopes(), replaceIn).resolveIn("{{$randomInt}}")).toBe("0");
    } finally {
      Math.random = original;
    }
  });

  it("round-trips base64 like the browser's btoa/atob", () => {
    for (const text of ["", "a", "ab", "abc", "héllo"]) {
      expect(btoa(text)).toBe(Buffer.from(text, "latin1").toString("base64"));
      expect(atob(btoa(text))).toBe(text);
    }
  });
});

describe("legacy globals", () => {
  it("builds Newman's legacy request object (description, multi-value headers, body data)", () => {
    const scopes: Scopes = { globals: [], collection: [], environment: [], data: {}, local: [] };
    const api = scopeApi(
      scopes,
      createReplaceIn(() => 0),
    );
    const request = new PostmanRequest({
      method: "POST",
      url: "http://h/p",
      headers: [
        { key: "X-A", value: "1" },
        { key: "x-a", value: "2" },
      ],
      body: { mode: "urlencoded", urlencoded: [{ key: "f", value: "v" }] },
    });
    const loaders = legacyLoaders({
      envScope: api.environment,
      globalsScope: api.globals,
      requestOf: () => request,
      responseOf: () => undefined,
      cookies: new PropertyList([]),
      info: { eventName: "prerequest", iteration: 0, iterationCount: 1, requestName: "r", requestId: "id" },
      isTest: false,
      requireModule: () => undefined,
      setNextRequest: () => undefined,
      description: "the desc",
    });
    expect(loaders.request?.()).toEqual({
      id: "id",
      name: "r",
      description: "the desc",
      headers: { "x-a": ["1", "2"] },
      method: "POST",
      url: "http://h/p",
      data: { f: "v" },
    });
    expect(Object.keys(loaders)).not.toContain("responseBody"); // test scripts only
  });
});
