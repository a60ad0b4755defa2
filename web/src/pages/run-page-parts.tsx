/**
 * The run page's input sections: the collection (drop zone, text area, file picker) and the optional
 * environment and data file. Kept apart from the page so each piece stays small.
 */
import { useRef, useState } from "preact/hooks";
import { StoredOrInline } from "../components/stored-picker";
import type { RunInputs } from "./run-inputs";

export function CollectionField(props: {
  text: string;
  disabled: boolean;
  name: string | null;
  notice: string | null;
  onText: (text: string) => void;
  onFile: (file: File | undefined) => void;
}) {
  const [dragging, setDragging] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const { name, notice } = props;
  const loadFile = props.onFile;
  return (
    <>
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
          loadFile(e.dataTransfer?.files[0]);
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
          value={props.text}
          disabled={props.disabled}
          placeholder='Paste a Postman collection (v2.0/v2.1 JSON), drop a file here, or open one. {"info":{"name":"…"},"item":[…]}'
          onInput={(e) => props.onText((e.target as HTMLTextAreaElement).value)}
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
            onChange={(e) => loadFile((e.target as HTMLInputElement).files?.[0])}
          />
          {notice && (
            <span class="muted" role="status">
              {notice}
            </span>
          )}
        </div>
      </div>
    </>
  );
}

export function EnvironmentAndData(props: { inputs: RunInputs; patch: (p: Partial<RunInputs>) => void }) {
  const { inputs, patch } = props;
  return (
    <details class="more">
      <summary>Environment and data file</summary>
      <StoredOrInline
        kind="environments"
        label="Environment (optional JSON)"
        id={inputs.environmentId}
        text={inputs.environmentText}
        onId={(id) => patch({ environmentId: id })}
        onText={(t) => patch({ environmentText: t })}
      />
      <label>
        Environment file
        <input
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) patch({ environmentText: await file.text(), environmentId: "" });
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
            patch({ data: file ? { name: file.name, text: await file.text() } : null });
          }}
        />
      </label>
    </details>
  );
}
