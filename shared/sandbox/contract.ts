/**
 * The boundary between the QuickJS host (quickjs-host.ts, runs in workerd/Node) and the prelude
 * (prelude/, TypeScript bundled to one script that runs inside QuickJS and implements `pm`, chai-postman and the legacy globals).
 *
 * Only strings cross the boundary (JSON), so the host never hands a live host object to user code.
 *
 * Host → sandbox: the host creates one QuickJS context per run, evaluates the prelude bundle once,
 * then for each script calls
 *     globalThis.__edgerun_execute(inputJson: string, body?: string): Promise<string>
 * where inputJson is `JSON.stringify(PreludeInput)` and the resolved string is `JSON.stringify(PreludeOutput)`.
 * The response body travels beside the JSON (`preludeRequest` below): inside it, the host would escape
 * it and the sandbox unescape it again, which in QuickJS costs ≈ 0.02 ms per kB for every test script.
 * The host drives the promise: it runs QuickJS pending jobs, and whenever nothing is runnable it awaits the
 * real promises of in-flight host calls (sendRequest, sleep). Timers are owned by the prelude, which sleeps
 * through the host until the next one is due.
 *
 * Sandbox → host: the host installs one global object `__host` with exactly these functions:
 *   __host.sendRequest(requestJson: string): Promise<string>
 *       requestJson: JSON of `RequestDefinition | string`; resolves with JSON of `SendRequestOutcome`.
 *   __host.cookieJar(op: "getAll" | "set" | "unset" | "clear", argsJson: string): string
 *       argsJson: JSON array of the ScriptCapabilities.cookieJar method's arguments; returns JSON of the result
 *       (`Cookie[]` for getAll, `null` otherwise). Throws (as a QuickJS error) on invalid input.
 *   __host.library(name: string): string | undefined
 *       the CommonJS source of a bundled library (`chai`, `lodash`, `crypto-js`, `moment`, `uuid`, `tv4`,
 *       `ajv`, `xml2js`, `cheerio`, `csv-parse/lib/sync`, `postman-collection`? (not bundled), Node shims
 *       `buffer`, `events`, `util`, `assert`, `path`, `punycode`, `string_decoder`, `querystring`, `url`,
 *       `stream`, `timers`, and `atob`/`btoa`); the prelude wraps it as `function (module, exports, require)`,
 *       caches the module per context, and loads nothing until a script needs it.
 *   __host.now(): number   — wall-clock ms (Date works too; this is for timings and timers).
 *   __host.sleep(ms: number): Promise<void> — resolves after ms (at most 60 s) of real time: script
 *       timers really wait, as in Newman.
 *   __host.compile(params: string, body: string): AsyncFunction
 *       compiles `async function (params) { body }` under the file name `script.js`, so error stacks
 *       locate positions in the user's script; throws the SyntaxError of an invalid script.
 *
 * Limits (CPU by interrupt-handler call count, memory, stack) are the host's; the prelude bounds console
 * output (entries and characters) and virtual timers, and reports them in PreludeOutput.
 *
 * The V8 host (platform/script-host-v8.ts, a dynamic worker through the Worker Loader; in-isolate side in
 * v8/host.js) keeps this contract with these variations, because dynamic workers refuse code generation
 * from strings:
 *   __host.library(id) returns the library precompiled as a function `(module, exports, require)`
 *       (a `cjs` module wrapping the same CommonJS source) instead of its source; the module binds the
 *       ECMAScript globals no script of the run may replace as its own variables (v8/worker-code.ts).
 *   __host.compile(params, body) serves the script's precompiled function (from a module the run's
 *       scripts share, 64 to a module, v8/worker-code.ts), looked up by `body` (which must
 *       be the prelude's `return (() => {;\n<source>\n})();`, see v8/worker-code.ts `scriptBody`); the
 *       parameters are bound through a `with` scope; a script that does not compile throws V8's
 *       SyntaxError for its source alone.
 *   __host.cookieJar(op, argsJson) returns a Promise of the JSON (an RPC into the engine): the prelude's
 *       jar callbacks then run asynchronously, as in Newman.
 *   __host.sendRequest checks the caps synchronously in the isolate; the engine counts again.
 * Globals are ECMAScript's only (workerd's own — fetch, process, TextEncoder, … — are hidden) so that
 * scripts see what they see under QuickJS. Limits: `limits.cpuMs` from the script timeout and the
 * platform's isolate memory limit (workerd enforces neither locally).
 */
import type { ScriptContext, ScriptOutcome } from "../engine/types";

export interface PreludeInput {
  source: string;
  location: string;
  /**
   * `context.request` may also carry `description` (string): the item's request description, which the
   * legacy `request.description` global shows in Newman. In the JSON, `context.request.url` may be the
   * URL's text instead of its parsed form (a test script's request as sent, execute-item.ts `sentUrl`):
   * the prelude parses it with the engine's parseRawUrl, as it parses a URL a script sets.
   */
  context: ScriptContext;
  /**
   * Whether the script needs Sugar loaded (libraries.ts SUGAR_USE), when the host already knows it:
   * the prelude's own test compiles that large RegExp once per context, ≈ 3 ms of a V8 run's start.
   * Absent: the prelude tests the text itself.
   */
  sugar?: boolean;
  limits: {
    /** Maximum console entries kept per script (later ones are counted, not kept). */
    consoleEntries: number;
    /** Maximum characters of one console message. */
    consoleMessageChars: number;
    /** Maximum virtual timers scheduled by one script. */
    timers: number;
  };
}

/**
 * What the prelude answers: a ScriptOutcome (see engine/types.ts) whose `scopes` are left out when the
 * script wrote none of them (no set, unset or clear: what a typical test script does), and `request`
 * when the script never built `pm.request`. The host then hands back the context's own objects
 * (`scriptOutcome`), so the engine keeps them (no copy, and the masker sees the same lists as before)
 * and neither side serialises what did not change.
 */
export type PreludeOutput = Omit<ScriptOutcome, "scopes" | "request"> &
  Partial<Pick<ScriptOutcome, "scopes" | "request">> & { consoleDropped?: number };

/** A library module precompiled by the host: the CommonJS body as `function (module, exports, require)`. */
export type LibraryFactory = (
  module: { exports: unknown },
  exports: unknown,
  require: (name: string) => unknown,
) => void;

/** The compiled body of a user script: `async function (params) { body }`. */
export type CompiledScript = (...args: unknown[]) => Promise<unknown>;

/** `globalThis.__host` as the prelude sees it (see the comment at the top of this file). */
export interface PreludeHost {
  sendRequest(requestJson: string): Promise<string>;
  /** JSON of the result; a backend that reaches the engine asynchronously answers a promise of it. */
  cookieJar(op: "getAll" | "set" | "unset" | "clear", argsJson: string): string | Promise<string>;
  library(name: string): string | LibraryFactory | undefined;
  now(): number;
  sleep(ms: number): Promise<void>;
  compile(params: string, body: string): CompiledScript;
}

/**
 * The outcome of a script that did not run to its end (the sandbox failed, a limit hit): the context
 * unchanged, and the error named with the script's location, as both hosts report it.
 */
export function failedOutcome(
  input: Pick<PreludeInput, "location" | "context">,
  name: string,
  message: string,
): ScriptOutcome {
  return {
    scopes: input.context.scopes,
    request: input.context.request,
    assertions: [],
    console: [],
    error: { name, message: `${message} (${input.location})` },
    skipRequest: false,
  };
}

/**
 * A finished script's outcome from the prelude's output: the host-only fields dropped, the scopes and
 * request the prelude left out (unchanged) taken from the script's input as they are, and a console
 * that hit its entry limit ending with one warning saying how many messages were left out (both hosts).
 */
export function scriptOutcome(out: PreludeOutput, input: Pick<PreludeInput, "context">): ScriptOutcome {
  const { consoleDropped, scopes, request, ...rest } = out;
  if (consoleDropped)
    rest.console.push({
      level: "warn",
      message: `… ${consoleDropped} more console messages dropped (limit)`,
    });
  return { ...rest, scopes: scopes ?? input.context.scopes, request: request ?? input.context.request };
}

/** The prelude's input for one script, with the hosts' defaults for the limits the prelude enforces. */
export function preludeInput(
  script: Pick<PreludeInput, "source" | "location" | "context" | "sugar">,
  limits: Partial<PreludeInput["limits"]>,
): PreludeInput {
  return {
    source: script.source,
    location: script.location,
    context: script.context,
    ...(script.sugar === undefined ? {} : { sugar: script.sugar }),
    limits: {
      consoleEntries: limits.consoleEntries ?? 100,
      consoleMessageChars: limits.consoleMessageChars ?? 2000,
      timers: limits.timers ?? 1000,
    },
  };
}

/**
 * The arguments of `__edgerun_execute` for one script: the input's JSON without the response body, and
 * the body beside it. Both hosts build their call with this, so the prelude sees the same input.
 */
export function preludeRequest(
  input: PreludeInput,
  opts: { nulSafe?: boolean } = {},
): { json: string; body: string | undefined } {
  const { response } = input.context;
  // `nulSafe`: the host hands strings over as C strings (QuickJS), which end at a NUL character: a body
  // with one travels inside the JSON, where it is escaped (a binary body was cut at its first zero byte).
  if (!response || (opts.nulSafe && response.body?.includes("\0")))
    return { json: JSON.stringify(input), body: undefined };
  const { body, ...rest } = response;
  return { json: JSON.stringify({ ...input, context: { ...input.context, response: rest } }), body };
}

export const HOST_GLOBAL = "__host";
export const EXECUTE_GLOBAL = "__edgerun_execute";

/** Library names `require()` accepts inside scripts, mapped to the bundle id the host serves. */
export const REQUIRE_ALIASES: Record<string, string> = {
  chai: "chai",
  lodash: "lodash",
  "crypto-js": "crypto-js",
  moment: "moment",
  uuid: "uuid",
  tv4: "tv4",
  ajv: "ajv",
  xml2js: "xml2js",
  cheerio: "cheerio",
  "csv-parse/lib/sync": "csv-parse-sync",
  atob: "atob",
  btoa: "btoa",
  buffer: "buffer",
  events: "events",
  util: "util",
  assert: "assert",
  path: "path",
  punycode: "punycode",
  string_decoder: "string_decoder",
  querystring: "querystring",
  url: "url",
  stream: "stream",
  timers: "timers",
};
