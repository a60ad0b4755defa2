/**
 * The isolate's one QuickJS WebAssembly module: how it is obtained (workerd imports it, Node reads it from
 * disk) and when a new one replaces it. Every run's runtime lives in this module (quickjs-host.ts).
 */
import type { QuickJSWASMModule } from "quickjs-emscripten-core";

type ModuleLoader = () => Promise<QuickJSWASMModule>;
let loader: ModuleLoader | undefined;
let modulePromise: Promise<QuickJSWASMModule> | undefined;
let loadedModule: QuickJSWASMModule | undefined;

/** Chooses how the WebAssembly module is obtained (workerd imports it; Node reads it from disk). */
export function setQuickJSLoader(load: ModuleLoader): void {
  loader = load;
  modulePromise = undefined;
  loadedModule = undefined;
}

/** The shared QuickJS module (readiness checks load it once and evaluate a trivial script). */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  return getModule();
}

/** The module new runtimes are made in: loaded once, or again after `retireModule`. */
export function getModule(): Promise<QuickJSWASMModule> {
  if (!loader)
    throw new Error(
      "QuickJS loader not configured: import quickjs-module.workerd or quickjs-module.node first",
    );
  const load = loader;
  modulePromise ??= load().then((module) => {
    if (loader === load) loadedModule = module;
    return module;
  });
  return modulePromise;
}

/**
 * Stops giving new runs a module whose C side aborted: freeing a runtime can fail QuickJS's leak
 * assertion in JS_FreeRuntime after a limit (quickjs-emscripten issue 257), and after a garbage
 * collection that ran while an async function was resumed from an `await` (the prelude's `execute` is
 * one; reproduced in plain quickjs-emscripten 0.32 by allocating ≈ 5 MB after `await 0`, as in its
 * issue 235), e.g. a script that loops over many `pm.sendRequest` callbacks or returns megabytes. The
 * abort unwinds past the C stack and leaves that runtime's memory allocated, so later runs start in a
 * fresh module instead; runs still on the old one keep it until they end. The run itself is unaffected.
 */
export function retireModule(module: QuickJSWASMModule): void {
  if (loadedModule !== module) return;
  loadedModule = undefined;
  modulePromise = undefined;
}
