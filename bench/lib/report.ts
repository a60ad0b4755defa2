/** The benchmark's one compact table (Markdown) and its place in bench/README.md. */
import type { CliRow } from "../cases/cli";
import type { EngineResult } from "../cases/engine";
import type { ScriptCostRow } from "../cases/scripts";
import type { BigRunResult, ConcurrentResult } from "../cases/stack";
import type { WorkerdFetchResult } from "../cases/workerd-fetch";

/** The scripts case's backends, as the table names them. */
const SCRIPT_BACKENDS: Record<string, string> = {
  quickjs: "QuickJS",
  v8: "V8 isolate, an invocation per script (production)",
  v8session: "V8 isolate, a slice's scripts on sessions (CLI, local stack)",
};

export interface Results {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string };
  versions: Record<string, string>;
  commands: string[];
  cases: {
    engine?: EngineResult;
    workerdFetch?: WorkerdFetchResult;
    cli?: CliRow[];
    concurrent?: ConcurrentResult;
    /** Where the first stack ran scripts (`SCRIPT_BACKEND` given to the bench; QuickJS by default, as `npm start`). */
    stackBackend?: string;
    /** The same case with scripts in V8 isolates (`SCRIPT_BACKEND=v8`; `npm start` keeps QuickJS). */
    concurrentV8?: ConcurrentResult;
    /** The V8 case again with the stack's storage in /dev/shm: what the disk's fsync per commit costs. */
    concurrentV8Memory?: ConcurrentResult;
    scripts?: ScriptCostRow[];
    big?: BigRunResult[];
  };
}

const START = "<!-- bench:results -->";
const END = "<!-- /bench:results -->";

/** One row per measure: what, result, aim. */
export function renderTable(r: Results): string {
  const rows: Array<[string, string, string]> = [];
  const e = r.cases.engine;
  if (e) {
    rows.push([`raw fetch loop (${e.requests} requests, Node)`, `${e.rawMsPerRequest} ms/request`, "—"]);
    rows.push([
      "engine, no scripts",
      `${e.engineMsPerRequest} ms/request (+${e.engineOverheadMs})`,
      "< +0.3 ms",
    ]);
    rows.push([
      "engine + typical test script",
      `${e.scriptedMsPerRequest} ms/request (+${e.scriptMs} script)`,
      "—",
    ]);
    rows.push([
      "… checkpoint per request (engine state JSON)",
      `${e.checkpoint.bytes} B, stringify ${e.checkpoint.stringifyMs} ms`,
      "—",
    ]);
  }
  const w = r.cases.workerdFetch;
  if (w) {
    rows.push([
      `raw fetch loop inside workerd (${w.requests} requests)`,
      `${w.bareMsPerRequest} ms/request (${w.connections.bare} new connections); with the engine's headers ${w.engineHeadersMsPerRequest} ms (${w.connections.engineHeaders} new); in a SQLite DO ${w.inDurableObjectMsPerRequest} ms, + 1 write per fetch ${w.oneWriteMsPerRequest} ms, + 2 writes (before and after, as the RunCoordinator) ${w.durableWritesMsPerRequest} ms`,
      "—",
    ]);
  }
  for (const c of r.cases.cli ?? []) {
    rows.push([
      `edgerun run vs newman run, ${c.requests} scripted requests (median of ${c.repeats})`,
      `${c.edgerunMs} vs ${c.newmanMs} ms = **${(c.edgerunMs / c.newmanMs).toFixed(3)}×**; peak RSS ${c.edgerunPeakMiB} (workerd ${c.edgerunWorkerdPeakMiB ?? "?"}) vs ${c.newmanPeakMiB} MiB`,
      c.requests <= 10 ? "≤ 1×" : c.requests <= 500 ? "≤ 0.20×" : "≤ 0.10×",
    ]);
  }
  for (const s of r.cases.scripts ?? []) {
    rows.push([
      `typical test script (5 \`pm.test\`, chai over JSON) in workerd, ${SCRIPT_BACKENDS[s.backend] ?? s.backend}`,
      `median ${s.medianWallMs} ms wall, ${s.cpuMs} ms CPU (${s.batches} × ${s.perBatch}); first script of a run ${s.firstScriptCpuMs} ms CPU`,
      "≤ 0.3 ms median",
    ]);
  }
  for (const [k, backend] of [
    [r.cases.concurrent, r.cases.stackBackend === "v8" ? "V8" : "QuickJS"],
    [r.cases.concurrentV8, "V8"],
    [r.cases.concurrentV8Memory, "V8, storage in /dev/shm"],
  ] as const) {
    if (!k) continue;
    rows.push([
      `${k.runs} concurrent runs × ${k.requestsPerRun} scripted requests (local stack, ${backend})`,
      `${k.requestsPerSecond} requests/s; request p50/p95 ${k.requestMs.p50}/${k.requestMs.p95} ms; SSE delivery p50/p99 ${k.sseDeliveryMs.p50}/${k.sseDeliveryMs.p99} ms (of events created after their stream opened: ${k.liveDeliveryMs?.p50 ?? "–"}/${k.liveDeliveryMs?.p99 ?? "–"} ms); errors ${k.errors}`,
      "≥ 1,000 req/s, SSE p99 < 50 ms, errors = 0",
    ]);
  }
  for (const b of r.cases.big ?? []) {
    const m = b.workerdMiB;
    rows.push([
      `one run of ${b.requests} scripted requests`,
      `${b.requestsPerSecond} requests/s; workerd RSS ${m.run.startMiB} → peak ${m.run.peakMiB} MiB`,
      "—",
    ]);
    rows.push([
      `… SSE replay from the start (${b.replay.events} events, ${b.replay.MiB} MiB)`,
      `${b.replay.ms} ms; workerd growth ${m.replay.growthMiB} MiB (peak ${m.replay.peakMiB})`,
      "< 150 MB",
    ]);
    rows.push([
      `… Newman JSON report (${b.report.MiB} MiB${b.report.complete ? "" : ", INCOMPLETE"})`,
      `${b.report.ms} ms; workerd growth ${m.report.growthMiB} MiB (peak ${m.report.peakMiB})`,
      "< 150 MB",
    ]);
    rows.push([
      "… stored per request (SQLite pages in use; event rows)",
      `${b.storage.bytesPerRequest} B; ${b.storage.eventBytesPerRequest} B (state ${b.storage.stateKiB} KiB, WAL ${b.storage.walKiB} KiB)`,
      "≤ 2 KB",
    ]);
  }
  const v = r.versions;
  const head = `${r.date.slice(0, 16).replace("T", " ")} UTC, ${r.machine.cpu} × ${r.machine.cores}, ${r.machine.memoryGiB} GiB; node ${v.node}, workerd ${v.workerd}, newman ${v.newman}, commit ${v.commit}${r.quick ? " (--quick)" : ""}`;
  const width = (i: 0 | 1 | 2) => Math.max(...rows.map((row) => row[i].length), 7);
  const line = (row: [string, string, string]) =>
    `| ${row[0].padEnd(width(0))} | ${row[1].padEnd(width(1))} | ${row[2].padEnd(width(2))} |`;
  return [
    head,
    "",
    line(["measure", "result", "aim"]),
    `| ${"-".repeat(width(0))} | ${"-".repeat(width(1))} | ${"-".repeat(width(2))} |`,
    ...rows.map(line),
  ].join("\n");
}

/** Replaces the results block of bench/README.md (or appends one). */
export function updateReadme(readme: string, r: Results, table: string): string {
  const block = `${START}\n\n\`${r.commands.join("; ")}\`\n\n${table}\n\n${END}`;
  const i = readme.indexOf(START);
  const j = readme.indexOf(END);
  if (i >= 0 && j > i) return `${readme.slice(0, i)}${block}${readme.slice(j + END.length)}`;
  return `${readme.trimEnd()}\n\n## Latest results (\`npm run bench\`)\n\n${block}\n`;
}
