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
  config: { proxyExcludedKeys: unknown[]; deepEqual?: unknown };
}
export interface ChaiCoreUtils {
  flag(assertion: object, key: string, value?: unknown): unknown;
  transferFlags(from: object, to: object, includeAll?: boolean): void;
  proxify<T extends object>(obj: T): T;
  isProxyEnabled(): boolean;
  eql: unknown;
}

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
  const { flag, transferFlags, proxify, isProxyEnabled } = utils;
  const create = Object.create;
  const has = Reflect.has;
  const get = Reflect.get;
  const handler: ProxyHandler<object> = {
    get(target, property) {
      if (
        typeof property === "string" &&
        chai.config.proxyExcludedKeys.indexOf(property) === -1 &&
        !has(target, property)
      )
        return get(proxify(target), property); // throws chai's "Invalid Chai property" error
      if (BUILTINS.indexOf(property) === -1 && !flag(target, "lockSsfi")) flag(target, "ssfi", handler.get);
      return get(target, property);
    },
  };
  /** chai's `proxify` with the shared handler. */
  const wrap = (assertion: object): object => (isProxyEnabled() ? new Proxy(assertion, handler) : assertion);

  /** `new Assertion()` followed by `transferFlags(from, it)`: the same flags, in the same order. */
  const next = (from: object): object => {
    const assertion = create(proto) as { __flags: Record<string, unknown> };
    assertion.__flags = {};
    transferFlags(from, assertion, true);
    return wrap(assertion);
  };
  for (const name of LANGUAGE_CHAINS)
    Object.defineProperty(proto, name, {
      configurable: true,
      get: function chain(this: object) {
        // chai's addProperty getter, for a getter without behaviour of its own.
        if (!isProxyEnabled() && !flag(this, "lockSsfi")) flag(this, "ssfi", chain);
        return next(this);
      },
    });

  /** `new chai.Assertion(value, message)`: the five flags the constructor sets, in its order. */
  const expect = (value?: unknown, message?: unknown): object => {
    const assertion = create(proto) as { __flags: Record<string, unknown> };
    assertion.__flags = {
      ssfi: chai.Assertion,
      lockSsfi: undefined,
      object: value,
      message,
      eql: chai.config.deepEqual || utils.eql,
    };
    return wrap(assertion);
  };
  return { expect };
}
