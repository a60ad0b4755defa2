// Newman's sandbox (postman-sandbox 4.7) warns on the console, once per script and global, when a script
// uses one of the legacy globals: the object and function ones are wrapped in a Proxy whose get, set and
// apply traps log `Using "<name>" is deprecated. Use "<alternative>" instead.`. The same here, with the
// same traps (so `typeof tests` or `Object.keys(environment)` stay silent, as there).

type Fn = (...args: unknown[]) => unknown;

/** The legacy globals postman-sandbox wraps, with the alternative its warning names ("" for none). */
const ALTERNATIVES: Readonly<Record<string, string>> = {
  tests: "pm.test()",
  globals: "pm.globals",
  environment: "pm.environment",
  data: "pm.iterationData",
  request: "pm.request",
  responseCookies: "pm.cookies",
  responseHeaders: "pm.response.headers",
  responseTime: "pm.response.responseTime",
  responseCode: "pm.response.code",
  responseBody: "pm.response.text()",
  iteration: "pm.info.iteration",
  postman: "",
  _: "require('lodash')",
  CryptoJS: "require('crypto-js')",
  atob: "require('atob')",
  btoa: "require('btoa')",
  tv4: "require('ajv')",
  xml2Json: "require('xml2js')",
  Backbone: "require('backbone')",
  cheerio: "require('cheerio')",
};

/** `postman`'s property reads warn under this name (Newman: setNextRequest is what most scripts use). */
const POSTMAN_READ = "postman.setNextRequest";
const POSTMAN_READ_ALTERNATIVE = "pm.execution.setNextRequest()";

/**
 * A script's legacy-global warnings: `wrap(name, value)` answers the value a script sees for a global,
 * wrapped when Newman wraps it; each name warns once per script through `warn`.
 */
export function deprecationWarnings(warn: (message: string) => void) {
  const warned = new Set<string>();
  const once = (key: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    const alternative = key === POSTMAN_READ ? POSTMAN_READ_ALTERNATIVE : ALTERNATIVES[key];
    warn(
      alternative
        ? `Using "${key}" is deprecated. Use "${alternative}" instead.`
        : `Using "${key}" is deprecated.`,
    );
  };
  const wrap = (name: string, value: unknown): unknown => {
    if (!(name in ALTERNATIVES) || !value || (typeof value !== "object" && typeof value !== "function"))
      return value;
    return new Proxy(value as object, {
      set(target, prop, v) {
        once(name);
        Reflect.set(target, prop, v);
        return true;
      },
      get(target, prop) {
        once(name === "postman" ? POSTMAN_READ : name);
        return Reflect.get(target, prop);
      },
      apply(target, thisArg, args: unknown[]) {
        once(name);
        return Reflect.apply(target as Fn, thisArg, args);
      },
    });
  };
  return { wrap };
}
