/**
 * `/monitors` (lazy chunk with uPlot): every monitor with its state, 24 h uptime, last run and a
 * response-time sparkline, plus "New monitor". `/monitors/{id}` renders the monitor's own page.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Monitor, MonitorList } from "../../../shared/schemas/monitors";
import { ApiError, api } from "../api";
import { Sparkline } from "../components/charts";
import { formatAgo, formatMs, formatPercent } from "../format";
import { navigate, type Route } from "../router";
import { MonitorDetail } from "./monitor-detail";
import { MonitorForm } from "./monitor-form";

/** The monitors chunk's entry: the list or one monitor. */
export function MonitorsRoute(props: { route: Route }) {
  if (props.route.page === "monitor")
    return <MonitorDetail key={props.route.monitorId} monitorId={props.route.monitorId} />;
  return <MonitorListPage />;
}

/** The state badge: paused monitors say so whatever their last result. */
export function StateBadge(props: { monitor: Monitor }) {
  const { monitor } = props;
  const status = monitor.active ? monitor.state.status : "paused";
  return <span class={`badge ${status}`}>{status}</span>;
}

/** "every 5 min" or the cron expression with its zone. */
export function scheduleText(monitor: Monitor): string {
  const s = monitor.schedule;
  if ("intervalSeconds" in s) {
    const n = s.intervalSeconds;
    return n % 3600 === 0 ? `every ${n / 3600} h` : n % 60 === 0 ? `every ${n / 60} min` : `every ${n} s`;
  }
  return `${s.cron} (${s.timezone})`;
}

/**
 * A run's verdict from the API's `passed` (null while it runs): a run whose assertions fail still ends
 * `completed`, so the status alone would hide exactly the failures a monitor exists to show.
 */
export function verdict(run: { passed: boolean | null; status: string }): "passed" | "failed" | "running" {
  if (run.passed === null) return "running";
  return run.passed ? "passed" : "failed";
}

/** The CSS class of each verdict (shared by the list and the history table). */
export const VERDICT_CLASS = { passed: "pass", failed: "fail", running: "muted" } as const;

function MonitorRow(props: { monitor: Monitor }) {
  const m = props.monitor;
  const last = m.state.lastRun;
  const points = m.summary.recent.map((r) => ({
    value: r.meanResponseMs,
    failed: verdict(r) === "failed",
  }));
  return (
    <tr>
      <td class="mname">
        <a href={`/monitors/${encodeURIComponent(m.id)}`}>{m.name}</a>
        <div class="muted small">{scheduleText(m)}</div>
      </td>
      <td>
        <StateBadge monitor={m} />
      </td>
      <td>{formatPercent(m.summary.uptime24h)}</td>
      <td>
        {last ? (
          <a
            href={`/runs/${encodeURIComponent(last.runId)}`}
            class={VERDICT_CLASS[verdict(last)]}
            title={verdict(last)}
          >
            {formatAgo(last.finishedAt ?? last.tickAt)}
          </a>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      <td class="hide-sm">
        <Sparkline
          points={points}
          label={`Mean response time of the last ${points.length} runs, ${points.filter((p) => p.failed).length} failed`}
        />
      </td>
      <td class="hide-sm">{last?.responseTime ? formatMs(last.responseTime.p95) : "–"}</td>
    </tr>
  );
}

function MonitorListPage() {
  const [monitors, setMonitors] = useState<Monitor[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const load = useCallback(async (after: string | null) => {
    try {
      const page = await api<MonitorList>(
        `/v1/monitors?limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ""}`,
      );
      setMonitors((old) => [...(after ? (old ?? []) : []), ...page.monitors]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 404
          ? "This server does not offer monitors yet."
          : (e as Error).message,
      );
    }
  }, []);
  useEffect(() => {
    void load(null);
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load(null);
    }, 30_000);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <div class="monitors-page">
      <div class="page-head">
        <h1>Monitors</h1>
        <button type="button" class="primary" onClick={() => setCreating(true)} disabled={creating}>
          New monitor
        </button>
      </div>
      {creating && (
        <MonitorForm
          monitor={null}
          onCancel={() => setCreating(false)}
          onSaved={(m) => navigate(`/monitors/${encodeURIComponent(m.id)}`)}
        />
      )}
      {error && (
        <p role="alert" class="fail">
          {error}
        </p>
      )}
      {monitors === null && !error && <p class="muted">Loading…</p>}
      {monitors?.length === 0 && (
        <p class="muted">No monitors yet: create one to run a collection on a schedule.</p>
      )}
      {monitors && monitors.length > 0 && (
        <div class="card table-wrap">
          <table class="monitors" aria-label="Monitors">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Uptime 24 h</th>
                <th scope="col">Last run</th>
                <th scope="col" class="hide-sm">
                  Response time
                </th>
                <th scope="col" class="hide-sm">
                  p95
                </th>
              </tr>
            </thead>
            <tbody>
              {monitors.map((m) => (
                <MonitorRow key={m.id} monitor={m} />
              ))}
            </tbody>
          </table>
          {cursor && (
            <button type="button" onClick={() => void load(cursor)}>
              Load more
            </button>
          )}
        </div>
      )}
    </div>
  );
}
