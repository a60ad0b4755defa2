/**
 * The order in which one phase of an item (its pre-request scripts, or its test scripts) happened:
 * assertions, console entries, `pm.sendRequest` answers and script errors, as Newman's CLI prints them
 * live. The events carry positions (how many assertions and console entries came before each), not a
 * single sequence, so the order is rebuilt from them.
 */
import type { RequestCompletedEvent } from "../schemas/events";

type Event = Pick<RequestCompletedEvent, "assertions" | "console" | "scriptErrors" | "sideRequests">;
export type Phase = "prerequest" | "test";
export type Step =
  | { kind: "assertion"; assertion: Event["assertions"][number] }
  | { kind: "console"; entry: Event["console"][number] }
  | { kind: "side"; request: NonNullable<Event["sideRequests"]>[number] }
  | { kind: "error"; error: Event["scriptErrors"][number] };

/** Ties between steps at the same position: an answer or an error came before what was logged next. */
const RANK = { side: 0, error: 1, console: 2, assertion: 3 } as const;

interface Placed {
  step: Step;
  assertions: number;
  console: number;
  order: number;
}

/**
 * The phase's steps in the order they happened. An assertion without a phase (older streams) is a
 * test script's; a console entry or script error without a position comes where older reporters put
 * it (after the assertions before it, an error without one at the end).
 */
export function phaseSteps(event: Event, phase: Phase): Step[] {
  const placed: Placed[] = [];
  const add = (step: Step, assertions: number, console: number) =>
    placed.push({ step, assertions, console, order: placed.length });
  // Console entries of earlier phases (and the runner's warnings before the test scripts) come first.
  const earlier = phase === "test" ? event.console.filter((c) => c.event !== "test").length : 0;
  const logged = event.console
    .map((entry, index) => ({ entry, index }))
    .filter((c) => c.entry.event === phase);
  /** Console entries recorded before assertion `i` of the item (or up to it, for `upTo`). */
  const consoleBefore = (upTo: number) =>
    earlier + logged.filter((c) => (c.entry.afterAssertions ?? 0) <= upTo).length;
  for (const c of logged) add({ kind: "console", entry: c.entry }, c.entry.afterAssertions ?? 0, c.index);
  event.assertions.forEach((assertion, i) => {
    if ((assertion.event ?? "test") === phase) add({ kind: "assertion", assertion }, i, consoleBefore(i));
  });
  for (const request of event.sideRequests ?? [])
    if (request.event === phase)
      add({ kind: "side", request }, request.afterAssertions, request.afterConsole);
  for (const error of event.scriptErrors) {
    if (error.event !== phase) continue;
    const at = error.afterAssertions ?? Number.POSITIVE_INFINITY;
    add({ kind: "error", error }, at, error.afterConsole ?? consoleBefore(at));
  }
  placed.sort(
    (a, b) =>
      a.assertions - b.assertions ||
      a.console - b.console ||
      RANK[a.step.kind] - RANK[b.step.kind] ||
      a.order - b.order,
  );
  return placed.map((p) => p.step);
}
