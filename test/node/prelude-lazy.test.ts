/**
 * The QuickJS prelude's deferred parts (prelude/lazy.ts, scripts/build-sandbox-libs.mjs `LAZY`): the
 * bundle starts and runs a passing script without compiling any of them, compiles V8's error wording
 * on the first error (with the same message as the V8 build), and the legacy globals' names known up
 * front are those legacy.ts builds. Sameness over a corpus: bench/prelude-diff.ts.
 */
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { ScriptContext } from "../../shared/engine/types";
import type { PreludeHost } from "../../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../../shared/sandbox/generated/libs/index";
import { PRELUDE_QUICKJS_SOURCE, PRELUDE_SOURCE } from "../../shared/sandbox/generated/prelude";
import { legacyLoaders } from "../../shared/sandbox/prelude/legacy";
import { legacyNames } from "../../shared/sandbox/prelude/legacy-names";
import { PropertyList, variableScope } from "../../shared/sandbox/prelude/lists";
import { PostmanRequest } from "../../shared/sandbox/prelude/request";

const context = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "id" },
  scopes: { globals: [], collection: [], environment: [], data: {}, local: [] },
  request: {
    method: "GET",
    url: { raw: "http://h/p", host: ["h"], path: ["p"], query: [], variable: [] },
    headers: [],
  },
  response: { code: 200, status: "OK", headers: [], body: "{}", responseSize: 2, responseTime: 1 },
  cookies: [],
  location: ["c", "r"],
  collectionName: "c",
});

/** A prelude in its own node:vm context whose `Function` records the sources compiled through it. */
function prelude(bundle: string, libraries: Record<string, string> = {}) {
  const sandbox = createContext({});
  const compiled: string[] = [];
  const real = runInContext("Function", sandbox) as FunctionConstructor;
  const record = (args: unknown[]) => compiled.push(String(args[args.length - 1]));
  sandbox.Function = new Proxy(real, {
    apply(target, self, args) {
      record(args);
      return Reflect.apply(target, self, args);
    },
    construct(target, args) {
      record(args);
      return Reflect.construct(target, args);
    },
  });
  const host: PreludeHost = {
    sendRequest: async () => "{}",
    cookieJar: () => "null",
    library: (name) => libraries[name],
    now: () => 0,
    sleep: async () => undefined,
    compile: (params, body) => runInContext(`(async function (${params}) {\n${body}\n})`, sandbox),
  };
  sandbox.__host = host;
  runInContext(bundle, sandbox, { filename: "prelude.js" });
  const execute = sandbox.__edgerun_execute as (inputJson: string) => Promise<string>;
  const limits = { consoleEntries: 10, consoleMessageChars: 200, timers: 10 };
  const run = async (source: string) =>
    JSON.parse(
      await execute(JSON.stringify({ source, location: "test:r", context: context(), limits, sugar: false })),
    );
  return { compiled, run };
}

describe("QuickJS prelude: parts compiled on first use", () => {
  it("starts and runs a passing script without compiling a deferred part", async () => {
    const p = prelude(PRELUDE_QUICKJS_SOURCE);
    const out = await p.run(
      'tests["ok"] = true; pm.test("named", () => {}); console.log(pm.variables.get("x"))',
    );
    expect(out.assertions.map((a: { passed: boolean }) => a.passed)).toEqual([true, true]);
    expect(p.compiled).toEqual([]);
  });

  it("compiles V8's wording on the first error, worded as the V8 build words it", async () => {
    const source = "const o = {}; o.missing.deeper = 1;";
    const lazy = prelude(PRELUDE_QUICKJS_SOURCE);
    const eager = prelude(PRELUDE_SOURCE);
    const out = await lazy.run(source);
    expect(out.error).toEqual((await eager.run(source)).error);
    expect(lazy.compiled.length).toBeGreaterThan(0);
    expect(eager.compiled).toEqual([]);
    const count = lazy.compiled.length;
    await lazy.run(source); // compiled once per context
    expect(lazy.compiled.length).toBe(count);
  });

  it("compiles the chai fast paths on chai's first use, with the V8 build's outcome", async () => {
    const source =
      'pm.test("a", () => pm.expect([1, 2]).to.include(3)); pm.test("b", () => pm.expect({ a: 1 }).to.have.property("a").that.is.a("number"));';
    const libraries = { chai: await (LIBRARY_LOADERS.chai as () => Promise<string>)() };
    const lazy = prelude(PRELUDE_QUICKJS_SOURCE, libraries);
    await lazy.run('pm.test("no chai", () => {});');
    expect(lazy.compiled).toEqual([]);
    const out = await lazy.run(source);
    expect(lazy.compiled.some((text) => text.includes("chainableMethodWrapper"))).toBe(true);
    expect(out.assertions).toEqual((await prelude(PRELUDE_SOURCE, libraries).run(source)).assertions);
    expect(out.assertions[0].error.message).toBe("expected [ 1, 2 ] to include 3");
  });

  it("loads a part as at the prelude's start after a script added to Object.prototype", async () => {
    const source = "Object.prototype.polluted = 1; JSON.parse('{,}');";
    const lazy = prelude(PRELUDE_QUICKJS_SOURCE);
    const out = await lazy.run(source);
    expect(out.error).toEqual((await prelude(PRELUDE_SOURCE).run(source)).error);
    expect(out.error.name).toBe("JSONError");
  });

  it("knows the legacy globals' names without building them", () => {
    for (const isTest of [false, true]) {
      const scope = variableScope([], (t) => t);
      const loaders = legacyLoaders({
        envScope: scope,
        globalsScope: scope,
        requestOf: () => new PostmanRequest({ method: "GET", url: "http://h/" }),
        responseOf: () => undefined,
        cookies: new PropertyList([]),
        info: context().info,
        isTest,
        requireModule: () => undefined,
        setNextRequest: () => undefined,
      });
      expect(legacyNames(isTest)).toEqual(Object.keys(loaders));
    }
  });
});
