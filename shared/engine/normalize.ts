/**
 * Turns a parsed collection (v2.0 or v2.1) into the flat list of runnable items the cursor walks, with
 * everything inherited already resolved: effective auth (request → folders → collection, `noauth`
 * stops), scripts in Postman's order (collection → outer folders → inner → request), and merged
 * protocolProfileBehavior. Doing this once at plan time keeps each step cheap.
 */
import type { Auth, Collection, CollectionEvent, Item, KeyValue, Request } from "../schemas/collection";
import type {
  AuthDefinition,
  BodyDefinition,
  FormField,
  KV,
  ProtocolProfile,
  RequestDefinition,
  VarEntry,
} from "./types";
import { parseUrl } from "./url";
import { fromPostmanVariables } from "./variables";

export interface ScriptRef {
  source: string;
  location: string;
}

export interface ItemNode {
  id: string;
  name: string;
  /** Folder names from the root. */
  path: string[];
  request: RequestDefinition;
  prerequest: ScriptRef[];
  test: ScriptRef[];
  profile: ProtocolProfile;
}

export interface FolderInfo {
  id: string;
  name: string;
  path: string[];
  firstIndex: number;
  lastIndex: number;
}

export interface NormalizedCollection {
  id: string;
  name: string;
  variables: VarEntry[];
  items: ItemNode[];
  folders: FolderInfo[];
}

export class FolderNotFoundError extends Error {
  constructor(name: string) {
    super(`folder '${name}' was not found in the collection`);
    this.name = "FolderNotFoundError";
  }
}

function scriptSource(event: CollectionEvent): string {
  const script = event.script;
  if (script === undefined) return "";
  if (typeof script === "string") return script;
  const exec = script.exec;
  return Array.isArray(exec) ? exec.join("\n") : (exec ?? "");
}

function scriptsOf(events: CollectionEvent[] | undefined, listen: string, location: string): ScriptRef[] {
  return (events ?? [])
    .filter((e) => e.listen === listen && !e.disabled)
    .map((e) => ({ source: scriptSource(e), location }))
    .filter((s) => s.source.trim() !== "");
}

/** v2.0 auth (`{ type, basic: { username } }`) and v2.1 auth (`{ type, basic: [{ key, value }] }`) → v2.1. */
export function normalizeAuth(auth: Auth | null | undefined): AuthDefinition | undefined {
  if (!auth || typeof auth.type !== "string") return undefined;
  const out: AuthDefinition = { type: auth.type };
  const params = (auth as Record<string, unknown>)[auth.type];
  if (Array.isArray(params)) {
    out[auth.type] = params
      .filter(
        (p): p is { key: string; value?: unknown; type?: string } =>
          typeof p === "object" && p !== null && typeof (p as { key?: unknown }).key === "string",
      )
      .map((p) => ({ key: p.key, value: (p.value ?? "") as never, ...(p.type ? { type: p.type } : {}) }));
  } else if (params && typeof params === "object") {
    out[auth.type] = Object.entries(params as Record<string, unknown>).map(([key, value]) => ({
      key,
      value: (value ?? "") as never,
    }));
  } else {
    out[auth.type] = [];
  }
  return out;
}

function toKV(list: KeyValue[] | undefined): KV[] {
  return (list ?? [])
    .filter((h) => h && typeof h === "object")
    .map((h) => ({
      key: h.key ?? "",
      value: h.value === undefined || h.value === null ? "" : String(h.value),
      ...(h.disabled ? { disabled: true } : {}),
    }));
}

function parseHeaderString(text: string): KV[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(":");
      return i < 0
        ? { key: line, value: "" }
        : { key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() };
    });
}

function normalizeBody(body: Request["body"]): BodyDefinition | undefined {
  if (!body) return undefined;
  const out: BodyDefinition = { ...(body.mode ? { mode: body.mode } : {}) };
  if (body.raw !== undefined) out.raw = body.raw;
  if (body.urlencoded) out.urlencoded = toKV(body.urlencoded);
  if (body.formdata) {
    out.formdata = body.formdata.map(
      (f): FormField => ({
        key: f.key ?? "",
        ...(f.value !== undefined ? { value: String(f.value) } : {}),
        type: f.type === "file" ? "file" : "text",
        ...(f.src !== undefined ? { src: f.src } : {}),
        ...(f.contentType ? { contentType: f.contentType } : {}),
        ...(f.disabled ? { disabled: true } : {}),
      }),
    );
  }
  if (body.file)
    out.file = {
      ...(body.file.src ? { src: body.file.src } : {}),
      ...(body.file.content !== undefined ? { content: body.file.content } : {}),
    };
  if (body.graphql) {
    out.graphql = {
      ...(body.graphql.query !== undefined ? { query: body.graphql.query } : {}),
      ...(typeof body.graphql.operationName === "string"
        ? { operationName: body.graphql.operationName }
        : {}),
      ...(body.graphql.variables !== undefined ? { variables: body.graphql.variables as string } : {}),
    };
  }
  if (body.options) out.options = body.options as BodyDefinition["options"];
  if (body.disabled) out.disabled = true;
  return out;
}

function normalizeRequest(
  req: Request | string | undefined,
  auth: AuthDefinition | undefined,
): RequestDefinition {
  if (req === undefined || typeof req === "string") {
    return { method: "GET", url: parseUrl(req ?? ""), headers: [], ...(auth ? { auth } : {}) };
  }
  const headers = typeof req.header === "string" ? parseHeaderString(req.header) : toKV(req.header);
  const body = normalizeBody(req.body);
  const description = descriptionText((req as { description?: unknown }).description);
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url: parseUrl(req.url),
    headers,
    ...(body ? { body } : {}),
    ...(auth ? { auth } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

/** A description as text: a string, or the `{ content, type }` object Postman also writes. */
function descriptionText(d: unknown): string | undefined {
  if (typeof d === "string") return d;
  const content = d && typeof d === "object" ? (d as { content?: unknown }).content : undefined;
  return typeof content === "string" ? content : undefined;
}

/** Effective auth: the nearest explicit auth wins; `inherit`/absent defers upward; `noauth` ends the search. */
function effectiveAuth(chain: Array<Auth | null | undefined>): AuthDefinition | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i];
    if (!a || a.type === "inherit") continue;
    if (a.type === "noauth") return undefined;
    return normalizeAuth(a);
  }
  return undefined;
}

/**
 * The id of an item or collection that has none. postman-collection gives such an item a random UUID
 * (Newman's report, JUnit's "Collection JSON ID", `pm.info.requestId` show one); edgerun derives a
 * UUID-shaped one from the item's place, so that normalising the same collection again (a resumed
 * run, a report) names the same item.
 */
function stableId(path: string[], index: number): string {
  const text = `${path.join("\u0001")}\u0002${index}`;
  let hex = "";
  for (const seed of [2166136261, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35]) {
    let h = seed;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    // murmur3's finaliser: the four rounds differ only in their seed, this spreads them apart.
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    hex += ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
  }
  // Version 4 and the RFC 9562 variant, as a random UUID has them.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function normalizeCollection(c: Collection): NormalizedCollection {
  const items: ItemNode[] = [];
  const folders: FolderInfo[] = [];
  const walk = (
    list: Item[],
    path: string[],
    authChain: Array<Auth | null | undefined>,
    pre: ScriptRef[],
    test: ScriptRef[],
    profile: ProtocolProfile,
  ) => {
    list.forEach((item, index) => {
      const name = item.name ?? "";
      const id = item.id ?? item._postman_id ?? stableId([...path, name], index);
      const chain = [...authChain, item.auth];
      const mergedProfile = { ...profile, ...((item.protocolProfileBehavior ?? {}) as ProtocolProfile) };
      if (Array.isArray(item.item)) {
        const first = items.length;
        // Folders are listed in the collection's order (a folder before what it holds): --folder's
        // lookup walks them so (selectFolders).
        const slot = folders.push({ id, name, path, firstIndex: first, lastIndex: first - 1 }) - 1;
        walk(
          item.item,
          [...path, name],
          chain,
          [...pre, ...scriptsOf(item.event, "prerequest", `folder:${name}`)],
          [...test, ...scriptsOf(item.event, "test", `folder:${name}`)],
          mergedProfile,
        );
        folders[slot] = { id, name, path, firstIndex: first, lastIndex: items.length - 1 };
        return;
      }
      const requestAuth = typeof item.request === "object" ? item.request.auth : undefined;
      items.push({
        id,
        name,
        path,
        request: normalizeRequest(item.request, effectiveAuth([...authChain, requestAuth])),
        prerequest: [...pre, ...scriptsOf(item.event, "prerequest", `request:${name}`)],
        test: [...test, ...scriptsOf(item.event, "test", `request:${name}`)],
        profile: mergedProfile,
      });
    });
  };
  walk(
    c.item,
    [],
    [c.auth],
    scriptsOf(c.event, "prerequest", "collection"),
    scriptsOf(c.event, "test", "collection"),
    (c.protocolProfileBehavior ?? {}) as ProtocolProfile,
  );
  return {
    id: c.info._postman_id ?? stableId([c.info.name], 0),
    name: c.info.name,
    variables: fromPostmanVariables(c.variable),
    items,
    folders,
  };
}

/**
 * Newman's `--folder` (postman-runtime's `multipleIdOrName` lookup): the collection is walked depth
 * first, folders and requests alike; each name (or id, tried first) takes the first node it matches
 * and is then spent, so a name two folders share selects the first one only. A match inside a matched
 * folder adds nothing (that folder runs all of it). The items run in collection order.
 */
export function selectFolders(n: NormalizedCollection, names: string[]): NormalizedCollection {
  const wanted = new Set(names);
  const keep = new Set<number>();
  /** Whether each open folder (by depth) matched: its children are not accumulated then. */
  const matchedAt: boolean[] = [];
  const visit = (
    node: { id: string; name: string; path: string[] },
    range: [number, number],
    folder: boolean,
  ) => {
    const depth = node.path.length;
    matchedAt.length = depth;
    const match = wanted.has(node.id) ? node.id : wanted.has(node.name) ? node.name : undefined;
    if (match !== undefined) {
      wanted.delete(match);
      if (!(depth > 0 && matchedAt[depth - 1])) for (let i = range[0]; i <= range[1]; i++) keep.add(i);
    }
    if (folder) matchedAt.push(match !== undefined);
  };
  let f = 0;
  for (let i = 0; i <= n.items.length && wanted.size > 0; i++) {
    // The folders that start before item i come first, in the collection's order.
    for (; f < n.folders.length && n.folders[f]!.firstIndex <= i && wanted.size > 0; f++) {
      const folder = n.folders[f]!;
      visit(folder, [folder.firstIndex, folder.lastIndex], true);
    }
    const item = n.items[i];
    if (item && wanted.size > 0) visit(item, [i, i], false);
  }
  const missing = [...wanted][0];
  if (missing !== undefined) throw new FolderNotFoundError(missing);
  return { ...n, items: n.items.filter((_, i) => keep.has(i)), folders: [] };
}
