// The `pm` object of one script and the globals a script may name (legacy sandbox, timers, the lazy
// library globals of Newman's sandbox), each built only when used.
import type { PreludeHost, PreludeInput } from "../contract";
import { deprecationWarnings } from "./deprecation";
import { createJar, createSendRequest } from "./host-calls";
import { legacyLoaders } from "./legacy";
import { legacyNames } from "./legacy-names";
import type { PropertyList } from "./lists";
import type { Modules } from "./modules";
import { createRequest, type PostmanRequest } from "./request";
import { cookieList, createResponse, type PostmanResponse, withTo } from "./response-object";
import type { ScopeApi } from "./scope-api";
import { createConsole, createTest, createTimers, type ScriptRun } from "./script-run";
import { nativeJson } from "./shims";

/** The global object, taken before the shims delete the name `globalThis` (shims.ts LIBRARY_ONLY). */
const global: object = globalThis;
const vaultMissing = () => Promise.reject(new Error("pm.vault is not available in edgerun"));

/** What a script's pm and globals are built from. */
export interface PmParts {
  host: PreludeHost;
  input: PreludeInput;
  run: ScriptRun;
  scopes: ScopeApi;
  modules: Modules;
}

/** The request and response objects of one script, built on first use (most scripts touch one). */
type Messages = ReturnType<typeof lazyMessages>;

function lazyMessages(input: PreludeInput) {
  const ctx = input.context;
  let requestState: ReturnType<typeof createRequest> | undefined;
  const requestOf = (): PostmanRequest => {
    if (!requestState) {
      requestState = createRequest(ctx.request);
      withTo(requestState.request);
    }
    return requestState.request;
  };
  const isTest = ctx.info.eventName === "test";
  // After a request error Postman still runs the tests, with an empty response (code undefined).
  let responseObj: PostmanResponse | undefined;
  const responseOf = (): PostmanResponse | undefined => {
    if (responseObj !== undefined || (!ctx.response && !isTest)) return responseObj;
    responseObj = withTo(createResponse(ctx.response));
    return responseObj;
  };
  return {
    requestOf,
    responseOf,
    isTest,
    /** The request as the script left it; undefined when it never built pm.request (unchanged). */
    serialize: () => requestState?.serialize(),
  };
}

/** pm.execution.location: the path, and `current`, the name of the script's owner. */
function locationOf(input: PreludeInput): string[] & { current?: string } {
  const ctx = input.context;
  const location: string[] & { current?: string } = [...(ctx.location || [])];
  location.current =
    input.location === "collection"
      ? ctx.collectionName
      : input.location.startsWith("folder:")
        ? input.location.slice("folder:".length)
        : ctx.info.requestName;
  return location;
}

/**
 * The `pm` object itself (pm.request and pm.response are getters that build them on first use), and
 * `release`, called when the script is done: `pm.test(…)` returns pm through a holder that `release`
 * empties, so pm and its test function do not stay a cycle. QuickJS frees what no cycle holds as soon
 * as the script ends; a cycle waits for a garbage collection, which walks the whole heap (≈ 40 µs of
 * an empty script's ≈ 200 µs, every ≈ 50 scripts with 134 objects each left behind).
 */
function pmObject(
  parts: PmParts,
  messages: Messages,
  cookies: PropertyList,
  setNextRequest: (t: unknown) => void,
) {
  const { host, input, run, scopes, modules } = parts;
  const ctx = input.context;
  const { out } = run;
  const { isTest } = messages;
  const self: { pm?: Record<string, unknown> } = {};
  const pm: Record<string, unknown> = {
    info: { ...ctx.info },
    globals: scopes.globals,
    environment: scopes.environment,
    collectionVariables: scopes.collectionVariables,
    variables: scopes.variables,
    iterationData: scopes.iterationData,
    cookies,
    sendRequest: createSendRequest(host, run),
    test: createTest(run, input.source, () => self.pm),
    expect: Object.assign((value?: unknown, message?: unknown) => modules.expect(value, message), {
      fail: (...a: unknown[]) => modules.chai().expect.fail(...a),
    }),
    execution: {
      setNextRequest,
      // postman-sandbox offers skipRequest to prerequest scripts only: a test script's call throws.
      skipRequest: () => {
        if (isTest) throw new TypeError("pm.execution.skipRequest is not a function");
        out.skipRequest = true;
      },
      location: locationOf(input),
    },
    visualizer: {
      set: (template: unknown, data: unknown) => {
        out.visualizer = {
          template: String(template),
          data: data === undefined ? null : nativeJson.parse(nativeJson.stringify(data)),
        };
      },
      clear: () => {
        delete out.visualizer;
      },
    },
    vault: { get: vaultMissing, set: vaultMissing, unset: vaultMissing },
    require: (name: string) => modules.requireModule(name),
  };
  Object.defineProperty(pm, "request", { enumerable: true, configurable: true, get: messages.requestOf });
  if (ctx.response || isTest)
    Object.defineProperty(pm, "response", { enumerable: true, configurable: true, get: messages.responseOf });
  self.pm = pm;
  return {
    pm,
    release: () => {
      self.pm = undefined;
    },
  };
}

/** The timer globals (the script's virtual timers). */
const TIMER_NAMES = [
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
];
/** The five "lazy" library globals of the Postman sandbox. */
const LIBRARY_GLOBALS: Record<string, string> = {
  _: "lodash3",
  CryptoJS: "crypto-js",
  tv4: "tv4",
  Buffer: "buffer",
  cheerio: "cheerio",
};
/** Every global a script may name, per kind of script (test scripts have the response globals). */
const namesByKind = new Map<boolean, readonly string[]>();

/**
 * Builds `pm` for one script; `load(name)` gives every other global a script may name (`names`, the
 * same array for every script of a kind), each built only when the script's text names it.
 */
export function buildScriptApi(parts: PmParts) {
  const { host, input, run, scopes, modules } = parts;
  const ctx = input.context;
  const { out } = run;
  const messages = lazyMessages(input);
  const { isTest } = messages;
  const cookies = Object.assign(cookieList(ctx.cookies || []), { jar: createJar(host, run) });
  const setNextRequest = (target: unknown) => {
    out.nextRequest = { target: target === null || target === undefined ? null : String(target) };
  };
  const { pm, release } = pmObject(parts, messages, cookies, setNextRequest);
  const consoleObj = createConsole(run, input.limits);
  const timers = createTimers(input.limits, () => host.now());
  const tests: Record<string, unknown> = {};
  const description = Reflect.get(ctx.request, "description");
  const { requireModule } = modules;
  let legacy: Record<string, () => unknown> | undefined;
  const legacyOf = () => {
    legacy ??= legacyLoaders({
      envScope: scopes.environment,
      globalsScope: scopes.globals,
      requestOf: messages.requestOf,
      responseOf: messages.responseOf,
      cookies,
      info: ctx.info,
      isTest,
      requireModule,
      setNextRequest,
      description: typeof description === "string" ? description : undefined,
    });
    return legacy;
  };
  let names = namesByKind.get(isTest);
  if (!names) {
    names = ["pm", "console", "require", "tests", "data", ...legacyNames(isTest), "atob", "btoa"];
    names = [...names, ...TIMER_NAMES, ...Object.keys(LIBRARY_GLOBALS)];
    namesByKind.set(isTest, names);
  }
  const deprecated = deprecationWarnings((message) => consoleObj.warn?.(message));
  const load = (name: string): unknown => deprecated.wrap(name, loadRaw(name));
  const loadRaw = (name: string): unknown => {
    if (name === "pm") return pm;
    if (name === "console") return consoleObj;
    if (name === "require") return requireModule;
    if (name === "tests") return tests;
    if (name === "data") return { ...ctx.scopes.data };
    // The context's own (the shims' in QuickJS; V8's native ones where the host has them).
    if (name === "atob" || name === "btoa") return Reflect.get(global, name);
    if (TIMER_NAMES.includes(name)) return timers.api[name as keyof typeof timers.api];
    const library = LIBRARY_GLOBALS[name];
    if (library)
      return name === "Buffer"
        ? (requireModule(library) as { Buffer: unknown }).Buffer
        : requireModule(library);
    return legacyOf()[name]?.();
  };
  return {
    pm,
    names,
    load,
    tests,
    consoleObj,
    nextTimer: timers.next,
    serializeRequest: messages.serialize,
    release,
  };
}
