/**
 * Postman's variable model and data files: scope precedence, disabled entries, recursive resolution,
 * dynamic variables by shape, and CSV/JSON iteration data with clear errors.
 */
import { describe, expect, it } from "vitest";
import { DataFileError, parseIterationData } from "../../shared/engine/data-file";
import { createDynamicResolver } from "../../shared/engine/dynamic-variables";
import type { Scopes } from "../../shared/engine/types";
import { fromPostmanVariables, makeResolver, resolveTemplate } from "../../shared/engine/variables";

function scopes(over: Partial<Scopes> = {}): Scopes {
  return { globals: [], collection: [], environment: [], data: {}, local: [], ...over };
}

describe("variable scopes", () => {
  it("resolves with Postman's precedence: local > data > environment > collection > globals", () => {
    const all = scopes({
      globals: [
        { key: "v", value: "global" },
        { key: "g", value: "G" },
      ],
      collection: [
        { key: "v", value: "collection" },
        { key: "c", value: "C" },
      ],
      environment: [
        { key: "v", value: "environment" },
        { key: "e", value: "E" },
      ],
      data: { v: "data", d: "D" },
      local: [{ key: "v", value: "local" }],
    });
    expect(resolveTemplate("{{v}} {{g}}{{c}}{{e}}{{d}}", all)).toBe("local GCED");
    expect(resolveTemplate("{{v}}", { ...all, local: [] })).toBe("data");
    expect(resolveTemplate("{{v}}", { ...all, local: [], data: {} })).toBe("environment");
    expect(resolveTemplate("{{v}}", { ...all, local: [], data: {}, environment: [] })).toBe("collection");
    expect(resolveTemplate("{{v}}", scopes({ globals: all.globals }))).toBe("global");
  });

  it("skips disabled entries, v2.0 ids and v2.1 keys alike", () => {
    const env = fromPostmanVariables([
      { key: "a", value: "on" },
      { key: "b", value: "off", disabled: true },
      { id: "c", value: "from id" },
      { key: "d", value: "off too", enabled: false },
    ] as never);
    const s = scopes({ environment: env, globals: [{ key: "b", value: "global b" }] });
    expect(resolveTemplate("{{a}}|{{b}}|{{c}}|{{d}}", s)).toBe("on|global b|from id|{{d}}");
  });

  it("resolves recursively, stringifies non-strings and leaves unknown names", () => {
    const s = scopes({
      environment: [
        { key: "host", value: "{{sub}}.example.test" },
        { key: "sub", value: "api" },
        { key: "url", value: "https://{{host}}/v{{version}}" },
        { key: "version", value: 2 },
        { key: "obj", value: { a: 1 } },
        { key: "loop", value: "{{loop}}" },
      ],
    });
    expect(resolveTemplate("{{url}}", s)).toBe("https://api.example.test/v2");
    expect(resolveTemplate("{{obj}}", s)).toBe("[object Object]"); // as Postman substitutes objects
    expect(resolveTemplate("{{missing}} and {{ spaced }}", s)).toBe("{{missing}} and {{ spaced }}");
    expect(resolveTemplate("{{loop}}", s)).toBe("{{loop}}");
  });

  it("fills dynamic variables with values of the documented shapes", () => {
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const resolve = makeResolver(
      scopes(),
      createDynamicResolver(Math.random, () => now),
    );
    expect(resolve("{{$guid}}")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resolve("{{$randomUUID}}")).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolve("{{$timestamp}}")).toBe(String(now / 1000));
    expect(resolve("{{$isoTimestamp}}")).toBe("2026-11-26T12:00:00.000Z");
    const n = Number(resolve("{{$randomInt}}"));
    expect(Number.isInteger(n) && n >= 0 && n <= 1000).toBe(true);
    expect(resolve("{{$randomEmail}}")).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/i);
    expect(resolve("{{$randomBoolean}}")).toMatch(/^(true|false)$/);
    expect(resolve("{{$randomIP}}")).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    expect(resolve("{{$randomFirstName}} {{$randomLastName}}")).toMatch(/^\S+ \S+$/);
    expect(resolve("{{$notADynamicVariable}}")).toBe("{{$notADynamicVariable}}");
    expect(resolve("{{$guid}}")).not.toBe(resolve("{{$guid}}"));
  });
});

describe("iteration data", () => {
  it("parses CSV with quotes, commas, newlines and a header row", () => {
    const rows = parseIterationData('name,note,n\n"Ann, Jr.","said ""hi""",1\nBob,"two\nlines",2\n');
    expect(rows).toEqual([
      { name: "Ann, Jr.", note: 'said "hi"', n: 1 },
      { name: "Bob", note: "two\nlines", n: 2 },
    ]);
  });

  it("casts unquoted numbers like Newman and keeps quoted values and other text as strings", () => {
    const rows = parseIterationData('a,b,c,d,e,f,g\n7, 1.5 ,"42",007,true,-3,1e3\n');
    expect(rows).toEqual([{ a: 7, b: 1.5, c: "42", d: 7, e: "true", f: -3, g: 1000 }]);
  });

  it("parses JSON arrays of objects, from text or already parsed", () => {
    expect(parseIterationData('[{"a":1},{"a":"x"}]')).toEqual([{ a: 1 }, { a: "x" }]);
    expect(parseIterationData([{ b: true }])).toEqual([{ b: true }]);
  });

  it("explains what is wrong with a bad data file", () => {
    expect(() => parseIterationData('{"not":"an array"}')).toThrow(DataFileError);
    expect(() => parseIterationData("[1, 2]")).toThrow(/object/i);
    expect(() => parseIterationData('a,b\n"unterminated,1\n')).toThrow(DataFileError);
  });
});
