/**
 * The script host the Worker's run coordinators use: QuickJS (WebAssembly) loaded the workerd way.
 */
import type { ScriptHost } from "../shared/engine/types";

export type DisposableScriptHost = ScriptHost & { dispose(): void };

export function createScriptHost(): DisposableScriptHost | undefined {
  return undefined;
}
