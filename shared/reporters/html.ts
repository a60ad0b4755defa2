/**
 * A self-contained HTML report (what teams used newman-reporter-htmlextra for), built from the event
 * stream and streamed out in chunks: the page skeleton first, then the requests as
 * `<script type="application/json">` chunks of at most ~256 KiB, then the summary and the inline script.
 * Memory stays constant in the run's length (one chunk plus the folder names). The file has no external
 * resources (a Content-Security-Policy forbids any), works offline from disk, and renders one page of
 * rows at a time (see html-client.ts). Events and context arrive masked; nothing else is added.
 */
import type { RequestCompletedEvent, RunEvent, TerminalEvent } from "../schemas/events";
import { HTML_REPORT_JS } from "./html-client";
import { HTML_REPORT_CSS } from "./html-style";
import type { EventSource, ReportContext } from "./newman-json";

const CHUNK_CHARS = 256 * 1024;
const CHUNK_EVENTS = 500;

/** Escapes text for HTML element content and attribute values. */
function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function head(ctx: ReportContext): string {
  const title = html(`${ctx.collection.name} — edgerun run report`);
  const env = ctx.environment?.name ? ` · environment ${html(ctx.environment.name)}` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${title}</title><style>${HTML_REPORT_CSS}</style></head>
<body><header><h1>${html(ctx.collection.name)}</h1><div class="muted">edgerun run report${env} · <span id="er-status"></span></div></header>
<main><noscript><p>This report needs JavaScript to show its results.</p></noscript>
<nav role="tablist"><button id="tab-summary" role="tab">Summary</button><button id="tab-requests" role="tab">Requests</button><button id="tab-failures" role="tab">Failures</button></nav>
<section id="panel-summary"><ul id="er-warnings" class="warn"></ul><div class="cards" id="er-cards"></div><h2>By folder</h2>
<table><thead><tr><th>Folder</th><th>Requests</th><th>Failed</th><th>Average response</th></tr></thead><tbody id="er-folders"></tbody></table></section>
<section id="panel-requests" class="hidden"><div class="toolbar">
<label><input type="checkbox" id="er-failed-only"> Failed only</label>
<label>Folder <select id="er-folder"><option value="">All folders</option></select></label>
<label>Search <input type="search" id="er-search" placeholder="name or URL"></label></div>
<div class="pager"><button id="er-req-prev">‹ Previous</button><span id="er-req-info"></span><button id="er-req-next">Next ›</button></div>
<div id="er-list"></div></section>
<section id="panel-failures" class="hidden"><div class="pager"><button id="er-fail-prev">‹ Previous</button><span id="er-fail-info"></span><button id="er-fail-next">Next ›</button></div>
<div id="er-failures"></div></section></main>
`;
}

interface Totals {
  started?: { iterations: number; items: number; ts: string; warnings?: string[] };
  end?: Pick<TerminalEvent, "type" | "stats" | "timings" | "failures"> & { reason?: string };
  folders: Set<string>;
  phases: { n: number; waitMs: number; totalMs: number; bytes: number };
}

function absorb(totals: Totals, e: RequestCompletedEvent): void {
  for (let i = 1; i <= e.item.path.length; i++) totals.folders.add(e.item.path.slice(0, i).join(" / "));
  totals.phases.n++;
  totals.phases.waitMs += e.timings?.waitMs ?? 0;
  totals.phases.totalMs += e.timings?.totalMs ?? e.response?.timeMs ?? 0;
  totals.phases.bytes += e.response?.size ?? 0;
}

function tail(totals: Totals, ctx: ReportContext): string {
  const status = totals.end
    ? `${totals.end.type.replace("run.", "run ")}${totals.end.reason ? `: ${totals.end.reason}` : ""}`
    : "run did not finish";
  const meta = {
    collection: ctx.collection,
    started: totals.started,
    end: totals.end,
    folders: [...totals.folders].sort(),
    phases: totals.phases,
  };
  return `<script type="application/json" id="er-meta">${scriptJson(meta)}</script>
<script>document.getElementById("er-status").textContent=${scriptJson(status)};</script>
<script>${HTML_REPORT_JS}</script>
</body></html>
`;
}

/** Streams the report; consumes the events once. Concatenate the chunks to get the file. */
export async function* htmlReport(events: EventSource, context: ReportContext): AsyncGenerator<string> {
  yield head(context);
  const totals: Totals = { folders: new Set(), phases: { n: 0, waitMs: 0, totalMs: 0, bytes: 0 } };
  let chunk: string[] = [];
  let chars = 0;
  const flush = () => {
    const out = `<script type="application/json" class="er-data">[${chunk.join(",")}]</script>\n`;
    chunk = [];
    chars = 0;
    return out;
  };
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type === "run.started") {
      totals.started = {
        iterations: e.iterations,
        items: e.items,
        ts: e.ts,
        ...(e.warnings?.length ? { warnings: e.warnings } : {}),
      };
    } else if (e.type === "request.completed") {
      absorb(totals, e);
      const { v: _v, runId: _runId, ...record } = e;
      const json = scriptJson(record);
      chunk.push(json);
      chars += json.length;
      if (chars >= CHUNK_CHARS || chunk.length >= CHUNK_EVENTS) yield flush();
    } else if (e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled") {
      totals.end = {
        type: e.type,
        stats: e.stats,
        timings: e.timings,
        failures: e.failures,
        ...(e.type === "run.failed" ? { reason: e.reason } : {}),
      };
    }
  }
  if (chunk.length) yield flush();
  yield tail(totals, context);
}
