/**
 * Golden tests: small collections run through the engine and the real QuickJS sandbox against the echo
 * target; the whole event sequence, normalised (no times, ids or ports), must equal the committed file
 * in test/golden/. A change in event shape, order, counting or assertion text shows up as a diff.
 */
import { describe, expect, inject, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import type { RunEvent } from "../../shared/schemas/events";

const test = (...exec: string[]) => ({ listen: "test", script: { exec } });
const pre = (...exec: string[]) => ({ listen: "prerequest", script: { exec } });

const COLLECTIONS: Record<
  string,
  { collection: unknown; iterationData?: unknown[]; options?: Record<string, unknown> }
> = {
  "scripts-and-flow": {
    collection: {
      info: { name: "flow", _postman_id: "golden-flow" },
      variable: [{ key: "path", value: "get" }],
      event: [pre("pm.variables.set('started', 'yes');")],
      item: [
        {
          id: "login",
          name: "Login",
          request: {
            method: "POST",
            url: "{{base}}/post",
            body: { mode: "raw", raw: '{"user":"ann"}', options: { raw: { language: "json" } } },
          },
          event: [
            test(
              "pm.test('logged in', () => pm.response.to.have.status(200));",
              "pm.environment.set('token', pm.response.json().json.user + '-token');",
              "console.log('token set');",
            ),
          ],
        },
        {
          id: "skipped",
          name: "Skipped",
          request: { url: "{{base}}/status/500" },
          event: [pre("pm.execution.skipRequest();")],
        },
        {
          id: "profile",
          name: "Profile",
          request: { url: "{{base}}/{{path}}?token={{token}}" },
          event: [
            test(
              "pm.test('token echoed', () => pm.expect(pm.response.json().args.token).to.eql('ann-token'));",
              "pm.test('deliberately wrong', () => pm.expect(pm.response.code).to.be.oneOf([201, 204]));",
              "pm.test.skip('later', () => {});",
              "if (!pm.environment.has('looped')) { pm.environment.set('looped', '1'); pm.execution.setNextRequest('Login'); }",
            ),
          ],
        },
        {
          id: "broken",
          name: "Broken script",
          request: { url: "{{base}}/get" },
          event: [test("pm.test('before error', () => {}); undefinedFunction();")],
        },
      ],
    },
  },
  "data-driven": {
    collection: {
      info: { name: "data", _postman_id: "golden-data" },
      item: [
        {
          id: "echo",
          name: "Echo row",
          request: { url: "{{base}}/get?name={{name}}&n={{n}}" },
          event: [
            test(
              "pm.test('row ' + pm.iterationData.get('name'), () => pm.expect(Number(pm.response.json().args.n)).to.be.below(3));",
              "pm.globals.set('seen', (pm.globals.get('seen') || '') + pm.iterationData.get('name'));",
            ),
          ],
        },
      ],
    },
    iterationData: [
      { name: "a", n: 1 },
      { name: "b", n: 2 },
      { name: "c", n: 3 },
    ],
  },
};

/** Drops what legitimately varies between runs: times, ids, ports, sizes, dates. */
function normalise(events: RunEvent[], target: string): unknown[] {
  const text = JSON.stringify(events).split(target).join("{{target}}");
  return (JSON.parse(text) as Array<Record<string, unknown>>).map((e) => {
    const { ts: _ts, runId: _runId, timings: _timings, ...rest } = e;
    if (rest.type === "request.completed") {
      const response = rest.response as Record<string, unknown> | undefined;
      const request = rest.request as Record<string, unknown>;
      return {
        ...rest,
        request: { method: request.method, url: request.url, body: request.body },
        response: response ? { code: response.code, status: response.status } : undefined,
      };
    }
    return rest;
  });
}

describe("golden event sequences", () => {
  const host = new QuickJSScriptHost({});
  it.each(Object.keys(COLLECTIONS))("%s", async (name) => {
    const spec = COLLECTIONS[name]!;
    const target = inject("targetUrl");
    const plan = buildPlan(
      {
        collection: spec.collection as never,
        environment: { name: "golden", values: [{ key: "base", value: target }] },
        ...(spec.iterationData ? { iterationData: spec.iterationData } : {}),
        options: spec.options ?? {},
      },
      `golden-${name}`,
    );
    const { events } = await runLocal(plan, {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: host,
      now: () => Date.now(),
      random: Math.random,
    });
    await expect(`${JSON.stringify(normalise(events, target), null, 2)}\n`).toMatchFileSnapshot(
      `../golden/${name}.json`,
    );
  });
});
