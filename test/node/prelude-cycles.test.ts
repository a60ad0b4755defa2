/**
 * QuickJS frees an object when its last reference goes, except inside a reference cycle, which waits
 * for a garbage collection that walks the whole heap: a script's `pm` must not stay a cycle once the
 * script is done (pm-api.ts `release`), nor chai's chainable wrappers (chai-chains.ts `release`), or every
 * script leaves them behind (with what they hold) until the next collection.
 * Counted exactly with QuickJS' own object count, the prelude run as the QuickJS host runs it.
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { describe, expect, it } from "vitest";
import type { ScriptContext } from "../../shared/engine/types";
import { preludeInput, preludeRequest } from "../../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../../shared/sandbox/generated/libs/index";
import { PRELUDE_QUICKJS_SOURCE } from "../../shared/sandbox/generated/prelude";
import { installBareHost } from "../quickjs-bare-host";

const context = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "id" },
  scopes: { globals: [], collection: [], environment: [{ key: "e", value: "E" }], data: {}, local: [] },
  request: {
    method: "GET",
    url: { raw: "http://h/p", host: ["h"], path: ["p"], query: [], variable: [] },
    headers: [],
  },
  response: { code: 200, status: "OK", headers: [], body: '{"id":7}', responseSize: 8, responseTime: 1 },
  cookies: [],
  location: ["c", "r"],
  collectionName: "c",
});

/** Objects alive after each of `n` runs of `source` (after a warm-up), in one QuickJS context. */
async function objectCounts(source: string, n: number): Promise<number[]> {
  const chai = await LIBRARY_LOADERS.chai?.();
  const QuickJS = await newQuickJSWASMModuleFromVariant(releaseVariant);
  const runtime = QuickJS.newRuntime();
  const ctx = runtime.newContext();
  try {
    installBareHost(ctx, { library: (name) => (name === "chai" ? chai : undefined), now: () => 0 });
    ctx.unwrapResult(ctx.evalCode(PRELUDE_QUICKJS_SOURCE, "prelude.js")).dispose();
    const once = () => {
      const request = preludeRequest(
        preludeInput({ source, location: "request:r", context: context(), sugar: false }, {}),
      );
      const args = [ctx.newString(request.json), ctx.newString(request.body ?? "")];
      const execute = ctx.getProp(ctx.global, "__edgerun_execute");
      const promise = ctx.unwrapResult(ctx.callFunction(execute, ctx.undefined, ...args));
      for (const h of [execute, ...args]) h.dispose();
      runtime.executePendingJobs();
      const state = ctx.getPromiseState(promise);
      promise.dispose();
      if (state.type !== "fulfilled")
        throw new Error(
          `script did not finish: ${JSON.stringify(state.type === "rejected" ? ctx.dump(state.error) : state.type)}`,
        );
      const out = JSON.parse(ctx.getString(state.value)) as { error?: unknown };
      state.value.dispose();
      if (out.error) throw new Error(JSON.stringify(out.error));
    };
    const count = () => {
      const usage = runtime.computeMemoryUsage();
      const { obj_count } = ctx.dump(usage) as { obj_count: number };
      usage.dispose();
      return obj_count;
    };
    for (let i = 0; i < 3; i++) once(); // caches filled: the compiled script, chai
    return Array.from({ length: n }, () => {
      once();
      return count();
    });
  } finally {
    try {
      ctx.dispose();
      runtime.dispose();
    } catch {
      // QuickJS asserts when a runtime is freed with objects left (chai's own cycles): this module is
      // the test's alone
    }
  }
}

describe("QuickJS prelude: what a script leaves behind", () => {
  it("leaves no object of an ordinary script alive (no cycle waits for a collection)", async () => {
    for (const source of [
      `pm.test("empty", () => {});`,
      `pm.test("status", () => pm.response.to.have.status(200)); const b = pm.response.json();
       pm.test("id", () => pm.expect(b.id).to.eql(7)); pm.environment.set("id", b.id); console.log(pm.request.url.toString());`,
      // chai's chainable methods: each call's wrapper names itself as its flags' ssfi (chai-chains.ts)
      `pm.test("chains", () => { pm.expect([1, 2]).to.have.lengthOf(2); pm.expect({ a: [1] }).to.be.an("object");
       pm.expect("abc").to.include("b").and.have.lengthOf(3); pm.expect([1]).to.be.an("array").that.includes(1); });`,
    ]) {
      const counts = await objectCounts(source, 4);
      expect(new Set(counts).size, `${source}: ${counts.join(" ")}`).toBe(1);
    }
  });
});
