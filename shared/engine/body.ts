/**
 * Request bodies in every Postman mode: raw (Content-Type from the declared language), urlencoded,
 * formdata (multipart; file parts from inline content — a cloud runner cannot read the user's disk),
 * file (inline content) and graphql (JSON `{ query, variables }`); and the capped, abortable read of
 * response bodies.
 */
import { onAbort } from "./abort";
import type { BodyDefinition, ProtocolProfile } from "./types";

const RAW_TYPES: Record<string, string> = {
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  javascript: "application/javascript",
  text: "text/plain",
};

export interface BuiltBody {
  body?: Uint8Array | string;
  contentType?: string;
  /**
   * postman-request sets this body's type itself (form bodies): sent, but not listed on the request
   * scripts and reports see. Raw and GraphQL types are postman-runtime's, listed as system headers.
   */
  implicitType?: true;
  /**
   * Things the user should know, worded as postman-runtime's console warnings (a file part or binary
   * body whose content was not provided: a cloud runner cannot read the user's disk).
   */
  warnings?: string[];
}

/** Postman's form-encoding: like encodeURIComponent, with spaces as %20. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeInline(src: string): Uint8Array {
  const m = /^data:([^;,]*)?(;base64)?,(.*)$/s.exec(src);
  if (m) {
    if (m[2]) return Uint8Array.from(atob(m[3] ?? ""), (c) => c.charCodeAt(0));
    return new TextEncoder().encode(decodeURIComponent(m[3] ?? ""));
  }
  return new TextEncoder().encode(src);
}

function hasContent(body: BodyDefinition): boolean {
  const list =
    body.mode === "formdata" ? body.formdata : body.mode === "urlencoded" ? body.urlencoded : undefined;
  if (list) return list.some((f) => !f.disabled);
  if (body.mode === "raw") return Boolean(body.raw);
  return body.mode === "file" || body.mode === "graphql";
}

/**
 * A request's body as Postman builds it. `wire`: the fetcher can send a body on GET/HEAD
 * (`FetchHooks.wire`); without it such a body is named on the request's console instead of vanishing.
 */
export async function buildBody(
  body: BodyDefinition | undefined,
  opts: {
    method: string;
    resolve: (s: string) => string;
    profile: ProtocolProfile;
    wire?: boolean | undefined;
  },
): Promise<BuiltBody> {
  const { method, resolve, profile } = opts;
  if (!body || body.disabled || !body.mode) return {};
  // postman-runtime sends no body (and no Content-Type) for a form whose every field is disabled.
  if (!hasContent(body) && (body.mode === "formdata" || body.mode === "urlencoded")) return {};
  // Postman prunes bodies of GET/HEAD unless disableBodyPruning is set.
  if ((method === "GET" || method === "HEAD") && profile.disableBodyPruning !== true) return {};
  if ((method === "GET" || method === "HEAD") && !opts.wire)
    return hasContent(body)
      ? { warnings: [`The ${body.mode} body of this ${method} request was not sent: fetch cannot send one`] }
      : {};
  switch (body.mode) {
    case "raw": {
      const language = body.options?.raw?.language;
      const raw = resolve(body.raw ?? "");
      return {
        body: raw,
        ...(language && RAW_TYPES[language]
          ? { contentType: RAW_TYPES[language] }
          : raw
            ? { contentType: "text/plain" }
            : {}),
      };
    }
    case "urlencoded": {
      const fields = (body.urlencoded ?? []).filter((f) => !f.disabled && f.key !== "");
      const text = fields
        .map((f) => `${formEncode(resolve(f.key))}=${formEncode(resolve(String(f.value ?? "")))}`)
        .join("&");
      return { body: text, contentType: "application/x-www-form-urlencoded", implicitType: true };
    }
    case "formdata": {
      const boundary = `--------------------------${Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => (b % 10).toString()).join("")}`;
      const enc = new TextEncoder();
      const chunks: Uint8Array[] = [];
      const warnings: string[] = [];
      for (const f of body.formdata ?? []) {
        if (f.disabled || !f.key) continue;
        const key = resolve(f.key).replace(/"/g, "%22");
        if (f.type === "file") {
          const src = Array.isArray(f.src) ? f.src[0] : f.src;
          const inline =
            f.value !== undefined && f.value !== ""
              ? f.value
              : typeof src === "string" && src.startsWith("data:")
                ? src
                : undefined;
          if (inline === undefined && typeof src === "string" && src) {
            // postman-runtime warns on the request's console and leaves the part out.
            warnings.push(`Form param \`${f.key}\`, file load error: "${src}", no such file`);
            continue;
          }
          const name =
            typeof src === "string" && !src.startsWith("data:")
              ? (src.split(/[\\/]/).pop() ?? "file")
              : "file";
          chunks.push(
            enc.encode(
              `--${boundary}\r\nContent-Disposition: form-data; name="${key}"; filename="${name}"\r\nContent-Type: ${f.contentType ?? "application/octet-stream"}\r\n\r\n`,
            ),
            inline === undefined ? new Uint8Array() : decodeInline(inline),
            enc.encode("\r\n"),
          );
        } else {
          const ct = f.contentType ? `\r\nContent-Type: ${f.contentType}` : "";
          chunks.push(
            enc.encode(
              `--${boundary}\r\nContent-Disposition: form-data; name="${key}"${ct}\r\n\r\n${resolve(f.value ?? "")}\r\n`,
            ),
          );
        }
      }
      // No part left (each a file that could not be read): postman-request sends no body at all.
      if (chunks.length === 0) return warnings.length ? { warnings } : {};
      chunks.push(enc.encode(`--${boundary}--\r\n`));
      const total = chunks.reduce((n, c) => n + c.byteLength, 0);
      const out = new Uint8Array(total);
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.byteLength;
      }
      return {
        body: out,
        contentType: `multipart/form-data; boundary=${boundary}`,
        implicitType: true,
        ...(warnings.length ? { warnings } : {}),
      };
    }
    case "file": {
      const content = body.file?.content ?? (body.file?.src?.startsWith("data:") ? body.file.src : undefined);
      if (content === undefined)
        return body.file?.src
          ? { body: "", warnings: [`Binary file load error: "${body.file.src}", no such file`] }
          : {};
      return { body: decodeInline(content) };
    }
    case "graphql":
      return { body: graphqlBody(body.graphql, resolve), contentType: "application/json" };
    default:
      return {};
  }
}

export interface CapturedBody {
  body: string;
  /** Bytes read after content decoding (stops one chunk past the cap). */
  size: number;
  truncated: boolean;
}

/**
 * Reads a response body as UTF-8 text, keeping at most `max` bytes and **stopping** there: fetch
 * decodes gzip/deflate/br while streaming, so counting the decoded bytes and cancelling the stream past
 * the cap is what keeps a decompression bomb (10 MB expanding to 10 GiB) from being inflated. The read
 * also ends when `signal` fires (request timeout, cancel, run deadline), even if the target keeps the
 * connection open without sending; it then throws the signal's reason.
 */
export async function readCapped(res: Response, max: number, signal?: AbortSignal): Promise<CapturedBody> {
  // Before `res.body`, which makes a stream object (a body-less response reads as empty there too).
  if (wholeBodyFits(res, max) && !signal?.aborted) return readWhole(res, signal);
  if (!res.body) return { body: "", size: 0, truncated: false };
  const reader = res.body.getReader();
  // The signal cancels the stream, which ends a pending read at once (one listener per body rather than
  // a race per chunk).
  let aborted = false;
  const cancelRead = () => {
    aborted = true;
    void reader.cancel(signal?.reason).catch(() => undefined);
  };
  let detach: (() => void) | undefined;
  if (signal?.aborted) cancelRead();
  else if (signal) detach = onAbort(signal, cancelRead);
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (aborted) throw signal?.reason ?? new DOMException("aborted", "AbortError");
      if (next.done) {
        finished = true;
        break;
      }
      const chunk = next.value;
      const room = max - size;
      size += chunk.byteLength;
      if (room > 0)
        text += decoder.decode(room < chunk.byteLength ? chunk.subarray(0, room) : chunk, { stream: true });
      if (size > max) break;
    }
  } finally {
    detach?.();
    if (!finished && !aborted) void reader.cancel().catch(() => undefined);
  }
  text += decoder.decode();
  return { body: text, size, truncated: size > max };
}

/**
 * Whether the body can be read in one call: a `Content-Length` within the cap and no
 * `Content-Encoding` (then the bytes read are the bytes sent, so the cap cannot be passed). Why: a
 * stream reader takes one event-loop turn per read (the chunk, then the end), one call takes one.
 */
function wholeBodyFits(res: Response, max: number): boolean {
  if (res.headers.has("content-encoding")) return false;
  const declared = res.headers.get("content-length");
  return declared !== null && /^\d{1,15}$/.test(declared) && Number(declared) <= max;
}

/** Decodes whole bodies (a decode without `stream` keeps no state between calls). */
const wholeDecoder = new TextDecoder();

/** The whole body in one read; it ends when `signal` fires, as the streamed read does. */
async function readWhole(res: Response, signal?: AbortSignal): Promise<CapturedBody> {
  let detach: (() => void) | undefined;
  try {
    // One promise settled by whichever comes first (no race over a second one per read).
    const buffer = await new Promise<ArrayBuffer | undefined>((resolve, reject) => {
      if (signal) detach = onAbort(signal, () => resolve(undefined));
      res.arrayBuffer().then(resolve, reject);
    });
    if (!buffer) throw signal?.reason ?? new DOMException("aborted", "AbortError");
    return { body: wholeDecoder.decode(buffer), size: buffer.byteLength, truncated: false };
  } finally {
    detach?.();
  }
}

/**
 * A GraphQL body as postman-runtime writes it: variables written as text go out verbatim (after
 * variable substitution; an empty text is left out, malformed JSON is sent as written), an object is
 * serialised with the query; `query` and `operationName` only when they are strings.
 */
function graphqlBody(graphql: BodyDefinition["graphql"], resolve: (s: string) => string): string {
  const g = graphql ?? {};
  const query = typeof g.query === "string" ? resolve(g.query) : undefined;
  const operationName = typeof g.operationName === "string" ? resolve(g.operationName) : undefined;
  if (typeof g.variables !== "string") {
    const variables =
      g.variables === undefined ? undefined : JSON.parse(resolve(JSON.stringify(g.variables)));
    return JSON.stringify({ query, operationName, variables });
  }
  const parts: string[] = [];
  if (query !== undefined) parts.push(`"query":${JSON.stringify(query)}`);
  if (operationName !== undefined) parts.push(`"operationName":${JSON.stringify(operationName)}`);
  const variables = resolve(g.variables);
  if (variables !== "") parts.push(`"variables":${variables}`);
  return `{${parts.join(",")}}`;
}
