/**
 * No run can hang: a target that never answers, drips a byte a second or streams forever is cut off by
 * the run's AbortSignal (cancel), the run deadline (`options.timeout`), the request timeout (also while
 * reading the body) and, for `pm.sendRequest`, the script timeout. Real local server, real fetch.
 * The request timeouts here are far above the test timeout, so a passing test proves the abort path.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { lazyLink, linkSignal, SharedTimer } from "../../shared/engine/abort";
import { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeoutMs } from "../../shared/engine/http";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import type { FetchHooks, ScriptHost, ScriptInput, ScriptOutcome } from "../../shared/engine/types";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";
import { type HostileServer, startHostileServer } from "../support/hostile-server";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  await server.close();
});

const NEVER = 120_000;

function deps(signal?: AbortSignal, scripts?: ScriptHost) {
  return {
    fetch: (r: Request) => fetch(r),
    checkTarget: () => null,
    scripts,
    now: () => Date.now(),
    random: Math.random,
    ...(signal ? { signal } : {}),
  };
}

function plan(paths: string[], options: Record<string, unknown> = {}, event?: unknown[]) {
  const collection = {
    info: { name: "abort" },
    item: paths.map((p, i) => ({
      name: `r${i}`,
      request: { url: `${server.url}${p}` },
      ...(event ? { event } : {}),
    })),
  };
  return buildPlan(
    { collection: collection as never, options: { timeoutRequest: NEVER, ...options } },
    "abort",
  );
}

const completed = (events: RunEvent[]) =>
  events.filter((e): e is RequestCompletedEvent => e.type === "request.completed");

/** Starts a run, waits until `path` has been requested, aborts, and measures how long the run took to end. */
async function cancelDuring(path: string) {
  const controller = new AbortController();
  const before = server.hits.get(path) ?? 0;
  const running = runLocal(plan([path, "/ok"]), deps(controller.signal), { checkpoint: true });
  await vi.waitFor(() => expect(server.hits.get(path) ?? 0).toBeGreaterThan(before), { timeout: 10_000 });
  const abortedAt = Date.now();
  controller.abort("cancelled by request");
  const { events } = await running;
  return { events, ms: Date.now() - abortedAt };
}

describe("the run's AbortSignal", () => {
  it.each(["/hang", "/drip", "/stream"])(
    "cancel aborts a request to %s promptly; the run ends cancelled",
    async (path) => {
      const okBefore = server.hits.get("/ok") ?? 0;
      const { events, ms } = await cancelDuring(path);
      // Generous bound (the brief asks ≤ 1 s; abort → result is event-loop work only).
      expect(ms).toBeLessThan(5_000);
      const requests = completed(events);
      // The aborted request yields exactly one request.completed with an AbortError; nothing after it.
      expect(requests).toHaveLength(1);
      expect(requests[0]!.response).toBeUndefined();
      expect(requests[0]!.error).toEqual({
        name: "AbortError",
        message: "request aborted: cancelled by request",
      });
      expect(events.at(-1)!.type).toBe("run.cancelled");
      expect(server.hits.get("/ok") ?? 0).toBe(okBefore);
      const terminal = events.at(-1) as Extract<RunEvent, { type: "run.cancelled" }>;
      expect(terminal.stats.requests).toMatchObject({ total: 1, failed: 1 });
    },
  );

  it("a step started after the signal fired executes nothing and emits nothing", async () => {
    const controller = new AbortController();
    controller.abort("cancelled by request");
    const okBefore = server.hits.get("/ok") ?? 0;
    const { events } = await runLocal(plan(["/ok"]), deps(controller.signal));
    expect(events.map((e) => e.type)).toEqual(["run.started", "run.cancelled"]);
    expect(server.hits.get("/ok") ?? 0).toBe(okBefore);
  });

  it("the run deadline (options.timeout) aborts a dripping body read; the run ends failed", async () => {
    const { events } = await runLocal(plan(["/drip", "/ok"], { timeout: 1500 }), deps());
    const requests = completed(events);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.error?.name).toBe("AbortError");
    const terminal = events.at(-1)!;
    expect(terminal.type).toBe("run.failed");
    expect((terminal as { reason: string }).reason).toBe("run exceeded its timeout of 1500 ms");
  });
});

describe("request timeout", () => {
  it("applies while reading the body (headers came at once, the body drips)", async () => {
    const { events } = await runLocal(plan(["/drip", "/ok"], { timeoutRequest: 300 }), deps());
    const [drip, ok] = completed(events);
    expect(drip!.error?.message).toBe("ESOCKETTIMEDOUT");
    expect(ok!.response!.code).toBe(200);
    await vi.waitFor(() => expect(server.abandoned).toContain("/drip"));
  });

  it("starts when a queuing fetcher (the rate limiter) sends, not while it waits for a slot", async () => {
    const queuing = {
      ...deps(),
      fetch: async (r: Request, hooks?: FetchHooks) => {
        hooks?.onQueue?.();
        await new Promise((resolve) => setTimeout(resolve, 600));
        hooks?.onSend?.();
        return fetch(r);
      },
    };
    const { events } = await runLocal(plan(["/ok", "/drip"], { timeoutRequest: 300 }), queuing);
    const [ok, drip] = completed(events);
    expect(ok!.response!.code).toBe(200);
    expect(ok!.response!.timeMs).toBeLessThan(600);
    expect(drip!.error?.message).toBe("ESOCKETTIMEDOUT");
  });

  it("works the same on an owner's shared timer (a Durable Object slice's), also when a queuing fetcher restarts it", async () => {
    const timer = new SharedTimer();
    try {
      const shared = {
        ...deps(),
        timer,
        fetch: async (r: Request, hooks?: FetchHooks) => {
          if (new URL(r.url).pathname === "/ok") {
            hooks?.onQueue?.();
            await new Promise((resolve) => setTimeout(resolve, 400));
            hooks?.onSend?.();
          }
          return fetch(r);
        },
      };
      const { events } = await runLocal(plan(["/ok", "/drip", "/ok"], { timeoutRequest: 300 }), shared);
      const [ok, drip, again] = completed(events);
      expect(ok!.response!.code).toBe(200);
      expect(drip!.error?.message).toBe("ESOCKETTIMEDOUT");
      expect(again!.response!.code).toBe(200);
    } finally {
      timer.dispose();
    }
  });

  it("has a default when timeoutRequest is unset or 0 (Newman has none)", () => {
    // The timer itself is exercised above with timeoutRequest: 300 (30 s real time is too slow for a
    // test, and fake timers would also fake fetch's own).
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(requestTimeoutMs(undefined)).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(requestTimeoutMs(0)).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(requestTimeoutMs(1500)).toBe(1500);
  });
});

/** A script host whose script awaits one pm.sendRequest and records what it got (like a callback would). */
class SendRequestHost implements ScriptHost {
  outcomes: string[] = [];
  async run(input: ScriptInput, caps: Parameters<ScriptHost["run"]>[1]): Promise<ScriptOutcome> {
    const got = await caps.sendRequest(`${server.url}/hang`);
    this.outcomes.push(
      got.error ? `${got.error.name}: ${got.error.message}` : `response ${got.response?.code}`,
    );
    return {
      scopes: input.context.scopes,
      request: input.context.request,
      assertions: [],
      console: [],
      skipRequest: false,
    };
  }
}

describe("pm.sendRequest", () => {
  it("is aborted by the script timeout of the script that started it", async () => {
    const host = new SendRequestHost();
    const event = [{ listen: "prerequest", script: { exec: ["pm.sendRequest('/hang', () => {})"] } }];
    const { events } = await runLocal(plan(["/ok"], { timeoutScript: 300 }, event), deps(undefined, host));
    expect(host.outcomes).toHaveLength(1);
    expect(host.outcomes[0]).toMatch(/^AbortError: request aborted: timed out after 300 ms/);
    const [req] = completed(events);
    expect(req!.response!.code).toBe(200);
    expect(events.at(-1)!.type).toBe("run.completed");
  });

  it("is aborted by cancel", async () => {
    const host = new SendRequestHost();
    const controller = new AbortController();
    const event = [{ listen: "prerequest", script: { exec: ["pm.sendRequest('/hang', () => {})"] } }];
    const before = server.hits.get("/hang") ?? 0;
    const running = runLocal(plan(["/ok"], { timeoutScript: 60_000 }, event), deps(controller.signal, host));
    await vi.waitFor(() => expect(server.hits.get("/hang") ?? 0).toBeGreaterThan(before));
    controller.abort("cancelled by request");
    const { events } = await running;
    expect(host.outcomes).toEqual(["AbortError: request aborted: cancelled by request"]);
    expect(events.at(-1)!.type).toBe("run.cancelled");
  });
});

describe("a script's signal for its pm.sendRequest calls (lazyLink)", () => {
  it("is made on first use, its timeout counted from the script's start, with the same reason", async () => {
    let now = 1_000;
    const link = lazyLink(undefined, { timeoutMs: NEVER, now: () => now });
    now += NEVER - 20; // the script ran for almost its whole timeout before its first pm.sendRequest
    const signal = link.signal();
    expect(link.signal()).toBe(signal);
    await vi.waitFor(() => expect(signal.aborted).toBe(true));
    expect((signal.reason as DOMException).name).toBe("TimeoutError");
    expect((signal.reason as DOMException).message).toBe(`timed out after ${NEVER} ms`);
    link.end();
  });

  it("follows its parent, and is aborted once the script ended (made or not)", () => {
    const parent = new AbortController();
    const link = lazyLink(parent.signal, { timeoutMs: NEVER, now: Date.now });
    const signal = link.signal();
    parent.abort("cancelled by request");
    expect(signal.reason).toBe("cancelled by request");

    const made = lazyLink(undefined, { now: Date.now });
    const before = made.signal();
    made.end();
    expect(before.aborted).toBe(true);

    const never = lazyLink(undefined, { timeoutMs: NEVER, now: Date.now });
    never.end();
    expect(never.signal().aborted).toBe(true);
  });
});

describe("SharedTimer: an owner's timeouts on one platform timer", () => {
  it("arms one platform timer for many finished hops, and fires only what is due", async () => {
    const timer = new SharedTimer();
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    try {
      let fired = 0;
      for (let i = 0; i < 50; i++) timer.schedule(NEVER, () => fired++)();
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      const cancelled = timer.schedule(20, () => fired++);
      cancelled();
      const order: string[] = [];
      timer.schedule(60, () => order.push("later"));
      timer.schedule(30, () => order.push("sooner"));
      await vi.waitFor(() => expect(order).toEqual(["sooner", "later"]));
      expect(fired).toBe(0);
    } finally {
      setTimeoutSpy.mockRestore();
      timer.dispose();
    }
  });

  it("aborts a linked signal with the timeout's reason, and fires nothing after dispose", async () => {
    const timer = new SharedTimer();
    const link = linkSignal([], 20, { timer });
    await vi.waitFor(() => expect(link.signal.aborted).toBe(true));
    expect(link.timedOut()).toBe(true);
    expect((link.signal.reason as DOMException).name).toBe("TimeoutError");
    link.dispose();

    const later = linkSignal([], 20, { timer });
    timer.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(later.signal.aborted).toBe(false);
    later.dispose();
  });
});
