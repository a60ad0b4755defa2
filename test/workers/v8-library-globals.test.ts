/**
 * The V8 host's library modules bind ECMAScript's globals as module variables (v8/worker-code.ts,
 * issue 16), except those a run's scripts may replace: a library then sees a script's replacement, as
 * under QuickJS and in Newman. Both backends run the same run of two scripts and must agree.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.workerd";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { ScriptCapabilities, ScriptContext, ScriptHost } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "RequestError", message: "not in this test" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

const context = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
  scopes: { globals: [], collection: [], environment: [], data: {}, local: [], environmentName: "" },
  request: {
    method: "GET",
    url: { raw: "http://example.test/", host: [], path: [], query: [], variable: [] },
    headers: [],
  },
  cookies: [],
  location: ["Coll", "r"],
  collectionName: "Coll",
});

// The first script replaces `Date` (a clock frozen at 0) after moment is loaded; the second asks
// moment for "now", which it reads through the global `Date` when called.
const FREEZE = `const moment = require("moment");
const RealDate = Date;
Date = function FakeDate(v) { return new RealDate(v === undefined ? 0 : v); };
Date.now = () => 0;
Date.UTC = RealDate.UTC;
Date.prototype = RealDate.prototype;
pm.test("loaded", () => pm.expect(typeof moment).to.equal("function"));`;
const READ = `pm.test("frozen", () => pm.expect(require("moment")().valueOf()).to.equal(0));
pm.test("real", () => pm.expect(Object.keys({ a: 1 })).to.eql(["a"]));`;

async function run(host: ScriptHost & { dispose(): void }) {
  const outcomes = [];
  for (const source of [FREEZE, READ])
    outcomes.push(await host.run({ source, location: "test:r", context: context(), timeoutMs: 5000 }, caps));
  host.dispose();
  return outcomes.map((o) => ({ error: o.error, assertions: o.assertions.map((a) => [a.name, a.passed]) }));
}

describe("V8 library globals", () => {
  it.skipIf(!loader)("a library sees a global a script replaced, as under QuickJS", async () => {
    const quickjs = await run(new QuickJSScriptHost({}));
    expect(quickjs[1]?.assertions).toEqual([
      ["frozen", true],
      ["real", true],
    ]);
    const v8 = await run(
      new V8ScriptHost({
        loader: loader as WorkerLoader,
        runId: "v8-library-globals",
        scripts: [FREEZE, READ],
      }),
    );
    expect(v8).toEqual(quickjs);
  });
});

// host.js cuts the global's prototype chain (workerd's ServiceWorkerGlobalScope, WorkerGlobalScope and
// EventTarget prototypes) instead of deleting their names one by one: the global scope reads as QuickJS's.
// A script reaches the global object as its own `this` (it has no `globalThis`, as in Newman).
const GLOBAL_SCOPE = `console.log(Object.getPrototypeOf(this) === Object.prototype, this.constructor === Object,
  typeof addEventListener, typeof EventTarget, typeof fetch, typeof process, typeof Buffer, typeof setTimeout,
  Object.getOwnPropertyNames(this).filter((k) => /^(fetch|navigator|caches|scheduler|Cloudflare)$/.test(k)).length);`;

describe("V8 global scope", () => {
  it.skipIf(!loader)(
    "has Object.prototype as its prototype and none of workerd's globals, as under QuickJS",
    async () => {
      const logs = async (host: ScriptHost & { dispose(): void }) => {
        const out = await host.run(
          { source: GLOBAL_SCOPE, location: "test:r", context: context(), timeoutMs: 5000 },
          caps,
        );
        host.dispose();
        return out.console.map((e) => e.message);
      };
      const quickjs = await logs(new QuickJSScriptHost({}));
      // Buffer is the prelude's (both backends); EventTarget only a loading library's; workerd's are gone.
      expect(quickjs).toEqual(["true true undefined undefined undefined undefined function function 0"]);
      const v8 = new V8ScriptHost({
        loader: loader as WorkerLoader,
        runId: "v8-global-scope",
        scripts: [GLOBAL_SCOPE],
      });
      expect(await logs(v8)).toEqual(quickjs);
    },
  );
});
