// Runs inside the dynamic V8 worker before the prelude (see worker-code.ts): installs the `__host` the
// prelude expects (contract.ts). Libraries and the run's scripts arrive precompiled as modules (dynamic
// workers refuse eval and new Function); calls that leave the isolate go to the engine's bridge, an
// RpcTarget the Durable Object passes with each script. A script's module is loaded by main.js before
// the script runs (`state.current`), not when the isolate starts: a run's start does not grow with the
// number of scripts it might run.
import { libraries } from "./table.js";

/**
 * Per-script state the entrypoint sets: the engine's bridge, the pm.sendRequest allowance left and the
 * script's precompiled module (`factory`, the body's length) or the SyntaxError message it failed with.
 */
export const state = {
  bridge: null,
  script: 0,
  slice: 0,
  perScript: 0,
  perSlice: 0,
  /** @type {{ factory?: (scope: object) => Promise<unknown>, chars?: number, broken?: string } | null} */
  current: null,
};

const timer = globalThis.setTimeout.bind(globalThis);

/**
 * The run's script modules loaded so far, by name: each the array of its scripts' functions, with the
 * line each starts on (`lines`) and their ids (worker-code.ts scriptsModule). Several scripts share a
 * module, so the stack formatter below maps a frame in one back to its script's own file and line.
 */
export const modulesOfScripts = new Map();

const errorString = Error.prototype.toString;

/** V8's text of a stack frame, a frame in a shared script module as in the script's own `s/<id>/script.js`. */
function frameText(site) {
  const text = String(site);
  const file = site.getFileName();
  const module = typeof file === "string" && file.startsWith("c/") ? modulesOfScripts.get(file) : undefined;
  const line = site.getLineNumber();
  if (!module || typeof line !== "number") return text;
  const { lines, ids } = module;
  let i = 0;
  while (i + 1 < lines.length && lines[i + 1] <= line) i++;
  const at = `${file}:${line}:`;
  const k = text.lastIndexOf(at);
  if (k < 0) return text;
  return `${text.slice(0, k)}s/${ids[i]}/script.js:${line - lines[i] + 1}:${text.slice(k + at.length)}`;
}

// V8's own stack format (the error's string, then `\n    at <frame>` per frame), with the frames of
// shared script modules renamed: a script's positions read as under QuickJS (`script.js`, its body from
// line 2), which the prelude relies on (v8-messages.ts positionOf). Not enumerable, as Node's is absent.
Object.defineProperty(Error, "prepareStackTrace", {
  value: function prepareStackTrace(error, sites) {
    let text;
    try {
      text = Reflect.apply(errorString, error, []);
    } catch {
      text = "<error>";
    }
    for (const site of sites) text += `\n    at ${frameText(site)}`;
    return text;
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

// Scripts see the globals QuickJS has (ECMAScript's own) plus what the prelude defines, as in Newman's
// sandbox: no `process`, `fetch`, `TextEncoder`, … The prototypes workerd defines most of them on leave
// the chain (the global's prototype becomes Object.prototype, as a QuickJS or Node `vm` context's is:
// deleting their ≈ 80 names one by one cost ≈ 0.5 ms of a run's start); the rest are deleted from the
// global scope (and from the prototypes if the chain cannot change); what cannot be deleted is shadowed
// by an own `undefined`. The prelude then installs its own atob, btoa and crypto.
const ECMASCRIPT = new Set(
  "globalThis Infinity NaN undefined eval isFinite isNaN parseFloat parseInt decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape Object Function Array Number Boolean String Symbol BigInt Date RegExp Error AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError Math JSON Reflect Proxy Promise Map Set WeakMap WeakSet WeakRef FinalizationRegistry ArrayBuffer SharedArrayBuffer DataView Atomics Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array BigUint64Array Iterator constructor __host".split(
    " ",
  ),
);
const hidden = new Set();
try {
  Object.setPrototypeOf(globalThis, Object.prototype);
} catch {
  // an immutable prototype: the walk below empties the chain
}
for (let o = globalThis; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
  for (const name of Object.getOwnPropertyNames(o)) {
    if (ECMASCRIPT.has(name)) continue;
    hidden.add(name);
    try {
      delete o[name];
    } catch {
      // not configurable: shadowed below
    }
  }
for (const name of hidden) {
  if (!(name in globalThis)) continue;
  try {
    Object.defineProperty(globalThis, name, { value: undefined, writable: true, configurable: true });
  } catch {
    // not configurable: left as the platform defines it
  }
}

function limitError(message) {
  const error = new Error(message);
  error.name = "ScriptLimitError";
  return error;
}

globalThis.__host = {
  library: (id) => libraries[id],
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => timer(resolve, Math.min(Math.max(0, Number(ms) || 0), 60_000))),
  // The script's module wraps its body in `with (scope)`: the prelude's parameter names become bindings.
  // The prelude compiles the script of the call in progress only (and memoises it per text); the length
  // check catches a prelude whose body template differs from worker-code.ts's scriptBody.
  compile(params, body) {
    const current = state.current;
    if (current?.broken !== undefined) throw new SyntaxError(current.broken);
    const factory = current?.chars === body.length ? current.factory : undefined;
    if (!factory) throw new Error("script was not precompiled");
    const names = params ? params.split(",") : [];
    return (...values) => {
      const scope = Object.create(null);
      names.forEach((name, i) => {
        scope[name] = values[i];
      });
      return factory(scope);
    };
  },
  cookieJar: (op, argsJson) => state.bridge.cookieJar(op, argsJson),
  // Caps throw synchronously at the call site, as in QuickJS; the engine counts again on its side.
  sendRequest(requestJson) {
    if (state.script >= state.perScript)
      throw limitError(
        `pm.sendRequest: a script may send at most ${state.perScript} requests (limit reached)`,
      );
    if (state.slice >= state.perSlice)
      throw limitError(
        `pm.sendRequest: the run's scripts may send at most ${state.perSlice} requests per slice (limit reached)`,
      );
    state.script++;
    state.slice++;
    return state.bridge.sendRequest(requestJson);
  },
};
