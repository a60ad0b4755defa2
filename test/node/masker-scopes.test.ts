/**
 * The masker's re-derivation is skipped only when the scopes hold what they held at the last one:
 * a secret a later step brings (or a new value of one) is still masked from then on.
 */
import "../../shared/sandbox/quickjs-module.node";
import { describe, expect, inject, it } from "vitest";
import { sameSignature, scopeSignature } from "../../shared/engine/masker-scopes";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import type { VarEntry } from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { MASK } from "../../shared/security/mask";

const set = (environment: VarEntry[]) => ({ globals: [], collection: [], environment, local: [] });

describe("scopeSignature", () => {
  it("is equal for equal variables in other arrays, and differs with any key, value, type or enabled", () => {
    const v = (over: Partial<VarEntry> = {}): VarEntry => ({ key: "k", value: "v", enabled: true, ...over });
    const a = scopeSignature([set([v()])]);
    expect(sameSignature(a, scopeSignature([set([v()])]))).toBe(true);
    for (const changed of [
      [v({ key: "j" })],
      [v({ value: "w" })],
      [v({ value: 1 })],
      [v({ type: "secret" })],
      [v({ enabled: false })],
      [v(), v()],
      [],
    ])
      expect(sameSignature(a, scopeSignature([set(changed)])), JSON.stringify(changed)).toBe(false);
    expect(sameSignature(a, scopeSignature([set([v()]), set([v()])]))).toBe(false);
  });

  it("cannot be compared for object values, NaN or a {{$dynamic}} variable in a value", () => {
    for (const value of [{ a: 1 }, ["x"], Number.NaN, "Bearer {{$randomUUID}}"])
      expect(scopeSignature([set([{ key: "k", value: value as never }])])).toBeUndefined();
    expect(sameSignature(undefined, undefined)).toBe(false);
  });
});

describe("secrets brought by a later step", () => {
  const SECRET_A = "sa-Qv83-first-canary";
  const SECRET_B = "sb-Jn27-second-canary";
  const echo = (name: string) => ({
    name,
    request: { method: "GET", url: `${inject("targetUrl")}/get?t={{tok}}` },
  });
  const setTok = (name: string, value: string) => ({
    name,
    event: [
      {
        listen: "prerequest",
        script: {
          exec: [`pm.environment.set('tok', ${JSON.stringify(value.split("-"))}.join('-'), 'secret');`],
        },
      },
    ],
    request: { method: "GET", url: `${inject("targetUrl")}/get` },
  });

  it("are masked after steps that changed nothing, also a new value of the same secret", async () => {
    const plan = buildPlan(
      {
        collection: {
          info: { name: "later" },
          item: [
            echo("plain 1"),
            echo("plain 2"),
            setTok("set a", SECRET_A),
            echo("uses a"),
            setTok("set b", SECRET_B),
            echo("uses b"),
          ],
        } as never,
        environment: { values: [{ key: "tok", value: "not-a-secret-yet" }] } as never,
        options: {},
      },
      "later",
    );
    const { events } = await runLocal(plan, {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: new QuickJSScriptHost({}),
      now: Date.now,
      random: Math.random,
    });
    const text = JSON.stringify(events);
    expect(text).not.toContain(SECRET_A);
    expect(text).not.toContain(SECRET_B);
    expect(text).toContain("not-a-secret-yet");
    const urls = events.flatMap((e) =>
      e.type === "request.completed" ? [[e.item.name, e.request.url]] : [],
    );
    expect(Object.fromEntries(urls)["uses a"]).toContain(`t=${MASK}`);
    expect(Object.fromEntries(urls)["uses b"]).toContain(`t=${MASK}`);
  });
});
