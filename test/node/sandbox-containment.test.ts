/**
 * Containment (issues 11 and 15): within a run, a script's changes to built-ins and its globals stay for
 * the later scripts, as in Newman; nothing crosses runs; pm.sendRequest floods and oversized variables
 * are capped with a script error, and the run's next script still works.
 */
import { describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext, ScriptOutcome } from "../../shared/engine/types";
import { type QuickJSHostOptions, QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { perSliceSends, SEND_REQUEST_LIMITS } from "../../shared/sandbox/send-gate";

function context(): ScriptContext {
  const body = JSON.stringify({ id: 1 });
  return {
    info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
    scopes: { globals: [], collection: [], environment: [], data: {}, local: [] },
    request: { method: "GET", url: { host: ["h"], path: [], query: [], variable: [] }, headers: [] },
    response: { code: 200, status: "OK", headers: [], body, responseSize: body.length, responseTime: 1 },
    cookies: [],
    location: ["c", "r"],
    collectionName: "c",
  };
}

/** Counts the requests that reach the capability and the most in flight at once. */
function countingCaps() {
  const stats = { sent: 0, active: 0, maxActive: 0 };
  const caps: ScriptCapabilities = {
    sendRequest: async () => {
      stats.sent++;
      stats.active++;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      await new Promise((r) => setImmediate(r));
      stats.active--;
      return {
        response: { code: 200, status: "OK", headers: [], body: "{}", responseSize: 2, responseTime: 1 },
      };
    },
    cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
  };
  return { caps, stats };
}

function runner(options: QuickJSHostOptions = {}) {
  const host = new QuickJSScriptHost(options);
  const { caps, stats } = countingCaps();
  const run = (source: string, ctx: ScriptContext = context()): Promise<ScriptOutcome> =>
    host.run({ source, location: "request:r", context: ctx, timeoutMs: 5000 }, caps);
  return { host, run, stats };
}

const verdicts = (out: ScriptOutcome) => out.assertions.map((a) => [a.name, a.passed, a.error?.message]);

// Newman keeps one sandbox context per run (postman-sandbox: "a common scope for all executions"):
// checked with Newman 6.2.2, a script's changes to built-ins (named or reached through computed names),
// its sloppy globals, a frozen prototype and changes to required modules and chai are all still there
// in the next request's scripts. edgerun does the same within a run, and nothing crosses runs: every
// run has its own host and context.
describe("sandbox containment: what persists within a run (as in Newman) and never across runs", () => {
  const PATCH = `
    Object.prototype.polluted = 1;
    Date.now = () => 0;
    Math.random = () => 0.5;
    String.prototype.trim = function () { return "patched"; };
    Array.prototype.includes = () => true;
    JSON.stringify = () => "nope";
    []["con" + "structor"]["proto" + "type"].sneaky = 1;
    sloppyGlobal = 2;
    const seen = [Date.now(), " a ".trim(), {}.polluted, [1].includes(2)];
    setTimeout(() => pm.environment.set("seen", seen.concat(Math.random()).join()), 5);
  `;
  const CHECK = `
    pm.test("state", () => {
      pm.expect(JSON.stringify({ a: 1 })).to.equal("nope");
      pm.expect([{}.polluted, Date.now(), Math.random(), " a ".trim(), [1].includes(2), [].sneaky]).to.eql([
        1, 0, 0.5, "patched", true, 1,
      ]);
      pm.expect(typeof sloppyGlobal).to.equal("number");
    });
  `;
  const FRESH = `
    pm.test("fresh", () => {
      pm.expect("polluted" in {}).to.equal(false);
      pm.expect(Date.now()).to.be.above(1e12);
      pm.expect(" a ".trim()).to.equal("a");
      pm.expect([1].includes(2)).to.equal(false);
      pm.expect([].sneaky).to.equal(undefined);
      pm.expect(typeof sloppyGlobal).to.equal("undefined");
    });
  `;

  it("keeps a script's changes to built-ins and its globals for the later scripts of the run", async () => {
    const { host, run } = runner();
    const patch = await run(PATCH);
    // Patches are visible for the rest of the script, timers included, and the prelude still answers
    // (its own JSON is the one it found).
    expect(patch.error).toBeUndefined();
    expect(patch.scopes.environment).toEqual([{ key: "seen", value: "0,patched,1,true,0.5", enabled: true }]);
    expect(verdicts(await run(CHECK))).toEqual([["state", true, undefined]]);
    host.dispose();
  });

  it("starts every run from fresh intrinsics", async () => {
    const first = runner();
    await first.run(PATCH);
    const second = runner();
    expect(verdicts(await second.run(FRESH))).toEqual([["fresh", true, undefined]]);
    // A run whose context was dropped (a script hit a limit) continues from fresh intrinsics too.
    expect((await first.run("(function f() { f(); })();")).error?.name).toBe("ScriptStackError");
    expect(verdicts(await first.run(FRESH))).toEqual([["fresh", true, undefined]]);
    first.host.dispose();
    second.host.dispose();
  });

  it("keeps a frozen prototype and changed modules and chai for the run, like Newman", async () => {
    const { host, run } = runner();
    await run(`
      const lo = require("lodash");
      lo.mixin({ shout: (s) => s.toUpperCase() });
      require("chai").Assertion.addProperty("banana", function () {});
      Object.freeze(Array.prototype);
    `);
    const next = await run(`
      pm.test("kept", () => {
        pm.expect(require("lodash").shout("a")).to.equal("A");
        pm.expect(1).to.be.banana;
        pm.expect(Object.isFrozen(Array.prototype)).to.equal(true);
      });
    `);
    expect(verdicts(next)).toEqual([["kept", true, undefined]]);
    expect(verdicts(await runner().run(FRESH))).toEqual([["fresh", true, undefined]]);
    host.dispose();
  });

  it("loads a library first required after a script added to Object.prototype (chai, lodash)", async () => {
    const { host, run } = runner();
    await run(`Object.prototype.helper = function () { return "mine"; }; Array.prototype.last = 1;`);
    const next = await run(`
      pm.test("chai and lodash load", () => {
        pm.expect([1, 2]).to.eql([1, 2]);
        pm.expect(require("lodash").map([1], (x) => x * 2)).to.eql([2]);
        pm.expect({}.helper()).to.equal("mine");
        pm.expect(Object.keys(Object.prototype)).to.eql(["helper"]);
      });
    `);
    expect(verdicts(next)).toEqual([["chai and lodash load", true, undefined]]);
    host.dispose();
  });

  it("keeps answering after a script broke a built-in the next scripts rely on", async () => {
    const { host, run } = runner();
    await run(
      `Object.defineProperty(Object.prototype, "name", { configurable: true, get() { throw new Error("invalid getter"); } });`,
    );
    // The run's later scripts see the getter (as in Newman); the host still returns an outcome.
    const next = await run(`pm.test("works", () => pm.response.to.have.status(200));`);
    expect(next.assertions.length + (next.error ? 1 : 0)).toBeGreaterThan(0);
    const other = runner();
    expect(verdicts(await other.run(`pm.test("works", () => pm.response.to.have.status(200));`))).toEqual([
      ["works", true, undefined],
    ]);
    host.dispose();
    other.host.dispose();
  });

  it("keeps the prelude's entry point when a script assigns over it", async () => {
    const { host, run } = runner();
    await run(`__edgerun_execute = async () => "{}"; try { delete globalThis.__edgerun_execute; } catch {}`);
    expect(verdicts(await run(`pm.test("still the prelude", () => {});`))).toEqual([
      ["still the prelude", true, undefined],
    ]);
    host.dispose();
  });

  it("gives a reused compiled body no state of its own (arguments.callee is new per execution)", async () => {
    const { host, run } = runner();
    const source = `
      const self = arguments.callee;
      self.n = (self.n || 0) + 1;
      pm.test("calls " + self.n, () => {});
    `;
    const first = await run(source);
    const second = await run(source);
    expect(verdicts(first)).toEqual([["calls 1", true, undefined]]);
    expect(verdicts(second)).toEqual(verdicts(first));
    host.dispose();
  });
  it("has no process global, like Newman's sandbox", async () => {
    const { host, run } = runner();
    const out = await run(`pm.test("no process", () => pm.expect(typeof process).to.equal("undefined"));`);
    expect(verdicts(out)).toEqual([["no process", true, undefined]]);
    host.dispose();
  });
});

describe("sandbox containment: pm.sendRequest caps", () => {
  it("sends at most 200 requests from a 10,000-request loop and fails the script clearly", async () => {
    const { host, run, stats } = runner();
    const out = await run(`
      let answered = 0;
      for (let i = 0; i < 10000; i++) pm.sendRequest("http://h/x?i=" + i, () => answered++);
    `);
    expect(stats.sent).toBe(200);
    expect(out.error).toEqual({
      name: "ScriptLimitError",
      message: "pm.sendRequest: a script may send at most 200 requests (limit reached)",
    });
    const next = await run(
      `pm.sendRequest("http://h/y", (e, r) => pm.test("next script may send", () => pm.expect(r.code).to.equal(200)));`,
    );
    expect(verdicts(next)).toEqual([["next script may send", true, undefined]]);
    host.dispose();
  });

  it("keeps at most 6 requests in flight and answers every queued one", async () => {
    const { host, run, stats } = runner();
    const out = await run(`
      let answered = 0;
      for (let i = 0; i < 40; i++)
        pm.sendRequest("http://h/x", (err) => {
          if (!err && ++answered === 40) pm.test("all answered", () => {});
        });
    `);
    expect(out.error).toBeUndefined();
    expect(verdicts(out)).toEqual([["all answered", true, undefined]]);
    expect(stats.maxActive).toBeLessThanOrEqual(6);
    expect(stats.maxActive).toBeGreaterThan(1);
    host.dispose();
  });

  it("caps the run's requests per slice until beginSlice()", async () => {
    const { host, run, stats } = runner({ sendRequests: { perSlice: 60 } });
    await run(`for (let i = 0; i < 50; i++) pm.sendRequest("http://h/a");`);
    const second = await run(`for (let i = 0; i < 50; i++) pm.sendRequest("http://h/b");`);
    expect(stats.sent).toBe(60);
    expect(second.error?.message).toBe(
      "pm.sendRequest: the run's scripts may send at most 60 requests per slice (limit reached)",
    );
    host.beginSlice();
    const third = await run(`pm.sendRequest("http://h/c");`);
    expect(third.error).toBeUndefined();
    expect(stats.sent).toBe(61);
    host.dispose();
  });

  it("keeps the per-slice cap's allowance per request for other slice sizes", () => {
    expect(perSliceSends(40)).toBe(SEND_REQUEST_LIMITS.perSlice);
    expect(perSliceSends(200)).toBe(2500);
    expect(perSliceSends(1)).toBe(SEND_REQUEST_LIMITS.perSlice); // never below the default
  });
});

describe("sandbox containment: variable sizes", () => {
  it("refuses a value over 1 MiB as a script error and leaves the variable unset", async () => {
    const { host, run } = runner();
    const out = await run(`pm.environment.set("small", "ok"); pm.environment.set("big", "x".repeat(8e6));`);
    expect(out.error?.name).toBe("ScriptLimitError");
    expect(out.error?.message).toContain("pm.environment.set: the value of 'big' is 8000002 characters");
    expect(out.scopes.environment.map((v) => v.key)).toEqual(["small"]);
    host.dispose();
  });

  it("refuses to grow one scope past 4 MiB, counting replaced values once", async () => {
    const { host, run } = runner();
    const out = await run(`
      const chunk = "y".repeat(1000 * 1000);
      for (let i = 0; i < 10; i++) pm.globals.set("same", chunk + i);
      for (let i = 0; i < 3; i++) pm.globals.set("k" + i, chunk);
      try { pm.globals.set("k3", chunk); } catch (e) { pm.test("refused", () => { throw e; }); }
      pm.collectionVariables.set("other", chunk);
    `);
    expect(out.error).toBeUndefined();
    expect(out.assertions[0]?.error?.message).toMatch(
      /^pm\.globals\.set: setting 'k3' would make the scope \d+ characters serialized; a scope may hold at most 4194304 \(4 MiB\)$/,
    );
    expect(out.scopes.globals.map((v) => v.key)).toEqual(["same", "k0", "k1", "k2"]);
    expect(out.scopes.collection.map((v) => v.key)).toEqual(["other"]);
    host.dispose();
  });
});
