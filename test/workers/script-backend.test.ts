/**
 * The two script backends side by side (issue 16): every script runs through QuickJS and through a
 * dynamic V8 worker (Worker Loader), and the outcomes must match (verdicts, messages, console, variables,
 * flow control). pm.sendRequest goes to the local echo target through the capabilities the engine
 * grants. Where a behaviour cannot be compared locally (workerd enforces no limits on dynamic workers),
 * the V8 side is skipped with the reason logged.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createScriptHost, sandboxSelfTest } from "../../platform/script-host";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { Cookie, ScriptCapabilities, ScriptContext, ScriptOutcome } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { target } from "./helpers";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;
if (!loader) console.warn("script-backend: no LOADER binding, the V8 side of every comparison is skipped");

const sendRequests = { perScript: 3 };
const quickjs = new QuickJSScriptHost({ sendRequests });
const v8 = loader ? new V8ScriptHost({ loader, runId: "script-backend-test", sendRequests }) : undefined;

const body = { id: 1, name: "Leanne", tags: ["a", "b"], address: { city: "Gwenborough" } };

function context(event: "prerequest" | "test"): ScriptContext {
  return {
    info: { eventName: event, iteration: 0, iterationCount: 1, requestName: "Get user", requestId: "r1" },
    scopes: {
      globals: [{ key: "g", value: "G" }],
      collection: [{ key: "c", value: "C" }],
      environment: [{ key: "baseUrl", value: target() }],
      data: { user: "ann" },
      local: [],
      environmentName: "dev",
    },
    request: {
      method: "GET",
      url: { raw: "{{baseUrl}}/json", host: ["{{baseUrl}}"], path: ["json"], query: [], variable: [] },
      headers: [{ key: "Accept", value: "application/json" }],
    },
    ...(event === "test"
      ? {
          response: {
            code: 200,
            status: "OK",
            headers: [{ key: "Content-Type", value: "application/json" }],
            body: JSON.stringify(body),
            responseSize: 80,
            responseTime: 12,
          },
        }
      : {}),
    cookies: [{ name: "sid", value: "abc", domain: "example.test", path: "/" }],
    location: ["Coll", "Get user"],
    collectionName: "Coll",
  };
}

/** The engine's capabilities, reduced: real requests to the local echo target, an in-memory jar. */
function capabilities(): ScriptCapabilities & { jar: Cookie[] } {
  const jar: Cookie[] = [];
  return {
    jar,
    async sendRequest(req) {
      const url = typeof req === "string" ? req : typeof req.url === "string" ? req.url : (req.url.raw ?? "");
      // The engine's wording for a closed port (Newman's), which scripts see as Node's error fields.
      if (url.startsWith("http://127.0.0.1:1/"))
        return { error: { name: "Error", message: "connect ECONNREFUSED 127.0.0.1:1" } };
      if (!url.startsWith(target())) return { error: { name: "RequestError", message: `refused: ${url}` } };
      const res = await fetch(url, { method: typeof req === "string" ? "GET" : req.method });
      const text = await res.text();
      const headers = [...res.headers].map(([key, value]) => ({ key, value }));
      return {
        response: {
          code: res.status,
          status: res.statusText,
          headers,
          body: text,
          responseSize: text.length,
          responseTime: 1,
        },
      };
    },
    cookieJar: {
      getAll: () => jar.map((c) => ({ ...c })),
      set: (_url, c) => void jar.push({ domain: "example.test", path: "/", ...c }),
      unset: (_url, name) => void jar.splice(0, jar.length, ...jar.filter((c) => c.name !== name)),
      clear: () => void jar.splice(0),
    },
  };
}

/** What both backends must agree on; `unordered` compares assertions by name (async jar callbacks). */
function comparable(out: ScriptOutcome, unordered = false) {
  const assertions = out.assertions.map((a) => ({
    name: a.name,
    passed: a.passed,
    skipped: a.skipped,
    error: a.error ? { name: a.error.name, message: a.error.message } : undefined,
    ...(unordered ? {} : { index: a.index }),
  }));
  if (unordered) assertions.sort((a, b) => a.name.localeCompare(b.name));
  return {
    error: out.error,
    assertions,
    console: out.console,
    scopes: out.scopes,
    nextRequest: out.nextRequest,
    skipRequest: out.skipRequest,
  };
}

interface Case {
  name: string;
  source: string;
  event?: "prerequest" | "test";
  /** Names that must pass (`true`) or fail (`false`) under QuickJS, so both sides are checked. */
  expect?: Record<string, boolean>;
  error?: string;
  unordered?: boolean;
  /** A fresh V8 host (a script needing code generation sends the rest of its run to QuickJS). */
  ownHost?: boolean;
  timeoutMs?: number;
}

const CASES: Case[] = [
  {
    name: "chai chains over JSON",
    source: `const j = pm.response.json();
      pm.test("eql", () => pm.expect(j.tags).to.eql(["a", "b"]));
      pm.test("deep fail", () => pm.expect(j.address).to.deep.equal({ city: "Paris" }));
      pm.test("include", () => pm.expect(j.name).to.include("Lea"));
      pm.test("number fail", () => pm.expect(j.id).to.be.above(5));
      pm.test("property", () => pm.expect(j).to.have.property("address").that.has.property("city"));`,
    expect: { eql: true, "deep fail": false, include: true, "number fail": false, property: true },
  },
  {
    name: "chai-postman",
    source: `pm.test("status", () => pm.response.to.have.status(200));
      pm.test("status fail", () => pm.response.to.have.status(404));
      pm.test("header", () => pm.response.to.have.header("Content-Type"));
      pm.test("jsonBody", () => pm.response.to.have.jsonBody("address.city", "Gwenborough"));
      pm.test("ok", () => { pm.response.to.be.ok; pm.expect(pm.response).to.be.success; });
      pm.test.skip("skipped");`,
    expect: { status: true, "status fail": false, header: true, jsonBody: true, ok: true, skipped: true },
  },
  {
    name: "legacy globals and Sugar",
    source: `tests["code"] = responseCode.code === 200;
      tests["body has"] = responseBody.has("Leanne");
      tests["falsy"] = 0;
      postman.setEnvironmentVariable("legacy", "yes");
      tests["lodash3"] = _.size({ a: 1 }) === 1;
      console.log(typeof CryptoJS, typeof tv4, environment.baseUrl === pm.environment.get("baseUrl"));`,
    expect: { code: true, "body has": true, falsy: false, lodash3: true },
  },
  {
    name: "variables and flow control",
    event: "prerequest",
    source: `pm.environment.set("e", 1); pm.globals.unset("g"); pm.collectionVariables.set("c2", { a: 1 });
      pm.variables.set("local", "L");
      console.info(pm.variables.replaceIn("{{user}}-{{local}}-{{c}}"), pm.iterationData.get("user"));
      pm.request.headers.add({ key: "X-Test", value: "1" });
      pm.execution.setNextRequest("Other");
      pm.execution.skipRequest();
      console.log(pm.info.eventName, pm.execution.location.current, JSON.stringify(pm.request.url.toString()));`,
  },
  {
    name: "errors inside and outside tests",
    source: `pm.test("type error", () => { const o = undefined; o.x; });
      pm.test("not a function", () => pm.response.json().name.nope());
      pm.test("reference", () => missingName + 1);
      pm.test("thrown text", () => { throw "plain"; });
      pm.test("regexp", () => new RegExp("("));
      pm.test("const", () => { const k = 1; k = 2; });
      pm.test("toFixed", () => (1).toFixed(200));
      pm.response.json().address.street.name;`,
    expect: {
      "type error": false,
      "not a function": false,
      reference: false,
      "thrown text": false,
      regexp: false,
      const: false,
      toFixed: false,
    },
    error: "TypeError",
  },
  { name: "a thrown Error outside tests", source: `throw new Error("boom");`, error: "Error" },
  {
    name: "SyntaxError: unexpected token",
    source: `pm.test("never", () => {});\nlet x = ;`,
    error: "SyntaxError",
  },
  { name: "SyntaxError: end of input", source: `pm.test("open", () => {`, error: "SyntaxError" },
  {
    name: "sloppy scripts ('use strict' ignored, with, implicit globals)",
    source: `'use strict';
      implicitGlobal = 5;
      with ({ w: 2 }) { pm.test("with", () => pm.expect(w).to.equal(2)); }
      pm.test("implicit", () => pm.expect(implicitGlobal).to.equal(5));
      pm.test("this", () => pm.expect(typeof this).to.equal("object"));
      delete this.implicitGlobal;`,
    expect: { with: true, implicit: true, this: true },
  },
  {
    name: "pm.sendRequest: callback, promise and refusal",
    source: `pm.sendRequest(pm.environment.get("baseUrl") + "/get?via=cb", (err, res) =>
        pm.test("callback", () => pm.expect(res.json().args.via).to.equal("cb")));
      pm.sendRequest({ url: pm.environment.get("baseUrl") + "/status/201", method: "GET" })
        .then((res) => pm.test("promise", () => pm.expect(res.code).to.equal(201)));
      pm.sendRequest("http://example.invalid/", (err) => pm.test("refused", () => pm.expect(err.message).to.match(/^refused/)));`,
    expect: { callback: true, promise: true, refused: true },
    // The two requests are in flight together (as in Newman): which test is recorded first is a race.
    unordered: true,
  },
  {
    name: "pm.sendRequest: a refused connection's error object, an empty response, a falsy request",
    source: `pm.sendRequest("http://127.0.0.1:1/x", function (err, res) {
        pm.test("error", () => pm.expect(JSON.stringify(err)).to.equal('{"errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":1}'));
        pm.test("not an Error", () => pm.expect([err instanceof Error, String(err), err.message]).to.eql([false, "[object Object]", undefined]));
        pm.test("empty response", () => pm.expect([typeof res, res.code, res.headers.count(), this === pm, typeof res.to]).to.eql(["object", undefined, 0, true, "undefined"]));
      });
      let sync = true;
      pm.sendRequest("", (err) => pm.test("nothing to request", () => pm.expect([sync, err.message]).to.eql([true, "sendrequest: nothing to request"])));
      sync = false;`,
    expect: { error: true, "not an Error": true, "empty response": true, "nothing to request": true },
    unordered: true,
  },
  {
    name: "pm.sendRequest cap throws at the call site",
    source: `for (let i = 0; i < 5; i++) pm.sendRequest(pm.environment.get("baseUrl") + "/get?i=" + i, () => {});`,
    error: "ScriptLimitError",
  },
  {
    name: "cookies: pm.cookies and the jar",
    unordered: true,
    source: `const jar = pm.cookies.jar();
      jar.set(pm.environment.get("baseUrl"), "theme", "dark", (err) => {
        pm.test("set", () => pm.expect(err).to.equal(null));
        jar.get(pm.environment.get("baseUrl"), "theme", (e, value) => pm.test("get", () => pm.expect(value).to.equal("dark")));
      });
      pm.test("response cookie", () => pm.expect(pm.cookies.get("sid")).to.equal("abc"));`,
    expect: { set: true, get: true, "response cookie": true },
  },
  {
    name: "timers",
    // Which of two due timers' tests settles first depends on the machine's load (both backends).
    unordered: true,
    source: `setTimeout(() => pm.test("timeout fired", () => pm.expect(1).to.equal(1)), 20);
      const id = setInterval(() => { pm.environment.set("ticks", (pm.environment.get("ticks") || 0) + 1);
        if (pm.environment.get("ticks") === 2) clearInterval(id); }, 5);
      pm.test("async", async () => { await new Promise((r) => setTimeout(r, 10)); pm.expect(true).to.be.true; });`,
    expect: { "timeout fired": true, async: true },
  },
  {
    name: "require of the bundled libraries",
    source: `var _ = require("lodash"), moment = require("moment"), CryptoJS = require("crypto-js");
      var cheerio = require("cheerio"), xml2js = require("xml2js"), parse = require("csv-parse/lib/sync");
      var { Buffer } = require("buffer"), url = require("url"), qs = require("querystring"), util = require("util");
      pm.test("lodash", () => pm.expect(_.get({ a: { b: [1, 2] } }, "a.b[1]")).to.equal(2));
      pm.test("moment", () => pm.expect(moment.utc("2024-02-29").add(1, "year").format("YYYY-MM-DD")).to.equal("2025-02-28"));
      pm.test("crypto-js", () => pm.expect(CryptoJS.MD5("x").toString()).to.have.lengthOf(32));
      pm.test("cheerio", () => pm.expect(cheerio.load("<ul><li>a</li><li>b</li></ul>")("li").length).to.equal(2));
      xml2js.parseString("<r><id>7</id></r>", (err, out) => pm.test("xml2js", () => pm.expect(out.r.id[0]).to.equal("7")));
      pm.test("csv", () => pm.expect(parse("x,y\\n1,2", { columns: true })[0].y).to.equal("2"));
      pm.test("buffer", () => pm.expect(Buffer.from("hi").toString("base64")).to.equal("aGk="));
      pm.test("url", () => pm.expect(qs.parse(url.parse("http://h/p?a=1&b=2").query).b).to.equal("2"));
      pm.test("util", () => pm.expect(util.format("%s=%d", "n", 4)).to.equal("n=4"));
      pm.test("uuid", () => pm.expect(require("uuid").v4()).to.match(/^[0-9a-f]{8}-/));
      pm.test("tv4", () => pm.expect(tv4.validate({ a: 1 }, { type: "object" })).to.be.true);
      pm.test("fs", () => pm.expect(require("fs")).to.eql({}));
      pm.test("missing", () => require("crypto"));`,
    expect: {
      lodash: true,
      moment: true,
      "crypto-js": true,
      cheerio: true,
      xml2js: true,
      csv: true,
      buffer: true,
      url: true,
      util: true,
      uuid: true,
      tv4: true,
      fs: true,
      missing: false,
    },
  },
  {
    name: "pm.response.contentInfo and the collection-format toJSON",
    source: `const info = pm.response.contentInfo();
      pm.test("contentInfo", () => pm.expect(info).to.eql({ contentType: "application/json", mimeType: "text", mimeFormat: "json", charset: "utf8", fileExtension: "json", fileName: "response.json" }));
      pm.test("request toJSON", () => pm.expect(Object.keys(pm.request.toJSON())).to.include.members(["url", "method"]).and.not.include("headers"));
      pm.test("url toJSON", () => pm.expect(pm.request.url.toJSON()).to.not.have.property("raw"));
      pm.test("response toJSON", () => pm.expect(pm.response.toJSON().stream.type).to.equal("Buffer"));`,
    expect: { contentInfo: true, "request toJSON": true, "url toJSON": true, "response toJSON": true },
  },
  {
    name: "JSON schema (ajv compiles code: the V8 host runs it in QuickJS)",
    ownHost: true,
    source: `pm.test("schema", () => pm.response.to.have.jsonSchema({ type: "object", required: ["id"] }));
      pm.test("schema fail", () => pm.response.to.have.jsonSchema({ type: "object", required: ["nope"] }));`,
    expect: { schema: true, "schema fail": false },
  },
  {
    name: "no host globals, process or network",
    source: `const names = ["fetch", "caches", "env", "RUN_COORDINATOR", "LOADER", "WebSocket", "scheduler", "navigator", "__host"];
      console.log(names.filter((n) => typeof this[n] !== "undefined").join(","));
      pm.test("no process", () => pm.expect(typeof process).to.equal("undefined"));
      pm.test("no fetch", () => pm.expect(typeof fetch).to.equal("undefined"));`,
    expect: { "no process": true, "no fetch": true },
  },
  {
    name: "unbounded recursion",
    source: `function f(n) { return f(n + 1) + 1; } f(0);`,
    error: "ScriptStackError",
  },
  {
    name: "console",
    source: `console.log("a", 1, { b: [2] }, undefined, null); console.warn(new TypeError("t")); console.error(() => 1);`,
  },
];

async function runBoth(c: Case): Promise<{ q: ScriptOutcome; v: ScriptOutcome | undefined }> {
  const input = {
    source: c.source,
    location: "request:Get user",
    context: context(c.event ?? "test"),
    timeoutMs: c.timeoutMs ?? 5000,
  };
  const q = await quickjs.run(structuredClone(input), capabilities());
  const host = v8 && c.ownHost && loader ? new V8ScriptHost({ loader, sendRequests }) : v8;
  const v = host ? await host.run(structuredClone(input), capabilities()) : undefined;
  return { q, v };
}

describe("script backends: QuickJS and V8 (Worker Loader) agree", () => {
  for (const c of CASES) {
    it(c.name, { timeout: 60_000 }, async () => {
      const { q, v } = await runBoth(c);
      if (c.expect) expect(Object.fromEntries(q.assertions.map((a) => [a.name, a.passed]))).toEqual(c.expect);
      expect(q.error?.name).toBe(c.error);
      if (!v) return;
      expect(comparable(v, c.unordered)).toEqual(comparable(q, c.unordered));
    });
  }

  // A known difference: QuickJS may overflow again in the prelude while recording the test and then
  // fails the script (ScriptStackError); V8 records the failed test with V8's RangeError, as Newman does.
  // (Also the canary that the V8 host really ran the scripts rather than its QuickJS fallback.)
  it("recursion caught inside a test fails that test (V8, as in Newman)", async () => {
    const { q, v } = await runBoth({
      name: "",
      source: `pm.test("deep", () => { function f(n) { return f(n + 1) + 1; } f(0); });`,
    });
    expect(q.error?.name ?? q.assertions[0]?.error?.name).toMatch(/ScriptStackError|RangeError/);
    if (v)
      expect(v.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
        ["deep", false, "Maximum call stack size exceeded"],
      ]);
  });

  // The isolate's name stands for its code (prelude, libraries, the run's sources): a host of the same
  // run id with other scripts (a restarted object whose plan differs) must get its own isolate, or its
  // scripts would not be precompiled there and would run in the QuickJS fallback.
  it("hosts of one run id with other scripts each get an isolate with their own code", async () => {
    if (!loader) return;
    const deep = (name: string) =>
      `pm.test("${name}", () => { function f(n) { return f(n + 1) + 1; } f(0); });`;
    const runIn = (scripts: string[], source: string) =>
      new V8ScriptHost({ loader, runId: "script-backend-same-run", scripts, sendRequests }).run(
        { source, location: "request:Get user", context: context("test"), timeoutMs: 5000 },
        capabilities(),
      );
    const first = await runIn([deep("a")], deep("a"));
    const second = await runIn([deep("b"), deep("a")], deep("b"));
    const verdicts = (out: ScriptOutcome) => out.assertions.map((a) => [a.name, a.passed, a.error?.message]);
    expect(verdicts(first)).toEqual([["a", false, "Maximum call stack size exceeded"]]);
    expect(verdicts(second)).toEqual([["b", false, "Maximum call stack size exceeded"]]);
  });

  it("a script after a SyntaxError and after a limit runs in a working isolate", async () => {
    await runBoth({ name: "", source: "let = ;" });
    const { q, v } = await runBoth({ name: "", source: `pm.test("alive", () => {});` });
    expect(q.assertions[0]?.passed).toBe(true);
    if (v) expect(comparable(v)).toEqual(comparable(q));
  });

  // workerd drops a dynamic worker's `limits` (server.c++ getEntrypointResolved): locally an endless
  // loop would block the process and an allocation loop would grow without bound, so only QuickJS here.
  it("an endless loop and a memory bomb fail alone (QuickJS; V8 only where the platform enforces limits)", {
    timeout: 60_000,
  }, async () => {
    console.warn(
      "script-backend: V8 loop/memory limits not compared locally (workerd does not enforce them)",
    );
    const loop = await quickjs.run(
      { source: "while (true) {}", location: "request:Get user", context: context("test"), timeoutMs: 500 },
      capabilities(),
    );
    expect(loop.error).toEqual({
      name: "ScriptTimeoutError",
      message: "script exceeded its CPU/time budget of 500 ms (request:Get user)",
    });
    const bomb = await quickjs.run(
      {
        source: "const a = []; while (true) a.push('x'.repeat(1e5) + a.length);",
        location: "request:Get user",
        context: context("test"),
        timeoutMs: 5000,
      },
      capabilities(),
    );
    expect(bomb.error?.name).toMatch(/ScriptMemoryError|ScriptTimeoutError/);
  });
});

/** Snippets that throw, each as script text and as the same code here (the test itself runs in V8). */
const NATIVE: Array<[string, () => unknown]> = [
  [
    "const o = undefined; o.x;",
    () => {
      const o = undefined as unknown as { x: 1 };
      return o.x;
    },
  ],
  [
    "const o = null; o.f();",
    () => {
      const o = null as unknown as { f(): void };
      o.f();
    },
  ],
  [
    "const r = {}; r.a.b.c;",
    () => {
      const r = {} as { a: { b: { c: 1 } } };
      return r.a.b.c;
    },
  ],
  [
    "const n = {}; n.go();",
    () => {
      const n = {} as { go(): void };
      n.go();
    },
  ],
  ["(1).toFixed(200);", () => (1).toFixed(200)],
  ["[].reduce((a, b) => a);", () => [].reduce((a: never) => a)],
  ["new Array(-1);", () => new Array(-1)],
  ["'x' in undefined;", () => "x" in (undefined as unknown as object)],
  [
    "const { a } = undefined;",
    () => {
      const { a } = undefined as unknown as { a: 1 };
      return a;
    },
  ],
  [
    "for (const x of 5) {}",
    () => {
      for (const x of 5 as unknown as number[]) return x;
    },
  ],
  ["Symbol('s') + '';", () => (Symbol("s") as unknown as string) + ""],
  ["BigInt(1) + 1;", () => (BigInt(1) as unknown as number) + 1],
  [
    "new RegExp('(');",
    () => {
      const pattern = "(";
      return new RegExp(pattern);
    },
  ],
];

describe("V8 messages are V8's own", () => {
  it.skipIf(!v8)("the prelude's rewording leaves messages V8 words natively as they are", async () => {
    const source = NATIVE.map(([code], i) => `pm.test("m${i}", () => { ${code} });`).join("\n");
    const out = await v8!.run(
      { source, location: "request:Get user", context: context("test"), timeoutMs: 5000 },
      capabilities(),
    );
    const native = NATIVE.map(([, f]) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(out.assertions.map((a) => a.error?.message)).toEqual(native);
  });
});

describe("scripts of one run share their globals (as in Newman)", () => {
  const define = "utils = { ok: () => true };";
  const use = `pm.test("helper", () => pm.expect(utils.ok()).to.equal(true));`;
  const schema = `pm.test("helper + schema", () => { pm.expect(utils.ok()).to.equal(true); pm.response.to.have.jsonSchema({ type: "object" }); });`;
  const runAll = async (host: { run: QuickJSScriptHost["run"] }, sources: string[]) => {
    const outs: ScriptOutcome[] = [];
    for (const source of sources)
      outs.push(
        await host.run(
          { source, location: "request:Get user", context: context("test"), timeoutMs: 5000 },
          capabilities(),
        ),
      );
    return outs.map((o) => o.assertions.map((a) => [a.name, a.passed]));
  };

  it.skipIf(!loader)("in V8, and in QuickJS for a run whose plan has a script V8 cannot run", async () => {
    const expected = [[], [["helper", true]], [["helper + schema", true]]];
    expect(await runAll(new QuickJSScriptHost({}), [define, use, schema])).toEqual(expected);
    const planned = new V8ScriptHost({ loader: loader!, scripts: [define, use, schema] });
    expect(await runAll(planned, [define, use, schema])).toEqual(expected);
    const v8Only = new V8ScriptHost({ loader: loader!, scripts: [define, use] });
    expect(await runAll(v8Only, [define, use])).toEqual(expected.slice(0, 2));
  });
});

describe("V8 isolate containment", () => {
  it.skipIf(!v8)(
    "leaves no workerd global on the global scope's prototypes; fetch cannot leave",
    async () => {
      const out = await v8!.run(
        {
          source: `const chain = [];
          for (let o = Object.getPrototypeOf(this); o && o !== Object.prototype; o = Object.getPrototypeOf(o)) chain.push(o);
          pm.test("no fetch on a prototype", () => pm.expect(chain.filter((o) => Object.hasOwn(o, "fetch"))).to.have.lengthOf(0));
          pm.test("stack names the script's line (4, after the wrapper's 2)", () => pm.expect(new Error("here").stack).to.match(/script\\.js:6:/));`,
          location: "request:Get user",
          context: context("test"),
          timeoutMs: 5000,
        },
        capabilities(),
      );
      expect(out.error).toBeUndefined();
      expect(out.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
        ["no fetch on a prototype", true, undefined],
        ["stack names the script's line (4, after the wrapper's 2)", true, undefined],
      ]);
    },
  );
});

describe("script backend selection", () => {
  it("SCRIPT_BACKEND picks the host; V8 without a LOADER binding falls back to QuickJS", async () => {
    expect(createScriptHost({ env: { SCRIPT_BACKEND: "quickjs", LOADER: loader } })).toBeInstanceOf(
      QuickJSScriptHost,
    );
    expect(createScriptHost({ env: { SCRIPT_BACKEND: "v8" } })).toBeInstanceOf(QuickJSScriptHost);
    expect(createScriptHost({ env: {} })).toBeInstanceOf(QuickJSScriptHost);
    if (!loader) return;
    expect(
      createScriptHost({ env: { SCRIPT_BACKEND: "auto", ENVIRONMENT: "production", LOADER: loader } }),
    ).toBeInstanceOf(V8ScriptHost);
    // auto outside production: local workerd enforces no isolate limits, so QuickJS.
    expect(createScriptHost({ env: { LOADER: loader, ENVIRONMENT: "development" } })).toBeInstanceOf(
      QuickJSScriptHost,
    );
    expect(createScriptHost({ env: { SCRIPT_BACKEND: "v8", LOADER: loader } })).toBeInstanceOf(V8ScriptHost);
    await sandboxSelfTest({ SCRIPT_BACKEND: "v8", LOADER: loader });
    await sandboxSelfTest({ SCRIPT_BACKEND: "quickjs" });
  });
});
