/**
 * A request that never completes cannot stall a run: cancel and the run deadline abort the in-flight
 * fetch (targets that never answer, or drip a byte per second). Generous bounds on a loaded machine;
 * the engine's own abort tests measure the sub-second path.
 */
import { describe, expect, it } from "vitest";
import { api, collection, readSse, startRun, target } from "./helpers";

describe("in-flight requests are abortable", () => {
  it("cancels a run whose request never gets response headers", async () => {
    const { id } = await startRun({
      collection: collection("Hang", [{ name: "hang", url: `${target()}/hang` }]),
      options: { timeoutRequest: 300_000 },
    });
    const first = await readSse(await api(`/v1/runs/${id}/events`), (m) => m.event === "run.started");
    expect(first.at(-1)?.event).toBe("run.started");
    const started = Date.now();
    const cancel = await api(`/v1/runs/${id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    expect(events.at(-1)?.event).toBe("run.cancelled");
    expect(Date.now() - started).toBeLessThan(10_000);
    const summary = (await (await api(`/v1/runs/${id}`)).json()) as { status: string };
    expect(summary.status).toBe("cancelled");
  });

  it("ends a run failed at its deadline while a response drips forever", async () => {
    const { id } = await startRun({
      collection: collection("Drip", [{ name: "drip", url: `${target()}/drip` }]),
      options: { timeout: 1500, timeoutRequest: 300_000 },
    });
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    const last = events.at(-1)!;
    expect(last.event).toBe("run.failed");
    expect(String((last.data as { reason: string }).reason)).toMatch(/timeout/);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it("times out each hanging or dripping request at timeoutRequest on the slice's shared timer, and goes on", async () => {
    const { id } = await startRun({
      collection: collection("Timeouts", [
        { name: "hang", url: `${target()}/hang` },
        { name: "ok", url: `${target()}/get` },
        { name: "drip", url: `${target()}/drip` },
        { name: "hang again", url: `${target()}/hang` },
        { name: "ok again", url: `${target()}/get` },
        // A declared Content-Length is read in one call (body.ts readWhole): the timeout still ends it.
        { name: "drip with a length", url: `${target()}/drip?length=100` },
      ]),
      options: { timeoutRequest: 400 },
    });
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    expect(events.at(-1)?.event).toBe("run.completed");
    const requests = events
      .filter((e) => e.event === "request.completed")
      .map((e) => e.data as { error?: { message: string }; response?: { code: number } });
    // Newman's error for its --timeout-request (engine/request-error.ts).
    expect(requests.map((r) => r.error?.message ?? r.response?.code)).toEqual([
      "ESOCKETTIMEDOUT",
      200,
      "ESOCKETTIMEDOUT",
      "ESOCKETTIMEDOUT",
      200,
      "ESOCKETTIMEDOUT",
    ]);
  });
});
