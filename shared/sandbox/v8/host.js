// Runs inside the dynamic V8 worker before the prelude (see worker-code.ts): installs the `__host` the
// prelude expects (contract.ts). Libraries and the run's scripts arrive precompiled as modules (dynamic
// workers refuse eval and new Function); calls that leave the isolate go to the engine's bridge, an
// RpcTarget the Durable Object passes with each script.
import { broken, libraries, scripts } from "./table.js";

/** Per-script state the entrypoint sets: the engine's bridge and the pm.sendRequest allowance left. */
export const state = { bridge: null, script: 0, slice: 0, perScript: 0, perSlice: 0 };

// Newman's sandbox has no `process`; and nothing here may reach the network but through the bridge.
// workerd defines most of its globals on the global scope's prototype: an own `undefined` hides them.
for (const name of ["process", "fetch", "caches", "connect", "scheduler", "WebSocket", "navigator"]) {
  try {
    delete globalThis[name];
    if (name in globalThis)
      Object.defineProperty(globalThis, name, { value: undefined, writable: true, configurable: true });
  } catch {
    // not configurable: left as the platform defines it
  }
}

function limitError(message) {
  const error = new Error(message);
  error.name = "ScriptLimitError";
  return error;
}

globalThis.__host = {
  library: (id) => libraries[id],
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(0, Number(ms) || 0), 60_000))),
  // The script's module wraps its body in `with (scope)`: the prelude's parameter names become bindings.
  compile(params, body) {
    const factory = scripts.get(body);
    if (!factory) {
      const message = broken.get(body);
      throw message === undefined ? new Error("script was not precompiled") : new SyntaxError(message);
    }
    const names = params ? params.split(",") : [];
    return (...values) => {
      const scope = Object.create(null);
      names.forEach((name, i) => {
        scope[name] = values[i];
      });
      return factory(scope);
    };
  },
  cookieJar: (op, argsJson) => state.bridge.cookieJar(op, argsJson),
  // Caps throw synchronously at the call site, as in QuickJS; the engine counts again on its side.
  sendRequest(requestJson) {
    if (state.script >= state.perScript)
      throw limitError(
        `pm.sendRequest: a script may send at most ${state.perScript} requests (limit reached)`,
      );
    if (state.slice >= state.perSlice)
      throw limitError(
        `pm.sendRequest: the run's scripts may send at most ${state.perSlice} requests per slice (limit reached)`,
      );
    state.script++;
    state.slice++;
    return state.bridge.sendRequest(requestJson);
  },
};
