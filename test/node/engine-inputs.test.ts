/**
 * Input shapes from Newman's own integration suite: a v2 collection without `info` runs (Newman's
 * inherited-entities and timeout collections), and a short CSV row leaves the missing columns out
 * (csv-with-bom: `data.c3` is undefined), both through the one schema every entry point uses.
 */
import { describe, expect, it } from "vitest";
import { buildBody } from "../../shared/engine/body";
import { parseIterationData } from "../../shared/engine/data-file";
import { CollectionSchema } from "../../shared/schemas/collection";

describe("inputs Newman's integration suite uses", () => {
  it("accepts a v2 collection without info (named '')", () => {
    const parsed = CollectionSchema.safeParse({ item: [{ request: { url: "http://127.0.0.1/get" } }] });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.info.name).toBe("");
  });

  it("still rejects a collection without items or info", () => {
    expect(CollectionSchema.safeParse({ name: "nothing" }).success).toBe(false);
  });

  it("leaves a short CSV row's missing columns undefined and keeps empty ones", () => {
    const rows = parseIterationData('\uFEFFc1, c2, c3\n"123", foo "bar" baz\n1,,\n');
    expect(rows).toEqual([
      { c1: "123", c2: 'foo "bar" baz' },
      { c1: 1, c2: "", c3: "" },
    ]);
    expect("c3" in rows[0]!).toBe(false);
  });

  it("names a GET body it cannot send (disableBodyPruning) and a form file it has no content for", async () => {
    const resolve = (x: string) => x;
    const pruneOff = { disableBodyPruning: true };
    const get = await buildBody({ mode: "raw", raw: "{}" }, { method: "GET", resolve, profile: pruneOff });
    expect(get).toEqual({
      warnings: ["The raw body of this GET request was not sent: fetch cannot send one"],
    });
    // A fetcher that sends what fetch cannot (the platform's, over a socket) gets the body.
    const wired = await buildBody(
      { mode: "raw", raw: "{}" },
      { method: "GET", resolve, profile: pruneOff, wire: true },
    );
    expect(wired).toEqual({ body: "{}", contentType: "text/plain" });
    expect(await buildBody({ mode: "raw", raw: "" }, { method: "HEAD", resolve, profile: pruneOff })).toEqual(
      {},
    );
    expect(
      await buildBody({ mode: "raw", raw: "{}" }, { method: "GET", resolve, profile: {}, wire: true }),
    ).toEqual({});
    const form = await buildBody(
      {
        mode: "formdata",
        formdata: [
          { key: "f", type: "file", src: "missing.txt" },
          { key: "t", value: "v" },
        ],
      },
      { method: "POST", resolve, profile: {} },
    );
    expect(form.warnings).toEqual(['Form param `f`, file load error: "missing.txt", no such file']);
    expect(new TextDecoder().decode(form.body as Uint8Array)).not.toContain('name="f"');
    // A form left with no part (its one file missing), or with every field disabled, goes out without
    // a body or Content-Type, as postman-runtime sends it.
    const fileOnly = await buildBody(
      { mode: "formdata", formdata: [{ key: "f", type: "file", src: "missing.txt" }] },
      { method: "POST", resolve, profile: {} },
    );
    expect(fileOnly).toEqual({ warnings: ['Form param `f`, file load error: "missing.txt", no such file'] });
    const disabled = await buildBody(
      { mode: "urlencoded", urlencoded: [{ key: "a", value: "1", disabled: true }] },
      { method: "POST", resolve, profile: {} },
    );
    expect(disabled).toEqual({});
  });
});
