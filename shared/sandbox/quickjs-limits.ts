/**
 * How the QuickJS host names a script that broke a limit (quickjs-host.ts): QuickJS reports the limits
 * as errors with fixed wording, which user code can catch and rethrow, so they are recognised by text.
 */

/** A script that waited on host calls past its wall-clock allowance. */
export class LimitError extends Error {}

export type LimitName = "ScriptTimeoutError" | "ScriptMemoryError" | "ScriptStackError";

/** The limit a QuickJS error message reports, if any (interrupt, allocation failure, stack overflow). */
export function limitOf(message: string): LimitName | undefined {
  if (/interrupted/i.test(message)) return "ScriptTimeoutError";
  if (/out of memory/i.test(message)) return "ScriptMemoryError";
  if (/stack overflow|too much recursion|maximum call stack|call stack size/i.test(message))
    return "ScriptStackError";
  return undefined;
}

/** Recognises QuickJS's limit errors even when user code caught and rethrew them. */
export function limitError(
  error: { name: string; message: string } | undefined,
  overBudget: boolean,
): LimitName | undefined {
  if (overBudget) return "ScriptTimeoutError";
  return error ? limitOf(error.message) : undefined;
}

/** The message of a limit error, the same whichever way the limit surfaced. */
export function limitMessage(name: LimitName, timeoutMs: number, memory: number): string {
  if (name === "ScriptTimeoutError") return `script exceeded its CPU/time budget of ${timeoutMs} ms`;
  if (name === "ScriptMemoryError") return `script exceeded the memory limit of ${memory >> 20} MiB`;
  return "script exceeded the stack limit (unbounded recursion?)";
}

/** `Name: message` of an error dumped from QuickJS. */
export function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: string; message?: string };
    if (e.message !== undefined) return `${e.name ?? "Error"}: ${e.message}`;
  }
  return String(err);
}
