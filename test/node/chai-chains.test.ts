// The prelude's cheaper chai chains and pm.expect (prelude/chai-chains.ts) keep chai's verdicts and
// messages: each case is run twice, through pm.expect (the fast path) and through require("chai").expect
// (chai's own constructor), and both must agree with the expected outcome.
import { afterAll, describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

const context = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
  scopes: { globals: [], collection: [], environment: [], data: {}, local: [] },
  request: {
    method: "GET",
    url: { raw: "http://x.test/", host: ["x", "test"], path: [], query: [], variable: [] },
    headers: [],
  },
  response: {
    code: 200,
    status: "OK",
    headers: [{ key: "Content-Type", value: "application/json" }],
    body: '{"id":7,"roles":["admin"]}',
    responseSize: 26,
    responseTime: 3,
  },
  cookies: [],
  location: ["C", "r"],
  collectionName: "C",
});
const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "Unsupported", message: "none" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

const host = new QuickJSScriptHost({});
afterAll(() => host.dispose());

/** The assertion results of `body` run with `E` bound to pm.expect, then to chai's own expect. */
async function both(body: string): Promise<Array<Array<{ passed: boolean; message?: string }>>> {
  const results = [];
  for (const expectOf of ["pm.expect", 'require("chai").expect']) {
    const out = await host.run(
      {
        source: `const E = ${expectOf};\n${body}`,
        location: "request:r",
        context: context(),
        timeoutMs: 5000,
      },
      caps,
    );
    expect(out.error).toBeUndefined();
    results.push(out.assertions.map((a) => ({ passed: a.passed, message: a.error?.message })));
  }
  return results;
}

describe("chai chains in the prelude", () => {
  it("fails a misspelt chain word with chai's own suggestion", async () => {
    const [fast, chai] = await both('pm.test("t", () => E(1).to.bee.true);');
    expect(fast).toEqual([{ passed: false, message: 'Invalid Chai property: bee. Did you mean "be"?' }]);
    expect(chai).toEqual(fast);
  });

  it("keeps chai's flags when a chain is reused (a `.not` changes the object it is read on)", async () => {
    const [fast, chai] = await both(`
      pm.test("reuse", () => { const e = E(1); e.to.not.equal(2); e.to.equal(1); const t = E([1]).to; t.not.include(2); t.include(2); });
      pm.test("message", () => E(1, "custom").to.be.above(3));
      pm.test("negated", () => E({ a: 1 }).to.not.have.property("a"));`);
    expect(fast).toEqual([
      { passed: true, message: undefined },
      { passed: false, message: "custom: expected 1 to be above 3" },
      { passed: false, message: "expected { a: 1 } to not have property 'a'" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("works with chai's proxy turned off and with a chain word a script overwrites", async () => {
    const [fast, chai] = await both(`
      const c = require("chai");
      c.config.useProxy = false;
      pm.test("no proxy", () => { E(1).to.bee; E(1).to.equal(2); });
      c.config.useProxy = true;
      c.Assertion.overwriteProperty("to", (s) => function () { return s.call(this); });
      pm.test("overwritten", () => E(2).to.be.within(3, 4));`);
    expect(fast).toEqual([
      { passed: false, message: "expected 1 to equal 2" },
      { passed: false, message: "expected 2 to be within 3..4" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("keeps chai's chainable methods (`.a`, `.include`, `.lengthOf`): guards, names, overwrites", async () => {
    const [fast, chai] = await both(`
      pm.test("misspelt after a chainable", () => E("x").to.be.a.foo);
      pm.test("length guard", () => E("x").to.be.a.length);
      pm.test("as chains and calls", () => { E([1]).to.have.lengthOf.above(3); });
      pm.test("wrapper", () => { const f = E("x").to.be.an; E(f.name + typeof f.call).to.equal("x"); });
      require("chai").Assertion.overwriteChainableMethod("include", (s) => function (v) { return s.apply(this, arguments); }, (s) => function () { return s.call(this); });
      pm.test("overwritten", () => E([1, 2]).to.include(3));`);
    expect(fast).toEqual([
      { passed: false, message: 'Invalid Chai property: foo. Did you mean "to"?' },
      {
        passed: false,
        message:
          'Invalid Chai property: a.length. Due to a compatibility issue, "length" cannot directly follow "a". Use "a.lengthOf" instead.',
      },
      { passed: false, message: "expected [ 1 ] to have a length above 3 but got 1" },
      { passed: false, message: "expected 'chainableMethodWrapperfunction' to equal 'x'" },
      { passed: false, message: "expected [ 1, 2 ] to include 3" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("shares flags between a chainable method's wrapper and the assertion it was read on, as chai", async () => {
    const [fast, chai] = await both(`
      pm.test("wrapper to assertion", () => { const a = E([1, 2]).to; const w = a.include; w.not; a.include(1); });
      pm.test("assertion to wrapper", () => { const a = E([1, 2]).to; const w = a.include; a.not; w.call(a, 1); });
      pm.test("through the wrapper", () => { const w = E([1]).to.include; console.log(w.name, typeof w.call, "members" in w, "nope" in w); w.memebrs; });`);
    expect(fast).toEqual([
      { passed: false, message: "expected [ 1, 2 ] to not include 1" },
      { passed: false, message: "expected [ 1, 2 ] to not include 1" },
      { passed: false, message: 'Invalid Chai property: memebrs. Did you mean "members"?' },
    ]);
    expect(chai).toEqual(fast);
  });

  it("keeps chai's own methods and flag properties (re-registered): messages, overwrites, prototypes", async () => {
    const [fast, chai] = await both(`
      const realApply = Function.prototype.apply;
      const patched = function (...a) { return realApply.call(this, ...a); };
      Function.prototype.apply = patched;
      pm.test("chain after a method", () => E({ a: { b: 1 } }).to.have.property("a").that.has.property("b").which.equals(2));
      pm.test("negated", () => E(5).to.not.be.above(1));
      pm.test("deep", () => E({ a: [1] }).to.deep.equal({ a: [2] }));
      pm.test("flag property", () => E(null).to.not.be.null);
      pm.test("misspelt after a method", () => E(1).to.equal.foo);
      pm.test("Function.prototype kept", () => E(Function.prototype.apply === patched).to.equal(true));
      Function.prototype.apply = realApply;
      const P = require("chai").Assertion.prototype;
      const equal = Object.getOwnPropertyDescriptor(P, "equal");
      require("chai").Assertion.overwriteMethod("equal", (s) => function (v) { return s.call(this, v + 1); });
      pm.test("overwritten", () => E(2).to.equal(2));
      Object.defineProperty(P, "equal", equal);`);
    expect(fast).toEqual([
      { passed: false, message: "expected 1 to equal 2" },
      { passed: false, message: "expected 5 to be at most 1" },
      { passed: false, message: "expected { a: [ 1 ] } to deeply equal { a: [ 2 ] }" },
      { passed: false, message: "expected null not to be null" },
      { passed: false, message: 'Invalid Chai property: equal.foo. See docs for proper usage of "equal".' },
      { passed: true, message: undefined },
      { passed: false, message: "expected 2 to equal 3" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("keeps chai's lengthOf: sizes, its inner property assertion, messages, loose equality", async () => {
    const [fast, chai] = await both(`
      pm.test("string", () => E("ab").to.have.lengthOf(3));
      pm.test("map", () => E(new Map([[1, 1]])).to.have.lengthOf(2));
      pm.test("no length", () => E(5).to.have.lengthOf(1));
      pm.test("message", () => E(null, "m").to.have.length(1));
      pm.test("negated", () => E([1]).not.to.have.lengthOf(1, "n"));
      pm.test("loose", () => E([1, 2]).to.have.lengthOf("2"));
      const P = require("chai").Assertion.prototype;
      const property = Object.getOwnPropertyDescriptor(P, "property");
      require("chai").Assertion.overwriteMethod("property", (s) => function (n) { if (n === "length") throw new Error("inner property"); return s.apply(this, arguments); });
      pm.test("inner assertion is the prototype's", () => E([1]).to.have.lengthOf(1));
      Object.defineProperty(P, "property", property);`);
    expect(fast).toEqual([
      { passed: false, message: "expected 'ab' to have a length of 3 but got 2" },
      { passed: false, message: "expected Map{} to have a size of 2 but got 1" }, // postman-sandbox's loupe: a one-entry Map is Map{}
      { passed: false, message: "expected 5 to have property 'length'" },
      { passed: false, message: "m: Target cannot be null or undefined." },
      { passed: false, message: "n: expected [ 1 ] to not have a length of 1" },
      { passed: true, message: undefined },
      { passed: false, message: "inner property" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("keeps chai's include and property: kinds, flags, bad arguments, and the messages an assert override sees", async () => {
    const [fast, chai] = await both(`
      pm.test("include", () => E([1, 2]).to.include(3, "m"));
      pm.test("include object", () => E({ a: 1, b: 2 }).to.include({ b: 3 }));
      pm.test("not include", () => E("abc").not.to.include("b"));
      pm.test("deep include", () => E([{ a: 1 }]).to.deep.include({ a: 2 }));
      pm.test("property value", () => E({ a: 1 }).to.have.property("a", 2));
      pm.test("nested", () => E({ a: { b: 1 } }).to.have.nested.property("a.c"));
      pm.test("own", () => E([]).to.have.own.property("push"));
      pm.test("bad name", () => E({}).to.have.property({}));
      const A = require("chai").Assertion;
      const assert = A.prototype.assert;
      A.prototype.assert = function (expr, msg) { console.log(msg); if (expr) return; return assert.apply(this, arguments); };
      pm.test("override", () => { E([1]).to.include(1); E({ a: 1 }).to.have.property("a"); E("x").to.have.lengthOf(2); });
      A.prototype.assert = assert;`);
    expect(fast).toEqual([
      { passed: false, message: "m: expected [ 1, 2 ] to include 3" },
      { passed: false, message: "expected { a: 1, b: 2 } to have property 'b' of 3, but got 2" },
      { passed: false, message: "expected 'abc' to not include 'b'" },
      { passed: false, message: "expected [ { a: 1 } ] to deep include { a: 2 }" },
      { passed: false, message: "expected { a: 1 } to have property 'a' of 2, but got 1" },
      { passed: false, message: "expected { a: { b: 1 } } to have nested property 'a.c'" },
      { passed: false, message: "expected [] to have own property 'push'" },
      { passed: false, message: "the argument to property must be a string, number, or symbol" },
      { passed: false, message: "expected 'x' to have a length of 2 but got 1" },
    ]);
    expect(chai).toEqual(fast);
  });

  it("serves chai-postman's response assertions through the same chains", async () => {
    const out = await host.run(
      {
        source: `pm.test("a", () => pm.response.to.have.status(201));
          pm.test("b", () => pm.expect(pm.response).to.have.jsonBody("roles[0]", "admin"));
          pm.test("c", () => pm.response.to.not.be.json);
          pm.test("d", () => pm.response.to.have.status.foo);
          pm.test("e", () => pm.response.to.have.status.length);
          pm.test("f", () => pm.response.to.have.status(200).and.have.header("X-None"));`,
        location: "request:r",
        context: context(),
        timeoutMs: 5000,
      },
      caps,
    );
    expect(out.assertions.map((a) => a.error?.message ?? "passed")).toEqual([
      "expected response to have status code 201 but got 200",
      "passed",
      "expected response body not to be a valid json",
      'Invalid Chai property: status.foo. See docs for proper usage of "status".',
      'Invalid Chai property: status.length. See docs for proper usage of "status".',
      "expected response to have header with key 'X-None'",
    ]);
  });
});
