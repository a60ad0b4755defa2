/**
 * `executions[].request` of the Newman JSON report, and the engine's listed headers it comes from, where
 * the differential (report-request-newman) cannot reach: bodies whose fields cannot be read back from the
 * event (a script changed them, the preview was cut, a definition with variables and no sent text),
 * events from streams before `systemHeaders`, and header lists Newman's runs here never produce.
 */
import { describe, expect, it } from "vitest";
import type { PreparedRequest } from "../../shared/engine/http";
import { listedHeaders } from "../../shared/engine/sent-request";
import type { RequestDefinition } from "../../shared/engine/types";
import type { ReportItem } from "../../shared/reporters/collection-json";
import { newmanBody, newmanHeaders } from "../../shared/reporters/newman-request";
import type { RequestCompletedEvent } from "../../shared/schemas/events";

type EventRequest = RequestCompletedEvent["request"];
const request = (extra: Partial<EventRequest>): EventRequest => ({
  method: "POST",
  url: "http://t.test/post",
  headers: [],
  ...extra,
});
const item = (body: unknown): ReportItem => ({
  id: "i",
  name: "i",
  request: { body },
  response: [],
  event: [],
});

describe("newmanHeaders", () => {
  it("marks the trailing `systemHeaders` and nothing in an older event", () => {
    const headers = [
      { key: "X-Own", value: "1" },
      { key: "Accept", value: "*/*" },
    ];
    expect(newmanHeaders(request({ headers, systemHeaders: 1 }))).toEqual([
      { key: "X-Own", value: "1" },
      { key: "Accept", value: "*/*", system: true },
    ]);
    expect(newmanHeaders(request({ headers }))).toEqual(headers);
  });
});

describe("newmanBody", () => {
  const form = {
    mode: "urlencoded",
    urlencoded: [
      { key: "a", value: "{{a}}" },
      { key: "off", value: "x", disabled: true },
    ],
  };

  it("reads urlencoded fields back from the sent text, disabled ones from the definition", () => {
    expect(newmanBody(request({ body: "a=1%202" }), item(form))).toEqual({
      mode: "urlencoded",
      urlencoded: [
        { key: "a", value: "1 2" },
        { key: "off", value: "x", disabled: true },
      ],
    });
  });

  it("falls back to the sent text when a script changed the fields or the preview was cut", () => {
    expect(newmanBody(request({ body: "a=1&b=2" }), item(form))).toEqual({ mode: "raw", raw: "a=1&b=2" });
    const cut = `a=${"x".repeat(2046)}`;
    expect(newmanBody(request({ body: cut }), item(form))).toEqual({ mode: "raw", raw: cut });
  });

  it("keeps form data and files from a definition with nothing to resolve, and nothing otherwise", () => {
    const plain = { mode: "formdata", formdata: [{ key: "f", value: "v", type: "text" }] };
    expect(newmanBody(request({}), item(plain))).toEqual(plain);
    expect(
      newmanBody(request({}), item({ mode: "formdata", formdata: [{ key: "f", value: "{{v}}" }] })),
    ).toBe(undefined);
    expect(newmanBody(request({}), item({ mode: "file", file: { src: "a.bin", content: "…" } }))).toEqual({
      mode: "file",
      file: { src: "a.bin" },
    });
  });

  it("reads resolved GraphQL back, variables written as text staying text", () => {
    const def = { mode: "graphql", graphql: { query: "{ {{field}} }", variables: '{"n": {{n}}}' } };
    expect(newmanBody(request({ body: '{"query":"{ a }","variables":{"n": 1}}' }), item(def))).toEqual({
      mode: "graphql",
      graphql: { query: "{ a }", variables: '{"n":1}' },
    });
    // Malformed variables went out as written: the text is all there is.
    expect(newmanBody(request({ body: '{"query":"{ a }","variables":{oops}' }), item(def))).toEqual({
      mode: "raw",
      raw: '{"query":"{ a }","variables":{oops}',
    });
  });

  it("keeps a raw body's options and writes a body without a definition as raw", () => {
    const raw = { mode: "raw", raw: "{{x}}", options: { raw: { language: "json" } } };
    expect(newmanBody(request({ body: "{}" }), item(raw))).toEqual({
      mode: "raw",
      raw: "{}",
      options: { raw: { language: "json" } },
    });
    expect(newmanBody(request({ body: "text" }), undefined)).toEqual({ mode: "raw", raw: "text" });
    expect(newmanBody(request({}), undefined)).toBe(undefined);
  });
});

describe("listedHeaders", () => {
  const sent = (extra: Partial<PreparedRequest>): PreparedRequest => ({
    method: "POST",
    url: "http://t.test/",
    headers: [],
    ...extra,
  });
  const def = (headers: RequestDefinition["headers"]) => ({
    request: {
      method: "POST",
      url: { host: [], path: [], query: [], variable: [] },
      headers,
    } as RequestDefinition,
    resolve: (s: string) => s.replace("{{v}}", "2"),
  });

  it("keeps disabled headers in place, an own header auth replaced among the added ones", () => {
    const listed = listedHeaders(
      sent({
        headers: [
          { key: "X-A", value: "2" },
          { key: "Accept", value: "*/*", system: true },
          { key: "Authorization", value: "Basic x", system: true },
        ],
        body: "é",
      }),
      def([
        { key: "Authorization", value: "mine" },
        { key: "X-Off", value: "{{v}}", disabled: true },
        { key: "X-A", value: "{{v}}" },
      ]),
    );
    expect(listed).toEqual({
      headers: [
        { key: "X-Off", value: "2", disabled: true },
        { key: "X-A", value: "2" },
        { key: "Authorization", value: "Basic x" },
        { key: "Accept", value: "*/*" },
        { key: "Content-Length", value: "2" },
      ],
      system: 3,
    });
  });

  it("leaves a form body's type out, declares an empty POST body, lists nothing for nothing sent", () => {
    const form = listedHeaders(
      sent({ headers: [{ key: "Content-Type", value: "multipart/form-data; b", implicit: true }] }),
    );
    expect(form).toEqual({ headers: [{ key: "Content-Length", value: "0" }], system: 1 });
    expect(
      listedHeaders(sent({ method: "GET", headers: [{ key: "Accept", value: "*/*", system: true }] })),
    ).toEqual({ headers: [{ key: "Accept", value: "*/*" }], system: 1 });
    expect(listedHeaders(sent({ headers: [] }))).toEqual({ headers: [], system: 0 });
  });
});
