/**
 * A V8 run's script modules (issue 16): every planned script is a module of the run's isolate, but one
 * is imported only when its script first runs (shared/sandbox/v8/main.js), so a run's start does not
 * grow with the scripts it might run. These runs check what that must not change: one isolate (and its
 * globals) for all the run's scripts, wherever they are in the plan, a broken script failing alone with
 * V8's message, timers of a run's first script.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { ScriptCapabilities, ScriptOutcome } from "../../shared/engine/types";
import { emptyJar, scriptContext } from "./v8-support";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;
if (!loader) console.warn("v8-script-modules: no LOADER binding, skipped");

const context = scriptContext;

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "RequestError", message: "not in this test" } }),
  cookieJar: emptyJar,
};

/** A script that counts the run's scripts in a global: the same isolate ran them all if it counts on. */
const counting = (i: number) => `this.count = (this.count || 0) + 1;\nconsole.log("script ${i}: " + count);`;

function runner(host: V8ScriptHost) {
  return (source: string): Promise<ScriptOutcome> =>
    host.run({ source, location: "request:r", context, timeoutMs: 5000 }, caps);
}

const logs = (out: ScriptOutcome) => out.console.map((e) => e.message);

describe.skipIf(!loader)("V8 script modules imported on first use", () => {
  it("a run planned with 60 scripts runs them from one isolate in any order, late ones included", async () => {
    const scripts = Array.from({ length: 60 }, (_, i) => counting(i));
    const run = runner(new V8ScriptHost({ loader: loader!, runId: "modules-late", scripts }));
    const order = [0, 59, 1, 30, 59, 0];
    const seen: string[] = [];
    for (const i of order) {
      const out = await run(scripts[i]!);
      expect(out.error).toBeUndefined();
      seen.push(...logs(out));
    }
    expect(seen).toEqual(order.map((i, n) => `script ${i}: ${n + 1}`));
  });

  it("a run whose 2nd script does not compile runs the others in one isolate; that one fails alone", async () => {
    const scripts = [counting(0), 'pm.test("open", () => {', counting(2)];
    const run = runner(new V8ScriptHost({ loader: loader!, runId: "modules-broken", scripts }));
    expect(logs(await run(scripts[0]!))).toEqual(["script 0: 1"]);
    const broken = await run(scripts[1]!);
    expect(broken.error).toMatchObject({ name: "SyntaxError", message: "Unexpected end of input" });
    expect(logs(await run(scripts[2]!))).toEqual(["script 2: 2"]);
    // Again: the broken one still fails with the same message, the others still share their globals.
    expect((await run(scripts[1]!)).error).toMatchObject({ name: "SyntaxError" });
    expect(logs(await run(scripts[0]!))).toEqual(["script 0: 3"]);
  });

  it("a script that breaks its shared module elsewhere fails alone; the module's others run", async () => {
    // The template literal runs on into the 4th script, where the shared module's SyntaxError is: that
    // one compiles alone, so the module's scripts get a module each and the next start names the 2nd.
    const scripts = [counting(0), "const s = `unclosed;", counting(2), "console.log(`tick`);", counting(4)];
    const run = runner(new V8ScriptHost({ loader: loader!, runId: "modules-spill", scripts }));
    expect(logs(await run(scripts[0]!))).toEqual(["script 0: 1"]);
    expect((await run(scripts[1]!)).error).toMatchObject({
      name: "SyntaxError",
      message: "Unexpected end of input",
    });
    expect(logs(await run(scripts[3]!))).toEqual(["tick"]);
    expect(logs(await run(scripts[4]!))).toEqual(["script 4: 2"]);
  });

  it("a script far into a shared module reads its own file and lines in stacks", async () => {
    const scripts = Array.from(
      { length: 70 },
      (_, i) => `// script ${i}\nconsole.log(new Error("here").stack.split("\\n")[1]);`,
    );
    const run = runner(new V8ScriptHost({ loader: loader!, runId: "modules-lines", scripts }));
    for (const i of [0, 1, 66]) {
      const [frame] = logs(await run(scripts[i]!));
      // Line 2 of the script, after the wrapper's 2 lines, as under QuickJS; its own `s/<id>/script.js`.
      expect(frame).toMatch(new RegExp(`\\(?s/${i}/script\\.js:4:13\\)?$`));
    }
  });

  it("a run's first script keeps its timers' order and waits for a later one", async () => {
    const first = [
      'setTimeout(() => console.log("timer"), 0);',
      'Promise.resolve().then(() => console.log("microtask"));',
      'console.log("sync");',
      'new Promise((resolve) => setTimeout(resolve, 5)).then(() => console.log("awaited"));',
    ].join("\n");
    const run = runner(new V8ScriptHost({ loader: loader!, runId: "modules-timers", scripts: [first] }));
    const out = await run(first);
    expect(out.error).toBeUndefined();
    expect(logs(out)).toEqual(["sync", "microtask", "timer", "awaited"]);
  });
});
