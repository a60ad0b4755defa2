// The sandbox prelude: evaluated once per QuickJS context (one context per run); defines
// globalThis.__edgerun_execute, which runs one user script with a fresh `pm`, legacy globals, console,
// virtual timers and require(). See contract.ts.
//
// What persists between the scripts of a run is what persists in Newman, whose sandbox keeps one
// context per run (postman-sandbox: "a common scope for all executions"): changes a script makes to
// built-ins and their prototypes (however it reached them), globals it creates by assignment, and
// required library modules stay for the later scripts of the same run. Nothing outlives the run: the
// host builds a new context for every run (and for the next script after one hit a limit). See
// containment.ts; the prelude's traffic with the host uses the JSON it found (shims.ts).
import type { CompiledScript, PreludeHost, PreludeInput } from "../contract";
import { SUGAR_USE_SOURCE } from "../generated/sugar-names";
import { libraryCleanRoom } from "./containment";
import { createModules } from "./modules";
import { buildScriptApi } from "./pm-api";
import { redeclaredGlobal } from "./redeclared";
import { type ContentInfoLibrary, useChai, useContentInfo } from "./response-object";
import { createReplaceIn, scopeApi } from "./scope-api";
import { createRun, type ScriptRun } from "./script-run";
import { installShims, LIBRARY_ONLY, nativeJson } from "./shims";
import { v8Message } from "./v8-messages";

type Global = typeof globalThis & Record<string, unknown>;
const g = globalThis as Global;
const host = g.__host as PreludeHost;
delete g.__host;

installShims();
const modules = createModules(host, libraryCleanRoom(LIBRARY_ONLY));
useChai(() => modules);
useContentInfo(() => modules.loadModule("content-info", "content-info") as ContentInfoLibrary);
const replaceIn = createReplaceIn(() => host.now());

/** What the prelude reads from a script's text, memoised per source (the same scripts run per item). */
interface ScriptText {
  sugar: boolean;
  /** The text builds code from strings (`eval`, `Function(…)`): what that code names cannot be read. */
  opaque: boolean;
  /** Every identifier-like word of the text (whether it names `arguments`, `callee`, `caller`). */
  words: Set<string>;
  /** The words not read as a property (`pm.environment` does not name the global `environment`). */
  free: Set<string>;
  fn?: CompiledScript;
  params?: string;
  /** The globals the text names, of the list `of` (the same array for every script of a kind). */
  names?: { of: readonly string[]; list: string[] };
  /** The global a top-level declaration redeclares (redeclared.ts), by whether it is a test script. */
  redeclared?: Map<boolean, string | undefined>;
}
// Compiling this RegExp costs ≈ 3 ms in V8 (on first use) and ≈ 0.4 ms in QuickJS (when built), once
// per context: a host that already knows the answer passes it (PreludeInput.sugar) and it is never
// built. The constructor is taken now, before a script could replace it.
const RegExpCtor = RegExp;
let sugarUse: RegExp | undefined;
function usesSugar(source: string): boolean {
  sugarUse ??= new RegExpCtor(SUGAR_USE_SOURCE);
  return sugarUse.test(source);
}
// A word right after one `.` (and spaces on the same line) is a property name (`pm.environment`,
// `pm.info.iteration`), so it does not name a legacy global: building those for nearly every script
// (the `environment` object, the QuickJS prelude's legacy part) was for nothing. A spread
// (`...environment`) and a word after a line break (a comment may end in a dot) still count.
const FREE_WORD = /(?<![\w$]|(?:^|[^.])\.[ \t]*)[A-Za-z_$][\w$]*/g;
const texts = new Map<string, ScriptText>();
/** libraries.ts CODE_FROM_TEXT: the host has then fetched every library global's source. */
const CODE_FROM_TEXT = /\beval\b|\bFunction\s*\(/;
const SCOPE_PARAM = "__edgerunScope";

/**
 * Code a script builds from strings may name any of its globals: its text cannot say which. Newman's
 * sandbox has them all, read through the script's scope (direct eval) and its `this` (a UMD bundle's
 * `root`; what is set there stays off the global object). Such a script runs `with` an object whose
 * properties load each global on first read (the libraries are costly), and with `this` another over
 * the same values. Code of `new Function` still sees only the real globals, as in Newman.
 */
function opaqueScope(api: ScriptApi): { scope: object; self: object } {
  const values = new Map<string, unknown>();
  const scope = Object.create(null) as object;
  const self = Object.create(null) as object;
  for (const name of api.names)
    for (const target of [scope, self])
      Object.defineProperty(target, name, {
        configurable: true,
        enumerable: true,
        get() {
          if (!values.has(name)) {
            try {
              values.set(name, api.load(name));
            } catch {
              values.set(name, undefined); // as a bound name whose library failed to load
            }
          }
          return values.get(name);
        },
        set(value: unknown) {
          values.set(name, value);
        },
      });
  return { scope, self };
}

/** `sugar`: the host's answer to SUGAR_USE (contract.ts PreludeInput.sugar); else the text is tested. */
function textOf(source: string, sugar: boolean | undefined): ScriptText {
  let t = texts.get(source);
  if (!t) {
    if (texts.size >= 256) texts.clear();
    t = {
      sugar: typeof sugar === "boolean" ? sugar : usesSugar(source),
      opaque: CODE_FROM_TEXT.test(source),
      words: new Set(source.match(/[A-Za-z_$][\w$]*/g) || []),
      free: new Set(source.match(FREE_WORD) || []),
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
function compiled(text: ScriptText, params: string, source: string): CompiledScript {
  if (text.fn && text.params === params) return text.fn;
  // As in Newman: the body is not async (a top-level `await` is a SyntaxError) and the `;` ends the
  // directive prologue, so a leading 'use strict' is an ordinary expression (scripts stay sloppy).
  const scoped = params === SCOPE_PARAM ? `with (${SCOPE_PARAM}) ` : "";
  const fn = host.compile(params, `${scoped}return (() => {;\n${source}\n})();`);
  if (!text.words.has("arguments") && !text.words.has("callee") && !text.words.has("caller")) {
    text.fn = fn;
    text.params = params;
  }
  return fn;
}

/**
 * Newman's sandbox always has Sugar's prototype extensions; here they load (once per context) for the
 * first script that calls one, before it runs.
 */
let sugarLoaded = false;
function ensureSugar(text: ScriptText): void {
  if (sugarLoaded || !text.sugar) return;
  sugarLoaded = true;
  modules.loadModule("sugar", "sugar");
}

/** Starts the user script; its completion (and error) is tracked in `run`. */
function start(run: ScriptRun, text: ScriptText, source: string, api: ScriptApi): void {
  const testScript = api.names.includes("responseBody");
  text.redeclared ??= new Map();
  if (!text.redeclared.has(testScript)) text.redeclared.set(testScript, redeclaredGlobal(source, testScript));
  const clash = text.redeclared.get(testScript);
  if (clash !== undefined) {
    run.error = new SyntaxError(`Identifier '${clash}' has already been declared`);
    return;
  }
  // `tests` is always bound: legacy scripts write to it and the runner reads it back. Other globals are
  // built only when the script's text names them (copying the response and scopes is most of the cost).
  if (text.opaque) {
    startOpaque(run, text, source, api);
    return;
  }
  if (text.names?.of !== api.names)
    text.names = { of: api.names, list: api.names.filter((k) => k === "tests" || text.free.has(k)) };
  const names = text.names.list;
  try {
    // The user source runs in an inner function so it may redeclare these names freely.
    const values = names.map((k) => {
      try {
        return api.load(k);
      } catch {
        return undefined; // e.g. a library that failed to load: the script sees `undefined`, as before
      }
    });
    const fn = compiled(text, names.join(","), source);
    // Not awaited here: a script that awaits one of its own timers needs the drain to fire it. The
    // error is taken inside the tracked chain, so the drain cannot end before it is recorded.
    run.track(
      fn(...values).catch((e: unknown) => {
        run.error ??= e;
      }),
    );
  } catch (e) {
    run.error = e;
  }
}

/** `start` for a script that builds code from strings (opaqueScope). */
function startOpaque(run: ScriptRun, text: ScriptText, source: string, api: ScriptApi): void {
  try {
    const { scope, self } = opaqueScope(api);
    const fn = compiled(text, SCOPE_PARAM, source);
    run.track(
      fn.call(self, scope).catch((e: unknown) => {
        run.error ??= e;
      }),
    );
  } catch (e) {
    run.error = e;
  }
}

type ScriptApi = ReturnType<typeof buildScriptApi>;
type NextTimer = ScriptApi["nextTimer"];

/**
 * Drain: microtasks, in-flight host requests and timers, each timer when it is due (really waited for,
 * as in Newman: a request in flight does not hold back a timer due earlier).
 */
async function drain(run: ScriptRun, nextTimer: NextTimer): Promise<void> {
  for (;;) {
    await drainWork(run, nextTimer);
    if (await testsSettled(run)) return;
    // Something a test is waiting for may just have started a timer or a request: drain again.
    const { timer } = nextTimer();
    if (!timer && run.pending.size === 0) return;
  }
}

/**
 * Whether every async `pm.test` has finished, after one real turn of the host (so any chain of
 * microtasks has run). As in postman-sandbox, the script ends when its timers and requests are done:
 * a test whose `done` is never called is left unreported instead of holding the script to its budget.
 */
async function testsSettled(run: ScriptRun): Promise<boolean> {
  if (run.testPromises.length === 0) return true;
  let settled = false;
  const all = Promise.all(run.testPromises).then(() => {
    settled = true;
  });
  await Promise.race([all, host.sleep(0)]);
  return settled;
}

/** Microtasks, in-flight host requests and due timers until none is left. */
async function drainWork(run: ScriptRun, nextTimer: NextTimer): Promise<void> {
  for (let guard = 0; guard < 100000; guard++) {
    await Promise.resolve();
    const { timer, wait } = nextTimer();
    if (wait > 0 || !timer) {
      if (!timer && run.pending.size === 0) break;
      const waits: Promise<unknown>[] = [...run.pending].map((p) => p.catch(() => undefined));
      if (timer) waits.push(host.sleep(wait));
      await Promise.race(waits);
      continue;
    }
    try {
      const r = timer.fn(...(timer.args || []));
      // An async callback is tracked, not awaited: it may itself wait for a later timer, which only
      // this loop can fire (Node's timers do not wait for a callback's promise either).
      if (r && typeof (r as Promise<unknown>).then === "function")
        run.track(Promise.resolve(r).catch((e: unknown) => timerError(run, e)));
    } catch (e) {
      timerError(run, e);
    }
  }
}

/**
 * An error thrown in a timer's callback. postman-runtime only keeps such asynchronous errors under
 * `--bail`, so `newman run` neither fails nor prints them: the script passes with the assertions it
 * made. edgerun's own limit errors still end the script.
 */
function timerError(run: ScriptRun, e: unknown): void {
  if (e instanceof Error && e.name === "ScriptLimitError") run.error ??= e;
}

/** Legacy `tests` entries: a falsy value fails with postman-sandbox's fabricated message. */
function legacyTests(run: ScriptRun, tests: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(tests))
    run.out.assertions.push({
      name,
      passed: !!value,
      skipped: false,
      index: run.assertionIndex++,
      ...(value
        ? {}
        : { error: { name: "AssertionError", message: `expected ${String(value)} to be truthy` } }),
    });
}

async function execute(inputJson: string, body?: unknown): Promise<string> {
  const input = nativeJson.parse(inputJson) as PreludeInput;
  // The host passes the response body beside the JSON (contract.ts, preludeRequest).
  const { response } = input.context;
  if (response && typeof body === "string") response.body = body;
  const text = textOf(input.source, input.sugar);
  ensureSugar(text);
  const run = createRun();
  const scopes = scopeApi(input.context.scopes, replaceIn);
  const api = buildScriptApi({ host, input, run, scopes, modules });
  Reflect.set(g, "console", api.consoleObj); // libraries log through the global console
  start(run, text, input.source, api);
  await drain(run, api.nextTimer);
  const { out } = run;
  legacyTests(run, api.tests);
  const { error } = run;
  if (error) {
    const name = error !== null && typeof error === "object" ? Reflect.get(error, "name") : undefined;
    out.error = { name: String(name || "Error"), message: v8Message(error, input.source) };
  }
  if (run.consoleDropped) out.consoleDropped = run.consoleDropped;
  api.release();
  modules.release();
  // Left out when unchanged: the host hands back the engine's own (contract.ts PreludeOutput).
  if (scopes.written()) {
    scopes.settle();
    out.scopes = input.context.scopes;
  }
  const request = api.serializeRequest();
  if (request) out.request = request;
  return nativeJson.stringify(out);
}

/**
 * Loads chai (with chai-postman) before a run's first script, when the script's text needs it: the QuickJS
 * host calls this as a start stage of its own (quickjs-host.ts `#warm`), so the first script's run is not
 * one long stretch of the isolate's thread. Loading earlier changes nothing a script sees: chai is loaded
 * in the libraries' clean room either way, once per run.
 */
function preload(idsJson: string): void {
  const ids = nativeJson.parse(idsJson) as string[];
  if (ids.includes("chai")) modules.chai();
}
Object.defineProperty(g, "__edgerun_preload", { value: preload, writable: false, configurable: false });

// The host looks this up for every script; since a run's scripts share the global object, a script's
// assignment must not replace it for the later scripts (sloppy assignment to it is ignored).
Object.defineProperty(g, "__edgerun_execute", { value: execute, writable: false, configurable: false });
