/**
 * A V8 run's script calls on one session (shared/sandbox/v8/main.js `ScriptSession`, an RpcTarget the
 * dynamic worker hands out) instead of one entrypoint call each: an entrypoint call is a new invocation
 * of the dynamic worker (its own request context and limits), ≈ 0.05 ms of workerd CPU per script in the
 * local pipeline (bench/README.md, H30). A session is one invocation, so the platform's CPU limit then
 * covers all of its calls together: the host uses sessions only where the platform enforces no limit
 * per invocation (local workerd drops `limits`), and a session serves at most SESSION_CALLS calls with
 * that many scripts' budget, and only within one slice (the request or alarm that opened it). A session's
 * scripts share the Bridge it was opened with; ending the session revokes it.
 */
import { Bridge } from "./script-bridge";

/** A session's side of ScriptRunner.execute. */
export interface ScriptSession {
  execute(
    input: string,
    bridge: unknown,
    sends: unknown,
    body: string | undefined,
    script: unknown,
  ): Promise<string>;
  [Symbol.dispose]?(): void;
}

/** Calls per session: the CPU budget a session is opened with is this many scripts' timeouts. */
export const SESSION_CALLS = 16;

/** An open session and the bridge its scripts share. */
export interface OpenSession {
  session: ScriptSession;
  bridge: Bridge;
}

interface Current {
  key: string;
  session: Promise<ScriptSession>;
  bridge: Bridge;
  calls: number;
}

export class ScriptSessions {
  #current: Current | undefined;

  /**
   * The session for `key` (the worker and the scripts' timeout), opened by `open` with `bridge` when
   * there is none, it serves another key or it has served SESSION_CALLS calls.
   */
  async get(
    key: string,
    bridge: () => Bridge,
    open: (bridge: Bridge) => Promise<ScriptSession>,
  ): Promise<OpenSession> {
    let current = this.#current;
    if (!current || current.key !== key || current.calls >= SESSION_CALLS) {
      this.drop();
      const shared = bridge();
      current = { key, session: open(shared), bridge: shared, calls: 0 };
      this.#current = current;
    }
    current.calls++;
    try {
      return { session: await current.session, bridge: current.bridge };
    } catch (err) {
      if (this.#current === current) {
        this.#current = undefined;
        Bridge.revoke(current.bridge);
      }
      throw err;
    }
  }

  /**
   * Ends the session (at a slice's start, when the isolate is dropped) and revokes its bridge, so an
   * isolate still holding them can no longer reach the engine: the next call opens one.
   */
  drop(): void {
    const old = this.#current;
    this.#current = undefined;
    if (old) Bridge.revoke(old.bridge);
    old?.session.then(
      (session) => {
        try {
          session[Symbol.dispose]?.();
        } catch {
          // already broken (its isolate stopped): nothing to end
        }
      },
      () => undefined,
    );
  }
}
