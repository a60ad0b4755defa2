/**
 * QuickJSScriptHost: runs user scripts in QuickJS (WebAssembly), because Workers forbid eval.
 *
 * One runtime + context per run (libraries load once per run, lazily); only JSON strings cross the
 * boundary (see contract.ts). Limits: a CPU budget counted in interrupt-handler calls (Workers do not
 * advance Date.now() during synchronous code), a memory limit and a stack limit. A script that breaks a
 * limit fails alone with a named error; the context is rebuilt for the next script if it is unusable.
 */
import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from "quickjs-emscripten-core";
import type { ScriptCapabilities, ScriptHost, ScriptInput, ScriptOutcome } from "../engine/types";
import {
  EXECUTE_GLOBAL,
  failedOutcome,
  HOST_GLOBAL,
  type PreludeOutput,
  preludeInput,
  preludeRequest,
  REQUIRE_ALIASES,
} from "./contract";
import { loadLibrary, neededLibraries, preludeSource } from "./libraries";
import { SendRequestGate, type SendRequestLimits } from "./send-gate";

export { SEND_REQUEST_LIMITS, type SendRequestLimits } from "./send-gate";

export interface QuickJSHostOptions {
  /** Interrupt-handler calls allowed per script (≈15–30 per ms of CPU); default from the script timeout. */
  cpuBudget?: number;
  memoryBytes?: number;
  stackBytes?: number;
  consoleEntries?: number;
  consoleMessageChars?: number;
  timers?: number;
  /** `pm.sendRequest` caps (see SEND_REQUEST_LIMITS). */
  sendRequests?: Partial<SendRequestLimits>;
}

type ModuleLoader = () => Promise<QuickJSWASMModule>;
let loader: ModuleLoader | undefined;
let modulePromise: Promise<QuickJSWASMModule> | undefined;

/** Chooses how the WebAssembly module is obtained (workerd imports it; Node reads it from disk). */
export function setQuickJSLoader(load: ModuleLoader): void {
  loader = load;
  modulePromise = undefined;
}

/** The shared QuickJS module (readiness checks load it once and evaluate a trivial script). */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  return getModule();
}

function getModule(): Promise<QuickJSWASMModule> {
  if (!loader)
    throw new Error(
      "QuickJS loader not configured: import quickjs-module.workerd or quickjs-module.node first",
    );
  modulePromise ??= loader();
  return modulePromise;
}

const CALLS_PER_MS = 20;
/** Must match SCRIPT_FILE in prelude/v8-messages.js. */
const USER_SCRIPT_FILE = "script.js";

class LimitError extends Error {}

interface Live {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  loaded: Set<string>;
  caps: ScriptCapabilities | undefined;
  inflight: Set<Promise<void>>;
  calls: number;
  budget: number;
  deadline: number;
}

export class QuickJSScriptHost implements ScriptHost {
  readonly #options: QuickJSHostOptions;
  readonly #gate: SendRequestGate;
  #live: Live | undefined;

  constructor(options: QuickJSHostOptions = {}) {
    this.#options = options;
    this.#gate = new SendRequestGate(options.sendRequests);
  }

  /**
   * Starts a new subrequest window: the run coordinator calls it at the start of each alarm slice, so
   * `perSlice` bounds what one invocation spends on `pm.sendRequest`. Without calls the window is the
   * host's lifetime (one run).
   */
  beginSlice(): void {
    this.#gate.beginSlice();
  }

  async run(input: ScriptInput, caps: ScriptCapabilities): Promise<ScriptOutcome> {
    const unchanged = (name: string, message: string) => failedOutcome(input, name, message);
    let live: Live;
    try {
      live = await this.#ensure();
      await this.#preload(live, input.source);
    } catch (err) {
      return unchanged("ScriptError", `sandbox could not start: ${(err as Error).message}`);
    }
    live.caps = caps;
    this.#gate.beginScript();
    live.calls = 0;
    live.budget = this.#options.cpuBudget ?? Math.max(1000, input.timeoutMs * CALLS_PER_MS);
    live.deadline = Date.now() + input.timeoutMs;
    const prelude = preludeInput(input, this.#options);
    try {
      const json = await this.#execute(live, preludeRequest(prelude), input.timeoutMs);
      const out = JSON.parse(json) as PreludeOutput;
      const { consoleDropped, meta, ...outcome } = out;
      const limit = limitError(outcome.error, live.calls > live.budget);
      if (limit) {
        this.dispose();
        return unchanged(limit, limitMessage(limit, input.timeoutMs, this.#memory()));
      }
      // The script changed an intrinsic in a way the prelude could not undo: the next script gets a
      // fresh context.
      if (meta?.tainted) this.dispose();
      if (consoleDropped)
        outcome.console.push({
          level: "warn",
          message: `… ${consoleDropped} more console messages dropped (limit)`,
        });
      return outcome;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.dispose(); // the context may be unusable after a limit: rebuild lazily for the next script
      if (/interrupted/i.test(message))
        return unchanged(
          "ScriptTimeoutError",
          `script exceeded its CPU/time budget of ${input.timeoutMs} ms`,
        );
      if (/out of memory/i.test(message))
        return unchanged(
          "ScriptMemoryError",
          `script exceeded the memory limit of ${this.#memory() >> 20} MiB`,
        );
      if (/stack overflow|too much recursion|maximum call stack/i.test(message))
        return unchanged("ScriptStackError", "script exceeded the stack limit (unbounded recursion?)");
      if (err instanceof LimitError) return unchanged("ScriptTimeoutError", message);
      return unchanged("ScriptError", message);
    } finally {
      live.caps = undefined;
    }
  }

  dispose(): void {
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    try {
      live.context.dispose();
      live.runtime.dispose();
    } catch {
      // A runtime that hit a hard limit may refuse a clean dispose; it is unreachable now anyway.
    }
  }

  #memory(): number {
    return this.#options.memoryBytes ?? 64 * 1024 * 1024;
  }

  async #ensure(): Promise<Live> {
    if (this.#live) return this.#live;
    const QuickJS = await getModule();
    const runtime = QuickJS.newRuntime();
    runtime.setMemoryLimit(this.#memory());
    runtime.setMaxStackSize(this.#options.stackBytes ?? 1024 * 1024);
    const context = runtime.newContext();
    const live: Live = {
      runtime,
      context,
      loaded: new Set(),
      caps: undefined,
      inflight: new Set(),
      calls: 0,
      budget: Number.POSITIVE_INFINITY,
      deadline: Number.POSITIVE_INFINITY,
    };
    runtime.setInterruptHandler(() => {
      live.calls++;
      return live.calls > live.budget || (live.calls % 256 === 0 && Date.now() > live.deadline);
    });
    this.#installHost(live);
    const result = context.evalCode(await preludeSource(), "prelude.js");
    context.unwrapResult(result).dispose();
    this.#live = live;
    return live;
  }

  #installHost(live: Live): void {
    const { context: ctx } = live;
    const host = ctx.newObject();
    const fn = (
      name: string,
      impl: (...args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle } | undefined,
    ) => {
      const h = ctx.newFunction(name, impl);
      ctx.setProp(host, name, h);
      h.dispose();
    };
    fn("library", (nameH) => {
      const name = ctx.getString(nameH);
      const id = REQUIRE_ALIASES[name] ?? name;
      const src = librarySources.get(id);
      return src === undefined ? ctx.undefined : ctx.newString(src);
    });
    fn("now", () => ctx.newNumber(Date.now()));
    // Script timers really wait (Newman's do); the wait is tracked like a request so #execute awaits it.
    fn("sleep", (msH) => {
      const ms = Math.min(Math.max(0, ctx.getNumber(msH)), 60_000);
      const deferred = ctx.newPromise();
      const tracked = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => {
        live.inflight.delete(tracked);
        if (deferred.alive) {
          deferred.resolve();
          deferred.dispose();
        }
      });
      live.inflight.add(tracked);
      return deferred.handle;
    });
    // User scripts are compiled under their own file name so error stacks point into them (the prelude
    // recovers V8's wording from the source position: prelude/v8-messages.js).
    fn("compile", (paramsH, bodyH) => {
      const code = `(async function (${ctx.getString(paramsH)}) {\n${ctx.getString(bodyH)}\n})`;
      const result = ctx.evalCode(code, USER_SCRIPT_FILE);
      return result.error ? { error: result.error } : result.value;
    });
    fn("cookieJar", (opH, argsH) => {
      const op = ctx.getString(opH);
      const args = JSON.parse(ctx.getString(argsH)) as unknown[];
      const jar = live.caps?.cookieJar;
      if (!jar) return ctx.newString("null");
      const url = String(args[0] ?? "");
      try {
        if (op === "getAll") return ctx.newString(JSON.stringify(jar.getAll(url)));
        if (op === "set") jar.set(url, args[1] as { name: string; value: string });
        else if (op === "unset") jar.unset(url, String(args[1] ?? ""));
        else if (op === "clear") jar.clear(url);
        return ctx.newString("null");
      } catch (err) {
        return ctx.newString(JSON.stringify({ __error: (err as Error).message }));
      }
    });
    fn("sendRequest", (reqH) => {
      this.#gate.admit();
      const request = JSON.parse(ctx.getString(reqH)) as Parameters<ScriptCapabilities["sendRequest"]>[0];
      const deferred = ctx.newPromise();
      const caps = live.caps;
      const work = this.#gate
        .acquire()
        .then(() =>
          // A queued request of a script whose context was dropped meanwhile (a limit) is not sent.
          caps && this.#live === live
            ? caps.sendRequest(request)
            : { error: { name: "ScriptError", message: "no request capability" } },
        )
        .catch((err: unknown) => ({ error: { name: "RequestError", message: String(err) } }))
        .then((outcome) => {
          this.#gate.release();
          if (!deferred.alive) return;
          const s = ctx.newString(JSON.stringify(outcome));
          deferred.resolve(s);
          s.dispose();
        });
      const tracked = work.finally(() => {
        live.inflight.delete(tracked);
        if (deferred.alive) deferred.dispose();
      });
      live.inflight.add(tracked);
      return deferred.handle;
    });
    ctx.setProp(ctx.global, HOST_GLOBAL, host);
    host.dispose();
  }

  async #execute(live: Live, request: ReturnType<typeof preludeRequest>, timeoutMs: number): Promise<string> {
    const { context: ctx, runtime } = live;
    const fnH = ctx.getProp(ctx.global, EXECUTE_GLOBAL);
    const argH = ctx.newString(request.json);
    const bodyH = request.body === undefined ? ctx.undefined : ctx.newString(request.body);
    const callResult = ctx.callFunction(fnH, ctx.undefined, argH, bodyH);
    fnH.dispose();
    argH.dispose();
    if (request.body !== undefined) bodyH.dispose();
    const promiseH = ctx.unwrapResult(callResult);
    const wallDeadline = Date.now() + timeoutMs + 30_000;
    try {
      for (;;) {
        const jobs = runtime.executePendingJobs();
        if (jobs.error) {
          const err = ctx.dump(jobs.error);
          jobs.error.dispose();
          throw new Error(describe(err));
        }
        const state = ctx.getPromiseState(promiseH);
        if (state.type === "fulfilled") {
          const value = ctx.getString(state.value);
          state.value.dispose();
          return value;
        }
        if (state.type === "rejected") {
          const err = ctx.dump(state.error);
          state.error.dispose();
          throw new Error(describe(err));
        }
        if (live.inflight.size === 0) throw new Error("script did not complete (a promise never settled)");
        if (Date.now() > wallDeadline) throw new LimitError(`script still waiting after ${timeoutMs} ms`);
        await Promise.race(live.inflight);
      }
    } finally {
      if (promiseH.alive) promiseH.dispose();
    }
  }

  async #preload(live: Live, source: string): Promise<void> {
    for (const id of neededLibraries(source)) {
      if (librarySources.has(id)) continue;
      const src = await loadLibrary(id);
      if (src !== undefined) librarySources.set(id, src);
    }
    void live;
  }
}

type LimitName = "ScriptTimeoutError" | "ScriptMemoryError" | "ScriptStackError";

/** Recognises QuickJS's limit errors even when user code caught and rethrew them. */
function limitError(
  error: { name: string; message: string } | undefined,
  overBudget: boolean,
): LimitName | undefined {
  if (overBudget) return "ScriptTimeoutError";
  if (!error) return undefined;
  if (/interrupted/i.test(error.message)) return "ScriptTimeoutError";
  if (/out of memory/i.test(error.message)) return "ScriptMemoryError";
  if (/stack overflow|too much recursion|call stack size/i.test(error.message)) return "ScriptStackError";
  return undefined;
}

function limitMessage(name: LimitName, timeoutMs: number, memory: number): string {
  if (name === "ScriptTimeoutError") return `script exceeded its CPU/time budget of ${timeoutMs} ms`;
  if (name === "ScriptMemoryError") return `script exceeded the memory limit of ${memory >> 20} MiB`;
  return "script exceeded the stack limit (unbounded recursion?)";
}

/** Library sources are the same for every run: cache them per isolate. */
const librarySources = new Map<string, string>();

function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: string; message?: string };
    if (e.message !== undefined) return `${e.name ?? "Error"}: ${e.message}`;
  }
  return String(err);
}
