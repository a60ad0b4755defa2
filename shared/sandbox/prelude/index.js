// The sandbox prelude: evaluated once per QuickJS context; defines globalThis.__edgerun_execute, which runs
// one user script with fresh `pm`, legacy globals, console, virtual timers and require(). See contract.ts.

import { createDynamicResolver } from "../../engine/dynamic-variables.ts";
import { SUGAR_USE_SOURCE } from "../generated/sugar-names.ts";
import { mayTouchIntrinsics, mayTouchModules, snapshotIntrinsics } from "./containment.js";
import { legacyLoaders } from "./legacy";
import { variableScope } from "./lists";
import { createRequest, PostmanRequest, toRequestDefinition } from "./request";
import { chaiPostman, cookieList, createResponse, jsonError } from "./response.js";
import { useChai } from "./response-object";
import { v8Message, v8Name } from "./v8-messages";

const host = globalThis.__host;
delete globalThis.__host;

// ---- minimal platform shims the bundled libraries expect ------------------------------------------------
if (typeof globalThis.crypto === "undefined") {
  globalThis.crypto = {
    getRandomValues(arr) {
      for (let i = 0; i < arr.length; i++) arr[i] = Math.floor(Math.random() * 256);
      return arr;
    },
    randomUUID() {
      const h = "0123456789abcdef";
      return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) =>
        c === "x" ? h[Math.floor(Math.random() * 16)] : h[8 + Math.floor(Math.random() * 4)],
      );
    },
  };
}
// Postman's sandbox parses JSON with errors named JSONError and worded with a position; scripts and
// reports see the same here.
const nativeParse = JSON.parse;
JSON.parse = function parse(text, reviver) {
  try {
    return nativeParse(text, reviver);
  } catch (e) {
    throw jsonError(text, e);
  }
};

// QuickJS's native String.prototype.repeat appends one copy at a time without reaching the interrupt
// handler, so 'x'.repeat(1e6) costs ~0.3 s of CPU the budget cannot see. Doubling keeps it O(log n).
Object.defineProperty(String.prototype, "repeat", {
  configurable: true,
  writable: true,
  enumerable: false,
  value: function repeat(count) {
    if (this === null || this === undefined)
      throw new TypeError("String.prototype.repeat called on null or undefined");
    const str = String(this);
    let n = Math.trunc(Number(count)) || 0;
    if (n < 0 || n === Number.POSITIVE_INFINITY) throw new RangeError("Invalid count value: " + count);
    if (str.length === 0 || n === 0) return "";
    if (str.length * n >= 1 << 30) throw new RangeError("Invalid string length");
    let out = "";
    let chunk = str;
    while (n > 0) {
      if (n & 1) out += chunk;
      n >>>= 1;
      if (n) chunk += chunk;
    }
    return out;
  },
});

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
globalThis.btoa ??= (input) => {
  const s = String(input);
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const [a, b, c] = [s.charCodeAt(i), s.charCodeAt(i + 1), s.charCodeAt(i + 2)];
    if (a > 255 || b > 255 || c > 255) throw new Error("InvalidCharacterError: btoa() accepts Latin-1 only");
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out +=
      B64[(n >> 18) & 63] +
      B64[(n >> 12) & 63] +
      (Number.isNaN(b) ? "=" : B64[(n >> 6) & 63]) +
      (Number.isNaN(c) ? "=" : B64[n & 63]);
  }
  return out;
};
globalThis.atob ??= (input) => {
  const s = String(input).replace(/[\s=]/g, "");
  let out = "";
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (B64.indexOf(s[i]) << 18) |
      (B64.indexOf(s[i + 1]) << 12) |
      ((B64.indexOf(s[i + 2]) & 63) << 6) |
      (B64.indexOf(s[i + 3]) & 63);
    out += String.fromCharCode((n >> 16) & 255);
    if (s[i + 2] !== undefined) out += String.fromCharCode((n >> 8) & 255);
    if (s[i + 3] !== undefined) out += String.fromCharCode(n & 255);
  }
  return out;
};
if (typeof globalThis.EventTarget === "undefined") {
  globalThis.Event = class Event {
    constructor(type) {
      this.type = type;
    }
  };
  globalThis.EventTarget = class EventTarget {
    addEventListener() {}
    removeEventListener() {}
    dispatchEvent() {
      return true;
    }
  };
}
globalThis.global ??= globalThis;
// No `process` global, as in Newman's sandbox: the bundled libraries get their own shim at build time.

// ---- require(): CommonJS bundles served by the host, cached per context -------------------------------
const ALIASES = {
  "csv-parse/lib/sync": "csv-parse-sync",
  "node:buffer": "buffer",
  "node:url": "url",
  "node:util": "util",
  "node:events": "events",
  "node:path": "path",
  "node:assert": "assert",
  "node:querystring": "querystring",
};
const modules = new Map();
function requireModule(name) {
  const id = ALIASES[name] || name;
  // Scripts get the one chai instance pm.expect uses, with chai-postman already installed and watched.
  return id === "chai" ? chai() : loadModule(name, id);
}
function loadModule(name, id) {
  if (modules.has(id)) return modules.get(id);
  const src = host.library(id);
  if (src === undefined) {
    const err = new Error(`Cannot find module '${name}'`);
    err.name = "Error";
    throw err;
  }
  const module = { exports: {} };
  modules.set(id, module.exports);
  const globalKeys = baseline.globalKeys();
  // QuickJS serves the library's CommonJS source; the V8 host (no code generation from strings) serves
  // the same body precompiled as a function (module, exports, require).
  const factory = typeof src === "function" ? src : new Function("module", "exports", "require", src);
  factory(module, module.exports, requireModule);
  modules.set(id, module.exports);
  // A cached module is shared by later scripts: its exports are restored after each script too.
  baseline.watch(module.exports, globalKeys);
  return module.exports;
}

let chaiInstance;
function chai() {
  if (!chaiInstance) {
    chaiInstance = loadModule("chai", "chai");
    chaiInstance.use((c, utils) =>
      chaiPostman(c, utils, (options) => {
        const Ajv = requireModule("ajv");
        const AjvClass = Ajv.default || Ajv;
        return new AjvClass({ allErrors: true, strict: false, ...(options || {}) });
      }),
    );
    baseline.watch(chaiInstance);
    baseline.watch(chaiInstance.Assertion.prototype);
  }
  return chaiInstance;
}

useChai(chai);
Object.defineProperties(PostmanRequest.prototype, {
  to: {
    get() {
      return chai().expect(this).to;
    },
  },
  not: {
    get() {
      return chai().expect(this).not;
    },
  },
});

// ---- console ----------------------------------------------------------------------------------------------
function format(args) {
  return args
    .map((a) => {
      if (typeof a === "string") return a;
      if (a instanceof Error) return `${a.name}: ${a.message}`;
      if (a === undefined) return "undefined";
      if (typeof a === "function") return `[Function ${a.name || "anonymous"}]`;
      try {
        return JSON.stringify(a);
      } catch (_e) {
        return String(a);
      }
    })
    .join(" ");
}

// ---- variable resolution for pm.variables and replaceIn ---------------------------------------------------
function makeLookup(scopes) {
  const find = (list, k) => {
    for (let i = list.length - 1; i >= 0; i--)
      if (list[i].key === k && list[i].enabled !== false) return list[i];
    return undefined;
  };
  // `missing` is what a name found nowhere answers (replaceIn tells it apart from a value of undefined).
  return (k, missing) => {
    const l = find(scopes.local, k);
    if (l) return l.value;
    if (Object.hasOwn(scopes.data, k)) return scopes.data[k];
    for (const list of [scopes.environment, scopes.collection, scopes.globals]) {
      const v = find(list, k);
      if (v) return v.value;
    }
    return missing;
  };
}
const dynamicVariable = createDynamicResolver(Math.random, () => host.now());
const UNSET = Symbol("unset");
function replaceIn(lookup, text) {
  if (typeof text !== "string" || !text.includes("{{")) return text;
  let cur = text;
  for (let d = 0; d < 19; d++) {
    let changed = false;
    cur = cur.replace(/\{\{([^{}]+?)\}\}/g, (w, name) => {
      const v = lookup(name, UNSET);
      if (v === UNSET) {
        // {{$guid}}, {{$randomInt}}, …: the same generators the engine resolves requests with.
        const dyn = name.startsWith("$") ? dynamicVariable(name) : undefined;
        if (dyn === undefined) return w;
        changed = true;
        return dyn;
      }
      changed = true;
      // like Postman: null renders "null", an unset local "", an object "[object Object]"
      return v === undefined ? "" : String(v);
    });
    if (!changed) break;
  }
  return cur;
}

async function execute(inputJson) {
  const input = JSON.parse(inputJson);
  ensureSugar(input.source);
  const ctx = input.context;
  const limits = input.limits;
  const scopes = ctx.scopes;
  const out = { assertions: [], console: [], skipRequest: false };
  let consoleDropped = 0;
  const lookup = makeLookup(scopes);
  const resolveIn = (t) => replaceIn(lookup, t);
  // pm.request and pm.response are built on first use: most scripts touch only one of them, and
  // building either costs more than running a typical assertion.
  let requestState;
  const requestOf = () => {
    if (!requestState) {
      requestState = createRequest(ctx.request);
    }
    return requestState.request;
  };
  const isTest = ctx.info.eventName === "test";
  // After a request error Postman still runs the tests, with an empty response (code undefined).
  let responseObj;
  const responseOf = () => {
    if (responseObj !== undefined || (!ctx.response && !isTest)) return responseObj;
    const r = createResponse(ctx.response);
    responseObj = r;
    return r;
  };

  const log =
    (level) =>
    (...args) => {
      if (out.console.length >= limits.consoleEntries) {
        consoleDropped++;
        return;
      }
      let message = format(args);
      if (message.length > limits.consoleMessageChars)
        message = `${message.slice(0, limits.consoleMessageChars)}… (truncated)`;
      out.console.push({ level, message });
    };
  const consoleObj = {
    log: log("log"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    debug: log("debug"),
    trace: log("debug"),
  };
  globalThis.console = consoleObj; // libraries log through the global console

  // Timers fire in due order once the script's synchronous part and microtasks are done, after really
  // waiting (host.sleep) as in Newman; the request waits for them.
  let timerSeq = 0;
  let timersScheduled = 0;
  const timers = new Map();
  const schedule = (fn, ms, args, repeat) => {
    if (typeof fn !== "function") return 0;
    if (++timersScheduled > limits.timers) throw new Error(`too many timers (limit ${limits.timers})`);
    const id = ++timerSeq;
    timers.set(id, {
      fn,
      at: host.now() + Math.max(0, Number(ms) || 0),
      args,
      repeat: repeat ? Math.max(1, Number(ms) || 1) : 0,
    });
    return id;
  };
  const timerApi = {
    setTimeout: (fn, ms, ...a) => schedule(fn, ms, a, false),
    setInterval: (fn, ms, ...a) => schedule(fn, ms, a, true),
    setImmediate: (fn, ...a) => schedule(fn, 0, a, false),
    clearTimeout: (id) => timers.delete(id),
    clearInterval: (id) => timers.delete(id),
    clearImmediate: (id) => timers.delete(id),
  };

  // Unsettled async work the script started (host requests, the script body, async timer callbacks).
  const pending = new Set();
  const track = (p) => {
    const t = Promise.resolve(p).finally(() => {
      pending.delete(t);
    });
    pending.add(t);
    return t;
  };

  // pm.test bookkeeping: results keep call order even when async tests finish later.
  const testPromises = [];
  // Like postman-sandbox, a test is recorded when it settles: synchronous tests at once, tests with a
  // `done` callback or a returned promise when they finish (so async results come after sync ones).
  const unsettled = new Set();
  // Newman numbers a script's tests in call order (skipped and legacy ones included): its `at` index.
  let assertionIndex = 0;
  const test = (name, fn) => {
    const slot = { name: String(name), passed: true, skipped: false, index: assertionIndex++ };
    const settle = () => {
      if (!unsettled.delete(slot)) return;
      out.assertions.push(slot);
    };
    unsettled.add(slot);
    const fail = (e) => {
      slot.passed = false;
      // A thrown non-object (`throw "text"`) carries no message: Newman reports the test's name.
      slot.error =
        e !== null && typeof e === "object"
          ? { name: v8Name(e), message: v8Message(e, input.source) }
          : { name: "AssertionError", message: slot.name };
    };
    // Newman records a pm.test without a callback as a passed (not skipped) assertion.
    if (typeof fn !== "function") {
      settle();
      return pm;
    }
    try {
      if (fn.length > 0) {
        testPromises.push(
          new Promise((resolve) => {
            fn((err) => {
              if (err) fail(err);
              settle();
              resolve();
            });
          }),
        );
      } else {
        const r = fn();
        if (r && typeof r.then === "function")
          testPromises.push(
            Promise.resolve(r)
              .then(() => undefined, fail)
              .then(settle),
          );
        else settle();
      }
    } catch (e) {
      fail(e);
      settle();
    }
    return pm;
  };
  test.skip = (name) => {
    out.assertions.push({ name: String(name), passed: true, skipped: true, index: assertionIndex++ });
    return pm;
  };

  // In Newman a variable set to undefined in these scopes reads back (and renders) as null.
  const envScope = variableScope(scopes.environment, resolveIn, {
    name: scopes.environmentName,
    label: "pm.environment",
    undefinedAs: null,
  });
  const globalsScope = variableScope(scopes.globals, resolveIn, { label: "pm.globals", undefinedAs: null });
  const collectionScope = variableScope(scopes.collection, resolveIn, {
    label: "pm.collectionVariables",
    undefinedAs: null,
  });
  const localScope = variableScope(scopes.local, resolveIn, { label: "pm.variables" });
  const variables = {
    has: (k) => lookup(k) !== undefined,
    get: (k) => lookup(k),
    set: (k, v, t) => localScope.set(k, v, t),
    unset: (k) => localScope.unset(k),
    clear: () => localScope.clear(),
    replaceIn: resolveIn,
    toObject: () => ({
      ...globalsScope.toObject(),
      ...collectionScope.toObject(),
      ...envScope.toObject(),
      ...scopes.data,
      ...localScope.toObject(),
    }),
  };
  const iterationData = {
    has: (k) => Object.hasOwn(scopes.data, k),
    get: (k) => scopes.data[k],
    set: (k, v) => {
      scopes.data[k] = v;
    },
    unset: (k) => {
      delete scopes.data[k];
    },
    clear: () => {
      for (const k of Object.keys(scopes.data)) delete scopes.data[k];
    },
    toObject: () => ({ ...scopes.data }),
    toJSON: () => ({ ...scopes.data }),
    replaceIn: resolveIn,
  };
  // The host's jar call answers JSON (QuickJS) or a promise of it (the V8 host calls the engine over RPC).
  const after = (v, f) => (v && typeof v.then === "function" ? v.then(f) : f(v));
  const jarCall = (op, args) =>
    after(host.cookieJar(op, JSON.stringify(args)), (json) => {
      const res = JSON.parse(json);
      if (res?.__error) throw new Error(res.__error);
      return res;
    });
  const cb = (callback, fn) => {
    let value;
    let failure = null;
    try {
      value = fn();
    } catch (e) {
      failure = e;
    }
    if (value && typeof value.then === "function") {
      // An asynchronous answer: the script's drain waits for it and for its callback (Newman's jar
      // callbacks are asynchronous too); an error the callback throws is the script's error.
      if (typeof callback !== "function") track(value.catch(() => undefined));
      else
        track(
          value
            .then(
              (v) => callback(null, v),
              (e) => callback(e, undefined),
            )
            .catch((e) => {
              error ??= e;
            }),
        );
      return value;
    }
    if (typeof callback === "function") callback(failure, value);
    return failure ? Promise.reject(failure) : Promise.resolve(value);
  };
  const jar = () => ({
    get: (url, name, callback) =>
      cb(callback, () =>
        after(jarCall("getAll", [url]), (list) => (list || []).find((c) => c.name === name)?.value),
      ),
    getAll: (url, callback) => cb(callback, () => after(jarCall("getAll", [url]), (list) => list || [])),
    set: (url, name, value, callback) => {
      if (typeof value === "function") {
        callback = value;
        value = undefined;
      }
      const cookie =
        typeof name === "object"
          ? { ...name, name: name.name || name.key }
          : { name, value: String(value ?? "") };
      return cb(callback, () => jarCall("set", [url, cookie]));
    },
    unset: (url, name, callback) => cb(callback, () => jarCall("unset", [url, name])),
    clear: (url, callback) => cb(callback, () => jarCall("clear", [url])),
  });
  const cookies = cookieList(ctx.cookies || []);
  cookies.jar = jar;

  const sendRequest = (req, callback) => {
    // The host call is synchronous so a cap (ScriptLimitError) throws into the script at the call site.
    const sent = host.sendRequest(JSON.stringify(toRequestDefinition(req)));
    const p = track(
      (async () => {
        const outcome = JSON.parse(await sent);
        if (outcome.error) {
          const err = new Error(outcome.error.message);
          err.name = outcome.error.name;
          throw err;
        }
        return createResponse(outcome.response);
      })(),
    );
    if (typeof callback === "function") {
      p.then(
        (res) => callback(null, res),
        (err) => callback(err, undefined),
      );
      return undefined;
    }
    return p;
  };

  const location = [...(ctx.location || [])];
  // The name of the script's owner: the collection, a folder (folder-level scripts) or the request.
  location.current =
    input.location === "collection"
      ? ctx.collectionName
      : input.location.startsWith("folder:")
        ? input.location.slice("folder:".length)
        : ctx.info.requestName;
  const setNextRequest = (target) => {
    out.nextRequest = { target: target === null || target === undefined ? null : String(target) };
  };

  const pm = {
    info: { ...ctx.info },
    globals: globalsScope,
    environment: envScope,
    collectionVariables: collectionScope,
    variables,
    iterationData,
    cookies,
    sendRequest,
    test,
    expect: Object.assign((...a) => chai().expect(...a), {
      fail: (...a) => chai().expect.fail(...a),
    }),
    execution: {
      setNextRequest,
      skipRequest: () => {
        if (!isTest) out.skipRequest = true;
      },
      location,
    },
    visualizer: {
      set: (template, data) => {
        out.visualizer = {
          template: String(template),
          data: data === undefined ? null : JSON.parse(JSON.stringify(data)),
        };
      },
      clear: () => {
        delete out.visualizer;
      },
    },
    vault: {
      get: () => Promise.reject(new Error("pm.vault is not available in edgerun")),
      set: () => Promise.reject(new Error("pm.vault is not available in edgerun")),
      unset: () => Promise.reject(new Error("pm.vault is not available in edgerun")),
    },
    require: (name) => requireModule(name),
  };
  Object.defineProperty(pm, "request", { enumerable: true, configurable: true, get: requestOf });
  if (ctx.response || isTest) {
    Object.defineProperty(pm, "response", { enumerable: true, configurable: true, get: responseOf });
  }

  // Legacy (pre-pm) sandbox API (legacy.js). Its globals are built only when the script's text mentions
  // them: most scripts use `pm` alone, and copying the response and scopes is the bulk of a script's cost.
  const tests = {};
  const text = textOf(input.source);
  const mentioned = text.words;
  const loaders = {
    pm: () => pm,
    console: () => consoleObj,
    require: () => requireModule,
    tests: () => tests,
    data: () => ({ ...scopes.data }),
    ...legacyLoaders({
      envScope,
      globalsScope,
      requestOf,
      responseOf,
      cookies,
      info: ctx.info,
      isTest,
      requireModule,
      setNextRequest,
    }),
    atob: () => globalThis.atob,
    btoa: () => globalThis.btoa,
    setTimeout: () => timerApi.setTimeout,
    setInterval: () => timerApi.setInterval,
    setImmediate: () => timerApi.setImmediate,
    clearTimeout: () => timerApi.clearTimeout,
    clearInterval: () => timerApi.clearInterval,
    clearImmediate: () => timerApi.clearImmediate,
    // The five "lazy" library globals of the Postman sandbox.
    _: () => requireModule("lodash3"),
    CryptoJS: () => requireModule("crypto-js"),
    tv4: () => requireModule("tv4"),
    Buffer: () => requireModule("buffer").Buffer,
    cheerio: () => requireModule("cheerio"),
  };
  // `tests` is always bound: legacy scripts write to it and the runner reads it back.
  const names = Object.keys(loaders).filter((k) => k === "tests" || mentioned.has(k));
  let error;
  try {
    // The user source runs in an inner function so it may redeclare these names freely.
    const values = names.map((k) => {
      try {
        return loaders[k]();
      } catch {
        return undefined; // e.g. a library that failed to load: the script sees `undefined`, as before
      }
    });
    const fn = compiled(text, names.join(","), input.source);
    // Not awaited here: a script that awaits one of its own timers needs the drain below to fire it.
    // The error is taken inside the tracked chain, so the drain cannot end before it is recorded.
    track(
      fn(...values).catch((e) => {
        error ??= e;
      }),
    );
  } catch (e) {
    error = e;
  }
  // Drain: microtasks, in-flight host requests and timers, each timer when it is due (really waited
  // for, as in Newman: a request in flight does not hold back a timer due earlier).
  for (let guard = 0; guard < 100000; guard++) {
    await Promise.resolve();
    let nextId;
    let next;
    for (const [id, t] of timers) if (!next || t.at < next.at) [nextId, next] = [id, t];
    const wait = next ? next.at - host.now() : Number.POSITIVE_INFINITY;
    if (wait > 0) {
      if (!next && pending.size === 0) break;
      const waits = [...pending].map((p) => p.catch(() => undefined));
      if (next) waits.push(host.sleep(wait));
      await Promise.race(waits);
      continue;
    }
    if (next.repeat) next.at = host.now() + next.repeat;
    else timers.delete(nextId);
    try {
      const r = next.fn(...(next.args || []));
      if (r && typeof r.then === "function") await track(Promise.resolve(r).catch((e) => (error ??= e)));
    } catch (e) {
      error ??= e;
    }
  }
  await Promise.all(testPromises);
  // Put the intrinsics back before the prelude's own bookkeeping uses them (see containment.js).
  if (!baseline.restore(text.restore)) out.meta = { tainted: true };
  // Legacy `tests` entries: a falsy value fails with postman-sandbox's fabricated message.
  for (const [name, value] of Object.entries(tests))
    out.assertions.push({
      name,
      passed: !!value,
      skipped: false,
      index: assertionIndex++,
      ...(value
        ? {}
        : { error: { name: "AssertionError", message: `expected ${String(value)} to be truthy` } }),
    });
  if (error)
    out.error = {
      name: error?.name || "Error",
      message: v8Message(error, input.source),
    };
  if (consoleDropped) out.consoleDropped = consoleDropped;
  out.scopes = scopes;
  out.request = requestState ? requestState.serialize() : ctx.request;
  return JSON.stringify(out);
}

globalThis.__edgerun_execute = execute;
// execute() assigns each script's console: the key exists in the baseline so that is not a change.
globalThis.console = undefined;
const baseline = snapshotIntrinsics(globalThis);
const globalNames = baseline.globalNames();

/**
 * Newman's sandbox always has Sugar's prototype extensions; here they load (once per context) for the
 * first script that calls one, before it runs, and become part of the intrinsics baseline.
 */
let sugarLoaded = false;
const SUGAR_USE = new RegExp(SUGAR_USE_SOURCE);

/**
 * What the prelude reads from a script's text, memoised per source: the same scripts run for every
 * item and iteration, and scanning costs more than a typical script's assertions.
 */
const texts = new Map();
function textOf(source) {
  let t = texts.get(source);
  if (!t) {
    if (texts.size >= 256) texts.clear();
    t = {
      sugar: SUGAR_USE.test(source),
      words: new Set(source.match(/[A-Za-z_$][\w$]*/g) || []),
      restore: { ...mayTouchIntrinsics(source, globalNames), modules: mayTouchModules(source) },
    };
    texts.set(source, t);
  }
  return t;
}
/**
 * The compiled body of a script, memoised with its text: compiling costs about as much as running a
 * typical script, and the same scripts run for every item and iteration. Not kept for a script that
 * names `arguments`/`callee`/`caller`: it could reach the function object and keep state on it.
 */
function compiled(text, params, source) {
  if (text.fn && text.params === params) return text.fn;
  // As in Newman: the body is not async (a top-level `await` is a SyntaxError) and the `;` ends the
  // directive prologue, so a leading 'use strict' is an ordinary expression (scripts stay sloppy).
  const fn = host.compile(params, `return (() => {;\n${source}\n})();`);
  if (!text.words.has("arguments") && !text.words.has("callee") && !text.words.has("caller")) {
    text.fn = fn;
    text.params = params;
  }
  return fn;
}
function ensureSugar(source) {
  if (sugarLoaded || !textOf(source).sugar) return;
  sugarLoaded = true;
  loadModule("sugar", "sugar");
  baseline.refresh();
}
