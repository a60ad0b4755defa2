/**
 * Postman Collection v3 (a directory tree of YAML files, one per request/folder/example) → Postman
 * Collection v2.1 JSON, the format the engine runs. Pure and synchronous so the Worker (POST /v1/runs),
 * the CLI (`edgerun run <dir>`) and Node tests all convert the same way. See docs/collection-v3.md.
 */

import type { CollectionV3Input } from "../../schemas/collection-v3";
import { definitionParts, environmentToV21, type Json, requestToItem } from "./entities";
import { V3Error, YamlFile } from "./yaml-file";

export interface ConvertV3Input {
  /** File path (forward slashes) → YAML text. Paths may start at the repository root or the collection. */
  files: Record<string, string>;
  /** Which collection under `postman/collections/` to convert when the tree holds several. */
  collection?: string | undefined;
}

export interface ConvertV3Result {
  collection: Json & { info: { name: string }; item: Json[] };
  environments: Record<string, Json>;
  skipped: Array<{ path: string; reason: string }>;
}

const COLLECTIONS = "postman/collections/";
const YAML = /\.ya?ml$/i;
const ENVIRONMENT = /\.environment\.ya?ml$/i;

/** Request kinds of other protocols: listed as skipped, with the protocol named. */
const OTHER_PROTOCOLS: Record<string, string> = {
  "graphql-request": "GraphQL",
  "grpc-request": "gRPC",
  "websocket-request": "WebSocket",
  "socket.io-request": "Socket.IO",
  "mqtt-request": "MQTT",
  "mcp-request": "MCP",
  "llm-request": "LLM",
};

interface Entry {
  order: number | undefined;
  sortKey: string;
  json: Json;
}

interface Folder {
  name: string;
  order: number | undefined;
  id?: string;
  parts: Json;
  children: Entry[];
  folders: Map<string, Folder>;
}

function normalisePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/|\/)+/, "");
}

/** The collection root inside the tree: `…/postman/collections/<name>/`, or "" when paths start there. */
function findRoot(paths: string[], wanted: string | undefined): string {
  const roots = new Set<string>();
  for (const p of paths) {
    const at = p.indexOf(COLLECTIONS);
    if (at < 0 || (at > 0 && p[at - 1] !== "/")) continue;
    const rest = p.slice(at + COLLECTIONS.length);
    const slash = rest.indexOf("/");
    if (slash > 0) roots.add(p.slice(0, at + COLLECTIONS.length + slash + 1));
  }
  if (roots.size === 0) return "";
  const list = [...roots].sort();
  if (wanted !== undefined) {
    const found = list.find((r) => r.endsWith(`/${wanted}/`) || r === `${COLLECTIONS}${wanted}/`);
    if (!found) {
      throw new V3Error(
        COLLECTIONS,
        1,
        1,
        `no collection '${wanted}' (found: ${list.map(nameOf).join(", ")})`,
      );
    }
    return found;
  }
  if (list.length > 1) {
    throw new V3Error(
      COLLECTIONS,
      1,
      1,
      `the tree holds several collections (${list.map(nameOf).join(", ")}); choose one`,
    );
  }
  return list[0]!;
}

function nameOf(root: string): string {
  return root.replace(/\/$/, "").split("/").at(-1) ?? "";
}

function folderAt(root: Folder, dirs: string[]): Folder {
  let node = root;
  for (const dir of dirs) {
    let next = node.folders.get(dir);
    if (!next) {
      next = { name: dir, order: undefined, parts: {}, children: [], folders: new Map() };
      node.folders.set(dir, next);
    }
    node = next;
  }
  return node;
}

function byOrder(a: Entry, b: Entry): number {
  const oa = a.order ?? Number.POSITIVE_INFINITY;
  const ob = b.order ?? Number.POSITIVE_INFINITY;
  if (oa !== ob) return oa < ob ? -1 : 1;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}

/** The folder's items, folders and requests interleaved by `order` (then by file name). */
function itemsOf(folder: Folder): Json[] {
  const entries: Entry[] = [...folder.children];
  for (const [dir, sub] of folder.folders) {
    entries.push({
      order: sub.order,
      sortKey: dir,
      json: { ...(sub.id ? { id: sub.id } : {}), name: sub.name, ...sub.parts, item: itemsOf(sub) },
    });
  }
  return entries.sort(byOrder).map((e) => e.json);
}

function addRequest(file: YamlFile, folder: Folder, base: string, skipped: ConvertV3Result["skipped"]): void {
  const kind = file.value.$kind;
  if (kind === undefined) throw file.error([], "missing '$kind' (for example '$kind: http-request')");
  if (typeof kind !== "string") throw file.error(["$kind"], "'$kind' must be a string");
  if (kind === "http-example" || kind === "collection") return;
  if (kind !== "http-request") {
    const protocol = OTHER_PROTOCOLS[kind];
    skipped.push({
      path: file.path,
      reason: protocol
        ? `${protocol} request (${kind}): edgerun runs HTTP requests only, so it was not run`
        : `unknown $kind '${kind}': not run`,
    });
    return;
  }
  const order = file.value.order;
  if (order !== undefined && typeof order !== "number")
    throw file.error(["order"], "'order' must be a number");
  const stem = base.replace(/\.request\.ya?ml$/i, "").replace(YAML, "");
  folder.children.push({ order, sortKey: base, json: requestToItem(file, stem) });
}

/** Converts a v3 tree; throws V3Error (file, line, column) on the first malformed file. */
export function convertV3(input: ConvertV3Input): ConvertV3Result {
  const files = Object.entries(input.files).map(([p, text]) => [normalisePath(p), text] as const);
  const skipped: ConvertV3Result["skipped"] = [];
  const environments: Record<string, Json> = {};
  const root = findRoot(
    files.map(([p]) => p).filter((p) => !ENVIRONMENT.test(p)),
    input.collection,
  );
  const top: Folder = {
    name: nameOf(root) || "collection",
    order: undefined,
    parts: {},
    children: [],
    folders: new Map(),
  };
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (ENVIRONMENT.test(path)) {
      const stem = (path.split("/").at(-1) ?? "").replace(ENVIRONMENT, "");
      const env = environmentToV21(new YamlFile(path, text), stem);
      environments[String(env.name)] = env;
      continue;
    }
    if (!path.startsWith(root)) continue;
    const rel = path.slice(root.length).split("/");
    const base = rel.pop() ?? "";
    if (!YAML.test(base)) {
      skipped.push({ path, reason: "not a YAML file" });
      continue;
    }
    const resources = rel.indexOf(".resources");
    if (resources >= 0) {
      // `.resources/definition.yaml` describes the folder holding `.resources`; the rest are examples.
      if (resources === rel.length - 1 && /^definition\.ya?ml$/i.test(base)) {
        const folder = folderAt(top, rel.slice(0, -1));
        const def = definitionParts(new YamlFile(path, text));
        if (def.name !== undefined) folder.name = def.name;
        folder.order = def.order;
        if (def.id) folder.id = def.id;
        folder.parts = def.parts;
      }
      continue;
    }
    addRequest(new YamlFile(path, text), folderAt(top, rel), base, skipped);
  }
  const collection = {
    info: {
      ...(top.id ? { _postman_id: top.id } : {}),
      name: top.name,
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
      ...(typeof top.parts.description === "string" ? { description: top.parts.description } : {}),
    },
    ...Object.fromEntries(Object.entries(top.parts).filter(([k]) => k !== "description")),
    item: itemsOf(top),
  };
  return { collection, environments, skipped };
}

/** Whether a raw `collection` value is a v3 tree rather than v2.x JSON. */
export function isV3Input(raw: unknown): raw is CollectionV3Input {
  return !!raw && typeof raw === "object" && (raw as { format?: unknown }).format === "v3";
}

/**
 * The v2.1 collection behind any collection document: itself, or the conversion of a v3 tree. For
 * callers that need v2.1 outside a run plan (validating a stored collection, naming it); throws V3Error.
 */
export function asV21Collection(doc: unknown): unknown {
  return isV3Input(doc) ? convertV3({ files: doc.files, collection: doc.collection }).collection : doc;
}
