/**
 * The libraries of a V8 run's planned scripts (platform/script-host-v8.ts #learnPlanned): found by one
 * scan of all the scripts unless one of them calls Sugar, which is then decided per script. What each
 * script sees must be what it sees when every script is scanned alone as it first runs (a host given
 * no plan): the same libraries, and Sugar from the same script on.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { V8ScriptHost } from "../../platform/script-host-v8";
import type { ScriptCapabilities } from "../../shared/engine/types";
import { emptyJar, scriptContext } from "./v8-support";

const loader = (env as unknown as { LOADER?: WorkerLoader }).LOADER;
if (!loader) console.warn("v8-planned-libraries: no LOADER binding, skipped");

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "RequestError", message: "not in this test" } }),
  cookieJar: emptyJar,
};

/** What each script logged and asserted, run in order on one host. */
async function outputs(host: V8ScriptHost, scripts: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const source of scripts) {
    const r = await host.run(
      { source, location: "request:r", context: scriptContext, timeoutMs: 5000 },
      caps,
    );
    out.push({
      console: r.console.map((e) => e.message),
      assertions: r.assertions.map((a) => [a.name, a.passed]),
      error: r.error?.message,
    });
  }
  return out;
}

/** Planned up front (one scan) against learnt one by one: the same outputs. */
async function compare(name: string, scripts: string[]): Promise<unknown[]> {
  const planned = await outputs(new V8ScriptHost({ loader: loader!, runId: `${name}-p`, scripts }), scripts);
  const alone = await outputs(new V8ScriptHost({ loader: loader!, runId: `${name}-a` }), scripts);
  expect(planned).toEqual(alone);
  return planned;
}

const probe = "console.log(typeof [].average, typeof _, typeof CryptoJS, typeof tv4);";

describe.skipIf(!loader)("V8 planned scripts' libraries", () => {
  it("without Sugar: the same libraries as scripts scanned one by one", async () => {
    const out = await compare("planned-libs", [
      probe,
      'pm.test("chai", () => pm.expect({ a: 1 }).to.eql({ a: 1 }));',
      "console.log(_.size({ a: 1, b: 2 }), CryptoJS.MD5('x').toString().length);",
      probe,
    ]);
    expect(out[1]).toMatchObject({ assertions: [["chai", true]] });
    // Newman's sandbox warns once per legacy global a script uses (prelude/deprecation.ts).
    expect(out[2]).toMatchObject({
      console: [
        `Using "_" is deprecated. Use "require('lodash')" instead.`,
        `Using "CryptoJS" is deprecated. Use "require('crypto-js')" instead.`,
        "2 32",
      ],
    });
  });

  it("with Sugar in one script: Sugar from that script on, as when each is scanned alone", async () => {
    const out = await compare("planned-sugar", [
      probe,
      "console.log([1, 2, 6].average());",
      probe,
      'pm.test("after", () => pm.expect(1).to.equal(1));',
    ]);
    expect(out[1]).toMatchObject({ console: ["3"] });
  });
});
