// The dynamic V8 worker's main module: the host, then the prelude (which takes `__host` and defines
// `__edgerun_execute`), then the entrypoint the engine calls once per script.
import { WorkerEntrypoint } from "cloudflare:workers";
import { state } from "./host.js";
import "./prelude.js";

const execute = globalThis.__edgerun_execute;

export class ScriptRunner extends WorkerEntrypoint {
  /**
   * Runs one script: `input` is the PreludeInput JSON, `bridge` the engine's RpcTarget, `sends` the caps,
   * `body` the response body (beside the JSON, see contract.ts).
   */
  async execute(input, bridge, sends, body) {
    state.bridge = bridge;
    Object.assign(state, sends);
    try {
      return await execute(input, body);
    } finally {
      state.bridge = null;
    }
  }

  /** Readiness: the prelude loaded. */
  ping() {
    return typeof execute === "function" ? "ready" : `prelude defines ${typeof execute}`;
  }
}
