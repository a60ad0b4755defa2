import { describe, expect, inject, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { Runner, type RunState } from "../../shared/engine/runner";
import type { RunEvent } from "../../shared/schemas/events";
import { MiniScriptHost } from "../support/mini-script-host";

const base = () => inject("targetUrl");

function deps(scripts = new MiniScriptHost()) {
  return {
    fetch: (r: Request) => fetch(r),
    checkTarget: () => null,
    scripts,
    now: () => Date.now(),
    random: Math.random,
  };
}

type ItemSpec = { name: string; url?: string; pre?: string; test?: string; id?: string };
function coll(
  items: Array<ItemSpec | { name: string; item: ItemSpec[]; pre?: string; test?: string }>,
  extra: Record<string, unknown> = {},
) {
  const toItem = (
    i: ItemSpec | { name: string; item: ItemSpec[]; pre?: string; test?: string },
  ): Record<string, unknown> => {
    const event = [
      ...(i.pre ? [{ listen: "prerequest", script: { exec: [i.pre] } }] : []),
      ...(i.test ? [{ listen: "test", script: { exec: [i.test] } }] : []),
    ];
    if ("item" in i) return { name: i.name, item: i.item.map(toItem), event };
    return {
      name: i.name,
      ...(i.id ? { id: i.id } : {}),
      event,
      request: { method: "GET", url: i.url ?? `${base()}/get?n=${i.name}` },
    };
  };
  return { info: { name: "engine" }, item: items.map(toItem), ...extra };
}

const names = (events: RunEvent[]) =>
  events
    .filter((e) => e.type === "request.completed")
    .map((e) => (e.type === "request.completed" ? e.item.name : ""));

describe("runner cursor", () => {
  it("runs items in order across iterations with the full event sequence", async () => {
    const plan = buildPlan(
      { collection: coll([{ name: "a" }, { name: "b" }]) as never, options: { iterationCount: 2 } },
      "r1",
    );
    const { events } = await runLocal(plan, deps());
    expect(events.map((e) => e.type)).toEqual([
      "run.started",
      "iteration.started",
      "request.completed",
      "request.completed",
      "iteration.completed",
      "iteration.started",
      "request.completed",
      "request.completed",
      "iteration.completed",
      "run.completed",
    ]);
  });

  it("follows setNextRequest forward, backward, by id and null", async () => {
    const c = coll([
      {
        name: "a",
        test: "const n = Number(pm.environment.get('n') || 0); pm.environment.set('n', String(n + 1)); if (n < 2) pm.execution.setNextRequest('a'); else pm.execution.setNextRequest('cid');",
      },
      { name: "b" },
      { name: "c", id: "cid", test: "postman.setNextRequest(null)" },
      { name: "d" },
    ]);
    const { events, state } = await runLocal(
      buildPlan({ collection: c as never, options: {} }, "r2"),
      deps(),
    );
    expect(names(events)).toEqual(["a", "a", "a", "c"]);
    expect(state.scopes.environment.find((v) => v.key === "n")?.value).toBe("3");
  });

  it("skips a request from a pre-request script and counts it", async () => {
    const c = coll([
      { name: "a", pre: "pm.execution.skipRequest()", test: "pm.test('never', () => false)" },
      { name: "b" },
    ]);
    const { events } = await runLocal(buildPlan({ collection: c as never, options: {} }, "r3"), deps());
    const a = events.find((e) => e.type === "request.completed");
    expect(a?.type === "request.completed" && a.skipped).toBe(true);
    expect(a?.type === "request.completed" && a.assertions).toEqual([]);
  });

  it("runs scripts collection → folder → request, pre-request then test", async () => {
    const host = new MiniScriptHost();
    const c = {
      ...coll([{ name: "F", pre: "1", test: "1", item: [{ name: "r", pre: "1", test: "1" }] }]),
      event: [
        { listen: "prerequest", script: { exec: "1" } },
        { listen: "test", script: { exec: "1" } },
      ],
    };
    await runLocal(buildPlan({ collection: c as never, options: {} }, "r4"), deps(host));
    expect(host.calls.map((x) => `${x.event}:${x.location}`)).toEqual([
      "prerequest:collection",
      "prerequest:folder:F",
      "prerequest:request:r",
      "test:collection",
      "test:folder:F",
      "test:request:r",
    ]);
  });

  it("stops at the first failure with bail", async () => {
    const c = coll([{ name: "a", test: "pm.test('x', () => false)" }, { name: "b" }]);
    const { events } = await runLocal(
      buildPlan({ collection: c as never, options: { bail: true, iterationCount: 3 } }, "r5"),
      deps(),
    );
    expect(names(events)).toEqual(["a"]);
    expect(events.at(-1)?.type).toBe("run.completed");
  });

  it("uses one data row per iteration", async () => {
    const c = coll([
      {
        name: "a",
        url: `${base()}/get?user={{user}}`,
        test: "pm.test('user', () => pm.response.json().args.user === pm.iterationData.get('user'))",
      },
    ]);
    const plan = buildPlan({ collection: c as never, iterationData: "user\nann\nbob\n", options: {} }, "r6");
    const { events } = await runLocal(plan, deps());
    const reqs = events.filter((e) => e.type === "request.completed");
    expect(reqs.map((e) => (e.type === "request.completed" ? e.request.url : ""))).toEqual([
      `${base()}/get?user=ann`,
      `${base()}/get?user=bob`,
    ]);
    expect(reqs.every((e) => e.type === "request.completed" && e.assertions.every((a) => a.passed))).toBe(
      true,
    );
  });

  it("gives the same events when checkpointed through JSON after every step", async () => {
    const c = coll([
      {
        name: "a",
        test: "pm.environment.set('k', (pm.environment.get('k') || '') + 'x'); pm.test('t', true)",
      },
      { name: "b", url: `${base()}/cookies/set?session=abc` },
      {
        name: "c",
        url: `${base()}/cookies`,
        test: "pm.test('cookie', () => pm.response.json().cookies.session === 'abc')",
      },
    ]);
    const plan = buildPlan({ collection: c as never, options: { iterationCount: 2 } }, "r7");
    const strip = (events: RunEvent[]) =>
      events.map((e) => {
        const { ts: _ts, ...rest } = e as RunEvent & { ts: string };
        if (rest.type === "request.completed") {
          return {
            type: rest.type,
            item: rest.item.name,
            url: rest.request.url,
            code: rest.response?.code,
            assertions: rest.assertions,
          };
        }
        return { type: rest.type };
      });
    const a = await runLocal(plan, deps());
    const b = await runLocal(plan, deps(), { checkpoint: true });
    expect(strip(b.events)).toEqual(strip(a.events));
    expect(b.state.scopes.environment).toEqual(a.state.scopes.environment);
    expect(
      b.events
        .filter((e) => e.type === "request.completed")
        .every((e) => e.type === "request.completed" && e.assertions.every((x) => x.passed)),
    ).toBe(true);
  });
});

describe("runner steps", () => {
  it("never modify the state they are given, so a step that throws can be retried from it", async () => {
    const c = coll([
      { name: "a", test: "pm.environment.set('k', 'v1'); pm.test('t', true)" },
      { name: "b", url: `${base()}/cookies/set?session=abc`, test: "pm.test('fails', false)" },
      { name: "c", test: "pm.environment.set('k', 'v2')" },
    ]);
    const plan = buildPlan({ collection: c as never, options: { iterationCount: 2 } }, "r8");
    const expected = await runLocal(plan, deps());
    // The third request of the run throws inside the step (a broken target check); the step is then
    // retried from the very state it was given, by a fresh Runner.
    let checks = 0;
    const flaky = {
      ...deps(),
      checkTarget: () => {
        checks += 1;
        if (checks === 3) throw new Error("target check broke");
        return null;
      },
    };
    const runner = new Runner(plan, flaky);
    const events: RunEvent[] = [...runner.start("local").events];
    let state: RunState = runner.start("local").state;
    let threw = 0;
    for (let guard = 0; guard < 50; guard++) {
      const before = JSON.stringify(state);
      let step: Awaited<ReturnType<Runner["step"]>>;
      try {
        step = await runner.step(state);
      } catch {
        threw += 1;
        expect(JSON.stringify(state)).toBe(before);
        continue;
      }
      expect(JSON.stringify(state)).toBe(before);
      events.push(...step.events);
      state = step.state;
      if (step.done) break;
    }
    expect(threw).toBe(1);
    const final = runner.finish(state, "completed");
    events.push(...final.events);
    const strip = (list: RunEvent[]) =>
      list.map((e) =>
        e.type === "request.completed"
          ? [e.item.name, e.request.url, e.response?.code, e.assertions.map((a) => a.passed)]
          : e.type === "run.completed"
            ? [e.type, e.stats, e.failures.length]
            : [e.type],
      );
    expect(strip(events)).toEqual(strip(expected.events));
    expect(final.state.scopes.environment).toEqual(expected.state.scopes.environment);
    expect(final.state.cookies).toEqual(expected.state.cookies);
  });

  it("show test scripts the URL that was sent, even with a dynamic variable in it", async () => {
    const c = coll([
      {
        name: "a",
        url: `${base()}/get?r={{$randomUUID}}`,
        test: "pm.test('same uuid', pm.request.url.raw.endsWith('r=' + pm.response.json().args.r))",
      },
    ]);
    const { events } = await runLocal(buildPlan({ collection: c as never, options: {} }, "r9"), deps());
    const [req] = events.filter((e) => e.type === "request.completed");
    expect(req?.type === "request.completed" && req.assertions).toEqual([
      { name: "same uuid", passed: true, skipped: false, event: "test" },
    ]);
  });
});
