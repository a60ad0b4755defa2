// Cheaper chai (issue 16). In chai 6 every language chain (`to`, `be`, `have`, …), every chainable
// method access (`.a`, `.include`, `.lengthOf`) and every method or property assertion that returns
// nothing builds a new Assertion: the constructor sets five flags one call at a time and wraps the
// object in a new Proxy with a new handler (whose getter is renamed with a defineProperty each time),
// then every flag is copied over. That was most of a typical test script's cost. Here the chains, the
// chainable-method getters, `pm.expect` and chai-postman's own methods and properties build the same
// objects directly: Assertion-prototyped, the same flags in the same order, behind a Proxy with a
// shared handler that behaves as chai's (a misspelt property is handed to chai's own proxify, so the
// error and its suggestion are chai's; the `ssfi` flag is kept the way chai keeps it). chai's most used
// own methods and flag properties are re-registered the same way around chai's own functions
// (`coverCore`), and `lengthOf`, `include` and `property` run step by step without building messages
// for a passing assertion (chai-core.ts). `require("chai").expect`, plugins and overwrites work as
// before, and with `chai.config.useProxy = false` no Proxy is made.

import {
  type CoreParts,
  type CoreUtils,
  fastInclude,
  fastLength,
  fastProperty,
  type Make,
} from "./chai-core";

/** What of chai this needs (the module object `chai.use` hands to plugins, and its utils). */
export interface ChaiCore {
  Assertion: { prototype: object };
  config: { useProxy: boolean; proxyExcludedKeys: unknown[]; deepEqual?: unknown };
}
export interface ChaiCoreUtils extends CoreUtils {
  proxify<T extends object>(obj: T, nonChainableMethodName?: string): T;
  eql: unknown;
}
/** An Assertion as chai keeps it: its flags in `__flags` (chai makes the object on first use). */
type Flagged = { __flags?: Record<string, unknown> };

/** chai's language chains (chai 6 `lib/chai/core/assertions.js`): getters with no behaviour of their own. */
const LANGUAGE_CHAINS = [
  "to",
  "be",
  "been",
  "is",
  "and",
  "has",
  "have",
  "with",
  "that",
  "which",
  "at",
  "of",
  "same",
  "but",
  "does",
  "still",
  "also",
];

/** chai's addChainableMethod record (`Assertion.prototype.__methods[name]`), changed in place by overwrites. */
interface Chainable {
  method: (this: unknown, ...args: unknown[]) => unknown;
  chainingBehavior: (this: unknown) => void;
}

/** What the fast paths share: chai's pieces and the inlined helpers. */
function core(chai: ChaiCore, utils: ChaiCoreUtils) {
  const proto = chai.Assertion.prototype;
  const { config } = chai;
  const create = Object.create;
  const assign = Object.assign;
  const has = Reflect.has;
  const get = Reflect.get;
  // chai's `flag(obj)`, `isProxyEnabled()` and `transferFlags()`, inlined: they run for every property
  // a chain reads. chai copies flags with for-in; `Object.assign` into a `{}` makes an object whose
  // reads give the same values (own ones copied, inherited ones still inherited) at a native loop's cost.
  const flagsOf = (a: Flagged): Record<string, unknown> => {
    a.__flags ||= create(null) as Record<string, unknown>;
    return a.__flags;
  };
  const proxyEnabled = () =>
    config.useProxy && typeof Proxy !== "undefined" && typeof Reflect !== "undefined";
  /** chai's proxify handler; `method` names the method a proxied method function belongs to. */
  const makeHandler = (method?: string): ProxyHandler<Flagged> => {
    const h: ProxyHandler<Flagged> = {
      get(target, property) {
        // chai's own reads (flag(), this.assert): builtins, so found means returned as they are.
        if (property === "__flags" || property === "assert") {
          const value = (target as Record<string, unknown>)[property];
          if (value !== undefined) return value;
        }
        // chai's checks, in the order that settles the common case (a found name) at once; neither
        // has effects. Then chai's `builtins` (proxify.js), whose reads do not move the `ssfi` flag.
        if (
          typeof property === "string" &&
          !has(target, property) &&
          config.proxyExcludedKeys.indexOf(property) === -1
        )
          return get(utils.proxify(target, method), property); // throws chai's "Invalid Chai property"
        if (
          property !== "__flags" &&
          property !== "__methods" &&
          property !== "_obj" &&
          property !== "assert"
        ) {
          const flags = flagsOf(target);
          if (!flags.lockSsfi) flags.ssfi = h.get;
        }
        return get(target, property);
      },
    };
    return h;
  };
  const handler = makeHandler(); // one for all assertions (chai makes one per object)
  /** chai's `proxify`. */
  const wrap = <T extends Flagged>(object: T, h = handler): T =>
    proxyEnabled() ? new Proxy(object, h as ProxyHandler<T>) : object;
  /** `new Assertion()` then `transferFlags(from, it)`: the same flags in the same order. */
  const next = (from: Flagged): Flagged => {
    const assertion = create(proto) as Flagged;
    assertion.__flags = assign({}, flagsOf(from));
    return wrap(assertion);
  };
  const lengthConfigurable = Object.getOwnPropertyDescriptor(() => undefined, "length")?.configurable;
  return {
    ...{ proto, config, utils, create, flagsOf, proxyEnabled },
    ...{ makeHandler, wrap, next, lengthConfigurable },
  };
}
type Core = ReturnType<typeof core>;

type Getter = (this: Flagged) => unknown;
type Method = (this: Flagged, ...args: unknown[]) => unknown;

/** chai's addProperty: the same getter, its result built with `next` (the events are not sent). */
function addProperty({ proto, flagsOf, proxyEnabled, next }: Core, name: string, getter?: Getter): void {
  Object.defineProperty(proto, name, {
    configurable: true,
    get: function propertyGetter(this: Flagged) {
      const flags = flagsOf(this);
      if (!proxyEnabled() && !flags.lockSsfi) flags.ssfi = propertyGetter;
      const result = getter?.call(this);
      return result !== undefined ? result : next(this);
    },
  });
}

/** chai's addMethod: the same wrapper (named, `length` guarded, proxied with the method's name). */
function addMethod(c: Core, name: string, method: Method): void {
  const { flagsOf, next } = c;
  const wrapper = function (this: Flagged, ...args: unknown[]): unknown {
    const flags = flagsOf(this);
    if (!flags.lockSsfi) flags.ssfi = wrapper;
    const result = method.apply(this, args);
    return result !== undefined ? result : next(this);
  };
  Object.defineProperty(wrapper, "name", { value: "methodWrapper", configurable: true });
  if (c.lengthConfigurable)
    Object.defineProperty(wrapper, "length", {
      get() {
        throw Error(`Invalid Chai property: ${name}.length. See docs for proper usage of "${name}".`);
      },
    });
  (c.proto as Record<string, unknown>)[name] = c.wrap(wrapper as Flagged, c.makeHandler(name));
}

/**
 * Chainable wrappers a script's end releases (`fastChai().release`): a script that makes more (a loop of
 * assertions) leaves the rest to QuickJS' collection, as before, rather than keeping them all alive.
 */
const MADE_KEPT = 512;

/** chai's name of a chainable method's wrapper. */
const NAME = { value: "chainableMethodWrapper", configurable: true };

/**
 * chai's addChainableMethod getter (`.a`, `.include`, `.lengthOf`, …, and chai-postman's) for every
 * chainable method defined so far, with the same wrapper: named `chainableMethodWrapper`, its `length`
 * guarded, flags shared with the assertion it was read on.
 *
 * chai gives each wrapper a new prototype, `Object.create(assertion)` with `call` and `apply`: every
 * access turns a fresh assertion into a prototype and builds new hidden classes for it, the prototype
 * and the function (≈ 3 µs in V8, most of a typical script's chainable accesses). Here all wrappers
 * share one prototype (`call`, `apply`, then `Assertion.prototype`) and get the assertion's flags
 * object as their own `__flags`: an assertion's only own property is `__flags`, so every lookup
 * through a wrapper finds what chai's finds (same names in the same order for chai's suggestions), and
 * flags set through either are seen by both, as in chai. Only reflection tells them apart
 * (`Object.getPrototypeOf(wrapper)`, the wrapper's own keys).
 */
function fastChainables(c: Core, made: Flagged[]): void {
  const { proto, create, flagsOf, wrap, next, lengthConfigurable } = c;
  const methods = (proto as { __methods?: Record<string, Chainable> }).__methods;
  if (!methods || typeof Object.setPrototypeOf !== "function") return;
  const setPrototypeOf = Object.setPrototypeOf;
  const defineProperty = Object.defineProperty;
  const shared = create(proto) as Record<string, unknown>;
  shared.call = Function.prototype.call;
  shared.apply = Function.prototype.apply;
  for (const name of Object.keys(methods)) {
    const behavior = methods[name] as Chainable;
    const lengthGuard = {
      get() {
        throw Error(
          `Invalid Chai property: ${name}.length. Due to a compatibility issue, "length" cannot directly follow "${name}". Use "${name}.lengthOf" instead.`,
        );
      },
    };
    defineProperty(proto, name, {
      configurable: true,
      get(this: Flagged) {
        behavior.chainingBehavior.call(this);
        // Named, so that it names itself without a closure over its own variable (a cycle for QuickJS).
        const wrapper = function chainableMethodWrapper(this: Flagged, ...args: unknown[]): unknown {
          const flags = flagsOf(this);
          if (!flags.lockSsfi) flags.ssfi = chainableMethodWrapper;
          const result = behavior.method.apply(this, args);
          return result !== undefined ? result : next(this);
        };
        // The prototype first: each redefinition then follows V8's cached hidden-class transitions.
        setPrototypeOf(wrapper, shared);
        defineProperty(wrapper, "name", NAME);
        if (lengthConfigurable) defineProperty(wrapper, "length", lengthGuard);
        (wrapper as Flagged).__flags = flagsOf(this);
        if (made.length < MADE_KEPT) made.push(wrapper as Flagged);
        return wrap(wrapper as Flagged);
      },
    });
  }
}

type Inner = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The functions chai's own wrappers wrap (chai keeps them only in the wrappers' closures): each
 * wrapper is run once while `Function.prototype[via]` is a function that records its `this` — chai's
 * `method.apply(this, arguments)` / `getter.call(this)` — and returns a marker, which the wrapper
 * returns as its result; the descriptor is put back right after (one swap for all: each change of
 * Function.prototype resets V8's inline caches).
 * A wrapper that did not get that far (or a prototype that cannot be changed) gives nothing.
 */
function innersOf(via: "apply" | "call", runs: Map<string, () => unknown>): Map<string, Inner> {
  const inners = new Map<string, Inner>();
  const fnProto = Function.prototype;
  const saved = Object.getOwnPropertyDescriptor(fnProto, via);
  if (!saved?.configurable || runs.size === 0) return inners;
  const stop = {};
  let inner: unknown;
  Object.defineProperty(fnProto, via, {
    configurable: true,
    writable: true,
    value(this: unknown) {
      inner = this;
      return stop; // chai's wrapper hands back a result that is not undefined as it is
    },
  });
  try {
    for (const [name, run] of runs) {
      inner = undefined;
      try {
        if (run() === stop && typeof inner === "function") inners.set(name, inner as Inner);
      } catch {
        // not one of chai's wrappers after all: left as it is
      }
    }
  } finally {
    Object.defineProperty(fnProto, via, saved);
  }
  return inners;
}

/**
 * The chai methods and properties Postman scripts use most (re-registering all ≈ 90 of chai's would
 * cost a run's first script more than the rest of the run saves).
 */
const COMMON_CORE = [
  ...["equal", "eql", "property", "above", "below", "least", "most", "within", "match", "oneOf"],
  ...["keys", "instanceof", "string", "satisfy", "closeTo", "throw"],
  ...["not", "deep", "own", "nested", "any", "all", "true", "false", "null", "undefined", "exist"],
  ...["empty", "ok"],
];

/**
 * chai's own methods (`equal`, `property`, `above`, `match`, …) and flag properties (`not`, `deep`,
 * `own`, `empty`, `true`, …) re-registered through this file's addMethod / addProperty, with the same
 * functions inside: chai's wrappers end every assertion that returns nothing with `new Assertion()`
 * (five flag calls, a new Proxy handler renamed with a defineProperty) and `transferFlags`; `next`
 * makes the same object. Run before chai-postman and any plugin, so only chai's own are re-registered
 * (found by their wrappers' names); overwrites later wrap these as they wrapped chai's.
 */
function coverCore(c: Core, parts: CoreParts): void {
  const { proto, create } = c;
  const getDescriptor = Object.getOwnPropertyDescriptor;
  const scratch = () => ({ __flags: create(null) as Record<string, unknown> });
  const methods = new Map<string, () => unknown>();
  const properties = new Map<string, () => unknown>();
  for (const name of COMMON_CORE) {
    const d = getDescriptor(proto, name);
    const value: unknown = d?.value;
    if (typeof value === "function" && getDescriptor(value, "name")?.value === "methodWrapper")
      methods.set(name, () => Reflect.apply(value, scratch(), []));
    else if (d?.get && getDescriptor(d.get, "name")?.value === "propertyGetter")
      properties.set(name, () => Reflect.apply(d.get as Inner, scratch(), []));
  }
  for (const [name, method] of innersOf("apply", methods))
    addMethod(c, name, name === "property" ? fastProperty(parts, method as Method) : (method as Method));
  for (const [name, getter] of innersOf("call", properties)) addProperty(c, name, getter as Getter);
}

/**
 * The fast paths, installed once per chai instance: the language chains at once, `addMethod` and
 * `addProperty` for chai-postman's assertions, then `coverChainables()` for every chainable method
 * defined by then; `expect` is `chai.expect` without its costs.
 */
export function fastChai(chai: ChaiCore, utils: ChaiCoreUtils) {
  const c = core(chai, utils);
  const { proto, create, config, wrap, flagsOf } = c;
  /** `new chai.Assertion(value, message, ssfi, lockSsfi)`: the five flags it sets, in its order. */
  const make: Make = (value, message, ssfi, lockSsfi) => {
    const assertion = create(proto) as Flagged;
    assertion.__flags = {
      ssfi: ssfi || chai.Assertion,
      lockSsfi,
      object: value,
      message,
      eql: config.deepEqual || utils.eql,
    };
    return wrap(assertion);
  };
  const parts: CoreParts = { proto, utils, flagsOf, make };
  // The chainable wrappers made during the script in progress (see `release`).
  const made: Flagged[] = [];
  coverCore(c, parts);
  for (const name of LANGUAGE_CHAINS) addProperty(c, name);
  return {
    expect: (value?: unknown, message?: unknown): object => make(value, message),
    addMethod: (name: string, method: Method) => addMethod(c, name, method),
    addProperty: (name: string, getter: Getter) => addProperty(c, name, getter),
    coverChainables: () => {
      fastLength(parts);
      fastInclude(parts);
      fastChainables(c, made);
    },
    /**
     * Called when a script is done: each chainable wrapper it made lets go of its flags. A called
     * wrapper is its flags' `ssfi` while holding them, a cycle QuickJS frees only in a collection over
     * the whole heap (with the value asserted on: 3 objects per call, more for an array or object).
     */
    release: () => {
      for (const wrapper of made) wrapper.__flags = undefined;
      made.length = 0;
    },
  };
}
