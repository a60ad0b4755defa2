/**
 * `--verbose` against real Newman 6.2.2: under each request line the exchange line (status, time,
 * sizes up and down, header counts, cookies), the request body and the response body in boxes (clipped
 * at 2 KiB, with contentInfo's type, MIME type, format and charset), a phases table, and "average first
 * byte time" in the summary. Sizes up differ by the User-Agent each tool sends, and the phases edgerun
 * can measure are fewer (Workers' fetch has no socket events): both are masked, the rest must match.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { textOutput } from "./cli-pair";

function collection(base: string) {
  const item = (name: string, method: string, path: string, body?: object) => ({
    name,
    request: { method, url: `${base}${path}`, ...(body ? { body } : {}) },
  });
  return {
    info: { name: "verbose", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [
      item("json", "GET", "/json"),
      item("raw", "POST", "/status/201", {
        mode: "raw",
        raw: '{"a":1}',
        options: { raw: { language: "json" } },
      }),
      item("empty", "GET", "/status/204"),
      item("big", "GET", "/bytes/3000"),
      item("xml", "GET", "/xml"),
    ],
  };
}

/** Per request: its lines from the request line up to the phases table (times and sizes up masked). */
function blocks(out: string): string[][] {
  return out
    .split(/\n(?=→ )/)
    .slice(1)
    .map((block) => {
      const lines = block.split("\n");
      const table = lines.findIndex((l) => /^ {2}(prepare|transfer-start|rate-limit|pre-request)/.test(l));
      return lines.slice(0, table < 0 ? lines.length : table).map((l) =>
        l
          .replace(/\d+(\.\d+)?(ms|µs|s) time/, "T time")
          .replace(/[\d.]+k?B↑/, "SIZE↑")
          .trimEnd(),
      );
    });
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-verbose-"));
  await writeFile(join(dir, "c.json"), JSON.stringify(collection(inject("targetUrl"))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("--verbose prints each exchange as Newman does", () => {
  it("exchange line, body boxes, clip note, phases table and the first-byte summary row", async () => {
    const args = ["run", join(dir, "c.json"), "--verbose", "--color", "off"];
    const newman = await textOutput("newman", args);
    const ours = await textOutput("edgerun", args);
    expect(blocks(ours)).toEqual(blocks(newman));
    expect(blocks(ours)).toHaveLength(5);
    expect(ours).toContain("(showing 2.05kB/3kB)");
    expect(ours).toMatch(/\n {2}transfer-start +download +total *\n/);
    for (const out of [newman, ours]) expect(out).toMatch(/│ average first byte time: /);
  }, 60_000);
});
