/**
 * Containment between the scripts of one run (issue 11): each script starts from the same intrinsics
 * as a fresh context, pm.sendRequest floods and oversized variables are capped with a script error,
 * and the run's next script still works.
 */
import { describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext, ScriptOutcome } from "../../shared/engine/types";
import { type QuickJSHostOptions, QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

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

describe("sandbox containment: intrinsics", () => {
  it("undoes prototype pollution, patched built-ins and new globals before the next script", async () => {
    const { host, run } = runner();
    const patch = await run(`
      Object.prototype.polluted = 1;
      Date.now = () => 0;
      Math.random = () => 0.5;
      String.prototype.trim = function () { return "patched"; };
      Array.prototype.includes = () => true;
      JSON.stringify = () => "nope";
      globalThis.leak = 1;
      sloppyLeak = 2;
      const seen = [Date.now(), " a ".trim(), {}.polluted, [1].includes(2)];
      setTimeout(() => pm.environment.set("seen", seen.concat(Math.random()).join()), 5);
    `);
    // Patches are visible for the rest of the script, timers included.
    expect(patch.error).toBeUndefined();
    expect(patch.scopes.environment).toEqual([{ key: "seen", value: "0,patched,1,true,0.5", enabled: true }]);
    const next = await run(`
      pm.test("fresh intrinsics", () => {
        pm.expect("polluted" in {}).to.equal(false);
        pm.expect(Date.now()).to.be.above(1e12);
        pm.expect(Math.random()).to.not.equal(0.5);
        pm.expect(" a ".trim()).to.equal("a");
        pm.expect([1].includes(2)).to.equal(false);
        pm.expect(JSON.stringify({ a: 1 })).to.equal('{"a":1}');
        pm.expect(typeof leak + typeof sloppyLeak).to.equal("undefinedundefined");
      });
    `);
    expect(verdicts(next)).toEqual([["fresh intrinsics", true, undefined]]);
    host.dispose();
  });

  it("restores built-ins a script replaced by name only (no prototype access)", async () => {
    const { host, run } = runner();
    await run(
      `Date.now = () => 0; Math.random = () => 0.5; JSON.stringify = () => "x"; Number.MAX_SAFE_INTEGER2 = 1;`,
    );
    const next = await run(`
      pm.test("fresh", () => {
        pm.expect(Date.now()).to.be.above(1e12);
        pm.expect(Math.random()).to.not.equal(0.5);
        pm.expect(JSON.stringify([1])).to.equal("[1]");
        pm.expect(Number.MAX_SAFE_INTEGER2).to.equal(undefined);
      });
    `);
    expect(verdicts(next)).toEqual([["fresh", true, undefined]]);
    host.dispose();
  });

  it("keeps pm.test working after a throwing getter on Object.prototype", async () => {
    const { host, run } = runner();
    await run(
      `Object.defineProperty(Object.prototype, "name", { configurable: true, get() { throw new Error("invalid getter"); } });`,
    );
    const next = await run(`pm.test("works", () => pm.response.to.have.status(200));`);
    expect(verdicts(next)).toEqual([["works", true, undefined]]);
    host.dispose();
  });

  it("catches additions made without naming any intrinsic", async () => {
    const { host, run } = runner();
    await run(`[]["con" + "structor"]["proto" + "type"].sneaky = 1;`);
    const next = await run(`pm.test("gone", () => pm.expect([].sneaky).to.equal(undefined));`);
    expect(verdicts(next)).toEqual([["gone", true, undefined]]);
    host.dispose();
  });

  it("starts a fresh context after a change that cannot be undone (frozen prototype)", async () => {
    const { host, run } = runner();
    await run(`Object.freeze(Array.prototype); Object.defineProperty(Math, "PI", { value: 3 });`);
    const next = await run(`
      pm.test("fresh", () => {
        pm.expect(Object.isFrozen(Array.prototype)).to.equal(false);
        pm.expect(Math.PI).to.be.closeTo(3.14159, 0.001);
      });
    `);
    expect(verdicts(next)).toEqual([["fresh", true, undefined]]);
    host.dispose();
  });

  it("restores cached library modules and chai", async () => {
    const { host, run } = runner();
    await run(`
      const _ = require("lodash");
      _.mixin({ shout: (s) => s.toUpperCase() });
      _.VERSION = "hacked";
      require("chai").Assertion.addProperty("banana", function () {});
    `);
    const next = await run(`
      pm.test("clean modules", () => {
        pm.expect(typeof _.shout).to.equal("undefined");
        pm.expect(_.VERSION).to.not.equal("hacked");
        pm.expect(() => pm.expect(1).to.be.banana).to.throw();
      });
    `);
    expect(verdicts(next)).toEqual([["clean modules", true, undefined]]);
    host.dispose();
  });

  it("keeps no state between runs of the same script (its compiled body is reused)", async () => {
    const { host, run } = runner();
    const source = `
      var seen = typeof counter === "undefined" ? 0 : counter;
      globalThis.counter = seen + 1;
      const self = arguments.callee;
      self.n = (self.n || 0) + 1;
      pm.test("fresh " + seen + " " + self.n, () => {});
    `;
    const first = await run(source);
    const second = await run(source);
    expect(verdicts(first)).toEqual([["fresh 0 1", true, undefined]]);
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
  it("sends at most 50 requests from a 10,000-request loop and fails the script clearly", async () => {
    const { host, run, stats } = runner();
    const out = await run(`
      let answered = 0;
      for (let i = 0; i < 10000; i++) pm.sendRequest("http://h/x?i=" + i, () => answered++);
    `);
    expect(stats.sent).toBe(50);
    expect(out.error).toEqual({
      name: "ScriptLimitError",
      message: "pm.sendRequest: a script may send at most 50 requests (limit reached)",
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
