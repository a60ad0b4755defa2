// JSONError worded as Postman's sandbox words it: there JSON.parse and pm.response.json() are
// liquid-json's, which tries the native parser and, when that fails, parses again with its vendored jju
// parser only to throw jju's error (`Unexpected end of input at 1:9`, `No value found for key a at …`,
// each with the line and a caret). The same parser words ours (a lazy part of the QuickJS prelude:
// compiled on the first error).

interface JjuParser {
  parse(text: string, options: { mode: "json" }): unknown;
}
declare const require: (id: "liquid-json/vendor/parse") => JjuParser;

function messageOf(cause: unknown): string {
  const message = cause !== null && typeof cause === "object" ? Reflect.get(cause, "message") : undefined;
  return String(message ?? cause);
}

/** jju's error for `text`, which the native parser refused; undefined if jju accepts it. */
function jjuMessage(text: string): string | undefined {
  try {
    require("liquid-json/vendor/parse").parse(text, { mode: "json" });
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/**
 * The JSONError Newman's sandbox throws for a text its JSON.parse refused (`cause`: the native error,
 * whose wording stays where jju would accept the text).
 */
export function jsonError(text: unknown, cause?: unknown): SyntaxError {
  // JSON.parse(undefined) (e.g. responseBody after a request error) keeps V8's wording, as in Newman.
  const message =
    text === undefined ? '"undefined" is not valid JSON' : (jjuMessage(String(text)) ?? messageOf(cause));
  const err = new SyntaxError(message);
  err.name = "JSONError";
  return err;
}
