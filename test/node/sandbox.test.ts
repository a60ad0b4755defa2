import { beforeAll, describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type { ScriptCapabilities, ScriptContext, ScriptOutcome } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";

const jsonBody = { id: 1, name: "Leanne", tags: ["a", "b"], address: { city: "Gwenborough" } };

function context(event: "prerequest" | "test", over: Partial<ScriptContext> = {}): ScriptContext {
  return {
    info: { eventName: event, iteration: 0, iterationCount: 1, requestName: "Get user", requestId: "r1" },
    scopes: {
      globals: [{ key: "g", value: "G" }],
      collection: [{ key: "c", value: "C" }],
      environment: [
        { key: "baseUrl", value: "http://example.test" },
        { key: "token", value: "t0k3n", type: "secret" },
      ],
      data: { user: "ann" },
      local: [],
      environmentName: "dev",
    },
    request: {
      method: "GET",
      url: {
        raw: "{{baseUrl}}/users/1?x=1",
        host: ["{{baseUrl}}"],
        path: ["users", "1"],
        query: [{ key: "x", value: "1" }],
        variable: [],
      },
      headers: [{ key: "Accept", value: "application/json" }],
    },
    ...(event === "test"
      ? {
          response: {
            code: 200,
            status: "OK",
            headers: [
              { key: "Content-Type", value: "application/json" },
              { key: "set-cookie", value: "sid=abc; Path=/" },
            ],
            body: JSON.stringify(jsonBody),
            responseSize: 80,
            responseTime: 12,
          },
        }
      : {}),
    cookies: [{ name: "sid", value: "abc", domain: "example.test", path: "/" }],
    location: ["Coll", "Users", "Get user"],
    collectionName: "Coll",
    ...over,
  };
}

const jarStore: Array<{ name: string; value: string }> = [];
const caps: ScriptCapabilities = {
  sendRequest: async (req) => ({
    response: {
      code: 201,
      status: "Created",
      headers: [],
      body: JSON.stringify({ echoed: typeof req === "string" ? req : req.method }),
      responseSize: 10,
      responseTime: 1,
    },
  }),
  cookieJar: {
    getAll: () => jarStore.map((c) => ({ ...c, domain: "x", path: "/" })),
    set: (_u, c) => void jarStore.push({ name: c.name, value: c.value }),
    unset: () => undefined,
    clear: () => void jarStore.splice(0),
  },
};

let host: QuickJSScriptHost;
beforeAll(() => {
  host = new QuickJSScriptHost({});
});

async function run(
  source: string,
  event: "prerequest" | "test" = "test",
  over: Partial<ScriptContext> = {},
  timeoutMs = 2000,
): Promise<ScriptOutcome> {
  return host.run({ source, location: "request:Get user", context: context(event, over), timeoutMs }, caps);
}

describe("QuickJS sandbox: pm API", () => {
  it("sees a body with NUL characters whole (QuickJS strings from the host are C strings)", async () => {
    const base = context("test").response!;
    const out = await run(
      `pm.test("whole", () => { pm.expect(pm.response.text().length).to.equal(5); pm.expect(responseBody.split("\\0")).to.eql(["a", "b", "c"]); });`,
      "test",
      { response: { ...base, body: "a\0b\0c" } },
    );
    expect(out.error).toBeUndefined();
    expect(out.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
      ["whole", true, undefined],
    ]);
  });

  it("runs pm.test with pm.expect and chai-postman assertions", async () => {
    const out = await run(`
      pm.test("status 200", () => pm.response.to.have.status(200));
      pm.test("ok", () => { pm.response.to.be.ok; pm.expect(pm.response).to.be.success; });
      pm.test("json", () => { const j = pm.response.json(); pm.expect(j.name).to.eql("Leanne"); pm.expect(j.tags).to.have.lengthOf(2); });
      pm.test("header", () => pm.response.to.have.header("Content-Type", "application/json"));
      pm.test("jsonBody", () => pm.response.to.have.jsonBody("address.city", "Gwenborough"));
      pm.test("fails", () => pm.expect(1).to.equal(2));
    `);
    expect(out.error).toBeUndefined();
    expect(out.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["status 200", true],
      ["ok", true],
      ["json", true],
      ["header", true],
      ["jsonBody", true],
      ["fails", false],
    ]);
    expect(out.assertions[5]!.error).toMatchObject({
      name: "AssertionError",
      message: "expected 1 to equal 2",
    });
  });

  it("validates JSON schemas", async () => {
    const out =
      await run(`pm.test("schema", () => pm.response.to.have.jsonSchema({ type: "object", required: ["id"], properties: { id: { type: "number" } } }));
      pm.test("bad schema", () => pm.expect(pm.response.json()).to.have.jsonSchema({ type: "object", required: ["nope"] }));`);
    expect(
      out.assertions.map((a) => a.passed),
      JSON.stringify(out.assertions),
    ).toEqual([true, false]);
  });

  it("reads and writes every variable scope with Postman precedence", async () => {
    const out = await run(`
      pm.environment.set("e", "1"); pm.globals.set("g2", 2); pm.collectionVariables.set("c", "C2");
      pm.variables.set("local", "L");
      pm.test("precedence", () => {
        pm.expect(pm.variables.get("user")).to.equal("ann");
        pm.expect(pm.variables.get("c")).to.equal("C2");
        pm.expect(pm.variables.replaceIn("{{baseUrl}}/{{user}}")).to.equal("http://example.test/ann");
        pm.expect(pm.environment.name).to.equal("dev");
        pm.expect(pm.iterationData.get("user")).to.equal("ann");
      });
      pm.environment.unset("token");
    `);
    expect(out.assertions[0]).toMatchObject({ passed: true });
    expect(out.scopes.environment).toEqual([
      { key: "baseUrl", value: "http://example.test" },
      { key: "e", value: "1", enabled: true },
    ]);
    expect(out.scopes.globals.find((v) => v.key === "g2")?.value).toBe(2);
    expect(out.scopes.local).toEqual([{ key: "local", value: "L", enabled: true }]);
  });

  it("mutates the request in pre-request scripts", async () => {
    const out = await run(
      `pm.request.headers.add({ key: "X-Sig", value: "abc" }); pm.request.headers.upsert({ key: "accept", value: "text/plain" });
       pm.request.url.query.add({ key: "y", value: "2" }); pm.request.method = "post"; pm.request.body = { mode: "raw", raw: "{}" };
       pm.execution.setNextRequest("Other"); pm.execution.skipRequest();`,
      "prerequest",
    );
    expect(out.error).toBeUndefined();
    expect(out.request.method).toBe("POST");
    // upsert takes the key as given (postman-collection's Header#update; sandbox-diff checks it).
    expect(out.request.headers).toEqual([
      { key: "accept", value: "text/plain" },
      { key: "X-Sig", value: "abc" },
    ]);
    expect(out.request.url.query).toEqual([
      { key: "x", value: "1" },
      { key: "y", value: "2" },
    ]);
    expect(out.request.body).toMatchObject({ mode: "raw", raw: "{}" });
    expect(out.nextRequest).toEqual({ target: "Other" });
    expect(out.skipRequest).toBe(true);
  });

  it("supports legacy globals", async () => {
    const out =
      await run(`tests["code is 200"] = responseCode.code === 200; tests["body"] = JSON.parse(responseBody).id === 1;
      postman.setEnvironmentVariable("legacy", "yes"); postman.setNextRequest(null);
      tests["data"] = data.user === "ann" && iteration === 0 && environment.baseUrl === "http://example.test";`);
    expect(out.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["code is 200", true],
      ["body", true],
      ["data", true],
    ]);
    expect(out.nextRequest).toEqual({ target: null });
    expect(out.scopes.environment.some((v) => v.key === "legacy")).toBe(true);
  });

  it("handles async tests, done callbacks, timers and pm.sendRequest in both styles", async () => {
    const out = await run(`
      pm.test("done", (done) => { setTimeout(() => { pm.expect(1).to.equal(1); done(); }, 100); });
      pm.test("async", async () => { const r = await pm.sendRequest("http://x.test"); pm.expect(r.code).to.equal(201); });
      pm.sendRequest({ url: "http://x.test", method: "PUT" }, (err, res) => { pm.environment.set("cb", res.json().echoed); });
      pm.test.skip("later", () => {});
    `);
    expect(out.error, JSON.stringify(out.error)).toBeUndefined();
    // Recorded as they settle, like postman-sandbox: the synchronous skip first, then the async tests.
    expect(out.assertions.map((a) => [a.name, a.passed, a.skipped])).toEqual([
      ["later", true, true],
      ["async", true, false],
      ["done", true, false],
    ]);
    expect(out.scopes.environment.find((v) => v.key === "cb")?.value).toBe("PUT");
  });

  it("captures console output and reports script errors by name", async () => {
    const out = await run(`console.log("hi", { a: 1 }); console.warn("careful"); undefinedFn();`);
    expect(out.console).toEqual([
      // afterAssertions: how many of the script's assertions came before (reporters interleave them).
      { level: "log", message: 'hi {"a":1}', args: ["hi", { a: 1 }], afterAssertions: 0 },
      { level: "warn", message: "careful", args: ["careful"], afterAssertions: 0 },
    ]);
    expect(out.error?.name).toBe("ReferenceError");
  });

  it("keeps the first 100 console entries and ends with one warning counting the dropped rest", async () => {
    const out = await run(`for (let i = 0; i < 130; i++) console.log("line " + i);`);
    expect(out.console).toHaveLength(101);
    expect(out.console[99]).toEqual({
      level: "log",
      message: "line 99",
      args: ["line 99"],
      afterAssertions: 0,
    });
    expect(out.console[100]).toEqual({
      level: "warn",
      message: "… 30 more console messages dropped (limit)",
    });
  });

  it("requires the bundled libraries (var: a top-level const of a global is a SyntaxError in Newman)", async () => {
    var out = await run(`
      var _ = require("lodash"); var moment = require("moment"); var CryptoJS = require("crypto-js");
      var uuid = require("uuid"); var tv4 = require("tv4"); var cheerio = require("cheerio"); var parse = require("csv-parse/lib/sync");
      pm.test("lodash", () => pm.expect(_.chunk([1,2,3], 2)).to.eql([[1,2],[3]]));
      pm.test("moment", () => pm.expect(moment("2024-01-02").format("YYYY")).to.equal("2024"));
      pm.test("crypto", () => pm.expect(CryptoJS.HmacSHA256("a", "k").toString()).to.have.lengthOf(64));
      pm.test("uuid", () => pm.expect(uuid.v4()).to.match(/^[0-9a-f-]{36}$/));
      pm.test("tv4", () => pm.expect(tv4.validate({ a: 1 }, { type: "object" })).to.equal(true));
      pm.test("cheerio", () => pm.expect(cheerio.load("<p class='x'>hey</p>")("p.x").text()).to.equal("hey"));
      pm.test("csv", () => pm.expect(parse("a,b\\n1,2", { columns: true })).to.eql([{ a: "1", b: "2" }]));
      pm.test("Buffer", () => pm.expect(Buffer.from("hi").toString("base64")).to.equal("aGk="));
      pm.test("lodash global", () => pm.expect(CryptoJS.MD5("a").toString()).to.equal("0cc175b9c0f1b6a831c399e269772661"));
      pm.test("xml2Json", () => pm.expect(xml2Json("<a><b>1</b></a>").a.b).to.equal("1"));
      pm.test("atob", () => pm.expect(atob(btoa("x"))).to.equal("x"));
    `);
    expect(out.error, JSON.stringify(out.error)).toBeUndefined();
    expect(out.assertions.filter((a) => !a.passed)).toEqual([]);
    expect(out.assertions).toHaveLength(11);
  });
});

describe("QuickJS sandbox: limits and isolation", () => {
  it("stops an infinite loop by CPU budget and keeps working", async () => {
    const out = await run("while (true) {}", "test", {}, 200);
    expect(out.error?.name).toBe("ScriptTimeoutError");
    expect(out.scopes.environment).toHaveLength(2);
    const next = await run(`pm.test("alive", () => pm.expect(1).to.equal(1));`);
    expect(next.assertions[0]?.passed).toBe(true);
  });

  // Filling 64 MiB inside WebAssembly takes seconds on a loaded machine.
  it("stops unbounded allocation and recursion", { timeout: 60_000 }, async () => {
    const oom = await run("const a = []; while (true) a.push(new Array(1e6).fill(1));", "test", {}, 5000);
    expect(oom.error?.name).toMatch(/ScriptMemoryError|ScriptTimeoutError/);
    const deep = await run("function f(n) { return f(n + 1) + 1; } f(0);");
    expect(deep.error?.name).toMatch(/ScriptStackError|RangeError|InternalError/);
    expect((await run(`pm.test("alive", () => {});`)).assertions[0]?.passed).toBe(true);
  });

  it("bounds console floods", async () => {
    const out = await run("for (let i = 0; i < 10000; i++) console.log('x'.repeat(5000));");
    expect(out.console.length).toBeLessThanOrEqual(101);
    expect(out.console.at(-1)?.message).toContain("dropped");
  });

  it("exposes no host bindings and isolates runs", async () => {
    const probe = await run(`pm.test("no host", () => {
      pm.expect(typeof __host).to.equal("undefined");
      pm.expect(typeof fetch).to.equal("undefined");
      pm.expect(typeof process).to.equal("undefined");
    }); leak = "from run A";`);
    expect(probe.assertions[0]?.passed).toBe(true);
    const other = new QuickJSScriptHost({});
    const b = await other.run(
      {
        source: `pm.test("isolated", () => pm.expect(typeof leak).to.equal("undefined"));`,
        location: "x",
        context: context("test"),
        timeoutMs: 2000,
      },
      caps,
    );
    expect(b.assertions[0]?.passed).toBe(true);
    other.dispose();
  });
});

describe("QuickJS sandbox: timers", () => {
  it("really waits, fires a due timer while a request is in flight, and lets a script await its own timer", async () => {
    let release: () => void = () => undefined;
    const slow: ScriptCapabilities = {
      ...caps,
      sendRequest: async () => {
        await new Promise<void>((r) => {
          release = r;
        });
        return caps.sendRequest("http://h/slow");
      },
    };
    const out = host.run(
      {
        source: `
          const t0 = Date.now();
          pm.sendRequest("http://h/slow", () => pm.test("request", () => {}));
          setTimeout(() => pm.test("timer", () => pm.expect(Date.now() - t0).to.be.at.least(40)), 50);
          // A script body is not async (as in Newman): it awaits inside an async function.
          (async () => {
            await new Promise((r) => setTimeout(r, 60));
            pm.test("awaited own timer", () => {});
          })();
        `,
        location: "request:Get user",
        context: context("test"),
        timeoutMs: 5000,
      },
      slow,
    );
    // The fake target answers well after both timers are due (Node fires timers in due order).
    setTimeout(() => release(), 300);
    const result = await out;
    expect(result.error).toBeUndefined();
    expect(result.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["timer", true],
      ["awaited own timer", true],
      ["request", true],
    ]);
  });

  it("orders timers as Node does, however long the script's own code takes between them", async () => {
    // The clock moves on while the script runs (the busy waits): timers fire by due time (0, negative
    // and NaN delays are 1 ms, as in Node), ties in the order they were set, and every setImmediate
    // callback runs before any timer. (Found as a flake: the V8 backend's clock stands still during a
    // call, QuickJS's does not, and an immediate was a 0 ms timer.)
    const out = await run(`
      const spin = () => { const t = Date.now(); while (Date.now() - t < 3) {} };
      const seen = [];
      setTimeout(() => seen.push("t0"), 0);
      spin();
      const i = setInterval(() => { clearInterval(i); seen.push("i1"); }, 1);
      spin();
      setTimeout(() => seen.push("neg"), -5);
      setTimeout(() => seen.push("nan"), "soon");
      setImmediate(() => seen.push("imm1"));
      setTimeout(() => seen.push("t5"), 5);
      spin();
      setImmediate(() => seen.push("imm2"));
      const gone = setImmediate(() => seen.push("cleared"));
      clearImmediate(gone);
      setTimeout(() => pm.test("order", () => pm.expect(seen).to.eql(["imm1", "imm2", "t0", "i1", "neg", "nan", "t5"])), 20);
    `);
    expect(out.error).toBeUndefined();
    expect(out.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
      ["order", true, undefined],
    ]);
  });
});

describe("QuickJS sandbox: String.prototype.repeat", () => {
  it("keeps native semantics while staying interruptible", async () => {
    const out = await run(`
      pm.test("values", () => {
        pm.expect("ab".repeat(3)).to.equal("ababab");
        pm.expect("x".repeat(0)).to.equal("");
        pm.expect("".repeat(5)).to.equal("");
        pm.expect("x".repeat(2.9)).to.equal("xx");
        pm.expect("x".repeat(1 << 20)).to.have.lengthOf(1 << 20);
        pm.expect(String.prototype.repeat.call(12, 2)).to.equal("1212");
      });
      pm.test("errors", () => {
        pm.expect(() => "x".repeat(-1)).to.throw(RangeError);
        pm.expect(() => "x".repeat(Infinity)).to.throw(RangeError);
        pm.expect(() => String.prototype.repeat.call(null, 1)).to.throw(TypeError);
      });
      pm.test("not enumerable", () => pm.expect(Object.keys(String.prototype)).to.not.include("repeat"));
    `);
    expect(out.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
      ["values", true, undefined],
      ["errors", true, undefined],
      ["not enumerable", true, undefined],
    ]);
  });
});

describe("QuickJS sandbox: cookies jar, visualizer, vault", () => {
  it("reads and writes the run's cookie jar through pm.cookies.jar()", async () => {
    jarStore.splice(0);
    const out = await run(`
      const jar = pm.cookies.jar();
      jar.set("http://example.test", "theme", "dark", (err) => {
        pm.test("set without error", () => pm.expect(err).to.be.null);
      });
      jar.get("http://example.test", "theme", (err, value) => {
        pm.test("get returns the value", () => pm.expect(value).to.equal("dark"));
      });
      pm.test("response cookies", () => pm.expect(pm.cookies.get("sid")).to.equal("abc"));
    `);
    expect(out.error).toBeUndefined();
    expect(out.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["set without error", true],
      ["get returns the value", true],
      ["response cookies", true],
    ]);
    expect(jarStore).toContainEqual({ name: "theme", value: "dark" });
  });

  it("captures pm.visualizer.set and explains that pm.vault is unavailable", async () => {
    const out = await run(`
      pm.visualizer.set("<b>{{name}}</b>", { name: pm.response.json().name });
      pm.test("vault", async () => {
        try { await pm.vault.get("k"); pm.expect.fail("should reject"); }
        catch (e) { pm.expect(e.message).to.equal("pm.vault is not available in edgerun"); }
      });
    `);
    expect(out.error).toBeUndefined();
    expect(out.visualizer).toEqual({ template: "<b>{{name}}</b>", data: { name: "Leanne" } });
    expect(out.assertions[0]).toMatchObject({ name: "vault", passed: true });
  });
});
