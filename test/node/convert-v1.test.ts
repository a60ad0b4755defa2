/**
 * Collection v1 → v2.1 (postman-collection-transformer's mapping, as Newman applies it) and the other
 * input shapes the schemas accept, checked on the data itself; the differential runs are in
 * cli-inputs.test.ts.
 */
import { describe, expect, it } from "vitest";
import { convertV1Collection, isV1Collection, parseHeaderBlock } from "../../shared/engine/convert-v1";
import { decodeText, parseIterationData } from "../../shared/engine/data-file";
import { collectionInput, headerInput, listInput, scopeInput } from "../../shared/engine/input-shapes";
import { normalizeCollection } from "../../shared/engine/normalize";
import { CollectionSchema, EnvironmentSchema } from "../../shared/schemas/collection";

type Json = Record<string, unknown>;

const v1 = (extra: Json = {}): Json => ({ id: "c1", name: "legacy", order: [], requests: [], ...extra });

describe("isV1Collection", () => {
  it("needs a name, an order and requests, like Newman's check", () => {
    expect(isV1Collection(v1())).toBe(true);
    expect(isV1Collection({ name: "x", requests: [] })).toBe(false);
    expect(isV1Collection({ info: { name: "x" }, item: [] })).toBe(false);
    expect(isV1Collection([])).toBe(false);
  });
});

describe("convertV1Collection", () => {
  it("converts an input once: the limit check and the run share the conversion, the input stays as given", () => {
    const input = v1({
      order: ["r"],
      requests: [{ id: "r", name: "r", url: "http://t.test/", method: "GET" }],
    });
    const before = structuredClone(input);
    const first = convertV1Collection(input);
    expect(convertV1Collection(input)).toBe(first);
    expect(collectionInput(input)).toBe(first);
    expect(input).toEqual(before);
    expect(convertV1Collection(structuredClone(input))).not.toBe(first);
  });

  it("builds the folder tree: folders (sub-folders first) in folders_order, then root requests in order", () => {
    const out = convertV1Collection(
      v1({
        order: ["r1", "missing"],
        folders_order: ["f1"],
        folders: [
          { id: "f1", name: "F1", order: ["r2"], folders_order: ["f2"] },
          { id: "f2", name: "F2", order: ["r3"] },
        ],
        requests: ["r1", "r2", "r3"].map((id) => ({ id, name: id, method: "GET", url: `http://x/${id}` })),
      }),
    );
    const names = (items: unknown): unknown =>
      (items as Json[]).map((i) => (i.item ? { [String(i.name)]: names(i.item) } : i.name));
    expect(names(out.item)).toEqual([{ F1: [{ F2: ["r3"] }, "r2"] }, "r1"]);
    expect(out.info).toEqual({
      _postman_id: "c1",
      name: "legacy",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    });
  });

  it("places each folder once: a folders_order cycle or a folder named twice makes no circular tree", () => {
    const out = convertV1Collection(
      v1({
        folders_order: ["f0"],
        folders: [
          { id: "f0", name: "F0", folders_order: ["f1", "f1"], order: ["r"] },
          { id: "f1", name: "F1", folders_order: ["f2"], order: ["r"] },
          { id: "f2", name: "F2", folders_order: ["f1", "f2"], order: ["r"] },
          { id: "lone", name: "only in a cycle", folders_order: ["lone"] },
        ],
        requests: [{ id: "r", name: "r", method: "GET", url: "http://x/r" }],
      }),
    );
    const names = (items: unknown): unknown =>
      (items as Json[]).map((i) => (i.item ? { [String(i.name)]: names(i.item) } : i.name));
    expect(names(out.item)).toEqual([{ F0: [{ F1: [{ F2: ["r"] }, "r"] }, "r"] }]);
    expect(() => normalizeCollection(CollectionSchema.parse(out) as never)).not.toThrow();
  });

  it("without folders_order keeps the folders' own order", () => {
    const out = convertV1Collection(
      v1({
        folders: [
          { id: "b", name: "B" },
          { id: "a", name: "A" },
        ],
      }),
    );
    expect((out.item as Json[]).map((i) => i.name)).toEqual(["B", "A"]);
  });

  const request = (req: Json): Json => {
    const out = convertV1Collection(v1({ order: ["r"], requests: [{ id: "r", name: "r", ...req }] }));
    return (out.item as Json[])[0]!;
  };

  it("scripts from tests/preRequestScript strings, split into lines; a v2 events list as is", () => {
    expect(request({ tests: "a();\nb();", preRequestScript: "p();" }).event).toEqual([
      { listen: "test", script: { type: "text/javascript", exec: ["a();", "b();"] } },
      { listen: "prerequest", script: { type: "text/javascript", exec: ["p();"] } },
    ]);
    expect(request({ events: [{ script: { exec: "x();\ny();" } }] }).event).toEqual([
      { listen: "test", script: { type: "text/javascript", exec: ["x();", "y();"] } },
    ]);
  });

  it("headers from a string block ('//' disables) merged after headerData", () => {
    const item = request({
      headers: "A: 1\n// B: 2\nC:3",
      headerData: [
        { key: "A", value: "1", enabled: true },
        { key: "D", value: "4", enabled: false },
      ],
    });
    expect((item.request as Json).header).toEqual([
      { key: "A", value: "1" },
      { key: "D", value: "4", disabled: true },
      { key: "B", value: "2", disabled: true },
      { key: "C", value: "3" },
    ]);
    expect(parseHeaderBlock("X-Folded: a\r\n b")).toEqual([{ key: "X-Folded", value: "a b" }]);
  });

  it("bodies by dataMode: raw, urlencoded (enabled:false → disabled), params → formdata, binary → file, graphql", () => {
    const body = (req: Json) => (request(req).request as Json).body;
    expect(body({ dataMode: "raw", rawModeData: "{}" })).toEqual({ mode: "raw", raw: "{}" });
    expect(body({ dataMode: "raw", rawModeData: ["one"] })).toEqual({ mode: "raw", raw: "one" });
    expect(body({ dataMode: "urlencoded", data: [{ key: "a", value: "1", enabled: false }] })).toEqual({
      mode: "urlencoded",
      urlencoded: [{ key: "a", value: "1", disabled: true }],
    });
    expect(
      body({ dataMode: "params", data: [{ key: "f", type: "file", value: "a.txt" }, { value: "no key" }] }),
    ).toEqual({
      mode: "formdata",
      formdata: [{ key: "f", type: "file", src: "a.txt" }],
    });
    expect(body({ dataMode: "binary", rawModeData: "file.bin" })).toEqual({
      mode: "file",
      file: { src: "file.bin" },
    });
    expect(body({ dataMode: "graphql", graphqlModeData: { query: "{ a }" } })).toEqual({
      mode: "graphql",
      graphql: { query: "{ a }" },
    });
    expect(body({ data: [{ key: "k", value: "v" }] })).toEqual({
      mode: "formdata",
      formdata: [{ key: "k", value: "v" }],
    });
    expect(body({})).toBeUndefined();
    expect(body({ dataMode: null, rawModeData: "x" })).toBeUndefined();
    expect(body({ dataMode: "raw", rawModeData: "x", dataDisabled: true })).toEqual({
      mode: "raw",
      raw: "x",
      disabled: true,
    });
  });

  it("URLs: pathVariables and pathVariableData become url.variable, queryParams url.query", () => {
    expect((request({ url: "http://x/a" }).request as Json).url).toBe("http://x/a");
    expect(
      (
        request({
          url: "http://x/:id/:v",
          pathVariables: { id: "7", v: "w" },
          pathVariableData: [{ key: "v", value: "z", id: "1" }],
        }).request as Json
      ).url,
    ).toEqual({
      raw: "http://x/:id/:v",
      variable: [
        { key: "v", value: "z" },
        { key: "id", value: "7" },
      ],
    });
    expect(
      (
        request({
          url: "http://x/?a=1",
          queryParams: [{ key: "a", value: "1", equals: true, enabled: false }],
        }).request as Json
      ).url,
    ).toEqual({ raw: "http://x/?a=1", query: [{ key: "a", value: "1", disabled: true }] });
  });

  it("legacy auth helpers become v2.1 auth (renamed parameters; helperAttributes may be a JSON string)", () => {
    const auth = (req: Json) => (request(req).request as Json).auth;
    expect(
      auth({
        currentHelper: "basicAuth",
        helperAttributes: { username: "u", password: "p", saveToRequest: true },
      }),
    ).toEqual({
      type: "basic",
      basic: [
        { key: "username", value: "u", type: "string" },
        { key: "password", value: "p", type: "string" },
      ],
    });
    expect(
      auth({ currentHelper: "hawkAuth", helperAttributes: JSON.stringify({ hawk_id: "i", hawk_key: "k" }) }),
    ).toEqual({
      type: "hawk",
      hawk: [
        { key: "authId", value: "i", type: "string" },
        { key: "authKey", value: "k", type: "string" },
      ],
    });
    expect(auth({ currentHelper: "normal" })).toBeUndefined();
    expect(auth({ auth: { type: "bearer", bearer: [{ key: "token", value: "t" }] } })).toEqual({
      type: "bearer",
      bearer: [{ key: "token", value: "t" }],
    });
  });

  it("is what the engine runs: the schema converts, normalisation resolves the auth", () => {
    const parsed = CollectionSchema.parse(
      v1({
        order: ["r"],
        requests: [
          {
            id: "r",
            name: "r",
            url: "http://x",
            currentHelper: "bearerAuth",
            helperAttributes: { token: "t" },
          },
        ],
      }),
    );
    const normalized = normalizeCollection(parsed);
    expect(normalized.items[0]!.request.auth).toEqual({
      type: "bearer",
      bearer: [{ key: "token", value: "t", type: "string" }],
    });
  });
});

describe("input shapes", () => {
  it("unwraps a Postman API collection export, leaves a normal collection alone", () => {
    const c = { info: { name: "n" }, item: [] };
    expect(collectionInput({ collection: c })).toBe(c);
    expect(collectionInput(c)).toBe(c);
    expect(CollectionSchema.parse({ collection: c })).toMatchObject({ info: { name: "n" } });
  });

  it("environments and globals: wrapped, bare arrays, or plain", () => {
    const values = [{ key: "k", value: "v" }];
    expect(scopeInput(values)).toEqual({ values });
    expect(scopeInput({ environment: { name: "e", values } })).toEqual({ name: "e", values });
    expect(scopeInput({ globals: values })).toEqual({ values });
    expect(scopeInput({ name: "e", values })).toEqual({ name: "e", values });
    expect(EnvironmentSchema.parse(values)).toMatchObject({ values });
  });

  it("a single event object is a list of one; header lists may hold 'K: v' strings", () => {
    const e = { listen: "test", script: { exec: "x" } };
    expect(listInput(e)).toEqual([e]);
    expect(headerInput(["A: 1", { key: "B", value: "2" }])).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "2" },
    ]);
    const parsed = CollectionSchema.parse({
      info: { name: "n" },
      event: e,
      item: [{ name: "i", event: e, request: { url: "http://x", header: ["A: 1"] } }],
    });
    expect(normalizeCollection(parsed).items[0]).toMatchObject({
      request: { headers: [{ key: "A", value: "1" }] },
      test: [{ source: "x" }, { source: "x" }],
    });
  });
});

describe("decodeText", () => {
  const text = '{"k":"héllo"}';
  it("reads UTF-8 with and without BOM, UTF-16 LE/BE with BOM, BOM-less UTF-16 LE, and Latin-1", () => {
    const utf16le = Buffer.from(text, "utf16le");
    expect(decodeText(Buffer.from(text))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16le).swap16()]))).toBe(text);
    expect(decodeText(utf16le)).toBe(text);
    expect(decodeText(Buffer.from(text, "latin1"))).toBe(text);
  });

  it("iteration data text with a BOM (as POST /v1/runs may receive it) parses", () => {
    expect(parseIterationData("\uFEFFuser,n\nada,1\n")).toEqual([{ user: "ada", n: 1 }]);
    expect(parseIterationData('\uFEFF[{"a":1}]')).toEqual([{ a: 1 }]);
  });
});

describe("ids of a collection that has none", () => {
  it("are UUIDs, as postman-collection's, and the same when normalised again", () => {
    const doc = {
      info: { name: "No ids", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" },
      item: [
        { name: "a", request: "http://e/a" },
        { name: "f", item: [{ name: "a", request: "http://e/b" }] },
      ],
    };
    const once = normalizeCollection(CollectionSchema.parse(doc) as never);
    const again = normalizeCollection(CollectionSchema.parse(doc) as never);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids = [once.id, ...once.items.map((i) => i.id)];
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(ids.length);
    expect([again.id, ...again.items.map((i) => i.id)]).toEqual(ids);
  });
});
