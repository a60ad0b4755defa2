/**
 * The run event catalog (API-CONTRACT.md §3), version 1.
 *
 * Every consumer — SSE, reports, monitors, the CLI — reads these shapes, so they are defined once here.
 * Additive changes only; a breaking change means `v: 2`.
 */
import * as z from "zod";

export const EVENT_VERSION = 1 as const;

export const HeaderListSchema = z.array(z.object({ key: z.string(), value: z.string() }));
export type HeaderList = z.infer<typeof HeaderListSchema>;

export const CounterSchema = z.object({ total: z.number(), pending: z.number(), failed: z.number() });
export type Counter = z.infer<typeof CounterSchema>;

export const RunStatsSchema = z.object({
  iterations: CounterSchema,
  items: CounterSchema,
  scripts: CounterSchema,
  prerequests: CounterSchema,
  requests: CounterSchema,
  tests: CounterSchema,
  assertions: CounterSchema,
  testScripts: CounterSchema,
  prerequestScripts: CounterSchema,
});
export type RunStats = z.infer<typeof RunStatsSchema>;

export const RunTimingsSchema = z.object({
  started: z.number(),
  completed: z.number().optional(),
  responseAverage: z.number(),
  responseMin: z.number(),
  responseMax: z.number(),
  responseTotal: z.number(),
  /** The responses' standard deviation (population, as Newman's summary); absent from older streams. */
  responseSd: z.number().optional(),
});
export type RunTimings = z.infer<typeof RunTimingsSchema>;

export const AssertionResultSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  skipped: z.boolean(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  /** Call order of the test within its script, from 0 (Newman's assertion index: its `at`). */
  index: z.number().optional(),
  /** The script that made it (a pre-request script's come first: Newman prints them before the request). */
  event: z.enum(["prerequest", "test"]).optional(),
});
export type AssertionResult = z.infer<typeof AssertionResultSchema>;

/** The tags of a ConsoleValue that is not plain JSON (see ConsoleValueSchema). */
export type ConsoleTag = "u" | "n" | "b" | "y" | "d" | "re" | "o" | "a" | "M" | "S" | "ta" | "B" | "c" | "x";
/** One console argument, JSON-safe: see ConsoleValueSchema. */
export type ConsoleValue =
  | string
  | number
  | boolean
  | null
  | ConsoleValue[]
  | ConsoleTagged
  | { [key: string]: ConsoleValue };
/** A ConsoleValue that is not plain JSON: see ConsoleValueSchema. */
export interface ConsoleTagged {
  t: ConsoleTag;
  v?: string | ConsoleValue[];
  n?: number;
  c?: string;
  up?: number;
}

/**
 * One argument of a console call as postman-sandbox hands it to Newman's reporter (JSON's rules as
 * teleport-javascript extends them), in a JSON-safe encoding: strings, finite numbers, booleans and
 * null as themselves, an array as an array, an object as an object (when none of its keys is `t` or
 * `__proto__`), anything else tagged by `t`: `u` undefined, `n` NaN or
 * ±Infinity (`v`), `b` a bigint (`v` its digits), `y` a symbol (`v` its description), `d` a Date (`v`
 * ISO text), `re` a RegExp (`v` `/source/flags`), `o` an object (`v` its [key, value] pairs), `a` an
 * array of more than 100 items (`v` the first 100, `n` its length), `M` a Map (`v` [key, value] pairs),
 * `S` a Set (`v` its values), `ta` a typed array (`c` its class, `v` the first 100 items, `n` its
 * length), `B` a Buffer (`v` its bytes), `c` a cycle: the object `up` levels above, `x` a value deeper
 * than the console shows. Functions arrive as postman-sandbox sends them (`[Function: name]` strings),
 * errors as `{ type: "Error", name, message }` objects.
 */
export const ConsoleValueSchema: z.ZodType<ConsoleValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(ConsoleValueSchema),
    z.object({
      t: z.enum(["u", "n", "b", "y", "d", "re", "o", "a", "M", "S", "ta", "B", "c", "x"]),
      v: z.union([z.string(), z.array(ConsoleValueSchema)]).optional(),
      n: z.number().optional(),
      c: z.string().optional(),
      up: z.number().optional(),
    }),
    z.record(z.string(), ConsoleValueSchema),
  ]),
);

export const ConsoleEntrySchema = z.object({
  level: z.enum(["log", "info", "warn", "error", "debug", "clear"]),
  /** The call's arguments as one line of text (as the Postman app's console shows them). */
  message: z.string(),
  /**
   * The call's arguments as values, for the CLI's Newman-style console (each through Node's
   * util.inspect; the runner's own warnings carry `[message]`, which Newman prints quoted too). Absent
   * when their encoding exceeds the console message limit: `message` is then the text to show.
   */
  args: z.array(ConsoleValueSchema).optional(),
  /** The script that logged it; absent for the runner's own warnings (before the request is sent). */
  event: z.enum(["prerequest", "test"]).optional(),
  /** How many of the item's assertions were recorded before it (reporters interleave them as Newman). */
  afterAssertions: z.number().optional(),
});
export type ConsoleEntry = z.infer<typeof ConsoleEntrySchema>;

export const ScriptErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  event: z.enum(["prerequest", "test"]),
  /** Where the failing script lives, e.g. `collection`, `folder:Users`, `request:Get user`. */
  location: z.string(),
  /**
   * How many of the item's assertions were recorded before the error (its own script's and earlier
   * scripts'), so reporters print it between them as Newman does. Absent from older streams.
   */
  afterAssertions: z.number().optional(),
  /** How many of the item's console entries were recorded before the error (absent from older streams). */
  afterConsole: z.number().optional(),
});
export type ScriptError = z.infer<typeof ScriptErrorSchema>;

/**
 * A `pm.sendRequest` of an item's scripts that got no response (refused, unresolvable, invalid URL,
 * timed out). Newman emits it as a failed request, so it is a run failure and fails the exit code.
 */
export const SideRequestFailureSchema = z.object({
  /** The script that sent it. */
  event: z.enum(["prerequest", "test"]),
  method: z.string(),
  url: z.string(),
  error: z.object({ name: z.string(), message: z.string() }),
});
export type SideRequestFailure = z.infer<typeof SideRequestFailureSchema>;

/**
 * A `pm.sendRequest` of an item's scripts, answered or failed, placed where its answer arrived among the
 * item's assertions and console entries (before its callback ran): Newman's CLI prints each one's line
 * there, and counts its response in the run's data received and response times.
 */
export const SideRequestSchema = z.object({
  /** The script that sent it. */
  event: z.enum(["prerequest", "test"]),
  method: z.string(),
  url: z.string(),
  response: z
    .object({
      code: z.number(),
      status: z.string(),
      /** Body bytes, as request.completed's `response.size`. */
      size: z.number(),
      /** The status line, header lines and blank line, as postman-collection counts them. */
      headersSize: z.number(),
      timeMs: z.number(),
    })
    .optional(),
  /** Why it got no response (as in `sideRequestFailures`). */
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  /** How many of the item's assertions were recorded before its answer arrived. */
  afterAssertions: z.number(),
  /** How many of the item's console entries were recorded before its answer arrived. */
  afterConsole: z.number(),
});
export type SideRequest = z.infer<typeof SideRequestSchema>;

export const ItemRefSchema = z.object({ id: z.string(), name: z.string(), path: z.array(z.string()) });
export type ItemRef = z.infer<typeof ItemRefSchema>;

export const FailureSchema = z.object({
  iteration: z.number(),
  item: ItemRefSchema.optional(),
  source: z.enum(["assertion", "request", "script", "run"]),
  name: z.string(),
  message: z.string(),
  /** For assertions: the type of what the test threw (`AssertionError`, `TypeError`, …). */
  errorName: z.string().optional(),
  /** For script errors: which script failed (Newman's `at`: `prerequest-script` / `test-script`). */
  event: z.enum(["prerequest", "test"]).optional(),
  /** For a `pm.sendRequest` that got no response (source `request`): the request the script sent. */
  sideRequest: z.object({ method: z.string(), url: z.string() }).optional(),
});
export type Failure = z.infer<typeof FailureSchema>;

const base = { v: z.literal(EVENT_VERSION), runId: z.string(), ts: z.string() };

export const RunStartedSchema = z.object({
  ...base,
  type: z.literal("run.started"),
  collection: z.object({ id: z.string(), name: z.string() }),
  iterations: z.number(),
  items: z.number(),
  region: z.string(),
  resumed: z.boolean().optional(),
  /** What the run leaves out, said once (e.g. v3 files of other protocols: `skipped <path>: <reason>`). */
  warnings: z.array(z.string()).optional(),
});

export const IterationStartedSchema = z.object({
  ...base,
  type: z.literal("iteration.started"),
  iteration: z.number(),
});
export const IterationCompletedSchema = z.object({
  ...base,
  type: z.literal("iteration.completed"),
  iteration: z.number(),
});

export const RequestCompletedSchema = z.object({
  ...base,
  type: z.literal("request.completed"),
  iteration: z.number(),
  item: ItemRefSchema,
  request: z.object({
    method: z.string(),
    url: z.string(),
    /**
     * As postman-runtime lists them: the request's own first (a disabled one, not sent, marked so),
     * then those the runtime added.
     */
    headers: z.array(z.object({ key: z.string(), value: z.string(), disabled: z.literal(true).optional() })),
    /**
     * How many of `headers`, at the end, the runtime added (Postman's system headers, auth, the body's
     * type, Content-Length, Cookie): Newman's report marks them `system: true`. Absent when none (and
     * from older streams).
     */
    systemHeaders: z.number().int().nonnegative().optional(),
    body: z.string().optional(),
  }),
  response: z
    .object({
      code: z.number(),
      status: z.string(),
      headers: HeaderListSchema,
      size: z.number(),
      timeMs: z.number(),
      bodyPreview: z.string(),
      bodyTruncated: z.boolean().optional(),
    })
    .optional(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  skipped: z.boolean().optional(),
  assertions: z.array(AssertionResultSchema),
  console: z.array(ConsoleEntrySchema),
  scriptErrors: z.array(ScriptErrorSchema),
  scripts: z.object({ prerequest: z.number(), test: z.number() }),
  /**
   * Phases in ms: `waitMs` rate-limit wait, `prerequestMs`/`testMs` scripts, `headersMs` time to response
   * headers (last attempt), `totalMs` the request with its body (last attempt; earlier ones in `retries`).
   */
  timings: z
    .object({
      waitMs: z.number(),
      totalMs: z.number(),
      prerequestMs: z.number().optional(),
      testMs: z.number().optional(),
      headersMs: z.number().optional(),
    })
    .optional(),
  /** Number of attempts when `options.retry` re-sent the request; `retries` lists each earlier attempt. */
  attempts: z.number().optional(),
  retries: z
    .array(
      z.object({
        attempt: z.number(),
        code: z.number().optional(),
        error: z.string().optional(),
        delayMs: z.number(),
      }),
    )
    .optional(),
  /** True when the request may have been sent twice because the run resumed after a crash mid-request. */
  resent: z.boolean().optional(),
  visualizer: z.object({ template: z.string(), data: z.unknown() }).optional(),
  /** The request a test script asked to run next (`pm.execution.setNextRequest`), as Newman announces it. */
  nextRequest: z.string().optional(),
  /**
   * Requests sent besides this one to complete its auth handshake (a digest answer, NTLM's two
   * messages): counted in the run's stats and listed in Newman's report, as Newman does. Absent when none.
   */
  authRequests: z.number().int().positive().optional(),
  /** The item's failed `pm.sendRequest` calls, in call order (absent when none failed; at most 50). */
  sideRequestFailures: z.array(SideRequestFailureSchema).optional(),
  /**
   * The item's `pm.sendRequest` calls, answered or not, in the order their answers arrived (absent when
   * it sent none or from older streams; at most 50: the run's stats count them all).
   */
  sideRequests: z.array(SideRequestSchema).optional(),
  /**
   * Present when the event was larger than one event may be (1 MiB of JSON): its size before, and how
   * many trailing entries each list lost (by JSON pointer: `/assertions`, `/request/headers`, …). Long
   * texts are shortened too. The run's stats still count everything.
   */
  truncated: z.object({ bytes: z.number(), dropped: z.record(z.string(), z.number()) }).optional(),
});

const terminal = {
  ...base,
  stats: RunStatsSchema,
  timings: RunTimingsSchema,
  failures: z.array(FailureSchema),
};
export const RunCompletedSchema = z.object({ ...terminal, type: z.literal("run.completed") });
export const RunFailedSchema = z.object({ ...terminal, type: z.literal("run.failed"), reason: z.string() });
export const RunCancelledSchema = z.object({ ...terminal, type: z.literal("run.cancelled") });

export const RunEventSchema = z.discriminatedUnion("type", [
  RunStartedSchema,
  IterationStartedSchema,
  IterationCompletedSchema,
  RequestCompletedSchema,
  RunCompletedSchema,
  RunFailedSchema,
  RunCancelledSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
export type RunEventType = RunEvent["type"];
export type RequestCompletedEvent = z.infer<typeof RequestCompletedSchema>;
export type TerminalEvent =
  | z.infer<typeof RunCompletedSchema>
  | z.infer<typeof RunFailedSchema>
  | z.infer<typeof RunCancelledSchema>;

/** Event without the envelope fields the emitter fills in. */
export type EventBody = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, "v" | "runId" | "ts">
    : never
  : never;

export const TERMINAL_EVENTS: ReadonlySet<RunEventType> = new Set([
  "run.completed",
  "run.failed",
  "run.cancelled",
]);

/** A stored event with its per-run sequence number (the SSE `id:`). */
export interface SequencedEvent {
  seq: number;
  event: RunEvent;
}
