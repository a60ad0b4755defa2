/**
 * A deliberately tiny ScriptHost for engine tests in Node (uses `new Function`, which Node allows):
 * enough of `pm` to drive cursor semantics (variables, setNextRequest, skipRequest, pm.test with a
 * boolean or throwing function) without depending on the QuickJS sandbox. Not a sandbox: tests only.
 */
import type { ScriptHost, ScriptInput, ScriptOutcome, VarEntry } from "../../shared/engine/types";

function scope(list: VarEntry[]) {
  return {
    get: (k: string) => list.find((v) => v.key === k && v.enabled !== false)?.value,
    set: (k: string, value: string) => {
      const found = list.find((v) => v.key === k);
      if (found) found.value = value;
      else list.push({ key: k, value });
    },
    unset: (k: string) => {
      const i = list.findIndex((v) => v.key === k);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

export class MiniScriptHost implements ScriptHost {
  calls: Array<{ location: string; event: string; item: string }> = [];

  async run(input: ScriptInput): Promise<ScriptOutcome> {
    const ctx = structuredClone(input.context);
    const s = ctx.scopes;
    this.calls.push({ location: input.location, event: ctx.info.eventName, item: ctx.info.requestName });
    const out: ScriptOutcome = {
      scopes: s,
      request: ctx.request,
      assertions: [],
      console: [],
      skipRequest: false,
    };
    const pm = {
      info: ctx.info,
      environment: scope(s.environment),
      globals: scope(s.globals),
      collectionVariables: scope(s.collection),
      variables: {
        ...scope(s.local),
        get: (k: string) =>
          [s.local, [], s.environment, s.collection, s.globals]
            .map((l) => l.find((v) => v.key === k)?.value)
            .find((v) => v !== undefined) ?? (s.data[k] as unknown),
      },
      iterationData: { get: (k: string) => s.data[k] },
      response: ctx.response
        ? {
            code: ctx.response.code,
            json: () => JSON.parse(ctx.response!.body) as unknown,
            text: () => ctx.response!.body,
          }
        : undefined,
      request: ctx.request,
      execution: {
        setNextRequest: (t: string | null) => {
          out.nextRequest = { target: t };
        },
        skipRequest: () => {
          out.skipRequest = true;
        },
      },
      test: (name: string, fn: (() => unknown) | boolean) => {
        try {
          const ok = typeof fn === "function" ? fn() !== false : fn;
          out.assertions.push({
            name,
            passed: ok,
            skipped: false,
            ...(ok ? {} : { error: { name: "AssertionError", message: "expected true" } }),
          });
        } catch (e) {
          out.assertions.push({
            name,
            passed: false,
            skipped: false,
            error: { name: (e as Error).name, message: (e as Error).message },
          });
        }
      },
    };
    const console = {
      log: (...a: unknown[]) => out.console.push({ level: "log", message: a.map(String).join(" ") }),
    };
    try {
      new Function("pm", "console", "postman", input.source)(pm, console, {
        setNextRequest: pm.execution.setNextRequest,
      });
    } catch (e) {
      out.error = { name: (e as Error).name, message: (e as Error).message };
    }
    return out;
  }
}
