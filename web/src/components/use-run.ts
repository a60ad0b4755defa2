/**
 * Follows one run for a view: creates its model, streams its events (replaying a finished run or
 * joining a live one) and stops the stream when the view goes away.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { RunModel } from "../run-model";
import { followRun } from "../sse";

/** The run's model, re-rendering the caller at most once per animation frame. */
export function useRun(runId: string): RunModel {
  const model = useMemo(() => new RunModel(runId), [runId]);
  const [, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    const off = model.subscribe(() => setTick((n) => n + 1));
    followRun({
      runId,
      signal: controller.signal,
      onEvents: (events) => model.apply(events),
      onState: (state, detail) => model.setStream(state, detail),
    }).catch((error: unknown) => model.setStream("ended", String(error)));
    return () => {
      off();
      controller.abort();
    };
  }, [model, runId]);
  return model;
}
