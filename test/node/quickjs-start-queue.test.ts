import { describe, expect, it } from "vitest";
import { loopTurn, StartQueue } from "../../shared/sandbox/start-queue";

/** A few turns of the event loop: long enough for a start handed on to have entered. */
const turns = async () => {
  for (let i = 0; i < 3; i++) await loopTurn();
};

describe("StartQueue: one QuickJS start at a time, handed on after a turn of the event loop", () => {
  it("admits starts one at a time in arrival order", async () => {
    const queue = new StartQueue();
    const order: string[] = [];
    const first = await queue.enter();
    const second = queue.enter().then((slot) => {
      order.push("second");
      return slot;
    });
    const third = queue.enter().then((slot) => {
      order.push("third");
      return slot;
    });
    await turns();
    expect(order).toEqual([]);
    expect(queue.size).toBe(3);
    first.release();
    (await second).release();
    (await third).release();
    expect(order).toEqual(["second", "third"]);
    expect(queue.size).toBe(0);
  });

  it("frees one place per start, however often its release is called", async () => {
    const queue = new StartQueue();
    const a = await queue.enter();
    const b = queue.enter();
    const c = queue.enter();
    a.release();
    a.release();
    const slotB = await b;
    let cEntered = false;
    void c.then(() => {
      cEntered = true;
    });
    await turns();
    expect(cEntered).toBe(false);
    slotB.release();
    (await c).release();
    expect(queue.size).toBe(0);
  });

  it("lets tasks queued before the hand-over run before the next start", async () => {
    const queue = new StartQueue();
    const a = await queue.enter();
    const seen: string[] = [];
    const b = queue.enter().then((slot) => {
      seen.push("start");
      return slot;
    });
    setTimeout(() => seen.push("queued task"), 0);
    a.release();
    (await b).release();
    expect(seen).toEqual(["queued task", "start"]);
  });

  it("stops waiting for a start that holds the queue past its lease (its object gone)", async () => {
    const queue = new StartQueue({ leaseMs: 20 });
    const gone = await queue.enter(); // never released
    const next = await queue.enter();
    const after = queue.enter();
    next.release();
    (await after).release();
    gone.release(); // a late release of a lease taken over changes nothing
    expect(queue.size).toBe(0);
  });

  it("takes the start over from a waiter it was handed to that never went on", async () => {
    const queue = new StartQueue({ leaseMs: 20 });
    const first = await queue.enter();
    const second = queue.enter(); // handed the start below, but its holder never releases it
    const third = queue.enter();
    first.release();
    await second;
    (await third).release();
    expect(queue.size).toBe(0);
  });
});
