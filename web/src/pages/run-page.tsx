/**
 * `/`: load a collection (file picker, drag and drop, paste, or a stored one), an optional
 * environment and data file, options, then "Run in cloud" and watch it live below the form.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, onApiKeyChange } from "../api";
import { type Problem, ProblemBox, toProblem } from "../components/problem-box";
import { RunResults } from "../components/run-results";
import { StoredPicker } from "../components/stored-picker";
import { useRun } from "../components/use-run";
import {
  buildRunBody,
  collectionName,
  InputError,
  LIMITS,
  REGIONS,
  type RunInputs,
  type RunOptionsForm,
} from "./run-inputs";
import { CollectionField, EnvironmentAndData } from "./run-page-parts";

const DRAFT_KEY = "edgerun.draftCollection";

function LiveRun(props: { runId: string }) {
  const model = useRun(props.runId);
  return <RunResults model={model} />;
}

/** Prefill from the embeddable button: `?collection-url=` or a collection posted by the opener. */
function useEmbedPrefill(setText: (text: string, origin: string) => void): void {
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const url = params.get("collection-url");
    if (url) {
      fetch(url)
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((text) => setText(text, url))
        .catch((e: unknown) => setText("", `could not load ${url}: ${(e as Error).message}`));
    }
    // Only the page that opened this tab (the embed button) may hand over one collection, once.
    const opener = params.get("embed") === "1" ? (window.opener as Window | null) : null;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; collection?: unknown; source?: unknown } | null;
      if (!opener || event.source !== opener) return;
      if (data?.type !== "edgerun:collection" || typeof data.collection !== "string") return;
      window.removeEventListener("message", onMessage);
      setText(data.collection, typeof data.source === "string" ? data.source : event.origin);
    };
    window.addEventListener("message", onMessage);
    opener?.postMessage({ type: "edgerun:ready" }, "*");
    if (url || params.has("embed")) history.replaceState(null, "", "/");
    return () => window.removeEventListener("message", onMessage);
  }, [setText]);
}

function OptionsFields(props: { options: RunOptionsForm; set: (patch: Partial<RunOptionsForm>) => void }) {
  const { options, set } = props;
  /** A whole-number field with the bounds `buildRunBody` checks (the API's `options` schema). */
  const num = (key: keyof RunOptionsForm, label: string, placeholder: string, min: number, max: number) => (
    <label>
      {label}
      <input
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={options[key] as string}
        placeholder={placeholder}
        onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <fieldset class="options">
      <legend>Options</legend>
      {num("iterationCount", "Iterations", "1", ...LIMITS.iterationCount)}
      <label>
        Region
        <select
          value={options.region}
          onChange={(e) => set({ region: (e.target as HTMLSelectElement).value })}
        >
          {REGIONS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      {num("delayRequest", "Delay (ms)", "0", ...LIMITS.delayRequest)}
      {/* The server's default when empty (or 0): README, "Timeouts". */}
      {num("timeoutRequest", "Request timeout (ms)", "30000 (default)", ...LIMITS.timeoutRequest)}
      {num("parallel", "Parallel iterations", "1", ...LIMITS.parallel)}
      <label class="inline">
        <input
          type="checkbox"
          checked={options.bail}
          onChange={(e) => set({ bail: (e.target as HTMLInputElement).checked })}
        />{" "}
        Bail on first failure
      </label>
    </fieldset>
  );
}

export function RunPage() {
  const [inputs, setInputs] = useState<RunInputs>(() => ({
    collectionText: sessionStorage.getItem(DRAFT_KEY) ?? "",
    collectionId: "",
    environmentText: "",
    environmentId: "",
    data: null,
    options: {
      iterationCount: "",
      region: "auto",
      delayRequest: "",
      timeoutRequest: "",
      parallel: "",
      bail: false,
    },
  }));
  const [runId, setRunId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const patch = (p: Partial<RunInputs>) => setInputs((s) => ({ ...s, ...p }));
  // The page stays mounted when the key changes (it keeps the form): a rejection of the old key goes.
  useEffect(() => onApiKeyChange(() => setError((e) => (e?.status === 401 ? null : e))), []);
  const setCollection = (text: string) => {
    patch({ collectionText: text, collectionId: "" });
    try {
      if (text.length < 2_000_000) sessionStorage.setItem(DRAFT_KEY, text);
    } catch {
      // storage full: the draft is a convenience only
    }
  };
  const prefill = useRef((text: string, source: string) => {
    if (text) setCollection(text);
    setNotice(text ? `Collection loaded from ${source}. Check it, then press "Run in cloud".` : source);
  }).current;
  useEmbedPrefill(prefill);

  const loadFile = async (file: File | undefined) => {
    if (!file) return;
    setCollection(await file.text());
    setNotice(`Loaded ${file.name}.`);
  };
  const run = async (event: Event) => {
    event.preventDefault();
    setError(null);
    let body: Record<string, unknown>;
    try {
      body = buildRunBody(inputs);
    } catch (e) {
      if (e instanceof InputError) return setError(toProblem(e));
      throw e;
    }
    setBusy(true);
    try {
      const created = await api<{ id: string }>("/v1/runs", { method: "POST", body });
      setRunId(created.id);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setBusy(false);
    }
  };
  const name = inputs.collectionId ? null : collectionName(inputs.collectionText);
  return (
    <div class="run-page">
      <form class="run-form" onSubmit={run}>
        <h1>Run a collection</h1>
        <StoredPicker
          kind="collections"
          label="Stored collection"
          value={inputs.collectionId}
          onChange={(id) => patch({ collectionId: id })}
        />
        <CollectionField
          text={inputs.collectionText}
          disabled={!!inputs.collectionId}
          name={name}
          notice={notice}
          onText={setCollection}
          onFile={(file) => void loadFile(file)}
        />
        <EnvironmentAndData inputs={inputs} patch={patch} />
        <OptionsFields
          options={inputs.options}
          set={(p) => patch({ options: { ...inputs.options, ...p } })}
        />
        <ProblemBox problem={error} />
        <button type="submit" class="primary big" disabled={busy}>
          Run in cloud
        </button>
      </form>
      <section class="run-live" aria-live="off">
        {runId ? (
          <LiveRun key={runId} runId={runId} />
        ) : (
          <p class="muted placeholder">Results appear here, live, as each request completes.</p>
        )}
      </section>
    </div>
  );
}
