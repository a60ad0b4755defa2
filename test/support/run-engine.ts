/**
 * Runs a plan through the real engine and QuickJS sandbox in Node, with real fetch and no target policy
 * (tests target the local echo server), and returns its events.
 */
import "../../shared/sandbox/quickjs-module.node";
import { runLocal } from "../../shared/engine/run-local";
import type { RunPlan } from "../../shared/engine/runner";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import type { RunEvent } from "../../shared/schemas/events";

let host: QuickJSScriptHost | undefined;

export async function runEngine(plan: RunPlan): Promise<RunEvent[]> {
  host ??= new QuickJSScriptHost({});
  const { events } = await runLocal(plan, {
    fetch: (r: Request) => fetch(r),
    checkTarget: () => null,
    scripts: host,
    now: () => Date.now(),
    random: Math.random,
  });
  return events;
}
