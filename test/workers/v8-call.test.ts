/**
 * A V8 script call's wall deadline (platform/wall-deadline.ts): one timer per slice instead of one per
 * call, so these check what it must still do: fail a call that keeps waiting on the engine (here a
 * pm.sendRequest that never answers, which the isolate's CPU limit cannot catch) whether it is the
 * slice's first call or a later one, and leave the host working for the next script.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { ScriptCapabilities } from "../../shared/engine/types";
import { emptyJar, scriptContext } from "./v8-support";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;
if (!loader) console.warn("v8-call: no LOADER binding, skipped");

const context = scriptContext;

/** pm.sendRequest never answers: the script's call waits until the wall deadline fails it. */
const hanging: ScriptCapabilities = {
  sendRequest: () => new Promise(() => undefined),
  cookieJar: emptyJar,
};

const HANG = 'pm.sendRequest("http://example.test/", () => console.log("answered"));';
const QUICK = 'console.log("quick");';

describe.skipIf(!loader)("V8 script call deadline", () => {
  it("fails a call still waiting past its deadline, first or later in a slice, and runs the next", async () => {
    const host = new V8ScriptHost({ loader: loader!, runId: "call-deadline", wallSlackMs: 50 });
    const run = (source: string) =>
      host.run({ source, location: "request:r", context, timeoutMs: 100 }, hanging);
    host.beginSlice();
    expect((await run(QUICK)).console.map((e) => e.message)).toEqual(["quick"]);
    // The slice's timer was armed by the quick call: it fires for this one (re-armed if early).
    const late = await run(HANG);
    expect(late.error).toEqual({
      name: "ScriptTimeoutError",
      message: "script exceeded its CPU/time budget of 100 ms (request:r)",
    });
    host.beginSlice();
    expect((await run(HANG)).error?.name).toBe("ScriptTimeoutError");
    const after = await run(QUICK);
    expect(after.error).toBeUndefined();
    expect(after.console.map((e) => e.message)).toEqual(["quick"]);
  });
});
