// The script capabilities that go through the host: pm.cookies.jar() and pm.sendRequest. Host answers
// are JSON, parsed with the JSON the prelude found (a script's replacement never sees them).
import type { SendRequestOutcome } from "../../engine/types";
import type { PreludeHost } from "../contract";
import { toRequestDefinition } from "./request";
import { createResponse } from "./response-object";
import type { ScriptRun } from "./script-run";
import { scriptSendError } from "./send-error";
import { nativeJson } from "./shims";

type Callback = (error: unknown, value: unknown) => unknown;
type Thenable = { then(onValue: (v: unknown) => unknown, onError?: (e: unknown) => unknown): Thenable };
const isThenable = (v: unknown): v is Thenable =>
  (typeof v === "object" || typeof v === "function") &&
  v !== null &&
  typeof Reflect.get(v, "then") === "function";

/** `f(v)` now, or once `v` resolves (the V8 host answers the jar over RPC). */
const after = (v: unknown, f: (value: unknown) => unknown): unknown => (isThenable(v) ? v.then(f) : f(v));

/** pm.cookies.jar(): the run's cookie jar through the host; callbacks and promises as in Newman. */
export function createJar(host: PreludeHost, run: ScriptRun) {
  const jarCall = (op: "getAll" | "set" | "unset" | "clear", args: unknown[]) =>
    after(host.cookieJar(op, nativeJson.stringify(args)), (json) => {
      const res = nativeJson.parse(String(json)) as { __error?: string } | null;
      if (res?.__error) throw new Error(res.__error);
      return res;
    });
  const cb = (callback: unknown, fn: () => unknown): Promise<unknown> => {
    let value: unknown;
    let failure: unknown = null;
    try {
      value = fn();
    } catch (e) {
      failure = e;
    }
    if (isThenable(value)) {
      const answer = value as Promise<unknown>;
      // An asynchronous answer: the script's drain waits for it and for its callback (Newman's jar
      // callbacks are asynchronous too); an error the callback throws is the script's error.
      if (typeof callback !== "function") run.track(answer.catch(() => undefined));
      else
        run.track(
          answer
            .then(
              (v) => (callback as Callback)(null, v),
              (e) => (callback as Callback)(e, undefined),
            )
            .catch((e) => {
              run.error ??= e;
            }),
        );
      return answer;
    }
    if (typeof callback === "function") (callback as Callback)(failure, value);
    return failure ? Promise.reject(failure) : Promise.resolve(value);
  };
  type Jarred = { name?: unknown; value?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? (v as Jarred[]) : []);
  return () => ({
    get: (url: unknown, name: unknown, callback?: unknown) =>
      cb(callback, () => after(jarCall("getAll", [url]), (l) => list(l).find((c) => c.name === name)?.value)),
    getAll: (url: unknown, callback?: unknown) =>
      cb(callback, () => after(jarCall("getAll", [url]), (l) => l || [])),
    set: (url: unknown, name: unknown, value?: unknown, callback?: unknown) => {
      let done = callback;
      let v = value;
      if (typeof v === "function") {
        done = v;
        v = undefined;
      }
      const cookie =
        typeof name === "object" && name !== null
          ? { ...name, name: (name as Jarred).name || Reflect.get(name, "key") }
          : { name, value: String(v ?? "") };
      return cb(done, () => jarCall("set", [url, cookie]));
    },
    unset: (url: unknown, name: unknown, callback?: unknown) =>
      cb(callback, () => jarCall("unset", [url, name])),
    clear: (url: unknown, callback?: unknown) => cb(callback, () => jarCall("clear", [url])),
  });
}

/**
 * pm.sendRequest: the engine sends it (same policy and limits as collection requests). As in Newman, a
 * falsy request is answered at once, to the callback alone, with "sendrequest: nothing to request"
 * (nothing is sent or recorded); a failed one hands its callback Newman's error object and an empty
 * response (send-error.ts); callbacks run with `this` the object it was called on (pm), which a call
 * with a callback returns. Without one it returns a promise of the response (Newman's returns pm).
 */
export function createSendRequest(host: PreludeHost, run: ScriptRun) {
  return function sendRequest(this: unknown, req: unknown, callback?: unknown): unknown {
    if (!req)
      return (
        typeof callback === "function" && callback.call(this, new Error("sendrequest: nothing to request"))
      );
    const definition = toRequestDefinition(req);
    // The host call is synchronous so a cap (ScriptLimitError) throws into the script at the call site.
    const sent = host.sendRequest(nativeJson.stringify(definition));
    const call = run.sideCalls++;
    let failed = false;
    const p = run.track(
      (async () => {
        const outcome = nativeJson.parse(await sent) as SendRequestOutcome;
        // Where its answer arrived among the script's output (before its callback runs), for reporters.
        run.out.sideRequests ??= [];
        run.out.sideRequests.push({
          call,
          afterAssertions: run.out.assertions.length,
          afterConsole: run.out.console.length,
        });
        if (outcome.error) {
          failed = true;
          throw scriptSendError(outcome.error);
        }
        return createResponse(outcome.response);
      })(),
    );
    if (typeof callback === "function") {
      // Newman's callbacks get (error, response, history); history is its request's redirects and
      // cookies, which a script here does not get.
      p.then(
        (res) => callback.call(this, null, res, undefined),
        (err) => callback.call(this, err, failed ? createResponse(undefined) : undefined, undefined),
      );
      return this;
    }
    return p;
  };
}
