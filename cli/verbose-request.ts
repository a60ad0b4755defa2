/**
 * `--verbose` under a request line, as Newman's cli reporter prints it: the exchange in one line
 * (`200 OK ★ 12ms time ★ 237B↑ 203B↓ size ★ 7↑ 5↓ headers ★ 0 cookies`), the request body and the
 * response body in boxes (clipped at 2 KiB, with the response's content type, MIME type and format and
 * charset), then a table of the request's phases. Newman's phases come from Node's socket events, which
 * Workers' fetch does not expose: the table keeps the ones edgerun measures under Newman's names
 * (`transfer-start`, `download`, `total`) beside edgerun's own (rate-limit wait, scripts).
 */
import Table from "cli-table3";
import mimeFormat from "mime-format";
import type { RequestCompletedEvent } from "../shared/schemas/events";
import type { Palette } from "./cli-style";
import { BLANK, fileSize, prettyms } from "./summary-table";

type Header = { key: string; value: string; disabled?: true };
type Response = NonNullable<RequestCompletedEvent["response"]>;

/** Newman's clip for a body shown under `--verbose`. */
const BODY_CLIP_BYTES = 2048;

export interface VerboseStyle {
  paint: Palette;
  /** Plain-text symbols (`--disable-unicode`). */
  ascii: boolean;
  /** The terminal's width, when it is one (bodies wrap to it as in Newman). */
  columns?: number | undefined;
}

function marks(ascii: boolean) {
  return ascii
    ? { star: "*", up: "^", down: "v", top: "-", middle: "|", bottom: "-" }
    : { star: "★", up: "↑", down: "↓", top: "┌", middle: "│", bottom: "└" };
}

const header = (headers: Header[], name: string) =>
  headers.find((h) => !h.disabled && h.key.toLowerCase() === name)?.value;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/**
 * The request's size as postman-collection's `Request#size` counts it: the request line, the header
 * block (`Key: value` joined by CRLF) and the body (its Content-Length when it declares one).
 */
export function requestSize(request: RequestCompletedEvent["request"]): number {
  let target = "/";
  try {
    const url = new URL(request.url);
    target = `${url.pathname}${url.search}`;
  } catch {
    // a URL the platform could not parse was not sent: its size is a guess either way
  }
  // Header.unparse: a disabled header is not part of the size (it is of Newman's header count).
  const lines = sentHeaders(request)
    .filter((h) => !h.disabled)
    .map((h) => `${h.key}: ${h.value}`);
  const declared = header(request.headers, "content-length");
  const body =
    declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : byteLength(request.body ?? "");
  return `${request.method} ${target} HTTP/X.X\r\n\r\n`.length + lines.join("\r\n").length + body;
}

/**
 * The request's headers with the Content-Length the platform's fetch adds to a body (Newman lists the
 * one its HTTP client adds among the request's headers, so its counts include it).
 */
function sentHeaders(request: RequestCompletedEvent["request"]): Header[] {
  const body = request.body ?? "";
  if (!body || header(request.headers, "content-length") !== undefined) return request.headers;
  return [...request.headers, { key: "Content-Length", value: String(byteLength(body)) }];
}

/** The response's size with its status line and headers (what Newman's `size().total` counts). */
function responseSize(r: Response): number {
  let n = `HTTP/X.X ${r.code} ${r.status}\r\n\r\n`.length + r.size;
  for (const h of r.headers) n += h.key.length + h.value.length + 4;
  return n;
}

/** `contentType ★ mimeType ★ mimeFormat ★ charset` as `Response#contentInfo` answers for the headers. */
function contentSummary(r: Response, star: string): string {
  const type = header(r.headers, "content-type") ?? "";
  const mime = mimeFormat.lookup(type || "text/plain");
  return [mime.source, mime.type, mime.format, mime.charset || "utf8"].map(String).join(` ${star} `);
}

/**
 * The body mode Newman names in the request box, read from what was sent; undefined for a multipart
 * body, which Newman does not show (its form-data and file bodies print as nothing).
 */
function bodyMode(request: RequestCompletedEvent["request"]): string | undefined {
  const listed = header(request.headers, "content-type");
  // A form body's type is postman-request's, so it is not listed: a sent text without one is urlencoded.
  if (listed === undefined && request.systemHeaders !== undefined)
    return request.body !== undefined ? "urlencoded" : undefined;
  const type = (listed ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) return "urlencoded";
  if (type.startsWith("multipart/form-data")) return undefined;
  return "raw";
}

/** A body box: `┌ <title>`, the text clipped and cut to the width behind `│ `, `└`. */
function box(opts: { title: string; text: string; bytes: number; style: VerboseStyle }): string[] {
  const { paint, columns } = opts.style;
  const m = marks(opts.style.ascii);
  const width = (columns !== undefined && columns > 20 ? columns : 60) - 6;
  let text = opts.text;
  let clipped = "";
  if (opts.bytes > BODY_CLIP_BYTES) {
    text = text.slice(0, BODY_CLIP_BYTES);
    clipped = `(showing ${fileSize(BODY_CLIP_BYTES)}/${fileSize(opts.bytes)})`;
  }
  const indent = `  ${m.middle} `;
  const lines = text
    .split(/\r?\n/)
    .flatMap((line) => line.match(new RegExp(`.{1,${width}}`, "gu")) ?? [])
    .filter((line) => line.trim() !== "");
  if (clipped) lines.push(clipped);
  return [
    `  ${m.top} ${opts.title}`,
    ...lines.map((line) => `${indent}${paint.gray(line)}`),
    `  ${m.bottom}`,
  ];
}

/** The phases table: Newman's names where edgerun measures the same span, edgerun's for the rest. */
function phasesTable(event: RequestCompletedEvent): string[] {
  const { timings, scripts } = event;
  if (!timings) return [];
  const columns: Array<[string, number | undefined]> = [
    // edgerun's own phases only where the item has them (no script, no wait: no column).
    ["rate-limit wait", timings.waitMs || undefined],
    ["pre-request", scripts.prerequest > 0 ? timings.prerequestMs : undefined],
    ["transfer-start", timings.headersMs],
    ["download", timings.headersMs === undefined ? undefined : timings.totalMs - timings.headersMs],
    ["total", timings.totalMs],
    ["test", scripts.test > 0 ? timings.testMs : undefined],
  ];
  const shown = columns.filter(([, v]) => v !== undefined) as Array<[string, number]>;
  const table = new Table({
    chars: { ...BLANK, mid: "", middle: "" },
    colAligns: shown.map(() => "left" as const),
    style: { "padding-left": 2, "padding-right": 1, head: [], border: [] },
  });
  table.push(shown.map(([name]) => name));
  table.push(shown.map(([, ms]) => prettyms(Math.max(0, ms))));
  return [...table.toString().split("\n"), ""];
}

/**
 * The lines `--verbose` prints for a request that got a response, after its request line (which then
 * ends without the `[200 OK, …]` summary, as in Newman).
 */
export function verboseResponseLines(event: RequestCompletedEvent, style: VerboseStyle): string[] {
  const r = event.response;
  if (!r) return [];
  const { paint } = style;
  const m = marks(style.ascii);
  const star = paint.gray(m.star);
  const cookies = r.headers.filter((h) => h.key.toLowerCase() === "set-cookie").length;
  const out = [
    `  ${[
      `${r.code} ${r.status}`,
      `${prettyms(r.timeMs)} ${paint.gray("time")}`,
      `${fileSize(requestSize(event.request))}${paint.gray(m.up)} ${fileSize(responseSize(r))}${paint.gray(m.down)} ${paint.gray("size")}`,
      `${sentHeaders(event.request).length}${paint.gray(m.up)} ${r.headers.length}${paint.gray(m.down)} ${paint.gray("headers")}`,
      `${cookies} ${paint.gray("cookies")}`,
    ].join(` ${star} `)}`,
  ];
  const sent = event.request.body ?? "";
  const mode = bodyMode(event.request);
  if (sent && mode) {
    const bytes = byteLength(sent);
    const lines = box({ title: `${m.up} ${mode} ${star} ${fileSize(bytes)}`, text: sent, bytes, style });
    // Newman ends the request's box with a space on its closing line, and the response's box follows.
    lines[lines.length - 1] += " ";
    out.push(...lines);
  }
  const summary = contentSummary(r, star);
  if (r.size > 0) {
    const title = `${m.down} ${summary} ${star} ${fileSize(r.size)}`;
    out.push(...box({ title, text: r.bodyPreview, bytes: r.size, style }));
  } else out.push(`  ${m.down} ${summary}`, "");
  out.push(...phasesTable(event));
  return out;
}
