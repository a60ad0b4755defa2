/**
 * The smallest `__host` the QuickJS prelude runs on (library sources, the clock, script compilation),
 * for measurements and tests that drive the prelude in a bare QuickJS context rather than through
 * QuickJSScriptHost (bench/prelude-profile.ts, test/node/prelude-cycles.test.ts).
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

export function installBareHost(
  ctx: QuickJSContext,
  opts: { library: (name: string) => string | undefined; now: () => number },
): void {
  const host = ctx.newObject();
  const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle }) => {
    const h = ctx.newFunction(name, impl);
    ctx.setProp(host, name, h);
    h.dispose();
  };
  fn("library", (nameH) => {
    const src = opts.library(ctx.getString(nameH));
    return src === undefined ? ctx.undefined : ctx.newString(src);
  });
  fn("now", () => ctx.newNumber(opts.now()));
  fn("compile", (paramsH, bodyH) => {
    const code = `(async function (${ctx.getString(paramsH)}) {\n${ctx.getString(bodyH)}\n})`;
    const result = ctx.evalCode(code, "script.js");
    return result.error ? { error: result.error } : result.value;
  });
  ctx.setProp(ctx.global, "__host", host);
  host.dispose();
}
