/**
 * `/monitors/{id}`: the monitor's state, p50/p95 response time per region over 24 h / 7 d / 30 d,
 * its run history (a click opens the run's page) with failure details, and the actions: run now,
 * pause/resume, edit and delete.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type {
  Monitor,
  MonitorRun,
  MonitorRunList,
  MonitorRunNow,
  MonitorStats,
  StatsWindow,
} from "../../../shared/schemas/monitors";
import { api } from "../api";
import { ResponseTimeChart } from "../components/charts";
import { formatMs, formatPercent, formatTime } from "../format";
import { navigate } from "../router";
import { MonitorForm } from "./monitor-form";
import { StateBadge, scheduleText, VERDICT_CLASS, verdict } from "./monitors";

const WINDOWS: StatsWindow[] = ["24h", "7d", "30d"];
const path = (id: string, rest = "") => `/v1/monitors/${encodeURIComponent(id)}${rest}`;

function Stats(props: { monitorId: string }) {
  const [window, setWindow] = useState<StatsWindow>("24h");
  const [stats, setStats] = useState<MonitorStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    api<MonitorStats>(path(props.monitorId, `/stats?window=${window}`)).then(setStats, (e: unknown) =>
      setError((e as Error).message),
    );
  }, [props.monitorId, window]);
  const o = stats?.overall;
  return (
    <section class="card" aria-labelledby="rt-title">
      <div class="page-head">
        <h2 id="rt-title">Response time</h2>
        <fieldset class="windows">
          <legend class="sr-only">Time window</legend>
          {WINDOWS.map((w) => (
            <button key={w} type="button" aria-pressed={w === window} onClick={() => setWindow(w)}>
              {w}
            </button>
          ))}
        </fieldset>
      </div>
      {error && <p class="fail">{error}</p>}
      {o && (
        <dl class="stats">
          <div>
            <dt>Uptime</dt>
            <dd>{formatPercent(o.uptime)}</dd>
          </div>
          <div>
            <dt>Runs</dt>
            <dd>
              {o.runs} {o.failed ? <span class="fail">({o.failed} failed)</span> : null}
            </dd>
          </div>
          <div>
            <dt>p50</dt>
            <dd>{formatMs(o.p50)}</dd>
          </div>
          <div>
            <dt>p95</dt>
            <dd>{formatMs(o.p95)}</dd>
          </div>
          <div>
            <dt>p99</dt>
            <dd>{formatMs(o.p99)}</dd>
          </div>
        </dl>
      )}
      {stats && <ResponseTimeChart stats={stats} />}
    </section>
  );
}

function RunHistoryRow(props: { run: MonitorRun }) {
  const r = props.run;
  const v = verdict(r);
  const linkable = r.runId.startsWith("run_");
  return (
    <tr>
      <td>
        {linkable ? (
          <a href={`/runs/${encodeURIComponent(r.runId)}`}>{formatTime(r.startedAt ?? r.tickAt)}</a>
        ) : (
          formatTime(r.tickAt)
        )}
      </td>
      <td>{r.region}</td>
      <td class={VERDICT_CLASS[v]}>
        {v === "running" ? r.status : v}
        {v === "failed" && r.status !== "completed" && r.status !== "failed" ? ` (${r.status})` : ""}
        {r.attempt > 1 ? ` (attempt ${r.attempt})` : ""}
      </td>
      <td>{formatMs(r.durationMs)}</td>
      <td>
        {r.assertions.total - r.assertions.failed}/{r.assertions.total}
      </td>
      <td class="hide-sm">{r.responseTime ? formatMs(r.responseTime.p95) : "–"}</td>
      <td>
        {r.failures.length > 0 ? (
          <details>
            <summary class="fail">{r.failures.length} failure(s)</summary>
            <ul class="assertions">
              {r.failures.map((f, i) => (
                <li key={`${i}-${f.item}`} class="fail">
                  <strong>{f.item}</strong>
                  {f.assertion ? ` — ${f.assertion}` : ""}: {f.message}
                </li>
              ))}
            </ul>
          </details>
        ) : (
          <span class="muted">–</span>
        )}
      </td>
    </tr>
  );
}

function History(props: { monitorId: string; refresh: number }) {
  const [runs, setRuns] = useState<MonitorRun[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useCallback(
    async (after: string | null) => {
      const page = await api<MonitorRunList>(
        path(props.monitorId, `/runs?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`),
      );
      setRuns((old) => [...(after ? (old ?? []) : []), ...page.runs]);
      setCursor(page.nextCursor);
    },
    [props.monitorId],
  );
  useEffect(() => {
    load(null).catch(() => setRuns([]));
  }, [load, props.refresh]);
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Run history</h2>
      {runs === null && <p class="muted">Loading…</p>}
      {runs?.length === 0 && <p class="muted">No runs yet.</p>}
      {runs && runs.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Run history">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Region</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Assertions</th>
                <th scope="col" class="hide-sm">
                  p95
                </th>
                <th scope="col">Failures</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <RunHistoryRow key={`${r.runId}-${r.attempt}`} run={r} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          Older runs
        </button>
      )}
    </section>
  );
}

function Actions(props: {
  monitor: Monitor;
  onChange: (m: Monitor) => void;
  onEdit: () => void;
  onRan: (res: MonitorRunNow) => void;
}) {
  const { monitor } = props;
  const [message, setMessage] = useState<string | null>(null);
  const act = (fn: () => Promise<void>) => () => fn().catch((e: unknown) => setMessage((e as Error).message));
  const runNow = act(async () => {
    setMessage(null);
    const res = await api<MonitorRunNow>(path(monitor.id, "/run"), { method: "POST" });
    props.onRan(res);
    // One region whose run started: follow it on its page. Several, or a refused one: stay here.
    const only = res.runs.length === 1 ? res.runs[0] : undefined;
    if (only && isStarted(only)) navigate(`/runs/${encodeURIComponent(only.id)}`);
  });
  const toggle = act(async () =>
    props.onChange(
      await api<Monitor>(path(monitor.id), { method: "PATCH", body: { active: !monitor.active } }),
    ),
  );
  const remove = act(async () => {
    if (!confirm(`Delete the monitor "${monitor.name}"? Its schedule stops; past runs stay.`)) return;
    await api(path(monitor.id), { method: "DELETE" });
    navigate("/monitors");
  });
  return (
    <div class="actions">
      <button type="button" class="primary" onClick={runNow}>
        Run now
      </button>
      <button type="button" onClick={toggle}>
        {monitor.active ? "Pause" : "Resume"}
      </button>
      <button type="button" onClick={props.onEdit}>
        Edit
      </button>
      <button type="button" class="danger" onClick={remove}>
        Delete
      </button>
      {message && (
        <span role="alert" class="fail">
          {message}
        </span>
      )}
    </div>
  );
}

type RunNowRun = MonitorRunNow["runs"][number];

/** A run the service started (it has its own event stream), not one it refused (`rej_…`, with a reason). */
function isStarted(run: RunNowRun): boolean {
  return run.links.events !== undefined && run.reason === undefined;
}

/** What "Run now" started: one link per region's run, and the reason for each run that was refused. */
function RunNowResult(props: { result: MonitorRunNow; onDismiss: () => void }) {
  const { runs } = props.result;
  const started = runs.filter(isStarted).length;
  const refused = runs.length - started;
  return (
    <section class={refused ? "error run-now" : "card run-now"} aria-label="Run now" role="status">
      <p>
        {started > 0 ? `Started ${started} run${started === 1 ? "" : "s"}` : "No run started"}
        {refused > 0 ? `; ${refused} refused` : ""}.
      </p>
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            {r.region}:{" "}
            {isStarted(r) ? (
              <a href={`/runs/${encodeURIComponent(r.id)}`}>{r.id}</a>
            ) : (
              <span class="fail">refused — {r.reason ?? `the run ended ${r.status}`}</span>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={props.onDismiss}>
        Dismiss
      </button>
    </section>
  );
}

export function MonitorDetail(props: { monitorId: string }) {
  const [monitor, setMonitor] = useState<Monitor | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [ran, setRan] = useState<MonitorRunNow | null>(null);
  useEffect(() => {
    api<Monitor>(path(props.monitorId)).then(setMonitor, (e: unknown) => setError((e as Error).message));
  }, [props.monitorId]);
  if (error)
    return (
      <p role="alert" class="fail">
        {error} <a href="/monitors">All monitors</a>
      </p>
    );
  if (!monitor) return <p class="muted">Loading…</p>;
  const failure = monitor.state.lastFailure;
  return (
    <div class="monitor-page">
      <p class="crumbs">
        <a href="/monitors">Monitors</a> / {monitor.name}
      </p>
      <div class="page-head">
        <h1>
          {monitor.name} <StateBadge monitor={monitor} />
        </h1>
        <Actions
          monitor={monitor}
          onChange={setMonitor}
          onEdit={() => setEditing(true)}
          onRan={(res) => {
            setRan(res);
            setRefresh((n) => n + 1);
          }}
        />
      </div>
      <p class="muted meta">
        {scheduleText(monitor)} · regions {monitor.regions.join(", ")} · next run{" "}
        {monitor.active ? formatTime(monitor.nextRunAt) : "paused"} · uptime 24 h{" "}
        {formatPercent(monitor.summary.uptime24h)}
        {monitor.state.consecutiveFailures > 0
          ? ` · ${monitor.state.consecutiveFailures} consecutive failure(s)`
          : ""}
      </p>
      {failure && (
        <p class="error">
          Last failure {formatTime(failure.at)}: {failure.message}{" "}
          {failure.runId.startsWith("run_") && (
            <a href={`/runs/${encodeURIComponent(failure.runId)}`}>open the run</a>
          )}
        </p>
      )}
      {ran && <RunNowResult result={ran} onDismiss={() => setRan(null)} />}
      {editing && (
        <MonitorForm
          monitor={monitor}
          onCancel={() => setEditing(false)}
          onSaved={(m) => {
            setMonitor(m);
            setEditing(false);
          }}
        />
      )}
      <div class="grid2">
        <Stats monitorId={monitor.id} />
        <History monitorId={monitor.id} refresh={refresh} />
      </div>
    </div>
  );
}
