/**
 * A V8 script call's wall deadline (platform/wall-deadline.ts): one timer per slice instead of one per
 * call, so these check what it must still do: fail a call that keeps waiting on the engine (here a
 * pm.sendRequest that never answers, which the isolate's CPU limit cannot catch) whether it is the
 * slice's first call or a later one, and leave the host working for the next script. And the calls on
 * sessions (platform/script-session.ts): one isolate and its globals across sessions and slices.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Bridge, V8ScriptHost } from "../../platform/script-host-v8";
import { SESSION_CALLS } from "../../platform/script-session";
import type { ScriptCapabilities } from "../../shared/engine/types";
import { SendRequestGate } from "../../shared/sandbox/send-gate";
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

  it("on sessions: fails a hanging call alone; the next runs in a new session", async () => {
    const host = new V8ScriptHost({
      loader: loader!,
      runId: "call-session-deadline",
      wallSlackMs: 50,
      sessions: true,
    });
    const run = (source: string) =>
      host.run({ source, location: "request:r", context, timeoutMs: 100 }, hanging);
    expect((await run(QUICK)).console.map((e) => e.message)).toEqual(["quick"]);
    expect((await run(HANG)).error?.name).toBe("ScriptTimeoutError");
    expect((await run(QUICK)).console.map((e) => e.message)).toEqual(["quick"]);
  });
});

describe.skipIf(!loader)("V8 script calls on sessions", () => {
  it("run a run's scripts in one isolate across sessions and slices, a broken one failing alone", async () => {
    const counting = (i: number) =>
      `this.count = (this.count || 0) + 1;\nconsole.log("script ${i}: " + count);`;
    const scripts = [
      ...Array.from({ length: SESSION_CALLS + 4 }, (_, i) => counting(i)),
      "pm.test((",
      "pm.test('x', () => pm.expect(count).to.be.above(0));",
    ];
    const host = new V8ScriptHost({ loader: loader!, runId: "call-sessions", scripts, sessions: true });
    const caps: ScriptCapabilities = { sendRequest: hanging.sendRequest, cookieJar: emptyJar };
    const run = (source: string) =>
      host.run({ source, location: "request:r", context, timeoutMs: 5000 }, caps);
    const seen: string[] = [];
    for (const [i, source] of scripts.slice(0, SESSION_CALLS + 4).entries()) {
      if (i === 5) host.beginSlice();
      seen.push(...(await run(source)).console.map((e) => e.message));
    }
    expect(seen).toEqual(Array.from({ length: SESSION_CALLS + 4 }, (_, i) => `script ${i}: ${i + 1}`));
    expect((await run("pm.test((")).error?.name).toBe("SyntaxError");
    const last = await run(scripts.at(-1)!);
    expect(last.assertions.map((a) => [a.name, a.passed])).toEqual([["x", true]]);
  });
});

describe.skipIf(!loader)("the bridge a session's scripts share", () => {
  const answering = (word: string): ScriptCapabilities => ({
    sendRequest: async () => ({ error: { name: "RequestError", message: word } }),
    cookieJar: {
      ...emptyJar,
      getAll: () => [{ name: "jar", value: word, domain: "example.test", path: "/" }],
    },
  });
  const SEND = 'pm.sendRequest("http://example.test/", (err) => console.log(err && err.message));';

  it("reaches each script's own capabilities, within one session and across sessions", async () => {
    const host = new V8ScriptHost({ loader: loader!, runId: "call-session-bridge", sessions: true });
    const seen: string[] = [];
    for (let i = 0; i < SESSION_CALLS + 3; i++) {
      if (i === 2) host.beginSlice();
      const out = await host.run(
        { source: SEND, location: "request:r", context, timeoutMs: 5000 },
        answering(`caps ${i}`),
      );
      seen.push(...out.console.map((e) => e.message));
    }
    expect(seen).toEqual(Array.from({ length: SESSION_CALLS + 3 }, (_, i) => `caps ${i}`));
  });

  it("answers nothing once revoked, and serves the capabilities it is pointed at", async () => {
    const bridge = new Bridge(undefined, new SendRequestGate(), () => undefined);
    expect(JSON.parse(await bridge.sendRequest("{}"))).toEqual({
      error: { name: "RequestError", message: "the script has ended" },
    });
    Bridge.serve(bridge, answering("served"));
    expect(JSON.parse(bridge.cookieJar("getAll", '["http://example.test/"]'))).toEqual([
      { name: "jar", value: "served", domain: "example.test", path: "/" },
    ]);
    Bridge.revoke(bridge);
    expect(JSON.parse(bridge.cookieJar("getAll", '["http://example.test/"]'))).toEqual({
      __error: "the script has ended",
    });
  });
});
