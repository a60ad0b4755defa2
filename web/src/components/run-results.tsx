/**
 * The live view of one run: progress, the "Requests" table (one row per request, paged beyond 500
 * rows so a 5,000-request run stays responsive while every request remains reachable), the "Summary"
 * region with the report's numbers, cancel, report downloads and the shareable link.
 */
import { useState } from "preact/hooks";
import type { TerminalEvent } from "../../../shared/schemas/events";
import { ApiError, api, downloadFile } from "../api";
import { formatMs } from "../format";
import { plannedRequests, type RunModel, type RunView } from "../run-model";
import { RequestRowView } from "./request-row";

export const PAGE_SIZE = 500;
const COLUMNS = [
  ["num", "#"],
  ["method", "Method"],
  ["name", "Name"],
  ["status", "Status"],
  ["time", "Time"],
  ["size", "Size"],
  ["asserts", "Tests"],
] as const;

/** At most this many failures are listed; "Failed only" in the table reaches every failed request. */
const FAILURES_SHOWN = 100;

/**
 * The terminal event's failure list, built only while open and capped: a 5,000-request run whose every
 * assertion fails carries 5,000 failures, and rendering them all (even in a closed `details`) stalled
 * the page for most of a second right at the end of the run.
 */
function Failures(props: { failures: TerminalEvent["failures"] }) {
  const { failures } = props;
  const [open, setOpen] = useState(failures.length <= 10);
  return (
    <details
      class="failures"
      open={open}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{failures.length} failure(s)</summary>
      {open && (
        <ol>
          {failures.slice(0, FAILURES_SHOWN).map((f, i) => (
            <li key={i}>
              <strong>{f.item?.name ?? f.source}</strong> (iteration {f.iteration + 1}) — {f.name}:{" "}
              {f.message}
            </li>
          ))}
        </ol>
      )}
      {open && failures.length > FAILURES_SHOWN && (
        <p class="muted">
          … and {failures.length - FAILURES_SHOWN} more: tick "Failed only" to list every failed request.
        </p>
      )}
    </details>
  );
}

function Summary(props: { view: RunView }) {
  const { view } = props;
  const t = view.terminal;
  const outcome = t
    ? { "run.completed": "Completed", "run.failed": "Failed", "run.cancelled": "Cancelled" }[t.type]
    : null;
  const requests = t
    ? t.stats.requests
    : { total: view.rows.length, failed: view.rows.filter((r) => !!r.event.error).length };
  const assertionsTotal = t ? t.stats.assertions.total : view.passed + view.failed;
  const assertionsFailed = t ? t.stats.assertions.failed : view.failed;
  const duration = t?.timings.completed !== undefined ? t.timings.completed - t.timings.started : null;
  // The badge's colour is not the only signal: a run that completed with failures says so in words.
  const clean = outcome === "Completed" && !assertionsFailed && !t?.failures.length;
  const label = outcome === "Completed" && !clean ? "Completed with failures" : outcome;
  return (
    <section class="summary" aria-label="Summary">
      <h2>
        Summary{" "}
        <span class={`badge ${outcome ? (clean ? "ok" : "bad") : ""}`}>
          {label ?? (view.stream === "ended" ? "Stopped" : "Running")}
        </span>
      </h2>
      <dl class="stats">
        <div>
          <dt>Requests</dt>
          <dd>
            {requests.total}
            {requests.failed ? <span class="fail"> ({requests.failed} failed)</span> : null}
          </dd>
        </div>
        <div>
          <dt>Assertions</dt>
          <dd>
            <span class="pass">{assertionsTotal - assertionsFailed} passed</span>,{" "}
            <span class={assertionsFailed ? "fail" : undefined}>{assertionsFailed} failed</span>
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration === null ? "–" : formatMs(duration)}</dd>
        </div>
        <div>
          <dt>Avg response</dt>
          <dd>{t ? formatMs(t.timings.responseAverage) : "–"}</dd>
        </div>
      </dl>
      {t?.type === "run.failed" && <p class="fail">Reason: {t.reason}</p>}
      {t && t.failures.length > 0 && <Failures key={t.type} failures={t.failures} />}
    </section>
  );
}

function Toolbar(props: { view: RunView; onError: (message: string) => void }) {
  const { view, onError } = props;
  const [cancelling, setCancelling] = useState(false);
  const finished = !!view.terminal;
  const cancel = async () => {
    setCancelling(true);
    try {
      await api(`/v1/runs/${encodeURIComponent(view.runId)}/cancel`, { method: "POST" });
    } catch (error) {
      onError((error as Error).message);
      setCancelling(false);
    }
  };
  const download = (format: "newman" | "junit") =>
    downloadFile(
      `/v1/runs/${encodeURIComponent(view.runId)}/report?format=${format}`,
      `${view.runId}.${format === "junit" ? "xml" : "json"}`,
    ).catch((error: unknown) => onError(error instanceof ApiError ? error.message : String(error)));
  return (
    <div class="toolbar">
      <a href={`/runs/${encodeURIComponent(view.runId)}`} class="share" title="Shareable link to this run">
        /runs/{view.runId}
      </a>
      <button type="button" class="danger" onClick={cancel} disabled={finished || cancelling}>
        {cancelling && !finished ? "Cancelling…" : "Cancel"}
      </button>
      <button type="button" onClick={() => download("newman")} disabled={!finished}>
        Newman JSON
      </button>
      <button type="button" onClick={() => download("junit")} disabled={!finished}>
        JUnit XML
      </button>
    </div>
  );
}

/** "3 / 5 requests" while running; a finished run states what it sent ("0 requests", "3 / 30 requests"). */
function requestCount(done: number, planned: number, finished: boolean): string {
  const noun = (n: number) => (n === 1 ? "request" : "requests");
  if (finished)
    return planned > 0 && planned !== done
      ? `${done} / ${planned} ${noun(planned)}`
      : `${done} ${noun(done)}`;
  return `${done} / ${planned || "?"} ${noun(planned || 2)}`;
}

function Progress(props: { view: RunView }) {
  const { view } = props;
  const planned = plannedRequests(view);
  const done = view.rows.length;
  const max = Math.max(planned, done, 1);
  const value = view.terminal ? max : done;
  const stream =
    view.stream === "reconnecting"
      ? "Connection lost — reconnecting…"
      : view.stream === "connecting"
        ? "Connecting…"
        : null;
  return (
    <div class="progress">
      <progress max={max} value={value} aria-label="Run progress" />
      <span class="muted">
        {requestCount(done, planned, !!view.terminal)}
        {view.iterations > 1
          ? ` · iteration ${Math.min(view.iteration + 1, view.iterations)} of ${view.iterations}`
          : ""}
      </span>
      {stream && (
        <span class="warn" role="status">
          {stream}
        </span>
      )}
      {view.streamDetail && <span class="fail">{view.streamDetail}</span>}
    </div>
  );
}

function Pager(props: { page: number; pages: number; total: number; setPage: (n: number) => void }) {
  const { page, pages, total, setPage } = props;
  if (pages <= 1) return null;
  const from = page * PAGE_SIZE + 1;
  const to = Math.min(total, (page + 1) * PAGE_SIZE);
  return (
    <nav class="pager" aria-label="Request pages">
      <button type="button" onClick={() => setPage(0)} disabled={page === 0}>
        First
      </button>
      <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
        Previous
      </button>
      <span>
        Requests {from}–{to} of {total}
      </span>
      <button type="button" onClick={() => setPage(page + 1)} disabled={page >= pages - 1}>
        Next
      </button>
      <button type="button" onClick={() => setPage(pages - 1)} disabled={page >= pages - 1}>
        Last
      </button>
    </nav>
  );
}

/** What the empty table says: nothing failed, nothing was sent, or the run has not sent anything yet. */
function emptyText(view: RunView, failedOnly: boolean): string {
  if (failedOnly) return "No failed requests.";
  if (view.terminal) return "This run sent no requests.";
  if (view.stream === "ended") return "No requests.";
  return "Waiting for the first request…";
}

/** The whole live view for a run model (used by the run page and by `/runs/{id}`). */
export function RunResults(props: { model: RunModel }) {
  const { view } = props.model;
  const [error, setError] = useState<string | null>(null);
  const [failedOnly, setFailedOnly] = useState(false);
  // null follows the newest page while the run streams; a number pins the page the user chose.
  const [pinned, setPinned] = useState<number | null>(null);
  const rows = failedOnly ? view.rows.filter((r) => r.bad) : view.rows;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(pinned ?? pages - 1, pages - 1);
  const visible = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  return (
    <div class="results">
      <div class="results-head">
        <h2>{view.collectionName ?? "Run"}</h2>
        <Toolbar view={view} onError={setError} />
      </div>
      {error && (
        <p role="alert" class="fail">
          {error}
        </p>
      )}
      <Progress view={view} />
      <Summary view={view} />
      <div class="table-tools">
        <label class="inline">
          <input
            type="checkbox"
            checked={failedOnly}
            onChange={(e) => setFailedOnly((e.target as HTMLInputElement).checked)}
          />{" "}
          Failed only
        </label>
        <Pager page={page} pages={pages} total={rows.length} setPage={setPinned} />
      </div>
      <div class="table-wrap">
        <table class="requests" aria-label="Requests">
          <thead>
            <tr>
              {COLUMNS.map(([cls, label]) => (
                <th key={cls} scope="col" class={cls}>
                  {cls === "asserts" ? <abbr title="Assertions passed / failed">{label}</abbr> : label}
                </th>
              ))}
            </tr>
          </thead>
          {/* Keyed by page: turning a page (which a live run does every 500 rows) swaps one tbody instead
              of removing 500 rows one by one. */}
          <tbody key={`${failedOnly}-${page}`}>
            {visible.map((row) => (
              <RequestRowView key={row.seq} row={row} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p class="muted empty">{emptyText(view, failedOnly)}</p>}
    </div>
  );
}
