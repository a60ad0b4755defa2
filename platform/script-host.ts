/**
 * The script host the Worker's run coordinators use, chosen by `SCRIPT_BACKEND` (platform/config.ts):
 * QuickJS (WebAssembly) loaded the workerd way, or V8 isolates through the Worker Loader (`LOADER`
 * binding; platform/script-host-v8.ts), with QuickJS where the loader is not bound.
 */
import { env as workerEnv } from "cloudflare:workers";
import type { RunPlan } from "../shared/engine/plan";
import type { ScriptHost } from "../shared/engine/types";
import { loadQuickJS, QuickJSScriptHost } from "../shared/sandbox/quickjs-host";
import { perSliceSends } from "../shared/sandbox/send-gate";
import "../shared/sandbox/quickjs-module.workerd";
import { config } from "./config";
import { V8ScriptHost } from "./script-host-v8";

/** `beginSlice()` starts a new pm.sendRequest budget (call it at the start of each alarm slice). */
export type DisposableScriptHost = ScriptHost & { dispose(): void; beginSlice(): void };

export interface ScriptHostOptions {
  /** The Worker's bindings (default: the isolate's `env`). */
  env?: object;
  /** The run the host serves: it names the run's V8 isolate. */
  runId?: string;
  /** The run's plan: its scripts go into the V8 isolate's code at once (one isolate for the run). */
  plan?: RunPlan;
}

/** Every distinct script of a plan (collection and folder scripts are already on each item). */
function planScripts(plan: RunPlan): string[] {
  const out = new Set<string>();
  for (const item of plan.collection.items)
    for (const ref of [...item.prerequest, ...item.test]) out.add(ref.source);
  return [...out];
}

/**
 * The Worker Loader binding when the configuration selects V8: `v8`, or `auto` in production, the one
 * place where the platform enforces the isolate's CPU and memory limits (QuickJS enforces its own).
 */
export function selectedLoader(env: object = workerEnv): WorkerLoader | undefined {
  const { SCRIPT_BACKEND: backend, ENVIRONMENT: environment } = config(env);
  const loader = (env as { LOADER?: WorkerLoader }).LOADER;
  if (!loader || backend === "quickjs") return undefined;
  if (backend === "auto" && environment !== "production") return undefined;
  return loader;
}

/** The configured backend's host; V8 needs the LOADER binding and falls back to QuickJS without it. */
export function createScriptHost(options: ScriptHostOptions = {}): DisposableScriptHost {
  const loader = selectedLoader(options.env);
  const { ENVIRONMENT, SLICE_REQUESTS } = config(options.env ?? workerEnv);
  // pm.sendRequest's per-slice cap keeps its allowance per request whatever the slice size.
  const sendRequests = { perSlice: perSliceSends(SLICE_REQUESTS) };
  if (loader)
    return new V8ScriptHost({
      loader,
      // Where the platform enforces no CPU limit per invocation (local workerd), a slice's scripts share one.
      sessions: ENVIRONMENT !== "production",
      sendRequests,
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.plan ? { scripts: planScripts(options.plan) } : {}),
    });
  return new QuickJSScriptHost({ sendRequests });
}

/** Readiness: the selected sandbox starts and evaluates a script (throws otherwise). */
export async function sandboxSelfTest(env: object = workerEnv): Promise<void> {
  const loader = selectedLoader(env);
  if (loader) {
    await new V8ScriptHost({ loader, runId: "selftest" }).selfTest();
    return;
  }
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
