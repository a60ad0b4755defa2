// The dynamic V8 worker's main module: the host, then the prelude (which takes `__host` and defines
// `__edgerun_execute`), then the entrypoint the engine calls once per script.
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import { modulesOfScripts, state } from "./host.js";
import loadScript from "./scripts.js";
import "./prelude.js";

// Not through `globalThis`: the prelude deleted that name, as Newman's sandbox has none (shims.ts).
const execute = __edgerun_execute;
/** Script id → its function, from its module (loaded when one of the module's scripts first runs). */
const factories = new Map();

/**
 * Runs one script: `input` is the PreludeInput JSON, `bridge` the engine's RpcTarget, `sends` the caps,
 * `body` the response body (beside the JSON, see contract.ts), `script` where the script is
 * (`{ id, module, index, chars }`: its id, its module, its place there and its body's length) or the
 * SyntaxError it fails with (`{ broken }`).
 */
async function run(input, bridge, sends, body, script) {
  if (script && script.broken === undefined) {
    let factory = factories.get(script.id);
    if (!factory) {
      // workerd compiles every module when the isolate starts (a broken script's module stops it:
      // script-host-v8.ts leaves that one out); evaluating one waits for the first run of one of its
      // scripts (scripts.js: a synchronous require, so the script still starts in the call's first turn).
      let module = modulesOfScripts.get(script.module);
      if (!module) {
        module = loadScript(script.module);
        modulesOfScripts.set(script.module, module);
      }
      factory = module[script.index];
      factories.set(script.id, factory);
    }
    state.current = { factory, chars: script.chars };
  } else state.current = script ? { broken: script.broken } : null;
  state.bridge = bridge;
  Object.assign(state, sends);
  try {
    return await execute(input, body);
  } finally {
    state.bridge = null;
    state.current = null;
  }
}

/**
 * A slice's calls: the engine keeps this stub for the scripts of one slice (see script-host-v8.ts), and
 * passes its bridge once, when the session opens; a call's own bridge, if any, takes its place.
 */
class ScriptSession extends RpcTarget {
  #bridge;

  constructor(bridge) {
    super();
    // A stub received as an argument is disposed when its call returns: the session keeps a duplicate.
    this.#bridge = bridge ? bridge.dup() : null;
  }

  execute(input, bridge, sends, body, script) {
    return run(input, bridge ?? this.#bridge, sends, body, script);
  }

  /** The engine ended the session: its bridge goes with it. */
  [Symbol.dispose]() {
    this.#bridge?.[Symbol.dispose]();
    this.#bridge = null;
  }
}

export class ScriptRunner extends WorkerEntrypoint {
  /** Runs one script (see run). */
  execute(input, bridge, sends, body, script) {
    return run(input, bridge, sends, body, script);
  }

  /** A session for a slice's scripts (with the bridge they share): calls on it skip an entrypoint call each. */
  session(bridge) {
    return new ScriptSession(bridge);
  }

  /** Readiness: the prelude loaded. */
  ping() {
    return typeof execute === "function" ? "ready" : `prelude defines ${typeof execute}`;
  }
}
