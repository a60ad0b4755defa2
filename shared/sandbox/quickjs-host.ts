/**
 * QuickJSScriptHost: runs user scripts in QuickJS (WebAssembly), because Workers forbid eval.
 *
 * One runtime + context per run (libraries load once per run, lazily); only JSON strings cross the
 * boundary (see contract.ts). Limits: a CPU budget counted in interrupt-handler calls (Workers do not
 * advance Date.now() during synchronous code), a memory limit and a stack limit. A script that breaks a
 * limit fails alone with a named error; the context is rebuilt for the next script if it is unusable.
 * Starts (the prelude, then the first script's libraries) go one at a time per isolate (start-queue.ts).
 */
import type {
  QuickJSContext,
  QuickJSDeferredPromise,
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
  scriptOutcome,
} from "./contract";
import { loadLibrary, neededLibraries, preludeSource } from "./libraries";
import { describe, LimitError, limitError, limitMessage, limitOf } from "./quickjs-limits";
import { getModule, retireModule } from "./quickjs-loader";
import { SendRequestGate, type SendRequestLimits } from "./send-gate";
import { StartQueue, type StartSlot } from "./start-queue";

export { loadQuickJS, setQuickJSLoader } from "./quickjs-loader";
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

const CALLS_PER_MS = 20;
/** Must match SCRIPT_FILE in prelude/v8-messages.js. */
const USER_SCRIPT_FILE = "script.js";

interface Live {
  module: QuickJSWASMModule;
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  /** `__edgerun_execute`, looked up once per context. */
  execute: QuickJSHandle | undefined;
  /** Promises handed to the sandbox (sleep, sendRequest) and not settled yet: disposed with the context. */
  deferreds: Set<QuickJSDeferredPromise>;
  closed: boolean;
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
    // A new context's start (the prelude, then the first script's synchronous part: its libraries) is
    // taken one at a time per isolate, with turns of the event loop between (start-queue.ts).
    const slot = this.#live ? undefined : await starts.enter();
    try {
      return await this.#run(input, caps, slot);
    } finally {
      slot?.release();
    }
  }

  async #run(
    input: ScriptInput,
    caps: ScriptCapabilities,
    slot: StartSlot | undefined,
  ): Promise<ScriptOutcome> {
    const unchanged = (name: string, message: string) => failedOutcome(input, name, message);
    let live: Live;
    let needed: string[];
    try {
      live = await this.#ensure();
      needed = await this.#preload(input.source);
    } catch (err) {
      return unchanged("ScriptError", `sandbox could not start: ${(err as Error).message}`);
    }
    await slot?.turn();
    if (slot && needed.includes("chai")) {
      try {
        live = this.#warm(live, needed) ?? (await this.#ensure());
      } catch (err) {
        return unchanged("ScriptError", `sandbox could not start: ${(err as Error).message}`);
      }
      await slot.turn();
    }
    live.caps = caps;
    this.#gate.beginScript();
    live.calls = 0;
    live.budget = this.#options.cpuBudget ?? Math.max(1000, input.timeoutMs * CALLS_PER_MS);
    live.deadline = Date.now() + input.timeoutMs;
    // The host has tested the text for Sugar idioms already: the prelude need not (its RegExp costs
    // QuickJS ≈ 0.1 ms per 200 characters of a script text it has not seen).
    const prelude = preludeInput({ ...input, sugar: needed.includes("sugar") }, this.#options);
    try {
      const json = await this.#execute(
        live,
        preludeRequest(prelude, { nulSafe: true }),
        input.timeoutMs,
        slot,
      );
      const out = JSON.parse(json) as PreludeOutput;
      const limit = limitError(out.error, live.calls > live.budget);
      if (limit) {
        this.dispose();
        return unchanged(limit, limitMessage(limit, input.timeoutMs, this.#memory()));
      }
      return scriptOutcome(out, input);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.dispose(); // the context may be unusable after a limit: rebuild lazily for the next script
      const limit = limitOf(message);
      if (limit) return unchanged(limit, limitMessage(limit, input.timeoutMs, this.#memory()));
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
    // Host calls still in flight settle into nothing; their promises must not keep QuickJS objects
    // alive, or freeing the runtime fails and leaks it.
    live.closed = true;
    for (const deferred of live.deferreds) deferred.dispose();
    live.deferreds.clear();
    try {
      live.execute?.dispose();
      live.context.dispose();
      live.runtime.dispose();
    } catch {
      // A runtime that hit a hard limit may refuse a clean dispose: unreachable now, but its memory stays
      // allocated in this module.
      retireModule(live.module);
    }
  }

  #memory(): number {
    return this.#options.memoryBytes ?? 64 * 1024 * 1024;
  }

  async #ensure(): Promise<Live> {
    if (this.#live) return this.#live;
    const module = await getModule();
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(this.#memory());
    runtime.setMaxStackSize(this.#options.stackBytes ?? 1024 * 1024);
    const context = runtime.newContext();
    const live: Live = {
      module,
      runtime,
      context,
      execute: undefined,
      deferreds: new Set(),
      closed: false,
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
    const result = context.evalCode(await preludeSource("quickjs"), "prelude.js");
    context.unwrapResult(result).dispose();
    live.execute = context.getProp(context.global, EXECUTE_GLOBAL);
    this.#live = live;
    return live;
  }

  /**
   * A fresh context's libraries as a start stage of their own (prelude/index.ts `__edgerun_preload`): chai
   * is most of a first script's CPU. A failed load (a memory limit) leaves a half-loaded module behind,
   * so the context is dropped (undefined) and the script starts on a new one that loads on first use.
   */
  #warm(live: Live, ids: string[]): Live | undefined {
    const { context: ctx } = live;
    const fnH = ctx.getProp(ctx.global, PRELOAD_GLOBAL);
    const argH = ctx.newString(JSON.stringify(ids));
    const result = ctx.callFunction(fnH, ctx.undefined, argH);
    argH.dispose();
    fnH.dispose();
    if (!result.error) {
      result.value.dispose();
      return live;
    }
    result.error.dispose();
    this.dispose();
    return undefined;
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
      const deferred = newDeferred(live);
      const tracked = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => {
        live.inflight.delete(tracked);
        settle(live, deferred);
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
      const deferred = newDeferred(live);
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
          settle(live, deferred, JSON.stringify(outcome));
        });
      const tracked = work.finally(() => {
        live.inflight.delete(tracked);
      });
      live.inflight.add(tracked);
      return deferred.handle;
    });
    ctx.setProp(ctx.global, HOST_GLOBAL, host);
    host.dispose();
  }

  /** `slot`: the start this call belongs to, handed on once the script first waits for its host calls. */
  async #execute(
    live: Live,
    request: ReturnType<typeof preludeRequest>,
    timeoutMs: number,
    slot?: StartSlot,
  ): Promise<string> {
    const { context: ctx, runtime } = live;
    const argH = ctx.newString(request.json);
    const bodyH = request.body === undefined ? ctx.undefined : ctx.newString(request.body);
    const callResult = ctx.callFunction(live.execute ?? ctx.undefined, ctx.undefined, argH, bodyH);
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
        // Past its CPU budget nothing of the script can run any more: do not wait for its host calls.
        if (live.calls > live.budget) throw new Error("interrupted");
        slot?.release();
        if (!(await settledBefore(live.inflight, wallDeadline)))
          throw new LimitError(`script still waiting after ${timeoutMs} ms`);
      }
    } finally {
      if (promiseH.alive) promiseH.dispose();
    }
  }

  /** Loads the sources of the libraries a script needs into the isolate's cache; answers their ids. */
  async #preload(source: string): Promise<string[]> {
    // The same scripts run for every item and iteration: their library needs are read once per text.
    let ids = neededBySource.get(source);
    if (!ids) {
      if (neededBySource.size >= 512) neededBySource.clear();
      ids = neededLibraries(source);
      neededBySource.set(source, ids);
    }
    for (const id of ids) {
      if (librarySources.has(id)) continue;
      const src = await loadLibrary(id, "quickjs");
      if (src !== undefined) librarySources.set(id, src);
    }
    return ids;
  }
}

/** The prelude's global that loads a first script's libraries (prelude/index.ts). */
const PRELOAD_GLOBAL = "__edgerun_preload";
/** The isolate's QuickJS starts (see start-queue.ts). */
const starts = new StartQueue();
/** Library sources are the same for every run: cache them per isolate. */
const librarySources = new Map<string, string>();
/** neededLibraries per script text (bounded), per isolate. */
const neededBySource = new Map<string, string[]>();

/** Waits for one of the host calls, or the deadline (false): a call that never answers cannot hold a run. */
async function settledBefore(inflight: Set<Promise<void>>, deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([Promise.race(inflight).then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise for the sandbox, tracked so that dispose() can release it if it never settles. */
function newDeferred(live: Live): QuickJSDeferredPromise {
  const deferred = live.context.newPromise();
  live.deferreds.add(deferred);
  return deferred;
}

/** Resolves a host call's promise (with a string, if given) unless its context is gone. */
function settle(live: Live, deferred: QuickJSDeferredPromise, value?: string): void {
  if (live.closed || !live.deferreds.delete(deferred)) return;
  if (value === undefined) deferred.resolve();
  else {
    const s = live.context.newString(value);
    deferred.resolve(s);
    s.dispose();
  }
  deferred.dispose();
}
