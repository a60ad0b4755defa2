/**
 * The modules of a run's dynamic V8 worker (platform/script-host-v8.ts loads them through the Worker
 * Loader): the host and entry modules (host.js, main.js), the prelude, the libraries the run's scripts
 * need and one module per script.
 *
 * Dynamic workers refuse code generation from strings, so every piece of code arrives as a module.
 * Libraries and scripts are CommonJS (`cjs`) modules, which workerd wraps in a function: they stay
 * sloppy, as in Newman. Each module only defines a function; nothing of a library runs until a script
 * requires it. Libraries are imported when the isolate starts (table.js); a script's module is evaluated
 * only when the script first runs (main.js, through scripts.js), so a run's start grows less with the
 * scripts it might run (workerd still compiles every module when the isolate starts).
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
 * instead of filling `module.exports`): the script's function shadows them with parameters left undefined.
 */
const CJS_BINDINGS = "module, exports, __filename, __dirname";

/**
 * A script's module: the prelude's body inside an async function (as QuickJS compiles it), with the
 * prelude's parameters as a `with` scope. The body starts on line 2, as under QuickJS's wrapper
 * (SCRIPT_HEADER_LINES), and the module is named `…/script.js`, so stack positions read the same.
 */
function scriptModule(source: string): string {
  return `module.exports = function (__scope) { with (__scope) { return (async function (${CJS_BINDINGS}) {\n${scriptBody(source)}\n})(); } };\n`;
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
}

/** Module name of a script: the id names its folder, so the file is `script.js` as under QuickJS. */
export function scriptModuleName(id: string): string {
  return `s/${id}/script.js`;
}

/** Every module of the worker, main module `main.js`. */
export function workerModules(input: WorkerModulesInput): Record<string, WorkerModule> {
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
  // Scripts are not imported here: main.js loads a script's module when the script first runs, by a
  // synchronous `require` (workerd's CommonJS). Per script's first run that costs ≈ 0.03 ms more than
  // evaluating its module at the start (an `import()`, through workerd's event loop, ≈ 0.06 ms), where
  // the start saves ≈ 0.025 ms per module: about even for a run that runs every script once, ahead when
  // it runs fewer or when time to the first script counts (bench/README.md, H27).
  modules["scripts.js"] = { cjs: 'module.exports = (id) => require("./s/" + id + "/script.js");\n' };
  for (const [id, source] of input.scripts)
    if (!input.broken.has(id)) modules[scriptModuleName(id)] = { cjs: scriptModule(source) };
  modules["table.js"] = {
    js: [...imports, `export const libraries = {\n${libs.join("\n")}\n};`, ""].join("\n"),
  };
  return modules;
}

/**
 * The script whose module stopped the worker from starting with a SyntaxError (workerd: "Uncaught
 * SyntaxError: … at s/<id>/script.js:…"), with V8's message; undefined for any other failure.
 */
export function syntaxErrorOf(message: string): { id: string; message: string } | undefined {
  const m = /SyntaxError: ([^\n]*)\n\s*at s\/([^/]+)\/script\.js:/.exec(message);
  return m ? { id: m[2]!, message: m[1]! } : undefined;
}

/** Hex SHA-256 of a text: the worker's code hash (its name in the loader). */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
