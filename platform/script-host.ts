/**
 * The script host the Worker's run coordinators use: QuickJS (WebAssembly) loaded the workerd way.
 */
import type { ScriptHost } from "../shared/engine/types";
import { QuickJSScriptHost } from "../shared/sandbox/quickjs-host";
import "../shared/sandbox/quickjs-module.workerd";

export type DisposableScriptHost = ScriptHost & { dispose(): void };

export function createScriptHost(): DisposableScriptHost {
  return new QuickJSScriptHost({});
}
