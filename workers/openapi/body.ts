/**
 * Reading a JSON request body safely: the media type is checked (415), bytes are counted while the body
 * streams and reading stops at the cap (413, also for chunked uploads without Content-Length), invalid
 * UTF-8 is refused instead of being turned into replacement characters (400), and hostile nesting is
 * refused before any recursive code (JSON.parse is iterative in V8, zod and structured clone are not).
 */
import { ProblemError, refuseLimits } from "../../platform/problem";
import { checkJsonLimits, LIMITS } from "../../shared/engine/limits";

/** The largest request body the API accepts (a collection with its data and environment). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;
/** JSON nesting allowed anywhere in a request body. */
export const MAX_JSON_DEPTH = LIMITS.bodyJsonDepth;
/** JSON values (objects, arrays, scalars) in one request body. */
export const MAX_JSON_VALUES = 2_000_000;

export interface JsonBody {
  text: string;
  value: unknown;
}

const tooLarge = () =>
  new ProblemError(
    413,
    "Payload Too Large",
    `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes.`,
    {
      type: "https://edgerun.dev/problems/limit",
    },
  );

/** Reads, decodes and parses a JSON body with every limit applied while streaming. */
export async function readJsonBody(req: Request, maxBytes = MAX_BODY_BYTES): Promise<JsonBody> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new ProblemError(
      415,
      "Unsupported Media Type",
      "Send the request body as JSON with 'Content-Type: application/json'.",
      { headers: { "Accept-Post": "application/json" } },
    );
  }
  // Request bodies are never decompressed (no gzip bomb reaches the parser): say so instead of reading
  // the compressed bytes as text (RFC 7694: 415 with the codings accepted).
  const coding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (coding !== "" && coding !== "identity") {
    throw new ProblemError(
      415,
      "Unsupported Content-Encoding",
      `Send the request body uncompressed: Content-Encoding '${coding.slice(0, 64)}' is not accepted.`,
      { headers: { "Accept-Encoding": "identity" } },
    );
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  const bytes = await readCapped(req, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ProblemError(400, "Invalid Encoding", "The request body is not valid UTF-8.", {
      errors: [{ pointer: "", detail: "not valid UTF-8" }],
    });
  }
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new ProblemError(413, "Payload Too Deep", `JSON nesting deeper than ${MAX_JSON_DEPTH} levels.`, {
      type: "https://edgerun.dev/problems/limit",
      errors: [{ pointer: "", detail: `JSON nesting deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ProblemError(
      400,
      "Malformed JSON",
      `The request body is not valid JSON: ${(err as Error).message}`,
      {
        errors: [{ pointer: "", detail: "not valid JSON" }],
      },
    );
  }
  // Every JSON value starts at a character of its own, so a text of at most MAX_JSON_VALUES characters
  // cannot hold more values; its depth was checked on the text. Only a longer body needs the walk.
  const limits =
    text.length <= MAX_JSON_VALUES
      ? []
      : checkJsonLimits(value, { maxDepth: MAX_JSON_DEPTH, maxNodes: MAX_JSON_VALUES });
  refuseLimits(limits, "Payload Too Large");
  return { text, value };
}

/**
 * The body stopped before its end: the client closed or reset the connection mid-upload (or sent less
 * than its Content-Length). A client error, not an unhandled exception of ours.
 */
const incomplete = () =>
  new ProblemError(400, "Incomplete Request Body", "The request body ended before it was complete.", {
    errors: [{ pointer: "", detail: "the connection closed before the whole body arrived" }],
  });

async function readCapped(req: Request, maxBytes: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read().catch(() => {
      throw incomplete();
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("request body too large").catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Maximum bracket nesting of a JSON text, ignoring brackets inside strings (one linear scan). A string's
 * body is skipped with `indexOf('"')` (a quote after an odd run of backslashes is escaped), so the long
 * strings of a collection (scripts) cost a native search instead of a loop over their characters.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) break;
    } else if (ch === 123 || ch === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

/** Index of the quote closing the string opened at `open`, or -1 when the text ends inside it. */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at >= 0) {
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 92 /* \ */) slashes++;
    if (slashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}
