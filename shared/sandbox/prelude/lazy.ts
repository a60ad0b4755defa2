// Prelude parts compiled on first use (QuickJS build only; scripts/build-sandbox-libs.mjs `LAZY`).
//
// QuickJS compiles every function of a source when it loads it, and every run has its own runtime, so
// each byte of the prelude is parsed by every run. Parts most runs never call (V8's wording of errors,
// JSON errors, the legacy globals, the dynamic-variable generators) travel in the QuickJS prelude as
// their own bundled text, compiled here when one of their exports is first called. The V8 build keeps
// them inline (V8 parses lazily itself; its dynamic workers refuse code from strings).
//
// A part's top level then runs after scripts may have changed built-ins: it runs in the libraries' clean
// room (containment.ts), and the bundle returns its exports as a plain object (no CommonJS helpers).
import { libraryCleanRoom } from "./containment";

// Taken when the prelude starts, before a script could replace them.
const compile = Function;
const cleanRoom = libraryCleanRoom();

type Exports = Record<string, unknown>;

/**
 * Returns the getter of a deferred part's exports: the first call compiles and runs `body`, a function
 * body of `__edgerunLazy` (this function, for the parts it defers itself) returning the exports.
 */
export function lazyModule(body: string): () => Exports {
  let exports: Exports | undefined;
  return () => {
    if (exports === undefined) {
      const factory = compile("__edgerunLazy", body) as (lazy: typeof lazyModule) => Exports;
      exports = cleanRoom.around(() => factory(lazyModule));
    }
    return exports;
  };
}
