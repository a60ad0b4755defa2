/**
 * `edgerun run`: submit a collection through `POST /v1/runs` (embedded stack or --server), follow its
 * events live, write the requested reports, and exit with Newman's exit code.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TerminalEvent } from "../shared/schemas/events";
import { CliError, HELP, parseCommand, type RunArgs } from "./args";
import { CliReporter, type Output } from "./cli-reporter";
import { followRun } from "./follow";
import { writeHtmlReport } from "./html-export";
import { buildRunBody } from "./inputs";
import { connectRemote, type Server, startEmbedded } from "./server";

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
async function rejection(res: Response, what: string): Promise<CliError> {
  const text = await res.text();
  let problem: ProblemBody = {};
  try {
    problem = JSON.parse(text) as ProblemBody;
  } catch {
    problem = { detail: text.slice(0, 500) };
  }
  const head = `${what}: ${problem.title ?? `HTTP ${res.status}`}${problem.detail ? ` — ${problem.detail}` : ""}`;
  const details = (problem.errors ?? []).map((e) => `  ${e.pointer || "/"}: ${e.detail}`);
  return new CliError(head, details);
}

async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  } catch (error) {
    throw new CliError(`Could not write '${path}': ${(error as Error).message}`);
  }
}

function defaultReportPath(ext: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return join("newman", `edgerun-run-report-${stamp}.${ext}`);
}

interface ScopeJson {
  id?: string;
  name?: string;
  values?: unknown[];
}

/** Newman's exported environment/globals file shape, so Postman can import it back. */
function exportScope(scope: ScopeJson | undefined, kind: "environment" | "globals", tool: string): string {
  return `${JSON.stringify(
    {
      id: scope?.id ?? crypto.randomUUID(),
      name: scope?.name ?? (kind === "globals" ? "globals" : "environment"),
      values: scope?.values ?? [],
      _postman_variable_scope: kind,
      _postman_exported_at: new Date().toISOString(),
      _postman_exported_using: tool,
    },
    null,
    2,
  )}\n`;
}

async function writeReports(server: Server, runId: string, args: RunArgs, tool: string): Promise<void> {
  const wantsJson = args.reporters.includes("json");
  const needsNewman = wantsJson || args.exportEnvironment || args.exportGlobals;
  if (needsNewman) {
    const res = await server.api(`/v1/runs/${runId}/report?format=newman`);
    if (!res.ok) throw await rejection(res, "Could not fetch the JSON report");
    const text = await res.text();
    if (wantsJson) await writeOutput(args.jsonExport ?? defaultReportPath("json"), text);
    const report = JSON.parse(text) as { environment?: ScopeJson; globals?: ScopeJson };
    if (args.exportEnvironment) {
      await writeOutput(args.exportEnvironment, exportScope(report.environment, "environment", tool));
    }
    if (args.exportGlobals)
      await writeOutput(args.exportGlobals, exportScope(report.globals, "globals", tool));
  }
  if (args.reporters.includes("junit")) {
    const res = await server.api(`/v1/runs/${runId}/report?format=junit`);
    if (!res.ok) throw await rejection(res, "Could not fetch the JUnit report");
    await writeOutput(args.junitExport ?? defaultReportPath("xml"), await res.text());
  }
  if (args.reporters.includes("html")) {
    await writeHtmlReport(server, runId, args.htmlExport ?? defaultReportPath("html"));
  }
}

/** Watches Ctrl-C: the first cancels the run (the stream then ends `cancelled`), the second quits. */
function onInterrupt(cancel: () => Promise<void>, quit: () => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write("\nCancelling the run… (Ctrl-C again to quit now)\n");
      cancel().catch(() => quit());
    } else quit();
  };
  // Miniflare installs exit hooks that end the process on SIGINT; while a run is followed the CLI owns
  // the signal (it cancels the run, then stops the stack itself) and restores them afterwards.
  const saved = (["SIGINT", "SIGTERM"] as const).map((sig) => [sig, process.listeners(sig)] as const);
  for (const [sig, listeners] of saved) {
    for (const l of listeners) process.off(sig, l);
    process.on(sig, handler);
  }
  return () => {
    for (const [sig, listeners] of saved) {
      process.off(sig, handler);
      for (const l of listeners) process.on(sig, l);
    }
  };
}

async function run(args: RunArgs, io: Io, tool: string): Promise<number> {
  const body = await buildRunBody(args);
  const server = args.server ? await connectRemote(args.server, args.apiKey) : await startEmbedded();
  let detach = () => {};
  try {
    const res = await server.api("/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw await rejection(res, "The collection was rejected");
    const { id: runId } = (await res.json()) as { id: string };
    detach = onInterrupt(
      async () => {
        const cancel = await server.api(`/v1/runs/${runId}/cancel`, { method: "POST" });
        await cancel.body?.cancel();
      },
      () => {
        server.stop().finally(() => process.exit(130));
      },
    );
    const color = args.color === "on" || (args.color === "auto" && io.stdout.isTTY && !process.env.NO_COLOR);
    const reporter =
      args.reporters.includes("cli") && !args.silent ? new CliReporter(io.stdout, color, args.cli) : null;
    let terminal: TerminalEvent | undefined;
    for await (const { event } of followRun(server, runId)) {
      reporter?.onEvent(event);
      if (event.type === "run.completed" || event.type === "run.failed" || event.type === "run.cancelled") {
        terminal = event;
      }
    }
    if (!terminal) throw new CliError(`The event stream of run ${runId} ended before the run did.`);
    await writeReports(server, runId, args, tool);
    const failed = terminal.type !== "run.completed" || terminal.failures.length > 0;
    if (terminal.type === "run.cancelled") return 130;
    return failed && !args.suppressExitCode ? 1 : 0;
  } finally {
    detach();
    await server.stop();
  }
}

/** CLI entry point; returns the process exit code instead of exiting so tests can call it. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
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
    return await run(command.args, io, `edgerun/${await version()}`);
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
  }
}
