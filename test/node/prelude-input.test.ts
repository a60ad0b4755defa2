/**
 * The prelude bundle driven in a `node:vm` context (as bench/prelude-profile.ts does) for what a host
 * may tell it in PreludeInput: `sugar`, the host's own answer to whether a script needs Sugar (the V8
 * host knows it from libraries.ts and spares the isolate compiling that RegExp), or absent.
 */
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { benchContext } from "../../bench/sandbox-scripts";
import type { PreludeHost, PreludeInput, PreludeOutput } from "../../shared/sandbox/contract";
import { preludeInput, preludeRequest } from "../../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../../shared/sandbox/generated/libs/index";
import { PRELUDE_SOURCE } from "../../shared/sandbox/generated/prelude";
import { SUGAR_USE } from "../../shared/sandbox/libraries";

type Execute = (inputJson: string, body?: string) => Promise<string>;

/** A fresh prelude context whose host serves the bundled libraries as CommonJS source. */
async function preludeContext(): Promise<Execute> {
  const sources = new Map<string, string>();
  for (const id of ["chai", "sugar"]) sources.set(id, await (LIBRARY_LOADERS[id] as () => Promise<string>)());
  const sandbox = createContext({});
  const host: PreludeHost = {
    sendRequest: async () => JSON.stringify({ error: { name: "Unsupported", message: "not here" } }),
    cookieJar: () => "null",
    library: (name) => sources.get(name),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    compile: (params, body) =>
      runInContext(`(async function (${params}) {\n${body}\n})`, sandbox, { filename: "script.js" }),
  };
  sandbox.__host = host;
  runInContext(PRELUDE_SOURCE, sandbox, { filename: "prelude.js" });
  return sandbox.__edgerun_execute as Execute;
}

async function run(execute: Execute, source: string, sugar?: boolean): Promise<PreludeOutput> {
  const input: PreludeInput = preludeInput(
    { source, location: "request:test", context: benchContext(), ...(sugar === undefined ? {} : { sugar }) },
    {},
  );
  const request = preludeRequest(input);
  return JSON.parse(await execute(request.json, request.body)) as PreludeOutput;
}

// Sugar's Array#first, reached by a name the text does not spell: SUGAR_USE does not match it.
const HIDDEN = `pm.test("first", () => pm.expect([7, 8]["fir" + "st"]()).to.equal(7));`;
// A call only Sugar provides: SUGAR_USE matches it.
const PLAIN = `pm.test("first", () => pm.expect(Object.isString("x")).to.equal(true));`;

describe("PreludeInput.sugar", () => {
  it("loads Sugar when the host says the script needs it, whatever the text", async () => {
    const out = await run(await preludeContext(), HIDDEN, true);
    expect(out.assertions).toMatchObject([{ name: "first", passed: true }]);
  });

  it("leaves Sugar out when the host says the script does not need it", async () => {
    const out = await run(await preludeContext(), PLAIN, false);
    expect(out.assertions).toMatchObject([{ name: "first", passed: false }]);
    expect(out.assertions[0]?.error?.name).toBe("TypeError");
  });

  it("tests the text itself when the host does not say (the QuickJS host)", async () => {
    const execute = await preludeContext();
    expect((await run(execute, HIDDEN)).assertions[0]?.passed).toBe(false);
    expect((await run(execute, PLAIN)).assertions[0]?.passed).toBe(true);
  });
});

describe("SUGAR_USE", () => {
  it("does not load Sugar for natives that share a method name with it", () => {
    // Sugar (hundreds of KB, slowest to load in QuickJS) has Number#log/round/floor and Date#format.
    for (const text of [
      "console.log(x)",
      "console .log(x)",
      "Math.round(x)",
      "Math.floor(Math.random() * 9)",
      "moment().format('YYYY')",
      "moment(d).format()",
      "JSON.stringify(x)",
    ])
      expect(SUGAR_USE.test(text), text).toBe(false);
  });

  it("still loads it for Sugar's own methods, on any other receiver", () => {
    for (const text of [
      "x.log(2)",
      "(5).round(1)",
      "new Date().format('{yyyy}')",
      "console.log(n.format())",
      "Math.round(x).format()",
      "[1, 2].average()",
      "Object.isString(x)",
      "Number.random(1, 5)",
      "responseBody.has('x')",
      "tests['a'] = true",
      "pm.environment.values.filter((v) => v.key).each((v) => v)",
    ])
      expect(SUGAR_USE.test(text), text).toBe(true);
  });
});
