/**
 * A picker for stored collections or environments (`GET /v1/collections`, `/v1/environments`). It
 * stays hidden when the server does not offer the route or the workspace has none stored.
 */
import { useEffect, useState } from "preact/hooks";
import { api, hasRoute } from "../api";

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
  useEffect(() => {
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
  }, [props.kind]);
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
