/**
 * `/`: load a collection (file picker, drag and drop, paste, or a stored one), an optional
 * environment and data file, options, then "Run in cloud" and watch it live below the form.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { RunResults } from "../components/run-results";
import { StoredPicker } from "../components/stored-picker";
import { useRun } from "../components/use-run";
import {
  buildRunBody,
  collectionName,
  InputError,
  REGIONS,
  type RunInputs,
  type RunOptionsForm,
} from "./run-inputs";

const DRAFT_KEY = "edgerun.draftCollection";

function readFile(file: File): Promise<string> {
  return file.text();
}

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
  const num = (key: keyof RunOptionsForm, label: string, placeholder: string) => (
    <label>
      {label}
      <input
        type="number"
        inputMode="numeric"
        min={0}
        value={options[key] as string}
        placeholder={placeholder}
        onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <fieldset class="options">
      <legend>Options</legend>
      {num("iterationCount", "Iterations", "1")}
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
      {num("delayRequest", "Delay (ms)", "0")}
      {num("timeoutRequest", "Request timeout (ms)", "none")}
      {num("parallel", "Parallel iterations", "1")}
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
  const [error, setError] = useState<{ message: string; details: string[] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const patch = (p: Partial<RunInputs>) => setInputs((s) => ({ ...s, ...p }));
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
    setCollection(await readFile(file));
    setNotice(`Loaded ${file.name}.`);
  };
  const run = async (event: Event) => {
    event.preventDefault();
    setError(null);
    let body: Record<string, unknown>;
    try {
      body = buildRunBody(inputs);
    } catch (e) {
      if (e instanceof InputError) return setError({ message: e.message, details: [] });
      throw e;
    }
    setBusy(true);
    try {
      const created = await api<{ id: string }>("/v1/runs", { method: "POST", body });
      setRunId(created.id);
    } catch (e) {
      const details = e instanceof ApiError ? e.errors.map((x) => `${x.pointer || "/"} — ${x.detail}`) : [];
      setError({ message: e instanceof ApiError ? `${e.title}: ${e.message}` : String(e), details });
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
        {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping a file is a pointer shortcut; "Open file…" and the text area are the keyboard paths */}
        <div
          class={`drop ${dragging ? "dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void loadFile(e.dataTransfer?.files[0]);
          }}
        >
          {/* The label stays exactly "Collection" (its accessible name); the loaded name sits beside it. */}
          <div class="label-row">
            <label for="collection">Collection</label>
            {name ? <span class="muted">{name}</span> : null}
          </div>
          <textarea
            id="collection"
            spellcheck={false}
            value={inputs.collectionText}
            disabled={!!inputs.collectionId}
            placeholder='Paste a Postman collection (v2.0/v2.1 JSON), drop a file here, or open one. {"info":{"name":"…"},"item":[…]}'
            onInput={(e) => setCollection((e.target as HTMLTextAreaElement).value)}
          />
          <div class="row">
            <button type="button" onClick={() => fileRef.current?.click()}>
              Open file…
            </button>
            <input
              ref={fileRef}
              type="file"
              accept=".json,application/json"
              hidden
              onChange={(e) => void loadFile((e.target as HTMLInputElement).files?.[0])}
            />
            {notice && (
              <span class="muted" role="status">
                {notice}
              </span>
            )}
          </div>
        </div>
        <details class="more">
          <summary>Environment and data file</summary>
          <StoredPicker
            kind="environments"
            label="Stored environment"
            value={inputs.environmentId}
            onChange={(id) => patch({ environmentId: id })}
          />
          <label>
            Environment (optional JSON)
            <textarea
              class="short"
              spellcheck={false}
              value={inputs.environmentText}
              disabled={!!inputs.environmentId}
              onInput={(e) => patch({ environmentText: (e.target as HTMLTextAreaElement).value })}
            />
          </label>
          <label>
            Environment file
            <input
              type="file"
              accept=".json,application/json"
              onChange={async (e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (file) patch({ environmentText: await readFile(file), environmentId: "" });
              }}
            />
          </label>
          <label>
            Data file (CSV or JSON)
            <input
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={async (e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                patch({ data: file ? { name: file.name, text: await readFile(file) } : null });
              }}
            />
          </label>
        </details>
        <OptionsFields
          options={inputs.options}
          set={(p) => patch({ options: { ...inputs.options, ...p } })}
        />
        {error && (
          <div role="alert" class="error">
            <p>{error.message}</p>
            {error.details.length > 0 && (
              <ul>
                {error.details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            )}
          </div>
        )}
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
