/**
 * The fast paths of a large run's start (bench/README.md round 12): a URL's parts without a variable
 * kept as they are (shared/engine/url.ts parseRawUrl) and a script's lines counted by a search when it
 * has only `\n` breaks (shared/sandbox/v8/worker-code.ts). Both must give what the general path gives.
 */
import { describe, expect, it } from "vitest";
import { parseRawUrl } from "../../shared/engine/url";
import { workerCode } from "../../shared/sandbox/v8/worker-code";

describe("parseRawUrl with variables", () => {
  it("puts every variable back and keeps the parts without one", () => {
    expect(parseRawUrl("{{base}}/get?i={{i}}&x=1&flag&{{k}}={{v}}")).toEqual({
      raw: "{{base}}/get?i={{i}}&x=1&flag&{{k}}={{v}}",
      host: ["{{base}}"],
      path: ["get"],
      query: [
        { key: "i", value: "{{i}}" },
        { key: "x", value: "1" },
        { key: "flag", value: null },
        { key: "{{k}}", value: "{{v}}" },
      ],
      variable: [],
    });
    expect(parseRawUrl("{{proto}}://{{user}}:{{pw}}@{{host}}:{{port}}/a/:id/{{seg}}?q#{{h}}")).toEqual({
      raw: "{{proto}}://{{user}}:{{pw}}@{{host}}:{{port}}/a/:id/{{seg}}?q#{{h}}",
      protocol: "{{proto}}",
      auth: "{{user}}:{{pw}}",
      host: ["{{host}}"],
      port: "{{port}}",
      path: ["a", ":id", "{{seg}}"],
      query: [{ key: "q", value: null }],
      variable: [{ key: "id", value: "" }],
      hash: "{{h}}",
    });
  });

  it("keeps URL syntax inside a variable's name whole", () => {
    const d = parseRawUrl("{{###}}/x.{{a.b}}?y={{&}}&z=2");
    expect(d.host).toEqual(["{{###}}"]);
    expect(d.path).toEqual(["x.{{a.b}}"]);
    expect(d.query).toEqual([
      { key: "y", value: "{{&}}" },
      { key: "z", value: "2" },
    ]);
  });
});

describe("a V8 worker's script lines", () => {
  it("counts \\n, \\r\\n, \\r, U+2028 and U+2029 as V8 does, each script's start after the last's", () => {
    const sources = ["a\nb", "c\r\nd\re", "f\u2028g\u2029h", "i", "j\n\nk\n"];
    const { groups } = workerCode({
      prelude: "",
      libraries: new Map(),
      scripts: new Map(sources.map((s, i) => [String(i), s])),
      broken: new Map(),
    });
    // A script takes its own line breaks plus 4 lines (header, body's first line, footer, its end).
    expect(groups[0]!.lines).toEqual([1, 1 + 1 + 4, 6 + 2 + 4, 12 + 2 + 4, 18 + 0 + 4]);
  });
});
