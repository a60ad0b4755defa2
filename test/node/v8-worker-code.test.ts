/**
 * The V8 script host's library modules (shared/sandbox/v8/worker-code.ts): ECMAScript's globals bound as
 * module variables (workerd resolves a `cjs` module's globals through a `with`-like scope otherwise).
 * workerd's wrapper is modelled here by a `with` around the module text, as its context object works.
 */

import { compileFunction } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  CHUNK_SCRIPTS,
  scriptAtLine,
  syntaxErrorOf,
  workerCode,
  workerModules,
} from "../../shared/sandbox/v8/worker-code";

/** The `cjs` text of one library module. */
function libraryText(source: string): string {
  const modules = workerModules({
    prelude: "",
    libraries: new Map([["lib", source]]),
    scripts: new Map(),
    broken: new Map(),
  });
  const module = modules["lib/lib.js"];
  if (!module || typeof module === "string" || !("cjs" in module)) throw new Error("no cjs module");
  return module.cjs;
}

/** Evaluates a library module as workerd does (its context object as a `with` scope), then its factory. */
function load(source: string): unknown {
  const context = { module: { exports: undefined as unknown }, exports: {} };
  new Function("__context", `with (__context) {\n${libraryText(source)}\n}`)(context);
  const factory = context.module.exports as (m: { exports: unknown }, e: unknown, r: unknown) => void;
  const module = { exports: {} as unknown };
  factory(module, module.exports, () => undefined);
  return module.exports;
}

describe("V8 library modules", () => {
  it("bind ECMAScript's globals on the module's first line, so the library's lines keep their numbers", () => {
    const text = libraryText("module.exports = 1;");
    const [first, second] = text.split("\n");
    expect(first).toMatch(
      /var globalThis = __G\.globalThis, undefined = __G\.undefined, .*Object = __G\.Object/,
    );
    expect(first).toMatch(/module\.exports = function \(module, exports, require\) \{$/);
    expect(second).toBe("module.exports = 1;");
  });

  it("give the library the real built-ins and global object", () => {
    const exports = load(
      "module.exports = [typeof Object.keys, undefined === void 0, globalThis === (0, eval)('this'), new Map([[1, 2]]).get(1), JSON.stringify([NaN])];",
    );
    expect(exports).toEqual(["function", true, true, 2, "[null]"]);
  });

  it("leave a global the library assigns to the global scope", () => {
    const text = libraryText("if (typeof Symbol === 'undefined') Symbol = function () {}; var Map = 1;");
    const first = text.split("\n")[0] ?? "";
    expect(first).not.toMatch(/\bSymbol = __G\./);
    expect(first).not.toMatch(/\bMap = __G\./);
    expect(first).toMatch(/\bSet = __G\.Set/);
  });

  it("keep the library's own declarations of the same names", () => {
    expect(load("const Promise = 'mine'; module.exports = [Promise, typeof Array.isArray];")).toEqual([
      "mine",
      "function",
    ]);
  });
});

describe("V8 library modules in a run whose scripts may replace a global", () => {
  const firstLine = (scripts: string[]) => {
    const modules = workerModules({
      prelude: "",
      libraries: new Map([["lib", "module.exports = 1;"]]),
      scripts: new Map(scripts.map((source, i) => [String(i), source])),
      broken: new Map(),
    });
    const module = modules["lib/lib.js"];
    return module && typeof module !== "string" && "cjs" in module ? (module.cjs.split("\n")[0] ?? "") : "";
  };

  it("leave what a script assigns, sets on the global object or names in quotes to the global scope", () => {
    const line = firstLine([
      "Date = function FakeDate() {};",
      'globalThis["Promise"] = MyPromise;',
      "window.JSON = myJson;",
      'pm.test("x", () => pm.expect(pm.response.headers.get("Math")).to.be.ok);',
    ]);
    for (const name of ["Date", "Promise", "JSON", "Math"])
      expect(line).not.toMatch(new RegExp(`\\b${name} = __G\\.`));
    expect(line).toMatch(/\bObject = __G\.Object\b/);
  });

  it("bind them all when the scripts only read them", () => {
    const line = firstLine([
      "const d = new Date(); pm.test(JSON.stringify(d) === '' ? 'a' : 'b', () => {});",
    ]);
    expect(line).toMatch(/\bDate = __G\.Date\b/);
    expect(line).toMatch(/\bJSON = __G\.JSON\b/);
  });
});

describe("V8 library modules: what counts as an assignment", () => {
  const bound = (library: string, scripts: string[] = []) =>
    (
      (
        workerModules({
          prelude: "",
          libraries: new Map([["lib", library]]),
          scripts: new Map(scripts.map((source, i) => [String(i), source])),
          broken: new Map(),
        })["lib/lib.js"] as { cjs: string }
      ).cjs.split("\n")[0] ?? ""
    ).match(/\b\w+(?= = __G\.)/g);

  it("comparisons, arrows and a library's own properties are not assignments", () => {
    const names = bound(
      "if (x == Map || y === Set || z != Date || a !== JSON || b <= Infinity || c >= NaN) exports.Math = 1; var f = (Symbol) => Symbol;",
    );
    for (const name of ["Map", "Set", "Date", "JSON", "Infinity", "NaN", "Math", "Symbol"])
      expect(names).toContain(name);
  });

  it("compound assignments and spaced ones are", () => {
    const names = bound("NaN += 1;\nInfinity\n  = 2;");
    expect(names).not.toContain("NaN");
    expect(names).not.toContain("Infinity");
    expect(names).toContain("Object");
  });
});

describe("V8 script modules", () => {
  const input = {
    prelude: "",
    libraries: new Map([["lib", "module.exports = 1;"]]),
    scripts: new Map(Array.from({ length: CHUNK_SCRIPTS + 3 }, (_, i) => [String(i), `console.log(${i});`])),
    broken: new Map([["1", "Unexpected end of input"]]),
  };
  input.scripts.set("1", "pm.test((");
  const { modules, groups } = workerCode(input);

  it("are not imported when the isolate starts (table.js imports the libraries only)", () => {
    const table = modules["table.js"];
    const text = table && typeof table !== "string" && "js" in table ? table.js : "";
    expect(text).toContain('from "./lib/lib.js"');
    expect(text).not.toContain("c/");
    // main.js loads a module of scripts on the first run of one of them through scripts.js's require.
    expect(JSON.stringify(modules["scripts.js"])).toContain('require(\\"./\\" + name)');
  });

  it("hold the scripts that compile, CHUNK_SCRIPTS to a module, in order", () => {
    expect(groups.map((g) => g.module)).toEqual(["c/0/script.js", "c/1/script.js"]);
    expect(groups[0]!.ids).toEqual([
      "0",
      ...Array.from({ length: CHUNK_SCRIPTS - 1 }, (_, i) => String(i + 2)),
    ]);
    expect(groups[1]!.ids).toEqual([String(CHUNK_SCRIPTS + 1), String(CHUNK_SCRIPTS + 2)]);
    expect(Object.keys(modules).filter((name) => /^[cs]\//.test(name))).toEqual(groups.map((g) => g.module));
  });

  it("give singles a module of their own", () => {
    const single = workerCode({ ...input, singles: new Set(["2"]) }).groups;
    expect(single.map((g) => g.module)).toEqual(["s/2/script.js", "c/0/script.js", "c/1/script.js"]);
    expect(single[0]!.ids).toEqual(["2"]);
  });

  it("keep each script's own line numbers: a frame maps back to its script, its source from line 3", () => {
    const sources = ["a;\nb;", "x\r\ny\u2028z;\n", "const u = 1;\n\n  null.nope;"];
    const code = workerCode({
      ...input,
      scripts: new Map(sources.map((s, i) => [String(i), s])),
      broken: new Map(),
    });
    const module = code.modules["c/0/script.js"];
    const text = module && typeof module !== "string" && "cjs" in module ? module.cjs : "";
    // As workerd compiles a `cjs` module: a function of the module text, no header lines.
    const factory = compileFunction(text, ["module", "exports", "require"], { filename: "c/0/script.js" });
    const holder = { exports: {} as unknown };
    factory(holder, holder.exports, () => undefined);
    const fns = holder.exports as Array<(scope: object) => Promise<unknown>> & {
      lines: number[];
      ids: string[];
    };
    expect(fns.lines).toEqual(code.groups[0]!.lines);
    expect(fns.ids).toEqual(["0", "1", "2"]);
    return fns[2]!({}).then(
      () => expect.unreachable(),
      (e: Error) => {
        const line = Number(/c\/0\/script\.js:(\d+):(\d+)/.exec(e.stack ?? "")?.[1]);
        const group = code.groups[0]!;
        expect(scriptAtLine(group, line)).toBe("2");
        // The prelude reads a script's line as the frame's minus SCRIPT_HEADER_LINES (2).
        expect(line - group.lines[2]! + 1 - 2).toBe(3);
      },
    );
  });

  it("name the module a start failed in, with its line", () => {
    expect(
      syntaxErrorOf("Uncaught SyntaxError: Unexpected end of input\n  at c/3/script.js:120:5 in x"),
    ).toEqual({ module: "c/3/script.js", line: 120, message: "Unexpected end of input" });
    expect(syntaxErrorOf("Uncaught SyntaxError: x\n  at s/7/script.js:2")?.module).toBe("s/7/script.js");
    expect(syntaxErrorOf("Uncaught Error: x")).toBeUndefined();
  });
});
