/**
 * `edgerun run`: submit a collection through `POST /v1/runs` (embedded stack or --server), follow its
 * events live, write the requested reports, and exit with Newman's exit code.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunEvent, TerminalEvent } from "../shared/schemas/events";
import { CliError, HELP, parseCommand, type RunArgs } from "./args";
import { CliReporter, type Output } from "./cli-reporter";
import { exportCollection, exportCookieJar, exportScope, outputPath, writeOutput } from "./exports";
import { followRun, isTerminal } from "./follow";
import { buildRunBody } from "./inputs";
import { Interrupted, type InterruptHandle, onInterrupt } from "./interrupt";
import { localReports, RunTally } from "./partial-report";
import { saveReport, writeReportStream } from "./report-file";
import { connectRemote, embeddedScriptBackend, type Server, startEmbedded } from "./server";
import { mark } from "./timing";
import { watchServer } from "./watchdog";

export interface Io {
  stdout: Output;
  stderr: Output;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

interface ProblemBody {
  title?: string;
  detail?: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

/** Turns a non-2xx API answer into a CliError that shows the problem details. */
async function rejection(res: Response, what: string, server?: Server): Promise<CliError> {
  const text = await res.text();
  let problem: ProblemBody = {};
  try {
    problem = JSON.parse(text) as ProblemBody;
  } catch {
    problem = { detail: text.slice(0, 500) };
  }
  const head = `${what}: ${problem.title ?? `HTTP ${res.status}`}${problem.detail ? ` — ${problem.detail}` : ""}`;
  const details = (problem.errors ?? []).map((e) => `  ${e.pointer || "/"}: ${e.detail}`);
  // A 5xx of the embedded runtime: what it logged says why (nothing else shows its log).
  if (res.status >= 500) details.push(...(server?.recentErrors?.() ?? []).map((l) => `  server log: ${l}`));
  return new CliError(head, details);
}

/** A reporter's file: Newman's `newman-run-report` name where no file path is given (outputPath). */
const reportPath = (given: string | undefined, ext: string) => outputPath(given, "newman-run-report", ext);

async function writeReports(server: Server, runId: string, args: RunArgs, tool: string): Promise<void> {
  const wantsJson = args.reporters.includes("json");
  const needsNewman = wantsJson || args.exportEnvironment || args.exportGlobals;
  if (needsNewman) {
    const res = await server.api(`/v1/runs/${runId}/report?format=newman`);
    if (!res.ok) throw await rejection(res, "Could not fetch the JSON report");
    // Streamed to disk (a long run's report is hundreds of MB); the scopes come from the report's head.
    const report = await saveReport(res, {
      ...(wantsJson ? { path: reportPath(args.jsonExport, "json") } : {}),
      scopes: Boolean(args.exportEnvironment || args.exportGlobals),
    });
    if (args.exportEnvironment) {
      const path = outputPath(args.exportEnvironment, "newman-environment", "json");
      await writeOutput(path, exportScope(report?.environment, "environment", tool));
    }
    if (args.exportGlobals)
      await writeOutput(
        outputPath(args.exportGlobals, "newman-globals", "json"),
        exportScope(report?.globals, "globals", tool),
      );
  }
  if (args.reporters.includes("junit")) {
    const res = await server.api(`/v1/runs/${runId}/report?format=junit`);
    if (!res.ok) throw await rejection(res, "Could not fetch the JUnit report");
    await saveReport(res, { path: reportPath(args.junitExport, "xml") });
  }
  if (args.reporters.includes("html")) {
    const { writeHtmlReport } = await import("./html-export");
    await writeHtmlReport(server, runId, reportPath(args.htmlExport, "html"));
  }
}

/** Bounds a server call after a signal: the CLI must be gone within seconds whatever the server does. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`the server did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The run's reports when the server cannot give them: built from the events this CLI received. */
async function writeLocalReports(args: RunArgs, collection: unknown, tally: RunTally): Promise<void> {
  const wantsJson = args.reporters.includes("json");
  const wantsJunit = args.reporters.includes("junit");
  if (!wantsJson && !wantsJunit) return;
  const { json, junit } = localReports(collection, tally);
  if (wantsJson) await writeReportStream(reportPath(args.jsonExport, "json"), json());
  if (wantsJunit) await writeReportStream(reportPath(args.junitExport, "xml"), junit());
}

interface Followed {
  terminal?: TerminalEvent;
  /** Why following stopped early: a cancel deadline (Interrupted) or a dead server (CliError). */
  stoppedBy?: Error;
}

/** Follows the run until its terminal event, a passed cancel deadline, or a dead server. */
async function follow(
  server: Server,
  submitted: Submitted,
  signal: AbortSignal,
  onEvent: (e: RunEvent) => void,
): Promise<Followed> {
  try {
    for await (const { event } of followRun(server, submitted.runId, 8, signal, submitted.stream)) {
      onEvent(event);
      if (isTerminal(event)) return { terminal: event };
    }
  } catch (error) {
    if (error instanceof Interrupted || (signal.aborted && error === signal.reason)) {
      return { stoppedBy: error as Error };
    }
    throw error;
  }
  return {};
}

/** A submitted run: its id, and its event stream when the server started and followed it in one request. */
interface Submitted {
  runId: string;
  stream?: ReadableStream<Uint8Array>;
}

/**
 * Submits the run asking for its event stream in the same request (`Accept: text/event-stream`): no
 * second round trip before the first event, and no event created before a follow-up `GET` connected.
 * A server that answers with the run's JSON instead (one that predates it) is followed with `GET …/events`.
 */
async function submit(server: Server, body: string, signal: AbortSignal): Promise<Submitted> {
  // The signal also ends the stream's reads (a cancel deadline, a dead server), as `GET …/events`' does.
  const res = await server.api("/v1/runs", {
    method: "POST",
    signal,
    headers: { "content-type": "application/json", accept: "text/event-stream, application/json;q=0.5" },
    body,
  });
  if (!res.ok) throw await rejection(res, refusalOf(res.status), server);
  const location = res.headers.get("location");
  if (res.body && location && res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const runId = decodeURIComponent(location.replace(/\/+$/, "").split("/").pop() ?? "");
    if (runId) return { runId, stream: res.body };
  }
  return { runId: ((await res.json()) as { id: string }).id };
}

/** What a refused submission says, by who refused what: the key, the quota, the runtime or the input. */
function refusalOf(status: number): string {
  if (status === 401 || status === 403) return "The server refused the API key";
  if (status === 429) return "The server refused the run for now";
  if (status >= 500) return "The server could not start the run";
  return "The collection was rejected";
}

interface Conclusion {
  args: RunArgs;
  server: Server;
  runId: string;
  tool: string;
  collection: unknown;
  tally: RunTally;
  reporter: CliReporter | null;
}

/** How following ended → the reports (the server's, or local ones from the events) and the exit code. */
async function conclude(c: Conclusion, followed: Followed, interrupted: boolean): Promise<number> {
  // After a signal a dead server is no surprise: Ctrl-C and `timeout` signal the whole process group,
  // and workerd exits on SIGINT. That is still a cancel, reported from what was received.
  if (followed.stoppedBy instanceof CliError && !interrupted) {
    // The server died: say so (one line), keep what was received, exit non-zero.
    await writeLocalReports(c.args, c.collection, c.tally).catch(() => {});
    throw followed.stoppedBy;
  }
  if (!followed.terminal && !followed.stoppedBy) {
    throw new CliError(`The event stream of run ${c.runId} ended before the run did.`);
  }
  const terminal = followed.terminal ?? c.tally.cancelled(c.runId);
  if (!followed.terminal) {
    c.tally.add(terminal);
    c.reporter?.onEvent(terminal);
    await writeLocalReports(c.args, c.collection, c.tally);
  } else if (interrupted) {
    await within(2000, writeReports(c.server, c.runId, c.args, c.tool)).catch(() =>
      writeLocalReports(c.args, c.collection, c.tally),
    );
  } else {
    await writeReports(c.server, c.runId, c.args, c.tool);
  }
  if (c.args.exportCollection && followed.terminal)
    await writeOutput(
      outputPath(c.args.exportCollection, "newman-collection", "json"),
      exportCollection(c.collection, c.tool),
    );
  if (c.args.exportCookieJar && followed.terminal) {
    const res = await c.server.api(`/v1/runs/${c.runId}/cookies`);
    if (!res.ok) throw await rejection(res, "Could not fetch the cookie jar");
    const { cookies } = (await res.json()) as { cookies: unknown[] };
    await writeOutput(
      outputPath(c.args.exportCookieJar, "newman-cookie-jar", "json"),
      exportCookieJar(cookies),
    );
  }
  if (terminal.type === "run.cancelled") return 130;
  const failed = terminal.type !== "run.completed" || terminal.failures.length > 0;
  return failed && !c.args.suppressExitCode ? 1 : 0;
}

/**
 * Reads the inputs while the server starts (workerd's start is the longest step of a short run), and
 * serialises the submission then too: a large collection's JSON (≈ 10 ms for 5,000 requests) is ready
 * when the server is, instead of after it.
 */
async function inputsAndServer(
  args: RunArgs,
  io: Io,
  embedded: () => Promise<Server>,
): Promise<{ body: Awaited<ReturnType<typeof buildRunBody>>; json: string; server: Server }> {
  const starting = args.server ? connectRemote(args.server, args.apiKey) : embedded();
  starting.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
  let body: Awaited<ReturnType<typeof buildRunBody>>;
  let json: string;
  try {
    body = await buildRunBody(args, (m) => io.stderr.write(`${m}\n`));
    json = JSON.stringify(body);
    mark("inputs read");
  } catch (error) {
    await starting.then(
      (s) => s.stop(),
      () => {},
    );
    throw error;
  }
  const server = await starting;
  mark("server ready");
  return { body, json, server };
}

interface RunOptions {
  args: RunArgs;
  io: Io;
  tool: string;
  embedded: () => Promise<Server>;
  /** The process exits once the run is over (nobody needs to wait for workerd's end). */
  exiting: boolean;
}

async function run({ args, io, tool, embedded, exiting }: RunOptions): Promise<number> {
  for (const warning of args.warnings) io.stderr.write(`edgerun: ${warning}\n`);
  const { body, json, server } = await inputsAndServer(args, io, embedded);
  const stopFollowing = new AbortController();
  let lastEventAt = Date.now();
  // Loopback answers fast even under load; a remote server gets more slack before it counts as gone.
  const watchdog = watchServer(
    server,
    args.server
      ? { timeoutMs: 5000, failureLimit: 6 }
      : // A V8 script may hold the embedded runtime for its whole budget before it counts as stuck.
        {
          timeoutMs: 3000,
          failureLimit: 3,
          hangMs: (args.timeoutScript || 5000) + 2000,
          lastActivity: () => lastEventAt,
        },
  );
  void server.fellBack?.then((notice) =>
    io.stderr.write(`edgerun: ${notice}.
`),
  );
  let interrupt: InterruptHandle | undefined;
  let tally: RunTally | undefined;
  try {
    const submitted = await submit(server, json, stopFollowing.signal);
    const runId = submitted.runId;
    mark("run submitted");
    watchdog.dead.then(
      (reason) => stopFollowing.abort(new CliError(`${reason[0]!.toUpperCase()}${reason.slice(1)}.`)),
      () => {},
    );
    interrupt = onInterrupt({
      cancel: async (signal) => {
        const res = await server.api(`/v1/runs/${runId}/cancel`, { method: "POST", signal });
        await res.body?.cancel();
      },
      abort: (reason) => stopFollowing.abort(reason),
      quit: () => {
        server.killNow?.();
        process.exit(130);
      },
      stderr: io.stderr,
    });
    const color = args.color === "on" || (args.color === "auto" && io.stdout.isTTY && !process.env.NO_COLOR);
    const reporter =
      args.reporters.includes("cli") && !args.silent ? new CliReporter(io.stdout, color, args.cli) : null;
    const kept = new RunTally(args.reporters.includes("json") || args.reporters.includes("junit"));
    tally = kept;
    let first = true;
    const followed = await follow(server, submitted, stopFollowing.signal, (event) => {
      lastEventAt = Date.now();
      if (first) mark(`first event (${event.type})`);
      first = false;
      if (event.type === "request.completed" || isTerminal(event)) mark(event.type);
      kept.add(event);
      reporter?.onEvent(event);
    });
    watchdog.stop();
    mark("terminal event received");
    return await conclude(
      { args, server, runId, tool, collection: body.collection, tally: kept, reporter },
      followed,
      interrupt.interrupted,
    );
  } finally {
    watchdog.stop();
    tally?.dispose();
    mark("reports written");
    await server.stop({ exiting });
    mark("server stopped");
    interrupt?.detach();
  }
}

export interface MainOptions {
  /**
   * The embedded server, already starting: `bin.mjs` starts workerd before the rest of the CLI loads so
   * that its start overlaps module loading. Stopped here if the command turns out not to need it.
   */
  embedded?: Promise<Server>;
  /** `bin.mjs` exits right after: the embedded workerd is killed without waiting for its end. */
  exiting?: boolean;
}

/** CLI entry point; returns the process exit code instead of exiting so tests can call it. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
  opts: MainOptions = {},
): Promise<number> {
  let usedEmbedded = false;
  const embedded = () => {
    usedEmbedded = true;
    return opts.embedded ?? startEmbedded({ scriptBackend: embeddedScriptBackend() });
  };
  try {
    const command = parseCommand(argv);
    if (command.kind === "help") {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (command.kind === "version") {
      io.stdout.write(`${await version()}\n`);
      return 0;
    }
    return await run({
      args: command.args,
      io,
      tool: `edgerun/${await version()}`,
      embedded,
      exiting: opts.exiting ?? false,
    });
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n${error.details.map((d) => `${d}\n`).join("")}`);
      return error.exitCode;
    }
    const err = error as Error;
    const transport = err.name === "TypeError" && /terminated|fetch failed|socket/i.test(err.message);
    io.stderr.write(
      transport
        ? `error: the connection to the edgerun server broke (${err.message}).\n`
        : `error: unexpected failure: ${err.name}: ${err.message}${process.env.EDGERUN_DEBUG ? `\n${err.stack}` : " (set EDGERUN_DEBUG=1 for details)"}\n`,
    );
    return 1;
  } finally {
    if (opts.embedded && !usedEmbedded)
      await opts.embedded.then(
        (s) => s.stop(),
        () => {},
      );
  }
}
