/**
 * Follows one run for a view: creates its model, streams its events (replaying a finished run or
 * joining a live one) and stops the stream when the view goes away. A stream that a rejected key ended
 * resumes (after the last event shown) once a new key is entered.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { onApiKeyChange } from "../api";
import { RunModel } from "../run-model";
import { followRun } from "../sse";

/** The run's model, re-rendering the caller at most once per animation frame. */
export function useRun(runId: string): RunModel {
  const model = useMemo(() => new RunModel(runId), [runId]);
  const [, setTick] = useState(0);
  const [attempt, setAttempt] = useState(0);
  useEffect(
    () =>
      onApiKeyChange(() => {
        const { terminal, stream } = model.view;
        if (!terminal && stream === "ended") setAttempt((n) => n + 1);
      }),
    [model],
  );
  useEffect(() => {
    const controller = new AbortController();
    const off = model.subscribe(() => setTick((n) => n + 1));
    followRun({
      runId,
      signal: controller.signal,
      after: model.lastSeq,
      onEvents: (events) => model.apply(events),
      onState: (state, detail) => model.setStream(state, detail),
    }).catch((error: unknown) => model.setStream("ended", String(error)));
    return () => {
      off();
      controller.abort();
    };
  }, [model, runId, attempt]);
  return model;
}
