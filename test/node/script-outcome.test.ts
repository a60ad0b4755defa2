// The prelude hands back the scopes only when a script wrote one of them, and the request only when it
// built pm.request (contract.ts PreludeOutput); the host then answers the context's own objects, and the
// engine keeps them (execute-item.ts), so the masker's update sees the same lists (mask.ts).
import { beforeAll, describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import { CookieJar } from "../../shared/engine/cookie-jar";
import { executeItem } from "../../shared/engine/execute-item";
import type { ItemNode } from "../../shared/engine/normalize";
import type { Scopes, ScriptCapabilities, ScriptContext } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { createMasker } from "../../shared/security/masker";

function scopes(): Scopes {
  return {
    globals: [{ key: "g", value: "G" }],
    collection: [{ key: "c", value: "C" }],
    environment: [{ key: "e", value: "E", enabled: true }],
    data: { row: 1 },
    local: [],
  };
}

function context(): ScriptContext {
  return {
    info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
    scopes: scopes(),
    request: {
      method: "GET",
      url: {
        raw: "http://x.test/a?q=1",
        host: ["x", "test"],
        path: ["a"],
        query: [{ key: "q", value: "1" }],
        variable: [],
      },
      headers: [{ key: "Accept", value: "*/*" }],
    },
    response: { code: 200, status: "OK", headers: [], body: "{}", responseSize: 2, responseTime: 1 },
    cookies: [],
    location: ["C", "r"],
    collectionName: "C",
  };
}

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "Error", message: "none" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

let host: QuickJSScriptHost;
beforeAll(() => {
  host = new QuickJSScriptHost();
});

const run = (source: string, ctx = context(), timeoutMs = 2000) =>
  host.run({ source, location: "request:r", context: ctx, timeoutMs }, caps);

describe("script outcome: what comes back unchanged", () => {
  it("hands back the context's own scopes and request when the script wrote and built neither", async () => {
    const ctx = context();
    const out = await run(
      `pm.test("reads", () => { pm.expect(pm.environment.get("e")).to.equal("E"); pm.expect(pm.variables.toObject().c).to.equal("C"); });
       pm.iterationData.set("row", 2); console.log(pm.globals.toJSON().values.length, pm.response.code);`,
      ctx,
    );
    expect(out.assertions.map((a) => a.passed)).toEqual([true]);
    expect(out.console.map((c) => c.message)).toEqual(["1 200"]);
    expect(out.scopes).toBe(ctx.scopes);
    expect(out.request).toBe(ctx.request);
    expect(ctx.scopes).toEqual(scopes()); // the host's copy was changed (the row), never the engine's
  });

  it("hands back the scopes after a set that an unset undid (new lists, the same content)", async () => {
    const ctx = context();
    const out = await run(`pm.environment.set("tmp", "1"); pm.environment.unset("tmp");`, ctx);
    expect(out.scopes).not.toBe(ctx.scopes);
    expect(out.scopes.environment).toEqual(ctx.scopes.environment);
    expect(out.request).toBe(ctx.request);
  });

  it("hands back the scopes after clear(), legacy setters and pm.variables.set", async () => {
    const cleared = await run(`pm.globals.clear();`);
    expect(cleared.scopes.globals).toEqual([]);
    const legacy = await run(`postman.setEnvironmentVariable("l", 42); pm.variables.set("v", "V");`);
    expect(legacy.scopes.environment.map((v) => [v.key, v.value])).toEqual([
      ["e", "E"],
      ["l", "42"],
    ]);
    expect(legacy.scopes.local.map((v) => [v.key, v.value])).toEqual([["v", "V"]]);
    const empty = await run(`pm.collectionVariables.clear(); pm.collectionVariables.set("c", "C");`);
    expect(empty.scopes.collection.map((v) => [v.key, v.value])).toEqual([["c", "C"]]);
  });

  it("keeps what a failed script set before it threw, and a timer's set", async () => {
    const failed = await run(`pm.environment.set("before", "x"); throw new Error("boom");`);
    expect(failed.error?.message).toContain("boom");
    expect(failed.scopes.environment.map((v) => v.key)).toEqual(["e", "before"]);
    const timer = await run(`setTimeout(() => pm.globals.set("late", 1), 1);`);
    expect(timer.scopes.globals.map((v) => v.key)).toEqual(["g", "late"]);
  });

  it("answers the context's scopes for a script stopped by a limit, even after it set one", async () => {
    const ctx = context();
    const out = await run(`pm.environment.set("spin", 1); for (;;) {}`, ctx, 100);
    expect(out.error?.name).toBe("ScriptTimeoutError");
    expect(out.scopes).toBe(ctx.scopes);
  });

  it("hands back the request once the script built pm.request, changed or not", async () => {
    const ctx = context();
    const read = await run(`console.log(pm.request.url.query.get("q"));`, ctx);
    expect(read.request).not.toBe(ctx.request);
    expect(read.request.url.query).toEqual([{ key: "q", value: "1" }]);
    expect(read.scopes).toBe(ctx.scopes);
  });
});

describe("executeItem with unchanged scopes", () => {
  const item = (test: string): ItemNode =>
    ({
      id: "i1",
      name: "r",
      path: [],
      request: {
        method: "GET",
        url: { raw: "http://x.test/", host: ["x", "test"], path: [], query: [], variable: [] },
        headers: [],
      },
      prerequest: [{ source: test, location: "request:r" }],
      test: [],
      profile: {},
    }) as unknown as ItemNode;
  const settings = { iteration: 0, iterationCount: 1, collectionName: "C" };
  const deps = {
    fetch: async () => new Response("ok"),
    checkTarget: () => null,
    scripts: undefined as QuickJSScriptHost | undefined,
    now: () => Date.now(),
    random: Math.random,
  };

  it("returns the caller's lists when no script wrote a variable, new ones when one did", async () => {
    deps.scripts = host;
    const input = scopes();
    const kept = await executeItem(item(`pm.test("t", () => {});`), input, new CookieJar(), settings, deps);
    expect(kept.scopes.environment).toBe(input.environment);
    expect(kept.scopes.local).toBe(input.local);
    const written = await executeItem(
      item(`pm.environment.set("e", "F");`),
      input,
      new CookieJar(),
      settings,
      deps,
    );
    expect(written.scopes.environment).not.toBe(input.environment);
    expect(written.scopes.environment.map((v) => v.value)).toEqual(["F"]);
    expect(input.environment.map((v) => v.value)).toEqual(["E"]);
    expect(written.scopes.data).toBe(input.data);
  });
});

describe("a test script's request as sent", () => {
  it("goes to the sandbox with its URL as text, and pm.request.url reads as the parsed URL did", async () => {
    const seen: string[] = [];
    const spy = {
      run: (input: Parameters<QuickJSScriptHost["run"]>[0], c: ScriptCapabilities) => {
        seen.push(JSON.stringify(input.context.request.url));
        return host.run(input, c);
      },
    };
    const node = {
      id: "i2",
      name: "sent",
      path: [],
      request: {
        method: "GET",
        url: {
          raw: "http://X.test:8080/a/{{p}}?i=1&j",
          host: ["X", "test"],
          port: "8080",
          path: ["a", "{{p}}"],
          query: [
            { key: "i", value: "1" },
            { key: "j", value: null },
          ],
          variable: [],
        },
        headers: [],
      },
      prerequest: [],
      test: [
        {
          source: `pm.test("url", () => {
            pm.expect(pm.request.url.toString()).to.equal("http://x.test:8080/a/b?i=1&j");
            pm.expect(pm.request.url.getHost()).to.equal("x.test");
            pm.expect(pm.request.url.port).to.equal("8080");
            pm.expect(pm.request.url.query.get("i")).to.equal("1");
            pm.expect(pm.request.url.getPathWithQuery()).to.equal("/a/b?i=1&j");
            pm.expect(pm.request.headers.get("Host")).to.equal("x.test:8080");
          });`,
          location: "request:sent",
        },
      ],
      profile: {},
    } as unknown as ItemNode;
    const result = await executeItem(
      node,
      { ...scopes(), environment: [{ key: "p", value: "b" }] },
      new CookieJar(),
      { iteration: 0, iterationCount: 1, collectionName: "C" },
      {
        fetch: async () => new Response("{}"),
        checkTarget: () => null,
        scripts: spy,
        now: Date.now,
        random: Math.random,
      },
    );
    expect(seen).toEqual([JSON.stringify("http://x.test:8080/a/b?i=1&j")]);
    expect(result.event.scriptErrors).toEqual([]);
    expect(result.event.assertions.map((a) => [a.name, a.passed, a.error?.message])).toEqual([
      ["url", true, undefined],
    ]);
  });
});

describe("masker update", () => {
  it("masks a secret a script added, and keeps masking it when the same lists come again", () => {
    const masker = createMasker([]);
    const first = scopes();
    masker.update([first]);
    expect(masker.maskString("token s3cr3t-value")).toBe("token s3cr3t-value");
    const next = {
      ...first,
      environment: [...first.environment, { key: "t", value: "s3cr3t-value", type: "secret" }],
    };
    masker.update([next]);
    expect(masker.maskString("token s3cr3t-value")).toBe("token ********");
    masker.update([next]);
    expect(masker.maskString("token s3cr3t-value")).toBe("token ********");
    masker.update([first]);
    expect(masker.maskString("token s3cr3t-value")).toBe("token s3cr3t-value");
  });
});
