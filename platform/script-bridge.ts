/**
 * What a V8 run's dynamic worker may call in the engine (platform/script-host-v8.ts passes it with each
 * script call, or once per session): `pm.sendRequest` and the cookie jar, through the engine's
 * capabilities and behind the pm.sendRequest caps, so the target policy, the request limits and masking
 * apply as with QuickJS.
 */
import { RpcTarget } from "cloudflare:workers";
import type { ScriptCapabilities } from "../shared/engine/types";
import type { SendRequestGate } from "../shared/sandbox/send-gate";

/** The answer of a bridge no script is using (see Bridge.serve). */
const ENDED = "the script has ended";

/**
 * What a dynamic worker may call in the engine during one script: that script's capabilities, behind
 * the caps. A session's scripts share one bridge (passing an RpcTarget with every call costs ≈ 0.03 ms
 * of workerd CPU, bench/cases/v8-call.ts `shape` vs `shapenobridge`): the host points it at each
 * script's capabilities in turn (`Bridge.serve`), and a bridge whose session was dropped answers nothing again
 * (`Bridge.revoke`), so an isolate left behind cannot act with a later script's capabilities.
 */
export class Bridge extends RpcTarget {
  #caps: ScriptCapabilities | undefined;
  readonly #gate: SendRequestGate;
  readonly #sent: () => void;

  constructor(caps: ScriptCapabilities | undefined, gate: SendRequestGate, sent: () => void) {
    super();
    this.#caps = caps;
    this.#gate = gate;
    this.#sent = sent;
  }

  // Static, so not methods the dynamic worker could call through its stub of the bridge.
  /** Points `bridge` at the capabilities of the script about to run on it. */
  static serve(bridge: Bridge, caps: ScriptCapabilities): void {
    bridge.#caps = caps;
  }

  /** No script uses `bridge` any more: its later calls fail. */
  static revoke(bridge: Bridge): void {
    bridge.#caps = undefined;
  }

  async sendRequest(requestJson: string): Promise<string> {
    const caps = this.#caps;
    if (!caps) return JSON.stringify({ error: { name: "RequestError", message: ENDED } });
    this.#gate.admit();
    this.#sent();
    await this.#gate.acquire();
    try {
      const request = JSON.parse(requestJson) as Parameters<ScriptCapabilities["sendRequest"]>[0];
      return JSON.stringify(await caps.sendRequest(request));
    } catch (err) {
      return JSON.stringify({ error: { name: "RequestError", message: String(err) } });
    } finally {
      this.#gate.release();
    }
  }

  cookieJar(op: string, argsJson: string): string {
    if (!this.#caps) return JSON.stringify({ __error: ENDED });
    const jar = this.#caps.cookieJar;
    const args = JSON.parse(argsJson) as unknown[];
    const url = String(args[0] ?? "");
    try {
      switch (op) {
        case "getAll":
          return JSON.stringify(jar.getAll(url));
        case "set":
          jar.set(url, args[1] as { name: string; value: string });
          break;
        case "unset":
          jar.unset(url, String(args[1] ?? ""));
          break;
        case "clear":
          jar.clear(url);
          break;
      }
      return "null";
    } catch (err) {
      return JSON.stringify({ __error: (err as Error).message });
    }
  }
}
