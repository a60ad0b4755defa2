/// <reference types="vite/client" />
/**
 * The CLI runs scripts in V8 by default (issue 16), so a script must behave there as it did in QuickJS
 * (and in Newman, whose sandbox is V8 too). Two corpora go through both hosts, each as the scripts of one
 * run (one QuickJS context, one V8 isolate), and every outcome must match: the prelude's own corpus
 * (bench/prelude-diff-scripts.txt: chai, chai-postman, legacy, timers) and the cases below, which probe
 * where two JavaScript engines may differ (built-in error wording, console formatting, dates, numbers,
 * regular expressions, sorting, thrown non-errors, libraries).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import corpus from "../../bench/prelude-diff-scripts.txt?raw";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { ScriptContext, ScriptOutcome } from "../../shared/engine/types";
import "../../shared/sandbox/quickjs-module.workerd";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { ENGINE_CASES, QUICKJS_DIFFERS, SYNTAX_CASES } from "./script-backend-corpus-cases";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;

function context(): ScriptContext {
  return {
    info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "Get user", requestId: "r1" },
    scopes: {
      globals: [{ key: "g", value: "G" }],
      collection: [],
      environment: [{ key: "e", value: "E" }],
      data: {},
      local: [],
      environmentName: "dev",
    },
    request: {
      method: "POST",
      url: {
        raw: "http://example.test/users?x=1",
        host: ["example", "test"],
        path: ["users"],
        query: [{ key: "x", value: "1" }],
        variable: [],
      },
      headers: [{ key: "Accept", value: "application/json" }],
      body: { mode: "raw", raw: '{"a":1}' },
    },
    response: {
      code: 200,
      status: "OK",
      headers: [
        { key: "Content-Type", value: "application/json" },
        { key: "X-Id", value: "7" },
      ],
      body: JSON.stringify({ id: 7, name: "Ann", tags: ["a", "b"], nested: { deep: [1, { x: null }] } }),
      responseSize: 80,
      responseTime: 12,
    },
    cookies: [],
    location: ["Coll", "Get user"],
    collectionName: "Coll",
  };
}

/** No network here: pm.sendRequest answers with an error, the jar is empty. */
const capabilities = {
  sendRequest: async () => ({ error: { name: "RequestError", message: "no network in this test" } }),
  cookieJar: { getAll: () => [], set: () => {}, unset: () => {}, clear: () => {} },
};

/** What must match; a response's random id (as in the SDK) is left out. */
function comparable(out: ScriptOutcome) {
  return JSON.parse(
    JSON.stringify({
      error: out.error,
      assertions: out.assertions,
      request: out.request,
      visualizer: out.visualizer,
      console: out.console,
      scopes: out.scopes,
      nextRequest: out.nextRequest,
      skipRequest: out.skipRequest,
    }).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>"),
  ) as unknown;
}

function runCorpus(name: string, scripts: string[]): void {
  describe(name, () => {
    const quickjs = new QuickJSScriptHost({});
    const v8 = loader ? new V8ScriptHost({ loader, runId: `corpus-${name}`, scripts }) : undefined;
    scripts.forEach((source, i) => {
      it(`#${i}: ${source.trim().split("\n")[0]!.slice(0, 90)}`, { timeout: 30_000 }, async () => {
        const input = { source, location: "request:Get user", context: context(), timeoutMs: 5000 };
        const q = await quickjs.run(structuredClone(input), capabilities);
        if (!v8) return;
        const v = await v8.run(structuredClone(input), capabilities);
        expect(comparable(v)).toEqual(comparable(q));
      });
    });
    // The comparison means something only if the V8 host did not hand the run to its QuickJS fallback.
    it("the V8 side ran in V8", async () => {
      if (!v8) return;
      const source = "console.log(typeof Error.captureStackTrace);";
      const input = { source, location: "request:Get user", context: context(), timeoutMs: 5000 };
      const v = await v8.run(input, capabilities);
      expect(v.console.map((e) => e.message)).toEqual(["function"]);
    });
  });
}

runCorpus("the prelude corpus (bench/prelude-diff-scripts.txt)", corpus.split(/\n----\n/));
runCorpus("where JavaScript engines differ", ENGINE_CASES);
// More broken scripts in one run than the V8 host rebuilds its isolate for in one go.
runCorpus("scripts that do not compile, ten in one run", SYNTAX_CASES);

describe("where QuickJS differs, V8 says what Newman says", () => {
  const v8 = loader
    ? new V8ScriptHost({ loader, runId: "corpus-newman", scripts: QUICKJS_DIFFERS.map((c) => c.source) })
    : undefined;
  for (const c of QUICKJS_DIFFERS) {
    it(c.source.split("\n")[0]!.slice(0, 90), { timeout: 30_000 }, async () => {
      if (!v8) return;
      const input = { source: c.source, location: "request:Get user", context: context(), timeoutMs: 5000 };
      const v = await v8.run(input, capabilities);
      const said = [v.error?.message, ...v.console.map((e) => e.message)].join("\n");
      for (const text of c.newman) expect(said).toContain(text);
    });
  }
});
