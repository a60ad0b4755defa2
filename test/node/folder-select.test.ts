/**
 * `--folder` against Newman itself: names several folders share, a request named like a folder, a
 * folder and a folder inside it both named, ids, an empty folder. Newman (postman-
 * runtime's `multipleIdOrName` lookup) takes the first match of each name, walking the collection depth
 * first; the same runs must send the same requests in the same order.
 */
import { describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

interface Report {
  run: { executions: Array<{ item: { name: string } }> };
}

const req = (name: string, base: string) => ({
  name,
  request: { url: `${base}/get?n=${encodeURIComponent(name)}` },
});

function collection(base: string) {
  return {
    info: { name: "folders", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [
      { name: "Empty", item: [] },
      { name: "X", item: [req("x1", base)] },
      {
        name: "P",
        id: "folder-p",
        item: [
          req("p1", base),
          { name: "X", item: [req("x2", base)] },
          { name: "Q", item: [req("q1", base)] },
        ],
      },
      req("X", base),
      { name: "Q", item: [req("q2", base)] },
      { name: "Cleanup", item: [req("c1", base)] },
      { name: "Deep", item: [{ name: "Cleanup", item: [req("c2", base)] }] },
    ],
  };
}

const ran = (r: Report | undefined) => r?.run.executions.map((e) => e.item.name) ?? null;

describe("--folder picks what Newman picks", () => {
  it.each([
    ["a name several folders share", ["X"]],
    ["two names, one inside the other's folder", ["P", "Q"]],
    ["a nested name first, then its parent", ["Q", "P"]],
    ["an id", ["folder-p"]],
    ["names of folders at different depths", ["Deep", "Cleanup"]],
    ["an empty folder", ["Empty", "Cleanup"]],
  ])("%s", async (_name, folders) => {
    const both = await runBoth<Report>({
      collection: collection(inject("targetUrl")),
      args: folders.flatMap((f) => ["--folder", f]),
    });
    expect(both.oursCode).toBe(both.newmanCode);
    expect(ran(both.ours)).toEqual(ran(both.newman));
  });
});
