/**
 * `/runs/{id}`: one run, shareable. A finished run is replayed from its stored events; a live one is
 * joined and followed to the end, exactly like the view on the run page.
 */
import { useEffect, useState } from "preact/hooks";
import type { RunSummary } from "../../../shared/schemas/api";
import { api } from "../api";
import { RunResults } from "../components/run-results";
import { useRun } from "../components/use-run";
import { formatTime } from "../format";

export function RunDetailPage(props: { runId: string }) {
  const model = useRun(props.runId);
  const [summary, setSummary] = useState<RunSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<RunSummary>(`/v1/runs/${encodeURIComponent(props.runId)}`).then(setSummary, (e: unknown) =>
      setError((e as Error).message),
    );
  }, [props.runId]);
  return (
    <div class="run-detail">
      <p class="crumbs">
        <a href="/">Run</a> / <span class="mono">{props.runId}</span>
      </p>
      {error && (
        <p role="alert" class="fail">
          {error}
        </p>
      )}
      {summary && (
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
      )}
      <RunResults model={model} />
    </div>
  );
}
