import { describe, expect, it, vi } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext, SendRequestOutcome } from "../../shared/engine/types";
import { loadLibrary } from "../../shared/sandbox/libraries";
import { loadQuickJS, QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

const body = JSON.stringify({ id: 7 });
const context = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
  scopes: { globals: [], collection: [], environment: [], data: {}, local: [], environmentName: "e" },
  request: {
    method: "GET",
    url: { raw: "http://example.test/", host: ["example", "test"], path: [], query: [], variable: [] },
    headers: [],
  },
  response: {
    code: 200,
    status: "OK",
    headers: [{ key: "Content-Type", value: "application/json" }],
    body,
    responseSize: body.length,
    responseTime: 1,
  },
  cookies: [],
  location: ["c", "r"],
  collectionName: "c",
});

/** Capabilities whose sendRequest answers only when the test releases it. */
function heldRequests() {
  const pending: Array<(outcome: SendRequestOutcome) => void> = [];
  const caps: ScriptCapabilities = {
    sendRequest: () => new Promise((resolve) => pending.push(resolve)),
    cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
  };
  return { caps, pending };
}

const run = (host: QuickJSScriptHost, source: string, caps: ScriptCapabilities) =>
  host.run({ source, location: "request:r", context: context(), timeoutMs: 1000 }, caps);

const passes = `pm.test("ok", () => pm.expect(pm.response.json().id).to.equal(7));`;

describe("QuickJS host: run lifecycle", () => {
  it("frees a run that hit its CPU budget with host calls in flight; their late answers go nowhere", async () => {
    const { caps, pending } = heldRequests();
    const module = await loadQuickJS();
    const host = new QuickJSScriptHost({ cpuBudget: 2000 });
    const outcome = run(
      host,
      `pm.sendRequest("http://example.test/a", () => { while (true) {} });
       pm.sendRequest("http://example.test/b", () => {});`,
      caps,
    );
    await vi.waitFor(() => expect(pending.length).toBeGreaterThan(0));
    pending[0]!({ error: { name: "RequestError", message: "first" } });
    expect((await outcome).error?.name).toBe("ScriptTimeoutError");
    for (const answer of pending.slice(1)) answer({ error: { name: "RequestError", message: "late" } });
    // The runtime was freed cleanly (a failed free would have retired the module).
    expect(await loadQuickJS()).toBe(module);
    const next = await run(host, passes, caps);
    expect(next.assertions.map((a) => a.passed)).toEqual([true]);
    host.dispose();
  });

  it("ends a script past its CPU budget without waiting for its host calls", async () => {
    const { caps, pending } = heldRequests();
    const host = new QuickJSScriptHost({ cpuBudget: 2000 });
    const out = await run(host, `pm.sendRequest("http://example.test/", () => {}); while (true) {}`, caps);
    expect(out.error?.name).toBe("ScriptTimeoutError");
    expect(out.error?.message).toBe("script exceeded its CPU/time budget of 1000 ms (request:r)");
    for (const answer of pending) answer({ error: { name: "RequestError", message: "late" } });
    host.dispose();
  });

  it("gives later runs a fresh module once a runtime failed to free (QuickJS leak after a stack overflow)", async () => {
    const { caps } = heldRequests();
    const before = await loadQuickJS();
    const host = new QuickJSScriptHost({});
    expect((await run(host, "(function f() { f(); })();", caps)).error?.name).toBe("ScriptStackError");
    const after = await loadQuickJS();
    expect(after).not.toBe(before);
    const other = new QuickJSScriptHost({});
    expect((await run(other, passes, caps)).assertions.map((a) => a.passed)).toEqual([true]);
    expect(await loadQuickJS()).toBe(after);
    other.dispose();
    host.dispose();
  });

  it("runs the same script text again with its libraries (needs are remembered per text)", async () => {
    const { caps } = heldRequests();
    const source = `const m = require("moment"); pm.test("m", () => pm.expect(m(0).utc().year()).to.equal(1970));`;
    for (const host of [new QuickJSScriptHost({}), new QuickJSScriptHost({})]) {
      expect((await run(host, source, caps)).assertions.map((a) => a.passed)).toEqual([true]);
      expect((await run(host, source, caps)).assertions.map((a) => a.passed)).toEqual([true]);
      host.dispose();
    }
  });
});

describe("QuickJS host: Sugar from the host's reading of the text", () => {
  it("loads Sugar for a script that uses its idioms, and not before", async () => {
    const { caps } = heldRequests();
    const host = new QuickJSScriptHost({});
    const plain = await run(
      host,
      `pm.test("plain", () => pm.expect(typeof "".has).to.equal("undefined"));`,
      caps,
    );
    expect(plain.assertions.map((a) => [a.name, a.passed])).toEqual([["plain", true]]);
    const legacy = await run(host, `tests["sugar"] = responseBody.has("id");`, caps);
    expect(legacy.assertions.map((a) => [a.name, a.passed])).toEqual([["sugar", true]]);
    host.dispose();
  });
});

describe("QuickJS host: chai bundle", () => {
  it("carries no private copy of the buffer polyfill (parsed by every run that uses pm.expect)", async () => {
    const chai = await loadLibrary("chai");
    expect(chai).toBeDefined();
    expect(chai).not.toMatch(/INSPECT_MAX_BYTES|kMaxLength/);
  });

  it("gives QuickJS its own build whose assert interface compiles on first use, with chai's behaviour", async () => {
    const full = await loadLibrary("chai");
    const lazy = await loadLibrary("chai", "quickjs");
    expect(lazy).not.toBe(full);
    // The common build in Node: the names the QuickJS build must show.
    const module = { exports: {} as { assert: Record<string, unknown> } };
    new Function("module", "exports", "require", full!)(module, module.exports, () => ({}));
    const keys = Object.keys(module.exports.assert).join(",");
    const { caps } = heldRequests();
    const host = new QuickJSScriptHost({});
    const out = await run(
      host,
      `const chai = require("chai");
       let viaUse;
       chai.use((c) => { viaUse = c.assert === chai.assert && typeof c.assert.isTrue; });
       console.log(Object.keys(chai.assert).join(","), chai.assert.ok === chai.assert.isOk, viaUse);
       pm.test("equal", () => chai.assert.equal(1, 2));
       pm.test("deepEqual", () => chai.assert.deepEqual({ a: 1 }, { a: 2 }, "msg"));
       pm.test("plain", () => chai.assert(false, "plain"));
       pm.test("throws", () => chai.assert.throws(() => {}));`,
      caps,
    );
    expect(out.console.map((c) => c.message)).toEqual([`${keys} true function`]);
    expect(out.assertions.map((a) => a.error?.message)).toEqual([
      "expected 1 to equal 2",
      "msg: expected { a: 1 } to deeply equal { a: 2 }",
      "plain",
      "expected [Function] to throw an error",
    ]);
    host.dispose();
  });

  it("names Buffers and typed arrays in assertion messages as before", async () => {
    const { caps } = heldRequests();
    const host = new QuickJSScriptHost({});
    const out = await run(
      host,
      `pm.test("legacy", () => pm.expect(Buffer.from("ab")).to.eql(Buffer.from("ac")));
       const B = require("buffer").Buffer;
       pm.test("required", () => pm.expect(B.from("a")).to.be.empty);
       pm.test("typed", () => pm.expect(new Uint8Array([1, 2])).to.eql(new Uint8Array([1, 3])));`,
      caps,
    );
    expect(out.assertions.map((a) => a.error?.message)).toEqual([
      "expected Uint8Array[ 97, 98 ] to deeply equal Uint8Array[ 97, 99 ]",
      "expected Uint8Array[ 97 ] to be empty",
      "expected Uint8Array[ 1, 2 ] to deeply equal Uint8Array[ 1, 3 ]",
    ]);
    host.dispose();
  });
});

describe("QuickJS host: run starts through the isolate's start queue", () => {
  it("starts many runs at once, each with its own context and verdicts", async () => {
    const { caps } = heldRequests();
    const hosts = Array.from({ length: 6 }, () => new QuickJSScriptHost({}));
    const outcomes = await Promise.all(
      hosts.map((host, i) =>
        run(host, `this.mark = (this.mark || 0) + ${i + 1}; ${passes} console.log(mark);`, caps),
      ),
    );
    expect(outcomes.map((o) => o.assertions.map((a) => a.passed))).toEqual(hosts.map(() => [true]));
    expect(outcomes.map((o) => o.console.map((c) => c.message))).toEqual(hosts.map((_, i) => [`${i + 1}`]));
    for (const host of hosts) host.dispose();
  });

  it("does not hold back other runs' starts while a first script waits for its host calls", async () => {
    const held = heldRequests();
    const waiting = new QuickJSScriptHost({});
    const first = run(
      waiting,
      `pm.sendRequest("http://example.test/", (err, res) => pm.test("answered", () => pm.expect(err).to.equal(null)));`,
      held.caps,
    );
    await vi.waitFor(() => expect(held.pending.length).toBe(1));
    const other = new QuickJSScriptHost({});
    const { caps } = heldRequests();
    expect((await run(other, passes, caps)).assertions.map((a) => a.passed)).toEqual([true]);
    held.pending[0]!({
      response: { code: 200, status: "OK", headers: [], body: "", responseTime: 1, responseSize: 0 },
    });
    expect((await first).assertions.map((a) => [a.name, a.passed])).toEqual([["answered", true]]);
    other.dispose();
    waiting.dispose();
  });

  it("hands the start on when a first script breaks its CPU budget", async () => {
    const { caps } = heldRequests();
    const looping = new QuickJSScriptHost({ cpuBudget: 2000 });
    const next = new QuickJSScriptHost({});
    const [stopped, passed] = await Promise.all([
      run(looping, "while (true) {}", caps),
      run(next, passes, caps),
    ]);
    expect(stopped.error?.name).toBe("ScriptTimeoutError");
    expect(passed.assertions.map((a) => a.passed)).toEqual([true]);
    looping.dispose();
    next.dispose();
  });
});
