/**
 * V8ScriptHost: runs user scripts in a dynamic V8 worker through the Worker Loader (issue 16), a second
 * ScriptHost beside QuickJS with the same prelude, so verdicts and messages are the same either way.
 *
 * One isolate per run, named by the run id and a hash of its code (a restarted object with the same
 * scripts reuses it): the prelude, the libraries and the run's scripts as modules (worker-code.ts),
 * `globalOutbound: null`, no bindings, a CPU limit from the script timeout. `pm.sendRequest` and the
 * cookie jar call back into the engine's capabilities through a `Bridge` (script-bridge.ts, an RpcTarget
 * passed with each script), so the target policy, the request limits and masking apply as with QuickJS.
 *
 * A run with a script needing code generation from strings (ajv's compiled JSON schemas, `eval`,
 * `new Function`), which dynamic workers refuse, runs in the QuickJS fallback: the scripts of a run share
 * their globals, so they cannot be split between the two. workerd does not enforce `limits` locally
 * (it drops them: server.c++ getEntrypointResolved), so there an endless loop blocks the process.
 */
import type { ScriptCapabilities, ScriptHost, ScriptInput, ScriptOutcome } from "../shared/engine/types";
import {
  failedOutcome,
  type PreludeOutput,
  preludeInput,
  preludeRequest,
  scriptOutcome,
} from "../shared/sandbox/contract";
import { loadLibrary, neededLibraries } from "../shared/sandbox/libraries";
import { QuickJSScriptHost } from "../shared/sandbox/quickjs-host";
import { SEND_REQUEST_LIMITS, SendRequestGate, type SendRequestLimits } from "../shared/sandbox/send-gate";
import { scriptAtLine, scriptBody, syntaxErrorOf } from "../shared/sandbox/v8/worker-code";
import { Bridge } from "./script-bridge";
import { type ScriptSession, ScriptSessions, SESSION_CALLS } from "./script-session";
import {
  type BuiltWorker,
  buildWorker,
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  isLimit,
  limitFailure,
} from "./v8-worker";
import { WallDeadline } from "./wall-deadline";

export interface V8HostOptions {
  loader: WorkerLoader;
  /** Part of the isolate's name: one isolate per run (a fresh id per host when absent). */
  runId?: string;
  /** The run's scripts, known up front: one isolate serves them all (others are added as they come). */
  scripts?: string[];
  consoleEntries?: number;
  consoleMessageChars?: number;
  timers?: number;
  sendRequests?: Partial<SendRequestLimits>;
  /** How long past its timeout a script call may still wait before it fails (default 30 s; tests shorten it). */
  wallSlackMs?: number;
  /**
   * A slice's script calls on sessions (platform/script-session.ts) instead of an invocation each: only
   * where the platform enforces no CPU limit per invocation (local workerd), else scripts would share one.
   */
  sessions?: boolean;
}

/** Code generation from strings, which dynamic workers refuse: runs with such scripts use QuickJS. */
const CODE_GENERATION = /\bajv\b|\.jsonSchema\b|\beval\b|\bFunction\s*\(|\.template\s*\(/;

/** host.js's answer when the prelude asks for a script body no module was built for. */
const NOT_PRECOMPILED = "script was not precompiled";

/** The pm.sendRequest allowance a script starts with (host.js checks it synchronously). */
interface Sends {
  script: number;
  slice: number;
  perScript: number;
  perSlice: number;
}

/**
 * Where main.js finds a script: its id, its module and its index there, and its body's length; or the
 * SyntaxError it fails with.
 */
type ScriptModule = { id: string; module: string; index: number; chars: number } | { broken: string };

/** The length of scriptBody(source), without building it. */
const BODY_CHARS = scriptBody("").length;

type Runner = Rpc.WorkerEntrypointBranded & {
  execute(
    input: string,
    bridge: Bridge | null,
    sends: Sends,
    body: string | undefined,
    script: ScriptModule,
  ): Promise<string>;
  ping(): Promise<string>;
  session(bridge: Bridge): Promise<ScriptSession>;
};

export class V8ScriptHost implements ScriptHost {
  readonly #options: V8HostOptions;
  readonly #gate: SendRequestGate;
  readonly #limits: SendRequestLimits;
  readonly #runId: string;
  /** Script id → source. */
  readonly #scripts = new Map<string, string>();
  /** Source → its script id (a counter) and whether it needs Sugar (libraries.ts neededLibraries). */
  readonly #known = new Map<string, { id: string; sugar: boolean }>();
  readonly #broken = new Map<string, string>();
  /** Scripts given a module of their own: those of a shared module that failed to compile (#leaveOutBroken). */
  readonly #singles = new Set<string>();
  readonly #libraries = new Map<string, string>();
  #generation = 0;
  #worker: Promise<BuiltWorker> | undefined;
  /** The worker last built: where its scripts are (#leaveOutBroken reads it after a failed start). */
  #built: BuiltWorker | undefined;
  #fallback: QuickJSScriptHost | undefined;
  /** The platform refused to start the isolate: every later script runs in QuickJS. */
  #degraded = false;
  #sliceSent = 0;
  #planned: string[];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #wall = new WallDeadline();
  readonly #sessions = new ScriptSessions();

  constructor(options: V8HostOptions) {
    this.#options = options;
    this.#gate = new SendRequestGate(options.sendRequests);
    this.#limits = { ...SEND_REQUEST_LIMITS, ...options.sendRequests };
    this.#runId = options.runId ?? crypto.randomUUID();
    this.#planned = options.scripts ?? [];
    // A run's scripts share their globals and changes to built-ins (as in Newman), so a run with a
    // script V8 cannot run here runs wholly in QuickJS.
    this.#degraded = this.#planned.some((source) => CODE_GENERATION.test(source));
  }

  /** Starts a new pm.sendRequest window (see QuickJSScriptHost.beginSlice). */
  beginSlice(): void {
    this.#gate.beginSlice();
    this.#sliceSent = 0;
    this.#sessions.drop();
    this.#wall.reset();
    this.#fallback?.beginSlice();
  }

  /** Drops the isolate (the next script starts a fresh one) and the QuickJS fallback's context. */
  dispose(): void {
    this.#generation++;
    this.#worker = undefined;
    this.#sessions.drop();
    this.#wall.reset();
    this.#fallback?.dispose();
  }

  /** Scripts run one at a time: the isolate's host state belongs to the script in progress. */
  run(input: ScriptInput, caps: ScriptCapabilities): Promise<ScriptOutcome> {
    const next = this.#queue.then(() => this.#run(input, caps));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(input: ScriptInput, caps: ScriptCapabilities): Promise<ScriptOutcome> {
    // A known script passed this test when it was planned (constructor) or first run.
    if (!this.#degraded && !this.#known.has(input.source) && CODE_GENERATION.test(input.source)) {
      // Not in the plan: the rest of the run follows it into QuickJS (what earlier scripts left in V8's
      // globals is not carried over).
      this.#degraded = true;
    }
    if (this.#degraded) return this.#quickjs().run(input, caps);
    const failed = (name: string, message: string) => failedOutcome(input, name, message);
    this.#gate.beginScript();
    let request: ReturnType<typeof preludeRequest> | undefined;
    for (let attempt = 0; ; attempt++) {
      let json: string;
      try {
        if (this.#planned.length > 0) await this.#learnPlanned();
        if (!this.#known.has(input.source)) await this.#learn(input.source);
        const sugar = this.#known.get(input.source)?.sugar ?? false;
        request ??= preludeRequest(preludeInput({ ...input, sugar }, this.#options));
        json = await this.#execute({ request, caps, timeoutMs: input.timeoutMs, source: input.source });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Each retry leaves out at least one more broken script or splits a module into singles, so
        // twice the run's script count bounds them (a fixed cap sent a run with more broken scripts
        // than that wholly to QuickJS).
        if (attempt <= 2 * this.#scripts.size && (await this.#leaveOutBroken(message))) continue;
        if (/Failed to start Worker/i.test(message) && !isLimit(message)) {
          // The platform would not start the isolate (not the scripts' fault): QuickJS from now on.
          console.warn(`V8 script host: dynamic worker did not start, using QuickJS: ${message}`);
          this.#degraded = true;
          return this.#quickjs().run(input, caps);
        }
        this.dispose();
        return limitFailure(message, input.timeoutMs, failed);
      }
      const out = JSON.parse(json) as PreludeOutput;
      if (out.error?.message === NOT_PRECOMPILED) {
        // The prelude compiles a body other than scriptBody(): the modules cannot serve it.
        console.warn("V8 script host: the prelude's script body differs from worker-code.ts, using QuickJS");
        this.#degraded = true;
        return this.#quickjs().run(input, caps);
      }
      return this.#outcome(out, input, failed);
    }
  }

  /**
   * A script that does not compile fails alone (with V8's SyntaxError, as in Newman): it is left out
   * and the worker rebuilt. True when one was found (named by the start failure, or by probing), or
   * when the failing module was one of several scripts whose named one compiles alone: each of them
   * then gets a module of its own, so the next start names the broken one.
   */
  async #leaveOutBroken(message: string): Promise<boolean> {
    if (!/SyntaxError/.test(message)) return false;
    const failed = syntaxErrorOf(message);
    const group = failed && this.#built?.groups.find((g) => g.module === failed.module);
    const id = group && failed ? scriptAtLine(group, failed.line) : undefined;
    const source = id === undefined ? undefined : this.#scripts.get(id);
    if (group && failed && id !== undefined && source !== undefined && !this.#broken.has(id)) {
      const own = await this.#syntaxError(source);
      if (own !== undefined || group.ids.length === 1) this.#broken.set(id, own ?? failed.message);
      // Otherwise the error is the shared module's, not the named script's alone (an unclosed brace of
      // an earlier script running on into it, …): each of the module's scripts gets a module of its own.
      else for (const single of group.ids) this.#singles.add(single);
      this.#worker = undefined;
      return true;
    }
    let found = false;
    for (const [id, source] of this.#scripts) {
      if (this.#broken.has(id)) continue;
      const own = await this.#syntaxError(source);
      if (own === undefined) continue;
      this.#broken.set(id, own);
      found = true;
    }
    if (found) this.#worker = undefined;
    return found;
  }

  /** What main.js needs to run a known script: where it is, or the SyntaxError it fails with. */
  #moduleOf(source: string, worker: BuiltWorker): ScriptModule {
    const id = this.#known.get(source)?.id ?? "";
    const broken = this.#broken.get(id);
    if (broken !== undefined) return { broken };
    const place = worker.places.get(id) ?? { module: "", index: -1 };
    return { id, ...place, chars: BODY_CHARS + source.length };
  }

  #outcome(out: PreludeOutput, input: ScriptInput, failed: Failed): ScriptOutcome {
    if (out.error && /^Maximum call stack size exceeded$/.test(out.error.message)) {
      this.dispose();
      return limitFailure("stack", input.timeoutMs, failed);
    }
    return scriptOutcome(out, input);
  }

  #quickjs(): QuickJSScriptHost {
    this.#fallback ??= new QuickJSScriptHost({ ...this.#options, sendRequests: this.#limits });
    return this.#fallback;
  }

  /** Readiness: the run's isolate starts and the prelude in it is ready to execute scripts. */
  async selfTest(): Promise<void> {
    const answer = await this.#entrypoint(await this.#currentWorker(), 1000).ping();
    if (answer !== "ready") throw new Error(`V8 sandbox answered ${answer}`);
  }

  /** The worker for the scripts known now (built when they changed). */
  async #currentWorker(): Promise<BuiltWorker> {
    this.#worker ??= this.#build();
    const worker = await this.#worker;
    this.#built = worker;
    return worker;
  }

  /** A stub belongs to the request that made it (workerd refuses I/O on another's behalf): one per call. */
  #entrypoint(worker: BuiltWorker, cpuMs: number): Fetcher<Runner> {
    const { name, code } = worker;
    return this.#options.loader
      .get(name, () => code)
      .getEntrypoint<Runner>("ScriptRunner", {
        limits: { cpuMs },
      });
  }

  async #execute(call: {
    request: ReturnType<typeof preludeRequest>;
    caps: ScriptCapabilities;
    timeoutMs: number;
    source: string;
  }): Promise<string> {
    const { request, caps, timeoutMs } = call;
    const worker = await this.#currentWorker();
    const sent = () => this.#sliceSent++;
    let target: Runner | ScriptSession;
    // null: the session's own bridge serves the call.
    let bridge: Bridge | null;
    if (this.#options.sessions) {
      // A stub and a bridge are made only to open a session (once per SESSION_CALLS calls), not per call.
      const open = await this.#sessions.get(
        `${worker.name}:${timeoutMs}`,
        () => new Bridge(undefined, this.#gate, sent),
        (shared) => this.#entrypoint(worker, timeoutMs * SESSION_CALLS).session(shared),
      );
      Bridge.serve(open.bridge, caps);
      target = open.session;
      bridge = null;
    } else {
      target = this.#entrypoint(worker, timeoutMs);
      bridge = new Bridge(caps, this.#gate, sent);
    }
    const script = this.#moduleOf(call.source, worker);
    const sends: Sends = {
      script: 0,
      slice: this.#sliceSent,
      perScript: this.#limits.perScript,
      perSlice: this.#limits.perSlice,
    };
    const answer = target.execute(request.json, bridge, sends, request.body, script) as Promise<string>;
    return this.#wall.within(
      answer,
      timeoutMs + (this.#options.wallSlackMs ?? 30_000),
      () => new Error(`wall: script still waiting after ${timeoutMs} ms`),
    );
  }

  /**
   * V8's SyntaxError message for the script alone (a module of only its source: no wrapper text after
   * it, so an unclosed block is "Unexpected end of input" as in Newman); undefined if that compiles.
   */
  async #syntaxError(source: string): Promise<string | undefined> {
    const probe = this.#options.loader.load({
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: COMPATIBILITY_FLAGS,
      mainModule: "main.js",
      modules: {
        "main.js": { js: "export default { fetch: () => new Response(null) };" },
        "s/probe/script.js": { cjs: source },
      },
      env: {},
      globalOutbound: null,
    });
    try {
      await probe.getEntrypoint().fetch("http://probe/");
      return undefined;
    } catch (err) {
      return syntaxErrorOf(err instanceof Error ? err.message : String(err))?.message;
    }
  }

  /**
   * The run's scripts, learnt before its first one runs. The libraries they need are found by one scan
   * of them all, joined by a `;` line that none of the patterns can match across (the same set as a
   * scan of each: ≈ 18 → 6 ms for 5,000 scripts in a fresh isolate); only when Sugar is among them is
   * each scanned alone, since Sugar is loaded per script.
   */
  async #learnPlanned(): Promise<void> {
    const planned = this.#planned;
    this.#planned = [];
    const all = neededLibraries(planned.join("\n;\n"));
    const shared = all.includes("sugar") ? undefined : all;
    for (const source of planned) await this.#learn(source, shared);
  }

  /**
   * Registers a script (and the libraries it needs, `needed` when already known): a new one means new
   * code, so a new isolate.
   */
  async #learn(source: string, known?: string[]): Promise<void> {
    if (this.#known.has(source)) return;
    // Ids only name the run's modules (the worker's name hashes the sources, #build): a counter.
    const id = String(this.#scripts.size);
    const needed = known ?? neededLibraries(source);
    this.#known.set(source, { id, sugar: needed.includes("sugar") });
    this.#scripts.set(id, source);
    for (const lib of needed) {
      if (this.#libraries.has(lib)) continue;
      const text = await loadLibrary(lib);
      if (text !== undefined) this.#libraries.set(lib, text);
    }
    this.#worker = undefined;
  }

  #build(): Promise<BuiltWorker> {
    return buildWorker({
      runId: this.#runId,
      generation: this.#generation,
      libraries: this.#libraries,
      scripts: this.#scripts,
      broken: this.#broken,
      singles: this.#singles,
    });
  }
}

type Failed = (name: string, message: string) => ScriptOutcome;

/** The bridge's class, for benches that make the engine's call themselves (bench/cases/v8-call.ts). */
export { Bridge };
