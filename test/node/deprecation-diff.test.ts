/**
 * Newman's sandbox (postman-sandbox 4.7, the one Newman 6.2.2 runs) warns on the console when a script
 * uses a legacy global. Each script here runs in the real postman-sandbox (from node_modules) and in the
 * QuickJS host; the console lines (level and text, in order) must be the same.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

interface SandboxContext {
  on(event: "console", fn: (cursor: unknown, level: string, ...args: unknown[]) => void): void;
  execute(source: string, opts: { context: Record<string, unknown> }, done: (err: unknown) => void): void;
  dispose(): void;
}
const Sandbox = createRequire(import.meta.url)("postman-sandbox") as {
  createContext(opts: object, done: (err: unknown, ctx: SandboxContext) => void): void;
};

const SCRIPTS = [
  // Each global once, then again: one warning per global and script.
  'tests["a"] = true; tests["b"] = 1; console.log("after tests");',
  'postman.setEnvironmentVariable("x", "1"); postman.getEnvironmentVariable("x"); postman.setGlobalVariable("y", 2);',
  "postman.extra = 1;",
  "var e = environment.x; var g = globals; var k = Object.keys(environment); console.log(typeof g, k.length >= 0);",
  "typeof data; var d = data.y; globals.z; request.url;",
  "_.map([1], (x) => x); CryptoJS.MD5('a').toString(); atob('YQ=='); btoa('a');",
  "xml2Json('<a>1</a>'); tv4.validate({}, {}); iteration; console.info('done');",
  // A script that names no legacy global stays silent.
  "pm.environment.set('q', 1); console.log('modern');",
];

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "Error", message: "no network here" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

function context(): ScriptContext {
  return {
    info: { eventName: "prerequest", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
    scopes: { globals: [], collection: [], environment: [{ key: "x", value: "0" }], data: {}, local: [] },
    request: {
      method: "GET",
      url: { raw: "http://h/", host: ["h"], path: [], query: [], variable: [] },
      headers: [],
    },
    cookies: [],
    location: ["C", "r"],
    collectionName: "C",
  };
}

let sandbox: SandboxContext;
let host: QuickJSScriptHost;
beforeAll(async () => {
  host = new QuickJSScriptHost({});
  sandbox = await new Promise<SandboxContext>((resolve, reject) =>
    Sandbox.createContext({}, (err, ctx) => (err ? reject(err) : resolve(ctx))),
  );
});
afterAll(() => sandbox.dispose());

/** The console lines postman-sandbox emits for a prerequest script. */
function newman(source: string): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const onConsole = (_cursor: unknown, level: string, ...args: unknown[]) =>
      lines.push(`${level}: ${args.map(String).join(" ")}`);
    sandbox.on("console", onConsole);
    sandbox.execute(source, { context: { environment: { values: [{ key: "x", value: "0" }] } } }, (err) =>
      err ? reject(err) : resolve(lines),
    );
  });
}

describe("legacy globals' deprecation warnings, as Newman's sandbox prints them", () => {
  for (const source of SCRIPTS) {
    it(source.slice(0, 80), async () => {
      const theirs = await newman(source);
      if (!source.includes("modern")) expect(theirs.join("\n")).toContain("is deprecated");
      const ours = await host.run(
        { source, location: "request:r", context: context(), timeoutMs: 5000 },
        caps,
      );
      expect(ours.error).toBeUndefined();
      expect(ours.console.map((c) => `${c.level}: ${c.message}`)).toEqual(theirs);
    });
  }
});
