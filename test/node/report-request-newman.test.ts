/**
 * Differential against real Newman 6.2.2: `executions[].request` in the JSON report, and the request a
 * test script sees. Newman lists the request's own headers first, then the ones the runtime added
 * (`system: true`: auth, a raw or GraphQL body's type, Postman's system headers, Content-Length, Cookie),
 * leaves out a form body's Content-Type (postman-request sets it), keeps a disabled header in its place
 * (marked), and keeps the body in its own mode; test scripts' `pm.request` lists the same.
 * Report renderers (htmlextra) and dashboards read exactly these, and group executions by the cursor.
 */
import { describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

/** A test whose name lists the header keys the test script sees on `pm.request`. */
const seenHeaders = {
  listen: "test",
  script: {
    exec: [
      "pm.test('sees ' + pm.request.headers.all().map((h) => h.key).join(','), () => {});",
      "pm.test('length ' + pm.request.headers.get('Content-Length'), () => {});",
      "pm.test('json ' + JSON.stringify(pm.request.headers.toJSON().map((h) => [h.key, !!h.system, !!h.disabled])), () => {});",
    ],
  },
};

function collection(base: string) {
  const item = (name: string, request: Record<string, unknown>) => ({
    name,
    event: [seenHeaders],
    request: { method: "POST", url: `${base}/post`, ...request },
  });
  return {
    info: {
      name: "report request",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: [
      { name: "cookie", request: { method: "GET", url: `${base}/cookies/set?sid=1` } },
      item("get", { method: "GET", url: `${base}/get?x=1`, header: [{ key: "X-Custom", value: "a" }] }),
      {
        ...item("own headers", {
          header: [
            { key: "X-On", value: "{{v}}" },
            { key: "X-Off", value: "0", disabled: true },
          ],
        }),
        event: [
          {
            listen: "prerequest",
            script: { exec: ["pm.request.headers.add({ key: 'X-Pre', value: 'p' });"] },
          },
          seenHeaders,
        ],
      },
      item("raw json", {
        header: [{ key: "Content-Type", value: "application/json" }],
        body: { mode: "raw", raw: '{"a":"é"}', options: { raw: { language: "json" } } },
      }),
      item("raw text", { body: { mode: "raw", raw: "plain" } }),
      item("urlencoded", {
        body: {
          mode: "urlencoded",
          urlencoded: [
            { key: "a", value: "1 2&3" },
            { key: "b", value: "{{v}}" },
            { key: "c", value: "x", disabled: true },
          ],
        },
      }),
      item("formdata", { body: { mode: "formdata", formdata: [{ key: "f", value: "v", type: "text" }] } }),
      item("graphql", { body: { mode: "graphql", graphql: { query: "{ a }", variables: '{"n": 1}' } } }),
      // Every field disabled, or none: postman-runtime sends no body and no Content-Type.
      item("formdata all disabled", {
        body: { mode: "formdata", formdata: [{ key: "f", value: "v", type: "text", disabled: true }] },
      }),
      item("formdata empty", { body: { mode: "formdata", formdata: [] } }),
      item("urlencoded all disabled", {
        body: { mode: "urlencoded", urlencoded: [{ key: "a", value: "1", disabled: true }] },
      }),
      item("basic auth", {
        method: "GET",
        url: `${base}/get`,
        auth: {
          type: "basic",
          basic: [
            { key: "username", value: "u" },
            { key: "password", value: "p" },
          ],
        },
      }),
    ],
  };
}

interface Header {
  key: string;
  value: string;
  system?: boolean;
  disabled?: boolean;
}
interface Report {
  run: {
    executions: Array<{
      item: { name: string };
      cursor: { position: number; iteration: number; length: number; cycles: number };
      request: { header: Header[]; body?: unknown };
      assertions?: Array<{ assertion: string }>;
    }>;
  };
}

/** What may differ by design: the User-Agent's version, the random token, masked credentials. */
function header(h: Header): [string, string, boolean, boolean] {
  const free = /^(user-agent|postman-token|authorization|cookie)$/i.test(h.key);
  return [h.key, free ? "…" : h.value, h.system === true, h.disabled === true];
}

describe("the sent request in the JSON report and in test scripts (vs Newman)", () => {
  it("lists headers, system marks, Content-Length, bodies and the cursor as Newman does", async () => {
    const both = await runBoth<Report>({
      collection: collection(inject("targetUrl")),
      args: ["--env-var", "v=2", "-n", "2"],
    });
    expect(both.oursCode).toBe(both.newmanCode);
    const seen = (r: Report) =>
      r.run.executions.map((e) => ({
        name: e.item.name,
        cursor: [e.cursor.position, e.cursor.iteration, e.cursor.length, e.cursor.cycles],
        headers: e.request.header.map(header),
        body: e.request.body ?? null,
        script: (e.assertions ?? []).map((a) => a.assertion),
      }));
    const ours = seen(both.ours);
    expect(ours).toEqual(seen(both.newman));
    // The comparison saw what it is about.
    const urlencoded = ours.find((e) => e.name === "urlencoded")!;
    expect(urlencoded.headers.map(([key]) => key)).not.toContain("Content-Type");
    expect(urlencoded.headers).toContainEqual(["Content-Length", "15", true, false]);
    expect(urlencoded.body).toMatchObject({ mode: "urlencoded" });
    expect(ours.find((e) => e.name === "basic auth")!.headers[0]).toEqual([
      "Authorization",
      "…",
      true,
      false,
    ]);
    expect(ours.find((e) => e.name === "own headers")!.headers[1]).toEqual(["X-Off", "0", false, true]);
  });

  it("lists an item once per request its scripts sent too, with the last request error, as Newman does", async () => {
    const base = inject("targetUrl");
    const send = (url: string) => `pm.sendRequest('${url}', () => {});`;
    const both = await runBoth<Report & { run: { stats: { requests: { total: number } } } }>({
      collection: {
        info: {
          name: "side",
          schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        item: [
          {
            name: "pre",
            event: [
              {
                listen: "prerequest",
                script: { exec: [send(`${base}/get?a`), send("http://127.0.0.1:9/")] },
              },
            ],
            request: { method: "GET", url: `${base}/get` },
          },
          {
            name: "test",
            event: [{ listen: "test", script: { exec: [send(`${base}/get?b`)] } }],
            request: { method: "GET", url: `${base}/get` },
          },
          { name: "plain", request: { method: "GET", url: `${base}/get` } },
        ],
      },
    });
    const seen = (r: typeof both.ours) => ({
      listed: r.run.executions.map((e) => [
        e.item.name,
        (e as { requestError?: { code?: string } }).requestError?.code ?? null,
      ]),
      requests: r.run.stats.requests.total,
    });
    expect(seen(both.ours)).toEqual(seen(both.newman));
    expect(seen(both.ours).listed).toHaveLength(6);
  });
});
