/**
 * Differential against real Newman 6.2.2: `-d` iteration data read into the same iterations. CSV goes
 * through csv-parse with Newman's options, so a blank line is an iteration of its own, quotes inside an
 * unquoted value stay, values are trimmed, short rows leave columns undefined and unquoted numbers are
 * numbers; JSON with a BOM and surrounding blank lines reads as in Newman. Each iteration's test names
 * what the script saw.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

const SEEN = [
  "pm.test('row ' + pm.info.iteration + ' ' + JSON.stringify([pm.iterationData.toObject(),",
  "  typeof pm.iterationData.get('n'), data.c, pm.variables.get('name')]), function () {});",
].join("\n");

function collection(base: string) {
  return {
    info: { name: "data", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [
      {
        name: "r",
        event: [{ listen: "test", script: { type: "text/javascript", exec: [SEEN] } }],
        request: { method: "GET", url: `${base}/get?name={{name}}` },
      },
    ],
  };
}

interface Report {
  run: {
    stats: { iterations: { total: number } };
    executions: Array<{ assertions?: Array<{ assertion: string }> }>;
  };
}

const names = (r: Report) => r.run.executions.flatMap((e) => (e.assertions ?? []).map((a) => a.assertion));

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-data-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function compare(file: string, text: string) {
  const path = join(dir, file);
  await writeFile(path, text);
  const both = await runBoth<Report>({ collection: collection(inject("targetUrl")), args: ["-d", path] });
  expect(both.oursCode).toBe(both.newmanCode);
  expect(both.ours.run.stats.iterations).toEqual(both.newman.run.stats.iterations);
  expect(names(both.ours)).toEqual(names(both.newman));
  return names(both.ours);
}

describe("iteration data files read like Newman's", () => {
  it("CSV: blank lines, quotes inside values, spaces, short and long rows, numbers", async () => {
    const csv = [
      "name, n ,c",
      'ann, 7 ,"x, y"',
      "",
      'bob "the" builder,007,1.50',
      "  carl  ,-3",
      '"dee""s",+4,5,extra',
      "",
      "",
    ].join("\r\n");
    const seen = await compare("d.csv", csv);
    expect(seen).toHaveLength(6); // four rows and the two blank lines, as Newman counts them
  }, 60_000);

  it("JSON: a BOM, blank lines around it, nested values", async () => {
    const json = `\uFEFF\n\n[{"name":"ann","n":1,"c":{"deep":[1,2]}},{"name":"bob","n":"2"}]\n\n`;
    expect(await compare("d.json", json)).toHaveLength(2);
  }, 60_000);
});
