/**
 * The script host the Worker's run coordinators use: QuickJS (WebAssembly) loaded the workerd way.
 */
import type { ScriptHost } from "../shared/engine/types";
import { loadQuickJS, QuickJSScriptHost } from "../shared/sandbox/quickjs-host";
import "../shared/sandbox/quickjs-module.workerd";

/** `beginSlice()` starts a new pm.sendRequest budget (call it at the start of each alarm slice). */
export type DisposableScriptHost = ScriptHost & { dispose(): void; beginSlice(): void };

export function createScriptHost(): DisposableScriptHost {
  return new QuickJSScriptHost({});
}

/** Readiness: the sandbox's WebAssembly loads and evaluates a script (throws otherwise). */
export async function sandboxSelfTest(): Promise<void> {
  const quickjs = await loadQuickJS();
  const context = quickjs.newContext();
  try {
    const result = context.unwrapResult(context.evalCode("6 * 7"));
    const value = context.getNumber(result);
    result.dispose();
    if (value !== 42) throw new Error(`sandbox evaluated 6 * 7 to ${value}`);
  } finally {
    context.dispose();
  }
}
