// Cheaper chai chains (issue 16). In chai 6 every language chain (`to`, `be`, `have`, …) builds a new
// Assertion: the constructor sets five flags one call at a time and wraps the object in a new Proxy
// with a new handler (whose getter is renamed with a defineProperty each time), and then every flag is
// copied over. That is most of a typical test script's cost. Here the chains and `pm.expect` build the
// same object directly: an Assertion-prototyped object with the same flags in the same order, behind a
// Proxy with one shared handler that behaves as chai's (a misspelt property throws chai's own error,
// worded by chai itself; the `ssfi` flag is kept the way chai keeps it). chai's own `expect`, methods
// and chainable methods are unchanged, and with `chai.config.useProxy = false` no Proxy is made.

/** What of chai this needs (the module object `chai.use` hands to plugins, and its utils). */
export interface ChaiCore {
  Assertion: { prototype: object };
  config: { useProxy: boolean; proxyExcludedKeys: unknown[]; deepEqual?: unknown };
}
export interface ChaiCoreUtils {
  proxify<T extends object>(obj: T): T;
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
/** chai's `builtins` (proxify.js): names whose access does not move the `ssfi` flag. */
const BUILTINS: unknown[] = ["__flags", "__methods", "_obj", "assert"];

/** The fast paths, built once per chai instance; `expect` is `chai.expect` without its costs. */
export function fastChai(chai: ChaiCore, utils: ChaiCoreUtils) {
  const proto = chai.Assertion.prototype;
  const { config } = chai;
  const { proxify } = utils;
  const create = Object.create;
  const has = Reflect.has;
  const get = Reflect.get;
  // chai's `flag(obj)` and `isProxyEnabled()`, inlined: these run for every property a chain reads.
  const flagsOf = (a: Flagged): Record<string, unknown> => {
    a.__flags ||= create(null) as Record<string, unknown>;
    return a.__flags;
  };
  const proxyEnabled = () =>
    config.useProxy && typeof Proxy !== "undefined" && typeof Reflect !== "undefined";
  const handler: ProxyHandler<Flagged> = {
    get(target, property) {
      if (
        typeof property === "string" &&
        config.proxyExcludedKeys.indexOf(property) === -1 &&
        !has(target, property)
      )
        return get(proxify(target), property); // throws chai's "Invalid Chai property" error
      if (BUILTINS.indexOf(property) === -1) {
        const flags = flagsOf(target);
        if (!flags.lockSsfi) flags.ssfi = handler.get;
      }
      return get(target, property);
    },
  };
  /** chai's `proxify` with the shared handler. */
  const wrap = (assertion: Flagged): object => (proxyEnabled() ? new Proxy(assertion, handler) : assertion);

  for (const name of LANGUAGE_CHAINS)
    Object.defineProperty(proto, name, {
      configurable: true,
      get: function chain(this: Flagged) {
        // chai's addProperty getter for a getter without behaviour of its own: `new Assertion()`, then
        // `transferFlags(this, it)` (every flag, inherited enumerable ones included, as chai's for-in).
        const from = flagsOf(this);
        if (!proxyEnabled() && !from.lockSsfi) from.ssfi = chain;
        const flags: Record<string, unknown> = {};
        for (const key in from) flags[key] = from[key];
        const assertion = create(proto) as Flagged;
        assertion.__flags = flags;
        return wrap(assertion);
      },
    });

  /** `new chai.Assertion(value, message)`: the five flags the constructor sets, in its order. */
  const expect = (value?: unknown, message?: unknown): object => {
    const assertion = create(proto) as Flagged;
    assertion.__flags = {
      ssfi: chai.Assertion,
      lockSsfi: undefined,
      object: value,
      message,
      eql: config.deepEqual || utils.eql,
    };
    return wrap(assertion);
  };
  return { expect };
}
