// require() inside scripts: the CommonJS bundles the host serves (shared/sandbox/libraries.ts), loaded on
// first use and cached per context, so every later script of the run gets the same module object (as in
// Newman, where a script's change to a module stays for the rest of the run).
import type { LibraryFactory, PreludeHost } from "../contract";
import { type ChaiCore, type ChaiCoreUtils, fastChai } from "./chai-chains";
import type { CleanRoom } from "./containment";
import {
  type AjvFactory,
  type AjvLike,
  type ChaiPluginApi,
  type ChaiUtils,
  chaiPostman,
  type Registrar,
} from "./response";
import type { ChaiLike } from "./response-object";
import { atob, btoa, nativeJson } from "./shims";

const ALIASES: Record<string, string> = {
  "csv-parse/lib/sync": "csv-parse-sync",
  "node:buffer": "buffer",
  "node:url": "url",
  "node:util": "util",
  "node:events": "events",
  "node:path": "path",
  "node:assert": "assert",
  "node:querystring": "querystring",
};

/** os-browserify's answers, which postman-sandbox's bundle serves as `os` (no real machine behind them). */
function browserOs(): Record<string, unknown> {
  const constant =
    <T>(v: T) =>
    () =>
      v;
  return {
    endianness: constant("LE"),
    hostname: constant(""),
    loadavg: () => [],
    uptime: constant(0),
    freemem: constant(Number.MAX_VALUE),
    totalmem: constant(Number.MAX_VALUE),
    cpus: () => [],
    type: constant("Browser"),
    release: constant(""),
    getNetworkInterfaces: () => ({}),
    networkInterfaces: () => ({}),
    arch: constant("javascript"),
    platform: constant("browser"),
    tmpDir: constant("/tmp"),
    tmpdir: constant("/tmp"),
    EOL: "\n",
    homedir: constant("/"),
  };
}

const HEX = "0123456789abcdef";
/**
 * postman-sandbox's own `uuid` module (its vendor/uuid.js, not the uuid package): a function returning a
 * random v4 UUID (from Math.random, read at each call as there), with the same function as `.v4`.
 */
function vendorUuid(): unknown {
  const v4 = () =>
    "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
      const r = (Math.random() * 16) | 0;
      return HEX[c === "x" ? r : (r & 3) | 8] ?? "0";
    });
  return Object.assign(() => v4(), { v4 });
}

/**
 * `json` is liquid-json (JSON whose parse drops a byte order mark, its errors named JSONError): the
 * prelude's JSON.parse already is that parse (shims.ts), taken when the module is first required.
 */
function liquidJson(): unknown {
  const parse = JSON.parse;
  const named = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e !== null && typeof e === "object") Reflect.set(e, "name", "JSONError");
      throw e;
    }
  };
  return {
    parse: (text: string, reviver?: (key: string, value: unknown) => unknown) =>
      named(() => parse(text, reviver)),
    stringify: (...args: Parameters<typeof JSON.stringify>) => named(() => nativeJson.stringify(...args)),
  };
}

/**
 * Modules postman-sandbox bundles that need no library here: `fs` is browserify's empty module (`{}`),
 * `os` is os-browserify, `uuid` its vendor module, `btoa`/`atob` the packages the prelude's globals copy
 * (the atob function is also its own `.atob`), `json` liquid-json. Any other module it does not bundle
 * throws Cannot find module.
 */
const BUILTINS: Record<string, () => unknown> = {
  fs: () => ({}),
  os: browserOs,
  uuid: vendorUuid,
  btoa: () => (input: unknown) => btoa(input),
  atob: () => {
    const fn = (input: unknown) => atob(input);
    return Object.assign(fn, { atob: fn });
  },
  json: liquidJson,
};

/** The chai instance scripts and pm.expect share (chai-postman installed). */
export interface Chai extends ChaiLike {
  expect: ((...args: unknown[]) => { to: unknown; not: unknown }) & {
    fail(...args: unknown[]): never;
  };
  use(plugin: (chai: ChaiPluginApi, utils: ChaiUtils) => void): void;
}

/**
 * postman-sandbox's libraries have no console of their own: what one would warn about (moment's
 * deprecations, ajv's ignored schema keywords) never reaches the script's console in Newman. Here they
 * would share the script's, so those two are told to stay quiet (a logger an ajv caller passes is kept).
 */
function quietLibrary(id: string, exports: unknown): unknown {
  if (id === "moment" && typeof exports === "function")
    Reflect.set(exports, "suppressDeprecationWarnings", true);
  if (id !== "ajv" || typeof exports !== "function") return exports;
  const Ajv = exports as new (options?: Record<string, unknown>) => object;
  return class extends Ajv {
    constructor(options?: Record<string, unknown>) {
      super({ logger: false, ...(options || {}) });
    }
  };
}

/** The global object, taken before the shims delete the name `globalThis` (shims.ts LIBRARY_ONLY). */
const global: object = globalThis;

/**
 * A library's CommonJS source as a factory. Its `globalThis` is a parameter bound to the global object,
 * so code that reads it after the load (a module required lazily) finds it though scripts do not; the
 * V8 host's library modules bind it as a module variable (v8/worker-code.ts libraryModule).
 */
function compileLibrary(src: string): LibraryFactory {
  const fn = new Function("module", "exports", "require", "globalThis", src);
  return (module, exports, require) => fn(module, exports, require, global);
}

/** Loads libraries for one context; `host.library` serves source (QuickJS) or a precompiled factory (V8). */
export function createModules(host: PreludeHost, cleanRoom: CleanRoom) {
  const modules = new Map<string, unknown>();
  let chaiInstance: Chai | undefined;
  let fast: ReturnType<typeof fastChai> | undefined;

  function loadModule(name: string, id: string): unknown {
    if (modules.has(id)) return modules.get(id);
    const builtin = Object.hasOwn(BUILTINS, id) ? BUILTINS[id] : undefined;
    if (builtin) {
      modules.set(id, builtin());
      return modules.get(id);
    }
    const src = host.library(id);
    if (src === undefined) {
      const err = new Error(`Cannot find module '${name}'`);
      err.name = "Error";
      throw err;
    }
    const module: { exports: unknown } = { exports: {} };
    modules.set(id, module.exports);
    // QuickJS serves the library's CommonJS source; the V8 host (no code generation from strings) serves
    // the same body precompiled as a function (module, exports, require).
    const factory = typeof src === "function" ? src : compileLibrary(src);
    cleanRoom.around(() => factory(module, module.exports, requireModule));
    const loaded = quietLibrary(id, module.exports);
    modules.set(id, loaded);
    return loaded;
  }

  function requireModule(name: string): unknown {
    const id = ALIASES[name] || name;
    // Scripts get the one chai instance pm.expect uses, with chai-postman already installed.
    return id === "chai" ? chai() : loadModule(name, id);
  }

  const ajvFactory: AjvFactory = (options) => {
    const Ajv = requireModule("ajv") as { default?: unknown };
    const AjvClass = (Ajv.default || Ajv) as new (options: Record<string, unknown>) => AjvLike;
    return new AjvClass({ allErrors: true, strict: false, ...(options || {}) });
  };

  function chai(): Chai {
    if (!chaiInstance) {
      const instance = loadModule("chai", "chai") as Chai;
      instance.use((c, utils) => {
        const f = fastChai(c as unknown as ChaiCore, utils as unknown as ChaiCoreUtils);
        chaiPostman(c, utils, ajvFactory, f as unknown as Registrar);
        f.coverChainables(); // chai's and chai-postman's
        fast = f;
      });
      chaiInstance = instance;
    }
    return chaiInstance;
  }

  /** `chai.expect(value, message)`, built the cheaper way (chai-chains.ts); pm.expect is this. */
  function expect(value?: unknown, message?: unknown): { to: unknown; not: unknown } {
    if (!fast) chai();
    return (fast as ReturnType<typeof fastChai>).expect(value, message) as { to: unknown; not: unknown };
  }

  /** The script is done: what chai's fast paths kept for it goes (chai-chains.ts `release`). */
  const release = () => fast?.release();

  return { requireModule, loadModule, chai, expect, release };
}

/** The module loader of one context. */
export type Modules = ReturnType<typeof createModules>;
