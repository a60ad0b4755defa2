/**
 * The modules of a run's dynamic V8 worker (platform/script-host-v8.ts loads them through the Worker
 * Loader): the host and entry modules (host.js, main.js), the prelude, the libraries the run's scripts
 * need and the run's scripts, CHUNK_SCRIPTS to a module.
 *
 * Dynamic workers refuse code generation from strings, so every piece of code arrives as a module.
 * Libraries and scripts are CommonJS (`cjs`) modules, which workerd wraps in a function: they stay
 * sloppy, as in Newman. Each module only defines functions; nothing of a library runs until a script
 * requires it. Libraries are imported when the isolate starts (table.js); a module of scripts is
 * evaluated only when one of its scripts first runs (main.js, through scripts.js), so a run's start
 * grows less with the scripts it might run (workerd still compiles every module when the isolate starts).
 */
import { V8_HOST_SOURCE, V8_MAIN_SOURCE } from "../generated/v8-entry";

export type WorkerModule = string | { js: string } | { cjs: string };

/**
 * The body the prelude compiles for a script (`host.compile(params, body)`, prelude/index.js `compiled`):
 * a script's module holds this body, so this must stay the prelude's template (host.js checks its length).
 */
export function scriptBody(source: string): string {
  return `return (() => {;\n${source}\n})();`;
}

/**
 * The bindings workerd's CommonJS wrapper gives a module. A script must not see them (Newman's and
 * QuickJS's scripts have none: `typeof module` is "undefined", so a pasted UMD bundle defines its global
 * instead of filling `module.exports`): the module's scripts are defined inside a function whose
 * parameters of these names are left undefined (called once, when the module is evaluated).
 */
const CJS_BINDINGS = "module, exports, require, __filename, __dirname";

/** Scripts per module (see scriptGroups): one `require` and one module compile for this many scripts. */
export const CHUNK_SCRIPTS = 64;

/**
 * A script as an element of its module's array: an async function of the prelude's parameters (a
 * `with` scope, as QuickJS compiles the body) around the prelude's body. The header is one line, so the
 * body starts on the function's second line and the source on its third, as under QuickJS's wrapper
 * (SCRIPT_HEADER_LINES). Two functions, each compiled by V8 on the script's first run (there were
 * three, and each script's module's own before them).
 */
function scriptFunction(source: string): string {
  return `async function (__scope) { with (__scope) {\n${scriptBody(source)} } },\n`;
}

/** A line terminator other than `\n` (the usual script has none: lineBreaks then counts by indexOf). */
const RARE_BREAK = /[\r\u2028\u2029]/;

/** JavaScript's line terminators, as V8 counts lines for stack positions. */
function lineBreaks(text: string): number {
  let n = 0;
  if (!RARE_BREAK.test(text)) {
    // A run's start counts every script's lines (≈ 1.2 MB for 5,000 scripts): a native search per
    // line instead of a character loop, which a fresh isolate runs unoptimised.
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
    return n;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/**
 * A module of scripts (`ids` in order, `sources` alike): `module.exports` is the array of their
 * functions, plus `lines` (the module line each one's header is on) and `ids`, which host.js's stack
 * formatter maps a frame's line back to its script's own file and line with.
 */
function scriptsModule(ids: readonly string[], sources: readonly string[], starts: number[]): string {
  const functions = sources.map(scriptFunction).join("");
  const lines = JSON.stringify(starts);
  return `module.exports = (function (${CJS_BINDINGS}) { return [${functions}]; })();\nmodule.exports.lines = ${lines};\nmodule.exports.ids = ${JSON.stringify(ids)};\n`;
}

/** The module line each script's function starts on (scriptsModule: the first on line 1). */
function lineStarts(sources: readonly string[]): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const source of sources) {
    lines.push(line);
    // The header, the body's first line and the footer are a line each, the source ends with a break.
    line += lineBreaks(source) + 4;
  }
  return lines;
}

/**
 * ECMAScript's global bindings, which a library module binds as its own variables (libraryModule).
 * workerd compiles a `cjs` module as a function whose scope is extended by the module's context object
 * (a `with`-like scope), so V8 resolves every global a library names (`Object`, `undefined`, …) by a
 * dynamic lookup in the runtime on each use, not by an inline cache: ≈ 15 % of a typical script's
 * in-isolate time with chai (bench/cases/v8-call.ts). Module-level variables are resolved statically.
 */
const LIBRARY_GLOBALS =
  "globalThis undefined Infinity NaN isFinite isNaN parseFloat parseInt decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape Object Function Array Number Boolean String Symbol BigInt Date RegExp Error AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError Math JSON Reflect Proxy Promise Map Set WeakMap WeakSet WeakRef FinalizationRegistry ArrayBuffer SharedArrayBuffer DataView Atomics Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array BigUint64Array".split(
    " ",
  );
const GLOBAL_NAMES: ReadonlySet<string> = new Set(LIBRARY_GLOBALS);
const isNamePart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/**
 * The LIBRARY_GLOBALS a source assigns: `Symbol = …`, `var Map =`, `Date += …` (not `==`, `=>`, `<=`,
 * `>=`, `!=`). `properties`: also as a property (`globalThis.Date = …`) and named in quotes
 * (`globalThis["Date"]`, `defineProperty(…, "Date", …)`), what a script may use to replace one. A scan
 * from each `=` and quote, not a RegExp: one over every script of a run cost ≈ 0.3–0.8 ms per run start.
 */
function globalsIn(source: string, properties: boolean, found: Set<string>): void {
  for (let i = source.indexOf("="); i !== -1; i = source.indexOf("=", i + 1)) {
    const next = source.charCodeAt(i + 1);
    if (next === 61 || next === 62) {
      i++; // `==`, `===`, `=>`
      continue;
    }
    let end = i;
    const op = source.charCodeAt(end - 1);
    if (op === 61 || op === 33 || op === 60 || op === 62) continue; // `==`'s second, `!=`, `<=`, `>=`
    if ("+-*/%&|^?".includes(source[end - 1] ?? "")) end--;
    while (end > 0 && /\s/.test(source[end - 1] ?? "")) end--;
    let start = end;
    while (start > 0 && isNamePart(source.charCodeAt(start - 1))) start--;
    if (start === end || (!properties && source.charCodeAt(start - 1) === 46)) continue; // `exports.Map =`
    const name = source.slice(start, end);
    if (GLOBAL_NAMES.has(name)) found.add(name);
  }
  if (!properties) return;
  for (const quote of ["'", '"', "`"])
    for (let i = source.indexOf(quote); i !== -1; i = source.indexOf(quote, i + 1)) {
      let end = i + 1;
      while (isNamePart(source.charCodeAt(end))) end++;
      if (end > i + 1 && source[end] === quote && GLOBAL_NAMES.has(source.slice(i + 1, end)))
        found.add(source.slice(i + 1, end));
    }
}

/** The LIBRARY_GLOBALS each library assigns (ASSIGNED), by library text: once per Worker isolate. */
const assignedByLibrary = new Map<string, ReadonlySet<string>>();

/**
 * A library's CommonJS bundle as a factory `(module, exports, require)`, which the prelude calls. The
 * module first binds the ECMAScript globals that neither the library assigns nor `replaced` lists
 * (LIBRARY_GLOBALS) to variables of the module's own scope: the module is evaluated when the isolate
 * starts (table.js imports it), before any script, so they are the pristine built-ins, as Newman's
 * libraries, loaded before the first script, see them. The library's scan (0.1–1 ms) is kept per text.
 */
function libraryModule(source: string, replaced: ReadonlySet<string>): string {
  let assigned = assignedByLibrary.get(source);
  if (!assigned) {
    const own = new Set<string>();
    globalsIn(source, false, own);
    assigned = own;
    assignedByLibrary.set(source, assigned);
  }
  const names = LIBRARY_GLOBALS.filter((name) => !assigned.has(name) && !replaced.has(name));
  const bindings = names.map((name) => `${name} = __G.${name}`).join(", ");
  // One line, as before: the library's own lines keep their numbers in stacks. `__G` is the global
  // object (a sloppy call's `this`): the name `globalThis` is one of the module's variables.
  return `const __G = (function () { return this; })(); var ${bindings}; module.exports = function (module, exports, require) {\n${source}\n};\n`;
}

export interface WorkerModulesInput {
  prelude: string;
  /** Library id → CommonJS source. */
  libraries: ReadonlyMap<string, string>;
  /** Script id (unique in the run, no `/`) → source. */
  scripts: ReadonlyMap<string, string>;
  /** Script id → the SyntaxError message its module failed to compile with. */
  broken: ReadonlyMap<string, string>;
  /** Scripts that get a module of their own (`s/<id>/script.js`) instead of a place in a shared one. */
  singles?: ReadonlySet<string>;
}

/** A module of the run's scripts: its name, its scripts' ids in order and the line each one starts on. */
export interface ScriptGroup {
  module: string;
  ids: string[];
  lines: number[];
}

/**
 * The run's scripts that compile, CHUNK_SCRIPTS to a module (`c/<n>/script.js`), in the order they were
 * learnt; a single's module is `s/<id>/script.js`. workerd's cost per module (compiled when the isolate
 * starts, ≈ 0.016 ms; `require`d on first use, its path resolved by a scan of the worker's modules)
 * was most of what a distinct script cost beyond a repeated one (bench/README.md, H30).
 */
function scriptGroups(input: WorkerModulesInput): Array<ScriptGroup & { text: string }> {
  const groups: Array<ScriptGroup & { text: string }> = [];
  const add = (module: string, ids: string[]) => {
    const sources = ids.map((id) => input.scripts.get(id) ?? "");
    const lines = lineStarts(sources);
    groups.push({ module, ids, lines, text: scriptsModule(ids, sources, lines) });
  };
  let chunk: string[] = [];
  let chunks = 0;
  for (const id of input.scripts.keys()) {
    if (input.broken.has(id)) continue;
    if (input.singles?.has(id)) add(`s/${id}/script.js`, [id]);
    else if (chunk.push(id) === CHUNK_SCRIPTS) {
      add(`c/${chunks++}/script.js`, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) add(`c/${chunks}/script.js`, chunk);
  return groups;
}

/** The worker's modules (main module `main.js`) and where each script's function is among them. */
export function workerCode(input: WorkerModulesInput): {
  modules: Record<string, WorkerModule>;
  groups: ScriptGroup[];
} {
  const modules: Record<string, WorkerModule> = {
    "main.js": { js: V8_MAIN_SOURCE },
    "host.js": { js: V8_HOST_SOURCE },
    "prelude.js": { js: input.prelude },
  };
  const imports: string[] = [];
  const libs: string[] = [];
  let n = 0;
  const replaced = new Set<string>();
  if (input.libraries.size > 0)
    for (const source of input.scripts.values()) globalsIn(source, true, replaced);
  for (const [id, source] of input.libraries) {
    const name = `lib/${id.replace(/[^a-z0-9_-]/gi, "_")}.js`;
    modules[name] = { cjs: libraryModule(source, replaced) };
    imports.push(`import m${n} from ${JSON.stringify(`./${name}`)};`);
    libs.push(`  ${JSON.stringify(id)}: m${n++},`);
  }
  // Scripts are not imported here: main.js loads a script's module when one of its scripts first
  // runs, by a synchronous `require` (workerd's CommonJS; an `import()` goes through workerd's event
  // loop), so a run's start does not evaluate what it might never run (bench/README.md, H27).
  modules["scripts.js"] = { cjs: 'module.exports = (name) => require("./" + name);\n' };
  const groups = scriptGroups(input);
  for (const { module, text } of groups) modules[module] = { cjs: text };
  modules["table.js"] = {
    js: [...imports, `export const libraries = {\n${libs.join("\n")}\n};`, ""].join("\n"),
  };
  return { modules, groups: groups.map(({ module, ids, lines }) => ({ module, ids, lines })) };
}

/** Every module of the worker, main module `main.js` (workerCode without the scripts' places). */
export function workerModules(input: WorkerModulesInput): Record<string, WorkerModule> {
  return workerCode(input).modules;
}

/**
 * The module whose SyntaxError stopped the worker from starting (workerd: "Uncaught SyntaxError: … at
 * c/<n>/script.js:<line>…"), the line and V8's message; undefined for any other failure.
 */
export function syntaxErrorOf(
  message: string,
): { module: string; line: number; message: string } | undefined {
  const m = /SyntaxError: ([^\n]*)\n\s*at ([sc]\/[^/\s]+\/script\.js):(\d+)/.exec(message);
  return m ? { module: m[2]!, line: Number(m[3]), message: m[1]! } : undefined;
}

/** The script of `group` whose function holds module line `line` (the last one starting at or before it). */
export function scriptAtLine(group: ScriptGroup, line: number): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < group.ids.length && (group.lines[i] ?? Infinity) <= line; i++) found = group.ids[i];
  return found;
}

/** Hex SHA-256 of a text: the worker's code hash (its name in the loader). */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
