/**
 * The bookkeeping of an item's `pm.sendRequest` calls: how many were sent and failed (Newman counts
 * them as requests), the failures for the run's failure list, and each call placed where its answer
 * arrived among the item's assertions and console entries, for reporters that print it there.
 */
import type { HeaderList, SideRequest, SideRequestFailure } from "../schemas/events";
import type { SendResult } from "./http";
import { failedWith } from "./send-definition";
import type { SideRequestPosition } from "./types";

/** Side requests (and failed ones) an item's event lists; the counts cover them all. */
const MAX_LISTED = 50;

type Phase = "prerequest" | "test";
type Unplaced = Omit<SideRequest, "afterAssertions" | "afterConsole">;

/**
 * The bytes of a response's status line, header lines and the blank line as postman-collection counts
 * them: Newman's request line shows this plus the body.
 */
export function headersSize(code: number, status: string, headers: HeaderList): number {
  let n = `HTTP/X.X ${code} ${status}\r\n\r\n`.length;
  for (const h of headers) n += h.key.length + h.value.length + 4;
  return n;
}

/** One script's calls, in the order its sendRequest capability was called (unanswered ones undefined). */
export interface ScriptCalls {
  readonly event: Phase;
  readonly calls: Array<Unplaced | undefined>;
  /** Set once the script's outcome placed its calls: answers arriving later are counted, not listed. */
  placed: boolean;
}

export class SideRequestLog {
  total = 0;
  failed = 0;
  readonly failures: SideRequestFailure[] = [];
  readonly listed: SideRequest[] = [];

  /** Starts recording one script's calls. */
  script(event: Phase): ScriptCalls {
    return { event, calls: [], placed: false };
  }

  /** Numbers a call as the script makes it (the sandbox numbers them the same way). */
  start(script: ScriptCalls): number {
    return script.calls.push(undefined) - 1;
  }

  /** Records the answer to call `call` of the script (answers may arrive in any order). */
  record(script: ScriptCalls, call: number, result: SendResult): void {
    this.total += 1;
    const { sent, response } = result;
    if (!response) {
      this.failed += 1;
      if (this.failures.length < MAX_LISTED)
        this.failures.push({
          event: script.event,
          method: sent.method,
          url: sent.url,
          error: failedWith(result),
        });
    }
    if (script.placed) return;
    script.calls[call] = {
      event: script.event,
      method: sent.method,
      url: sent.url,
      ...(response
        ? {
            response: {
              code: response.code,
              status: response.status,
              size: response.responseSize,
              headersSize: headersSize(response.code, response.status, response.headers),
              timeMs: response.responseTime,
            },
          }
        : { error: failedWith(result) }),
    };
  }

  /**
   * Lists a finished script's calls where the sandbox saw their answers arrive (`positions`, relative
   * to the script's own output; `offset` is the item's output before the script); a call without a
   * position (the script was stopped first) goes after the script's output (`end`).
   */
  place(
    script: ScriptCalls,
    positions: SideRequestPosition[] | undefined,
    at: { offset: Counts; end: Counts },
  ): void {
    script.placed = true;
    const seen = new Set<number>();
    const add = (call: Unplaced | undefined, where: Counts) => {
      if (call && this.listed.length < MAX_LISTED) this.listed.push({ ...call, ...where });
    };
    for (const p of positions ?? []) {
      if (seen.has(p.call)) continue;
      seen.add(p.call);
      add(script.calls[p.call], {
        afterAssertions: Math.min(at.offset.afterAssertions + p.afterAssertions, at.end.afterAssertions),
        afterConsole: Math.min(at.offset.afterConsole + p.afterConsole, at.end.afterConsole),
      });
    }
    script.calls.forEach((call, i) => {
      if (!seen.has(i)) add(call, at.end);
    });
  }
}

interface Counts {
  afterAssertions: number;
  afterConsole: number;
}
