/**
 * A picker for stored collections or environments (`GET /v1/collections`, `/v1/environments`). It
 * stays hidden when the server does not offer the route or the workspace has none stored.
 */
import { useEffect, useState } from "preact/hooks";
import { api, getApiKey, hasRoute, onApiKeyChange } from "../api";

interface StoredItem {
  id: string;
  name: string;
  version?: number;
  updatedAt?: string;
}

export function StoredPicker(props: {
  kind: "collections" | "environments";
  label: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const [items, setItems] = useState<StoredItem[] | null>(null);
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => onApiKeyChange(() => setKeyVersion((n) => n + 1)), []);
  useEffect(() => {
    if (!getApiKey()) return;
    let live = true;
    hasRoute(`/v1/${props.kind}`)
      .then((ok) => (ok ? api<Record<string, StoredItem[]>>(`/v1/${props.kind}?limit=100`) : null))
      .then((page) => {
        if (live) setItems(page?.[props.kind] ?? null);
      })
      .catch(() => {
        if (live) setItems(null);
      });
    return () => {
      live = false;
    };
  }, [props.kind, keyVersion]);
  if (!items || items.length === 0) return null;
  return (
    <label class="stored">
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">— none (use the text below) —</option>
        {items.map((item) => (
          <option key={item.id} value={item.id}>
            {item.name}
            {item.version !== undefined ? ` (v${item.version})` : ""}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A stored resource or pasted JSON: the picker (when the server has stored ones) above a text area;
 * choosing a stored one disables the text, which is then ignored.
 */
export function StoredOrInline(props: {
  kind: "collections" | "environments";
  label: string;
  id: string;
  text: string;
  onId: (id: string) => void;
  onText: (text: string) => void;
}) {
  const singular = props.kind === "collections" ? "collection" : "environment";
  return (
    <>
      <StoredPicker kind={props.kind} label={`Stored ${singular}`} value={props.id} onChange={props.onId} />
      <label>
        {props.label}
        <textarea
          class="short"
          spellcheck={false}
          value={props.text}
          disabled={!!props.id}
          onInput={(e) => props.onText((e.target as HTMLTextAreaElement).value)}
        />
      </label>
    </>
  );
}
