/**
 * The abort plumbing without a platform listener per link (`onAbort`, `linkSignal`, `whenAborted`):
 * every parent still ends its children, a disposed link is left alone, and a platform listener added
 * to a linked signal still hears it.
 */
import { describe, expect, it } from "vitest";
import { linkSignal, onAbort, SharedTimer, whenAborted } from "../../shared/engine/abort";

describe("abort links without a listener each", () => {
  it("a grandparent's abort reaches a link of a link, with the grandparent's reason", () => {
    const run = new AbortController();
    const step = linkSignal([run.signal]);
    const hop = linkSignal([step.signal]);
    const heard: string[] = [];
    hop.signal.addEventListener("abort", () => heard.push("platform listener"));
    onAbort(hop.signal, () => heard.push("onAbort"));
    run.abort("cancelled by request");
    expect(step.signal.aborted).toBe(true);
    expect(hop.signal.aborted).toBe(true);
    expect(hop.signal.reason).toBe("cancelled by request");
    expect(heard).toEqual(["platform listener", "onAbort"]);
    expect(hop.timedOut()).toBe(false);
  });

  it("a disposed link is not aborted by its parent; its siblings still are", () => {
    const run = new AbortController();
    const done = linkSignal([run.signal]);
    const pending = linkSignal([run.signal]);
    done.dispose();
    run.abort();
    expect(done.signal.aborted).toBe(false);
    expect(pending.signal.aborted).toBe(true);
  });

  it("whenAborted on a linked signal resolves when the link's timer fires (shared or own)", async () => {
    const timer = new SharedTimer();
    try {
      for (const opts of [{ timer }, {}]) {
        const link = linkSignal([undefined], 5, opts);
        const waited = whenAborted(link.signal);
        await waited.promise;
        expect(link.timedOut()).toBe(true);
        expect((link.signal.reason as DOMException).name).toBe("TimeoutError");
        waited.dispose();
        link.dispose();
      }
    } finally {
      timer.dispose();
    }
  });

  it("an unregistered callback is not called; one that throws does not stop the others", async () => {
    const parent = new AbortController();
    const calls: string[] = [];
    const off = onAbort(parent.signal, () => calls.push("removed"));
    onAbort(parent.signal, () => {
      throw new Error("callback failed");
    });
    onAbort(parent.signal, () => calls.push("kept"));
    off();
    const reported = new Promise<unknown>((resolve) => process.once("uncaughtException", resolve));
    parent.abort();
    expect(calls).toEqual(["kept"]);
    expect(String(await reported)).toContain("callback failed");
  });

  it("a parent already aborted aborts the link at once; abort() and a later parent abort keep the first reason", () => {
    const gone = new AbortController();
    gone.abort("earlier");
    expect(linkSignal([gone.signal]).signal.reason).toBe("earlier");
    const parent = new AbortController();
    const link = linkSignal([parent.signal]);
    link.abort("own");
    parent.abort("parent");
    expect(link.signal.reason).toBe("own");
  });
});
