/**
 * HTTP/1.1 over a TCP socket (`cloudflare:sockets`) for the requests the platform's fetch refuses to
 * send but Newman sends: a method token fetch does not know (`LINK`, `POSTMAN`, …), a body on GET or
 * HEAD (Elasticsearch-style searches) and a path the URL parser would rewrite (`/./`, `"<>` under
 * `disableUrlEncoding`). The engine asks for it per hop (`FetchHooks.wire`) after the
 * target policy allowed that hop, so policy, rate limits and redirects stay the engine's; this module
 * only speaks the protocol: one request per connection (`Connection: close`), Content-Length or chunked
 * or close-delimited responses, informational (1xx) answers skipped, gzip decoded as fetch would (deflate
 * is left to the engine's `inflated`, as for fetch's responses). The request's signal closes the socket.
 */
import { connect } from "cloudflare:sockets";
import type { WireRequest } from "../shared/engine/types";
import { connectTarget } from "../shared/engine/url";

/** A response head larger than this is refused (Node's own default limit is 16 KiB; fetch's is larger). */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF2 = [13, 10, 13, 10] as const;
/** Methods Node's client sends without a Content-Length when they have no body. */
const NO_BODY_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/** Thrown for a malformed or refused exchange; the engine reports it as "could not reach …". */
class WireError extends Error {
  override name = "WireError";
}

/**
 * Sends `request` (its URL, headers and signal) with `wire`'s method and body and answers a Response
 * whose body streams from the socket: the engine's capped body read and timeouts apply as for fetch.
 */
export async function wireFetch(request: Request, wire: WireRequest): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new WireError(`unsupported protocol ${url.protocol}`);
  const signal = request.signal;
  signal.throwIfAborted();
  const tls = url.protocol === "https:";
  const { host: hostname, port } = connectTarget(url);
  const socket = connect({ hostname, port }, { secureTransport: tls ? "on" : "off", allowHalfOpen: false });
  const onAbort = () => void socket.close().catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    // workerd's own message here suggests using fetch instead: say what failed.
    await socket.opened.catch(() => {
      throw new WireError(`cannot connect to ${url.host}`);
    });
    const writer = socket.writable.getWriter();
    await writer.write(requestBytes(url, request.headers, wire));
    writer.releaseLock();
    const reader = socket.readable.getReader();
    const { head, rest } = await readResponseHead(reader, wire.method === "HEAD");
    const body = bodyStream({ reader, rest, head, noBody: wire.method === "HEAD", close: onAbort });
    return new Response(decoded(body, head.headers), {
      status: head.status,
      statusText: head.statusText,
      headers: head.headers,
    });
  } catch (err) {
    onAbort();
    signal.removeEventListener("abort", onAbort);
    if (signal.aborted) throw signal.reason;
    throw err;
  }
}

/** The request as bytes: request line, Host, the request's headers, Content-Length, body. */
function requestBytes(url: URL, headers: Headers, wire: WireRequest): Uint8Array {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(wire.method))
    throw new WireError(`invalid method '${wire.method}'`);
  const body = typeof wire.body === "string" ? new TextEncoder().encode(wire.body) : wire.body;
  const target = wire.target ?? `${url.pathname || "/"}${url.search}`;
  if (!/^[\x21-\x7e]+$/.test(target)) throw new WireError("invalid request target");
  const lines = [`${wire.method} ${target} HTTP/1.1`, `Host: ${url.host}`];
  // The request's own names and order first (Newman sends them as written), then any a wrapper added.
  const done = new Set(["host", "connection", "content-length", "transfer-encoding"]);
  for (const name of wire.names ?? []) {
    const lower = name.toLowerCase();
    const value = done.has(lower) ? null : headers.get(lower);
    done.add(lower);
    if (value !== null) lines.push(`${name}: ${value}`);
  }
  headers.forEach((value, key) => {
    if (!done.has(key)) lines.push(`${key}: ${value}`);
  });
  // As Node's client: a body's length, and 0 for an empty body of a method that may carry one.
  if (body) lines.push(`Content-Length: ${body.byteLength}`);
  else if (!NO_BODY_METHODS.has(wire.method)) lines.push("Content-Length: 0");
  lines.push("Connection: close", "", "");
  return concat(new TextEncoder().encode(lines.join("\r\n")), body ?? new Uint8Array(0));
}

interface ResponseHead {
  status: number;
  statusText: string;
  headers: Headers;
  /** Body framing: chunked, a known length, or until the server closes. */
  length: number | "chunked" | "close";
}

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/** Reads heads until a final (non-1xx) one; answers it and the bytes read past it. */
async function readResponseHead(
  reader: Reader,
  isHead: boolean,
): Promise<{ head: ResponseHead; rest: Uint8Array }> {
  let buf: Uint8Array = new Uint8Array(0);
  for (;;) {
    const end = indexOf(buf, CRLF2);
    if (end < 0) {
      if (buf.byteLength > MAX_HEAD_BYTES) throw new WireError("response head too large");
      const { value, done } = await reader.read();
      if (done) throw new WireError("connection closed before a response");
      buf = concat(buf, value);
      continue;
    }
    const head = parseHead(new TextDecoder("latin1").decode(buf.subarray(0, end)), isHead);
    buf = buf.subarray(end + 4);
    if (head) return { head, rest: buf };
  }
}

/** One response head; null for an informational (1xx) one, which a final response follows. */
function parseHead(text: string, isHead: boolean): ResponseHead | null {
  const [statusLine = "", ...lines] = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new WireError(`malformed status line '${statusLine.slice(0, 80)}'`);
  const status = Number(m[1]);
  if (status >= 100 && status < 200) {
    if (status === 101) throw new WireError("the server switched protocols");
    return null;
  }
  if (status < 200 || status > 599) throw new WireError(`status ${status} out of range`);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A header fetch would refuse too (bad name or value): left out.
    }
  }
  const noBody = isHead || status === 204 || status === 304;
  const te = headers.get("transfer-encoding")?.toLowerCase() ?? "";
  const cl = headers.get("content-length");
  const length = noBody
    ? 0
    : te.includes("chunked")
      ? "chunked"
      : cl !== null && /^\d+$/.test(cl.trim())
        ? Number(cl)
        : "close";
  // A reason phrase is free text; a Response takes only a byte string without controls.
  const statusText = (m[2] ?? "").replace(/[^\x20-\x7e\x80-\xff\t]/g, "");
  return { status, statusText, headers, length };
}

/** The body's bytes as framed by the head, ending (and closing the socket) at its end. */
function bodyStream(opts: {
  reader: Reader;
  rest: Uint8Array;
  head: ResponseHead;
  noBody: boolean;
  close: () => void;
}): ReadableStream<Uint8Array> | null {
  const { reader, head, close } = opts;
  if (opts.noBody || head.length === 0) {
    close();
    return null;
  }
  let pending: Uint8Array = opts.rest;
  const more = async (): Promise<Uint8Array | null> => {
    if (pending.byteLength) {
      const out = pending;
      pending = new Uint8Array(0);
      return out;
    }
    const { value, done } = await reader.read();
    return done ? null : value;
  };
  const source = head.length === "chunked" ? dechunk(more) : more;
  let left = typeof head.length === "number" ? head.length : Number.POSITIVE_INFINITY;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = left > 0 ? await source() : null;
      if (!chunk) {
        close();
        if (left !== Number.POSITIVE_INFINITY && left > 0)
          controller.error(new WireError("connection closed mid-body"));
        else controller.close();
        return;
      }
      const part = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
      left -= part.byteLength;
      controller.enqueue(part);
    },
    cancel: () => close(),
  });
}

/** A chunked body's data: answers the next data bytes, or null after the last chunk. */
function dechunk(more: () => Promise<Uint8Array | null>) {
  let buf: Uint8Array = new Uint8Array(0);
  let inChunk = 0;
  let ended = false;
  const fill = async (): Promise<void> => {
    const next = await more();
    if (!next) throw new WireError("connection closed mid-chunk");
    buf = concat(buf, next);
  };
  return async (): Promise<Uint8Array | null> => {
    for (;;) {
      if (ended) return null;
      if (inChunk > 0) {
        if (!buf.byteLength) await fill();
        const part = buf.subarray(0, Math.min(inChunk, buf.byteLength));
        buf = buf.subarray(part.byteLength);
        inChunk -= part.byteLength;
        return part;
      }
      // The size line (after the CRLF that ends the previous chunk's data).
      let eol = indexOf(buf, [13, 10]);
      while (eol === 0) {
        buf = buf.subarray(2);
        eol = indexOf(buf, [13, 10]);
      }
      if (eol < 0) {
        if (buf.byteLength > 4096) throw new WireError("malformed chunk size");
        await fill();
        continue;
      }
      const size = Number.parseInt(new TextDecoder().decode(buf.subarray(0, eol)).split(";")[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) throw new WireError("malformed chunk size");
      buf = buf.subarray(eol + 2);
      // The last chunk: trailers and anything after them are not read (the socket is closed).
      if (size === 0) {
        ended = true;
        return null;
      }
      inChunk = size;
    }
  };
}

/** gzip decoded as the platform's fetch decodes it (the Content-Encoding header stays, as there). */
function decoded(
  body: ReadableStream<Uint8Array> | null,
  headers: Headers,
): ReadableStream<Uint8Array> | null {
  const encoding = headers.get("content-encoding")?.trim().toLowerCase();
  if (!body || (encoding !== "gzip" && encoding !== "x-gzip")) return body;
  return body.pipeThrough(new DecompressionStream("gzip"));
}

function indexOf(buf: Uint8Array, seq: readonly number[]): number {
  outer: for (let i = 0; i + seq.length <= buf.byteLength; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.byteLength) return b;
  if (!b.byteLength) return a;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
