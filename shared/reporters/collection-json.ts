/**
 * The collection definition as Newman's JSON report echoes it (`collection.item`, `executions[].item`),
 * rebuilt from the run's normalised collection. Tools that read Newman reports look requests up there.
 * Scripts listed on an item are the item's own (inherited ones stay with their folder or collection).
 */
import type { ItemNode, NormalizedCollection } from "../engine/normalize";
import type { UrlDefinition } from "../engine/types";

export interface ReportItem {
  id: string;
  name: string;
  request: Record<string, unknown>;
  response: unknown[];
  event: Array<{ listen: string; script: { id: string; type: string; exec: string[] } }>;
}

export interface ReportFolder {
  id: string;
  name: string;
  item: Array<ReportItem | ReportFolder>;
  event: unknown[];
}

/** Postman's serialised Url: path/host as arrays, query as key/value pairs. */
export function urlJson(url: UrlDefinition): Record<string, unknown> {
  return {
    ...(url.protocol ? { protocol: url.protocol } : {}),
    ...(url.port ? { port: url.port } : {}),
    path: url.path,
    host: url.host,
    query: url.query.map((q) => ({ key: q.key, value: q.value, ...(q.disabled ? { disabled: true } : {}) })),
    variable: url.variable.map((v) => ({ key: v.key, value: v.value })),
  };
}

type ReportEvent = ReportItem["event"][number];

/** The scripts of `item` that were written at `location` (`collection`, `folder:<name>`, `request:<name>`). */
function eventsAt(item: ItemNode, location: string, idPrefix: string): ReportEvent[] {
  return (["prerequest", "test"] as const).flatMap((listen) =>
    item[listen]
      .filter((s) => s.location === location)
      .map((s, i) => ({
        listen,
        script: { id: `${idPrefix}-${listen}-${i}`, type: "text/javascript", exec: s.source.split("\n") },
      })),
  );
}

function itemJson(item: ItemNode): ReportItem {
  const event = eventsAt(item, `request:${item.name}`, item.id);
  const r = item.request;
  return {
    id: item.id,
    name: item.name,
    request: {
      url: urlJson(r.url),
      method: r.method,
      ...(r.headers.length ? { header: r.headers.map((h) => ({ key: h.key, value: h.value })) } : {}),
      ...(r.body ? { body: r.body } : {}),
    },
    response: [],
    event,
  };
}

/** The folder tree (for `collection.item`) and the collection's own scripts (for `collection.event`). */
export function collectionItems(collection: NormalizedCollection): {
  tree: Array<ReportItem | ReportFolder>;
  event: ReportEvent[];
} {
  const root: ReportFolder = { id: "", name: "", item: [], event: [] };
  const folders = new Map<string, ReportFolder>([["", root]]);
  const folderAt = (path: string[]): ReportFolder => {
    const key = path.join("\u0000");
    const found = folders.get(key);
    if (found) return found;
    const info = collection.folders.find((f) => f.path.concat(f.name).join("\u0000") === key);
    const name = path.at(-1) ?? "";
    const first = collection.items.find((i) => i.path.join("\u0000").startsWith(key));
    const event = first ? eventsAt(first, `folder:${name}`, info?.id ?? key) : [];
    const folder: ReportFolder = { id: info?.id ?? key, name, item: [], event };
    folderAt(path.slice(0, -1)).item.push(folder);
    folders.set(key, folder);
    return folder;
  };
  for (const item of collection.items) folderAt(item.path).item.push(itemJson(item));
  const first = collection.items[0];
  return { tree: root.item, event: first ? eventsAt(first, "collection", collection.id) : [] };
}
