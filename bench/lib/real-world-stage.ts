/**
 * Prepares a real-world collection for `bench/real-world-diff.ts`: every request is pointed at one
 * local target, so Newman and edgerun see the same answers, and dynamic values are normalised out of
 * the verdicts so that only real divergences are left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Verdict } from "./newman-suite-compare";

/** An absolute http(s) URL's scheme, host and port; `{{var}}` hosts too (`https://{{host}}:{{port}}`). */
const ORIGIN =
  /^(?:https?:\/\/)?(?:\{\{[^}]+\}\}|[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(?:\d+|\{\{[^}]+\}\}))?(?=[/?#]|$)/;
/** Absolute URLs inside scripts (`pm.sendRequest("https://…")`); schema ids are left alone. */
const SCRIPT_URL = /https?:\/\/(?!json-schema\.org|schema\.getpostman\.com)[A-Za-z0-9.-]+(?::\d+)?/g;

/** Points a URL string at `origin`, keeping its path and query (`{{baseUrl}}/users` → `<origin>/users`). */
export function retargetUrl(raw: string, origin: string): string {
  const text = raw.trim();
  if (text === "" || text.startsWith("/")) return text;
  // A bare `{{var}}`, or a literal with a scheme, or host-like first segment: the origin is replaced.
  const m = ORIGIN.exec(text);
  if (!m) return raw;
  const looksLikeHost = /^https?:\/\//.test(text) || m[0].startsWith("{{") || /[.:]|^localhost/.test(m[0]);
  return looksLikeHost ? origin + text.slice(m[0].length) : raw;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function retargetUrlObject(url: { [k: string]: Json }, origin: string): { [k: string]: Json } {
  const target = new URL(origin);
  const out: { [k: string]: Json } = { ...url };
  if (typeof url.raw === "string") out.raw = retargetUrl(url.raw, origin);
  if (url.host !== undefined || url.protocol !== undefined) {
    out.protocol = "http";
    out.host = target.hostname.split(".");
    out.port = target.port;
  }
  return out;
}

function isVariableList(key: string): boolean {
  return key === "variable" || key === "values" || key === "variables";
}

/**
 * A copy of a collection (v1, v2.0, v2.1) or environment with every request URL (strings, `url`
 * objects, v1 `requests[].url`), absolute URL variable values and absolute URLs in scripts pointed
 * at `origin`.
 */
export function retargetDocument(doc: Json, origin: string): Json {
  const walk = (v: Json, key: string): Json => {
    if (Array.isArray(v)) {
      if (key === "exec")
        return v.map((line) => (typeof line === "string" ? line.replace(SCRIPT_URL, origin) : line));
      return v.map((x) => walk(x, isVariableList(key) ? "@var" : key));
    }
    if (v === null || typeof v !== "object") {
      if (typeof v !== "string") return v;
      if (key === "url") return retargetUrl(v, origin);
      if (key === "tests" || key === "preRequestScript" || key === "exec")
        return v.replace(SCRIPT_URL, origin);
      return v;
    }
    if (key === "url") return retargetUrlObject(v, origin);
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
    // A variable whose value is an absolute URL (`baseUrl = https://api.example.com/v1`).
    if (key === "@var" && typeof out.value === "string" && /^https?:\/\//.test(out.value)) {
      out.value = retargetUrl(out.value, origin);
    }
    return out;
  };
  return walk(doc, "");
}

/**
 * A copy of an iteration data file (`-d`: a JSON array of rows, or CSV) with its absolute http(s)
 * URL values pointed at `origin`, as environment values are: in JSON every string value that is one,
 * in CSV every absolute URL's scheme, host and port wherever it stands.
 */
export function retargetData(text: string, origin: string, csv: boolean): string {
  if (csv) return text.replace(SCRIPT_URL, origin);
  const walk = (v: Json): Json => {
    if (typeof v === "string") return /^https?:\/\//.test(v) ? retargetUrl(v, origin) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return JSON.stringify(walk(JSON.parse(text) as Json), null, 2);
}

/**
 * What differs between any two runs whatever the tool: UUIDs, ISO and RFC 1123 timestamps, epoch
 * milliseconds and seconds (`Date.now()`-derived), local ports, response times in messages
 * (`expected 12 to be below 200`), and the target's own origin.
 */
const DYNAMIC: Array<[RegExp, string]> = [
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>"],
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<iso-time>"],
  [/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\b/g, "<http-date>"],
  [/\b1[5-9]\d{8}(?:\d{3})?\b/g, "<epoch>"],
  [/\b(?:127\.0\.0\.1|localhost):\d+/g, "<target>"],
  [
    /\bexpected \d+(?:\.\d+)? to be (below|above|less than|greater than|at most|at least|within)\b/g,
    "expected <ms> to be $1",
  ],
];

/** Replaces the dynamic parts of a verdict's text (see DYNAMIC). */
export function normaliseText(text: string): string {
  return DYNAMIC.reduce((s, [re, to]) => s.replace(re, to), text);
}

/** A verdict list with its keys and values normalised. */
export function normaliseVerdicts(list: Verdict[]): Verdict[] {
  return list.map((v) => ({ key: normaliseText(v.key), value: normaliseText(v.value) }));
}

/**
 * The shape of a disagreement, for grouping: quoted strings, numbers and long identifiers are
 * replaced, so "expected 'a' to equal 'b'" and "expected 'c' to equal 'd'" are one class.
 */
export function pattern(value: string | null): string {
  if (value === null) return "(absent)";
  return value
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, "…")
    .replace(/\{[^{}]*\}|\[[^[\]]*\]/g, "…")
    .replace(/-?\d+(?:\.\d+)?/g, "N")
    .slice(0, 160);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://target");
  const text = await readBody(req);
  let parsed: Json = null;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = null;
  }
  const [first, second] = url.pathname.split("/").filter(Boolean);
  const status = first === "status" && /^\d{3}$/.test(second ?? "") ? Number(second) : 200;
  if (first === "delay") await new Promise((r) => setTimeout(r, Math.min(Number(second) || 0, 3000)));
  const body = JSON.stringify({
    args: Object.fromEntries(url.searchParams),
    data: parsed ?? text,
    json: parsed,
    headers: req.headers,
    url: `http://${req.headers.host ?? ""}${url.pathname}${url.search}`,
    method: req.method,
  });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A target on 127.0.0.1 that answers any method and path with 200 and a postman-echo–like body. */
export async function startAnyEcho(): Promise<{ origin: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
