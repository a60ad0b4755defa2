/**
 * How an event's JSON is kept at rest: without the run's constant envelope (`{"v":1,"runId":…,`) and
 * with a fixed dictionary of fragments nearly every request event repeats (the default request
 * headers edgerun sends, common response headers, assertion and timing shapes) replaced by one control
 * character each.
 *
 * Why this is exact: `JSON.stringify` never emits a raw U+0000–U+001F (inside strings they are escaped
 * as `\uXXXX` or `\n`…, outside strings JSON has no place for them), so each such character in a stored
 * row can only be a dictionary token, and decoding is one pass with no JSON parse. It keeps a request
 * event under a SQLite page's third, so three or four rows share a 4 KiB page instead of two.
 *
 * Versioning: a row that starts with `{"v":` was written whole (before compaction), one that starts
 * with `{` only lost its envelope, and one that starts with DICT_V1 uses this dictionary. The
 * dictionary is append-only: changing or removing an entry would misread stored rows.
 */

/** Marks a row encoded with the version-1 dictionary. */
const DICT_V1 = "\u0001";

/** Fragments replaced by the characters U+0002, U+0003, … in this order. Append only. */
const FRAGMENTS_V1: readonly string[] = [
  '"type":"request.completed"',
  '{"key":"User-Agent","value":"PostmanRuntime/7.43.0 edgerun/0.1"}',
  '{"key":"Accept","value":"*/*"}',
  '{"key":"Cache-Control","value":"no-cache"}',
  '{"key":"Postman-Token","value":"',
  '{"key":"Accept-Encoding","value":"gzip, deflate, br"}',
  '{"key":"Connection","value":"keep-alive"}',
  '{"key":"connection","value":"keep-alive"}',
  '{"key":"keep-alive","value":"timeout=5"}',
  '{"key":"content-type","value":"application/json; charset=utf-8"}',
  '{"key":"content-length","value":"',
  '{"key":"date","value":"',
  '"response":{"code":200,"status":"OK","headers":[',
  '"request":{"method":"GET","url":"',
  '"passed":true,"skipped":false,"index":',
  '"passed":false,"skipped":false,"index":',
  '"console":[],"scriptErrors":[],"scripts":{"prerequest":',
  '"timings":{"waitMs":0,"totalMs":',
  ',"prerequestMs":',
  ',"testMs":',
  ',"headersMs":',
  '"assertions":[{"name":"',
  '"iteration":',
  '"item":{"id":"',
  '"path":[]},',
  ',"bodyPreview":"',
  ',"size":',
  ',"timeMs":',
  '{"key":"Host","value":"',
];

const TOKENS = FRAGMENTS_V1.map((_, i) => String.fromCharCode(2 + i));
/**
 * A matched fragment's token by a number made of its length and two of its characters, not by the
 * text: a `Map` lookup by a fresh string internalises it first (≈ 1 µs of a request event's encoding in
 * workerd's profile). The numbers are checked distinct below, so each names one fragment.
 */
const fragmentKey = (f: string): number => f.length * 65536 + f.charCodeAt(8) * 256 + f.charCodeAt(3);
const ENCODE = new Map(FRAGMENTS_V1.map((f, i) => [fragmentKey(f), TOKENS[i]!]));
if (ENCODE.size !== FRAGMENTS_V1.length) throw new Error("event dictionary v1: fragment keys collide");
/** One pass over the text (fragments never overlap: each starts at a JSON key or `{`). */
const FRAGMENT_RE = new RegExp(
  FRAGMENTS_V1.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
  "g",
);
// Built from a string: a regex literal with control-character escapes reads as a likely mistake.
const TOKEN_RE = new RegExp(`[${TOKENS[0]}-${String.fromCharCode(0x1f)}]`, "g");

if (FRAGMENTS_V1.length > 30) throw new Error("event dictionary v1 exceeds U+0002–U+001F");

/** The stored form of an event's JSON (`prefix` is the run's envelope, left out at rest). */
export function encodeStoredEvent(json: string, prefix: string): string {
  const body = json.startsWith(prefix) ? `{${json.slice(prefix.length)}` : json;
  return DICT_V1 + body.replace(FRAGMENT_RE, (f) => ENCODE.get(fragmentKey(f))!);
}

/** The event's JSON as it was appended, from any stored form (see the versioning note above). */
export function decodeStoredEvent(data: string, prefix: string): string {
  if (data.startsWith('{"v":')) return data;
  const body = data.startsWith(DICT_V1)
    ? data.slice(1).replace(TOKEN_RE, (t) => FRAGMENTS_V1[t.charCodeAt(0) - 2] ?? t)
    : data;
  return body.startsWith('{"v":') ? body : `${prefix}${body.slice(1)}`;
}
