/**
 * What a V8 run's dynamic worker may call in the engine (platform/script-host-v8.ts passes it with each
 * script call): `pm.sendRequest` and the cookie jar, through the engine's capabilities and behind the
 * pm.sendRequest caps, so the target policy, the request limits and masking apply as with QuickJS.
 */
import { RpcTarget } from "cloudflare:workers";
import type { ScriptCapabilities } from "../shared/engine/types";
import type { SendRequestGate } from "../shared/sandbox/send-gate";

/** What a dynamic worker may call in the engine during one script: its capabilities, behind the caps. */
export class Bridge extends RpcTarget {
  readonly #caps: ScriptCapabilities;
  readonly #gate: SendRequestGate;
  readonly #sent: () => void;

  constructor(caps: ScriptCapabilities, gate: SendRequestGate, sent: () => void) {
    super();
    this.#caps = caps;
    this.#gate = gate;
    this.#sent = sent;
  }

  async sendRequest(requestJson: string): Promise<string> {
    this.#gate.admit();
    this.#sent();
    await this.#gate.acquire();
    try {
      const request = JSON.parse(requestJson) as Parameters<ScriptCapabilities["sendRequest"]>[0];
      return JSON.stringify(await this.#caps.sendRequest(request));
    } catch (err) {
      return JSON.stringify({ error: { name: "RequestError", message: String(err) } });
    } finally {
      this.#gate.release();
    }
  }

  cookieJar(op: string, argsJson: string): string {
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
