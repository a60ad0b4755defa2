/**
 * What workerd's fetch cannot send goes out as Newman sends it, over a TCP socket (platform/wire-fetch.ts):
 * a method token fetch refuses (`LINK`) and a body on GET/HEAD under `disableBodyPruning`. Real runs
 * through the API against the suite's echo target; the run's scripts check what the target saw.
 */
import { describe, expect, it } from "vitest";
import { api, readSse, startRun, target } from "./helpers";

interface Completed {
  item: { name: string };
  error?: { name: string; message: string };
  response?: { code: number; headers: Array<{ key: string; value: string }>; bodyPreview: string };
  assertions: Array<{ name: string; passed: boolean; error?: { message: string } }>;
  console: Array<{ message: string }>;
}

function item(opts: {
  name: string;
  method: string;
  url: string;
  body?: string;
  prune?: boolean;
  profile?: Record<string, boolean>;
  tests: string[];
}) {
  const profile = { ...(opts.prune === false ? { disableBodyPruning: true } : {}), ...opts.profile };
  return {
    name: opts.name,
    ...(Object.keys(profile).length ? { protocolProfileBehavior: profile } : {}),
    event: [{ listen: "test", script: { exec: opts.tests } }],
    request: {
      method: opts.method,
      url: opts.url,
      header: [{ key: "X-Case", value: opts.name }],
      ...(opts.body !== undefined ? { body: { mode: "raw", raw: opts.body } } : {}),
    },
  };
}

async function run(items: unknown[], options: Record<string, unknown> = {}): Promise<Completed[]> {
  const { id, res } = await startRun({
    collection: {
      info: { name: "Wire", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
      item: items,
    },
    options,
  });
  expect(res.status).toBe(201);
  const events = await readSse(await api(`/v1/runs/${id}/events`));
  expect(events.at(-1)?.event).toBe("run.completed");
  return events.filter((e) => e.event === "request.completed").map((e) => e.data as unknown as Completed);
}

const verdicts = (c: Completed) => c.assertions.map((a) => [a.name, a.passed, a.error?.message]);

describe("requests fetch cannot express, sent over a socket", () => {
  it("sends a GET body under disableBodyPruning, a custom method with its body, and decodes what comes back", async () => {
    const t = target();
    const [get, link, gzip, chunked, pruned] = await run([
      item({
        name: "GET with a body",
        method: "GET",
        url: `${t}/anything?q=1`,
        body: '{"query":{"match_all":{}}}',
        prune: false,
        tests: [
          "const j = pm.response.json();",
          'pm.test("method", () => pm.expect(j.method).to.equal("GET"));',
          'pm.test("body", () => pm.expect(j.data).to.equal(\'{"query":{"match_all":{}}}\'));',
          'pm.test("query", () => pm.expect(j.args).to.eql({ q: "1" }));',
          'pm.test("headers", () => pm.expect(j.headers["x-case"]).to.equal("GET with a body"));',
          'pm.test("length", () => pm.expect(j.headers["content-length"]).to.equal("26"));',
        ],
      }),
      item({
        name: "LINK",
        method: "LINK",
        url: `${t}/anything`,
        body: "linked",
        tests: [
          "const j = pm.response.json();",
          'pm.test("method", () => pm.expect(j.method).to.equal("LINK"));',
          'pm.test("body", () => pm.expect(j.data).to.equal("linked"));',
        ],
      }),
      item({
        name: "LINK, gzip",
        method: "LINK",
        url: `${t}/gzip`,
        tests: ['pm.test("decoded", () => pm.expect(pm.response.json().gzip).to.equal(true));'],
      }),
      item({
        name: "LINK, chunked",
        method: "LINK",
        url: `${t}/chunked`,
        body: "over the wire",
        tests: [
          'pm.test("dechunked", () => pm.expect(pm.response.text()).to.equal("hello LINK over the wire"));',
          'pm.test("header", () => pm.response.to.have.header("x-method", "LINK"));',
        ],
      }),
      // Without disableBodyPruning Postman prunes a GET's body: fetch sends it, as before.
      item({
        name: "GET pruned",
        method: "GET",
        url: `${t}/anything`,
        body: "dropped",
        tests: ['pm.test("no body", () => pm.expect(pm.response.json().data).to.equal(""));'],
      }),
    ]);
    for (const c of [get, link, gzip, chunked, pruned]) {
      expect(c?.error).toBeUndefined();
      expect(c?.response?.code).toBe(200);
      expect(
        verdicts(c!).every(([, passed]) => passed),
        JSON.stringify(verdicts(c!)),
      ).toBe(true);
    }
    expect(get!.assertions).toHaveLength(5);
    expect(get!.console.map((e) => e.message).join("\n")).not.toMatch(/was not sent/);
  });

  it("follows a 307 with the custom method and body, times out a hanging or dripping target, names a refused one, caps a large body", async () => {
    const t = target();
    const back = encodeURIComponent(`${t}/anything`);
    const [redirected, hanging, dripping, refused, large, after] = await run(
      [
        item({
          name: "LINK, 307",
          method: "LINK",
          url: `${t}/redirect-to?status=307&url=${back}`,
          body: "again",
          tests: [
            "const j = pm.response.json();",
            'pm.test("kept", () => pm.expect([j.method, j.data]).to.eql(["LINK", "again"]));',
          ],
        }),
        item({ name: "LINK, hang", method: "LINK", url: `${t}/hang`, tests: [] }),
        item({ name: "LINK, drip", method: "LINK", url: `${t}/drip`, tests: [] }),
        item({ name: "LINK, refused", method: "LINK", url: "http://127.0.0.1:1/", tests: [] }),
        // 12 MiB, past the 10 MiB capture cap: read up to the cap, then the socket is closed.
        item({
          name: "LINK, large",
          method: "LINK",
          url: `${t}/bytes/${12 * 1024 * 1024}`,
          tests: ['pm.test("capped", () => pm.expect(pm.response.responseSize).to.be.above(0));'],
        }),
        item({
          name: "after",
          method: "GET",
          url: `${t}/get`,
          tests: ['pm.test("on", () => pm.response.to.have.status(200));'],
        }),
      ],
      { timeoutRequest: 500 },
    );
    expect(verdicts(redirected!)).toEqual([["kept", true, undefined]]);
    // Newman's words: its --timeout-request, and a refused connection to an address.
    expect(hanging?.error).toEqual({ name: "Error", message: "ESOCKETTIMEDOUT" });
    expect(dripping?.error).toEqual({ name: "Error", message: "ESOCKETTIMEDOUT" });
    expect(refused?.error).toEqual({ name: "Error", message: "connect ECONNREFUSED 127.0.0.1:1" });
    expect(large?.response?.code).toBe(200);
    expect(verdicts(large!)).toEqual([["capped", true, undefined]]);
    expect(verdicts(after!)).toEqual([["on", true, undefined]]);
  });

  it("sends a path as written under disableUrlEncoding, and as fetch parses it without", async () => {
    const t = target();
    const raw = `/anything/./x/../y?q="a"<b>`;
    const [written, parsed] = await run([
      item({
        name: "as written",
        method: "GET",
        url: `${t}${raw}`,
        profile: { disableUrlEncoding: true },
        tests: [
          `pm.test("raw", () => pm.expect(pm.response.json().rawUrl).to.equal(${JSON.stringify(raw)}));`,
        ],
      }),
      item({
        name: "parsed",
        method: "GET",
        url: `${t}${raw}`,
        tests: [
          'pm.test("parsed", () => pm.expect(pm.response.json().rawUrl).to.equal("/anything/y?q=%22a%22%3Cb%3E"));',
        ],
      }),
    ]);
    expect(verdicts(written!)).toEqual([["raw", true, undefined]]);
    expect(verdicts(parsed!)).toEqual([["parsed", true, undefined]]);
  });

  it("spells and orders the request's headers as it does, and sends Content-Length: 0 for an empty body", async () => {
    const [c] = await run([
      {
        name: "spelled",
        event: [
          {
            listen: "test",
            script: {
              exec: [
                "const { method, rawHeaders } = pm.response.json();",
                "const names = rawHeaders.filter((_, i) => i % 2 === 0);",
                'pm.test("method", () => pm.expect(method).to.equal("LINK"));',
                'pm.test("spelled", () => pm.expect(names).to.include.members(["X-First-Header", "x-Second", "Content-Length"]));',
                'pm.test("ordered", () => pm.expect(names.indexOf("X-First-Header")).to.be.below(names.indexOf("x-Second")));',
                'pm.test("empty", () => pm.expect(rawHeaders[rawHeaders.indexOf("Content-Length") + 1]).to.equal("0"));',
              ],
            },
          },
        ],
        request: {
          method: "LINK",
          url: `${target()}/raw-headers`,
          header: [
            { key: "X-First-Header", value: "1" },
            { key: "x-Second", value: "2" },
          ],
        },
      },
    ]);
    expect(verdicts(c!).filter(([, passed]) => !passed)).toEqual([]);
    expect(c!.assertions).toHaveLength(4);
  });

  it("sends pm.sendRequest's custom method and GET body the same way", async () => {
    const t = target();
    const [c] = await run([
      item({
        name: "scripted",
        method: "GET",
        url: `${t}/get`,
        tests: [
          `pm.sendRequest({ url: "${t}/anything", method: "LINK", body: { mode: "raw", raw: "side" } }, (err, res) => {`,
          '  pm.test("side request", () => { pm.expect(err).to.equal(null); pm.expect(res.json().method).to.equal("LINK"); pm.expect(res.json().data).to.equal("side"); });',
          "});",
        ],
      }),
    ]);
    expect(verdicts(c!)).toEqual([["side request", true, undefined]]);
  });
});
