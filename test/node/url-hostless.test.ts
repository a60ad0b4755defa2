/**
 * A request URL without a host is refused as Newman 6.2.2 refuses it, before anything is sent:
 * nothing at all is postman-runtime's "request url is empty", a path or query without a host is
 * postman-request's `Invalid URI "http:///…"`. Before, WHATWG read `http:///login` as the host `login`
 * and the request went there (a real-world collection whose `{{baseURL}}` was empty). The messages are
 * Newman's own (run on the same items with newman 6.2.2).
 */
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { buildUrl, parseUrl } from "../../shared/engine/url";
import type { RequestCompletedEvent } from "../../shared/schemas/events";

const vars: Record<string, string> = { empty: "", base: "http://127.0.0.1:9" };
const resolve = (s: string) => s.replace(/\{\{([^{}]+)\}\}/g, (m, k: string) => vars[k] ?? m);
const build = (url: Parameters<typeof parseUrl>[0]) => () => buildUrl(parseUrl(url), resolve);

describe("a URL without a host", () => {
  it.each([[null], [{ raw: "" }], ["{{empty}}"]])("%j: request url is empty", (url) => {
    expect(build(url)).toThrow(/^runtime:extensions~request: request url is empty$/);
  });

  it.each([
    ["/login", 'Invalid URI "http:///login"'],
    ["{{empty}}/x", 'Invalid URI "http:///x"'],
    ["http://", 'Invalid URI "http:///"'],
    ["?a=1", 'Invalid URI "http:///?a=1"'],
  ])("%j: %s", (url, message) => {
    expect(build(url)).toThrow(message);
  });

  it("with a written scheme and a path is read by WHATWG, as Node's parser reads it in Newman", () => {
    expect(buildUrl(parseUrl("https:///p?q=1"), resolve)).toBe("https://p/?q=1");
  });

  it("is not confused with URLs that have one", () => {
    expect(buildUrl(parseUrl("{{base}}/login"), resolve)).toBe("http://127.0.0.1:9/login");
    expect(buildUrl(parseUrl("localhost:3000/x"), resolve)).toBe("http://localhost:3000/x");
  });
});

describe("a run with a hostless request", () => {
  it("sends nothing for it and reports Newman's message", async () => {
    const sent: string[] = [];
    const plan = buildPlan(
      {
        collection: {
          info: { name: "hostless" },
          variable: [{ key: "baseURL", value: "" }],
          item: [{ name: "login", request: { method: "POST", url: "{{baseURL}}/login" } }],
        } as never,
        options: {},
      },
      "hostless",
    );
    const { events } = await runLocal(plan, {
      fetch: async (r: Request) => {
        sent.push(r.url);
        return new Response("{}");
      },
      checkTarget: () => null,
      scripts: undefined,
      now: () => Date.now(),
      random: Math.random,
    });
    const done = events.filter((e): e is RequestCompletedEvent => e.type === "request.completed");
    expect(sent).toEqual([]);
    // Newman's name for it is a plain Error.
    expect(done.map((e) => e.error)).toEqual([{ name: "Error", message: 'Invalid URI "http:///login"' }]);
  });
});
