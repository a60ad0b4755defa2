/**
 * `/runs/{id}`: one run, shareable. A finished run is replayed from its stored events; a live one is
 * joined and followed to the end, exactly like the view on the run page. An id the server does not
 * know shows one "not found" message with a way back, and no run view.
 */
import { useEffect, useState } from "preact/hooks";
import type { RunSummary } from "../../../shared/schemas/api";
import { ApiError, api } from "../api";
import { RunResults } from "../components/run-results";
import { useRun } from "../components/use-run";
import { formatTime } from "../format";

function LiveRun(props: { runId: string }) {
  const model = useRun(props.runId);
  return <RunResults model={model} />;
}

function Meta(props: { summary: RunSummary }) {
  const { summary } = props;
  return (
    <p class="muted meta">
      Created {formatTime(summary.createdAt)} · region {summary.region.requested}
      {summary.region.actual ? ` (ran in ${summary.region.actual})` : ""}
      {summary.monitorId ? (
        <>
          {" "}
          · monitor <a href={`/monitors/${encodeURIComponent(summary.monitorId)}`}>{summary.monitorId}</a>
        </>
      ) : null}
    </p>
  );
}

export function RunDetailPage(props: { runId: string }) {
  const [summary, setSummary] = useState<RunSummary | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  useEffect(() => {
    api<RunSummary>(`/v1/runs/${encodeURIComponent(props.runId)}`).then(setSummary, (e: unknown) =>
      setError(e instanceof Error ? e : new Error(String(e))),
    );
  }, [props.runId]);
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div class="run-detail">
      <p class="crumbs">
        <a href="/">Run</a> / <span class="mono">{props.runId}</span>
      </p>
      {notFound && (
        <section role="alert" class="error" aria-labelledby="not-found-title">
          <h1 id="not-found-title">Run not found</h1>
          <p>
            There is no run <span class="mono">{props.runId}</span> in this workspace: the link may be
            mistyped, or it belongs to another workspace.
          </p>
          <p>
            <a href="/">Run a collection</a> or see the <a href="/monitors">monitors</a>.
          </p>
        </section>
      )}
      {error && !notFound && (
        <p role="alert" class="fail">
          Could not load the run: {error.message} <a href="/">Run a collection</a>
        </p>
      )}
      {!summary && !error && <p class="muted">Loading…</p>}
      {summary && <Meta summary={summary} />}
      {/* The run view (and its event stream) only for a run the server knows. */}
      {summary && <LiveRun runId={props.runId} />}
    </div>
  );
}
