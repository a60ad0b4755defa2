// JSONError worded like Postman's sandbox (liquid-json / V8): used by JSON.parse and pm.response.json().

/** Index of the first character at which `text` stops being valid JSON (text.length: ended early). */
function jsonErrorIndex(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const fail: () => never = () => {
    throw i;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m[0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === "number" ? at : -1;
  }
}

function messageOf(cause: unknown): string {
  const message = cause !== null && typeof cause === "object" ? Reflect.get(cause, "message") : undefined;
  return String(message ?? cause);
}

/**
 * A JSONError worded like Postman's (`Unexpected token '<' at 1:1` plus the line and a caret), so
 * reports of a body that is not JSON read as Newman's do.
 */
export function jsonError(text: unknown, cause?: unknown): SyntaxError {
  const body = String(text ?? "");
  const at = jsonErrorIndex(body);
  let message: string;
  // JSON.parse(undefined) (e.g. responseBody after a request error) keeps V8's wording, as in Newman.
  if (text === undefined) message = '"undefined" is not valid JSON';
  else if (body.trim() === "") message = "No data, empty input at 1:1\n\n^";
  else if (at < 0 || at >= body.length) message = at < 0 ? messageOf(cause) : "Unexpected end of JSON input";
  else {
    const before = body.slice(0, at);
    const line = before.split("\n").length;
    const col = at - before.lastIndexOf("\n");
    const lineText = body.split("\n")[line - 1] ?? "";
    message = `Unexpected token '${body[at]}' at ${line}:${col}\n${lineText.slice(0, 79)}\n${" ".repeat(Math.max(0, col - 1))}^`;
  }
  const err = new SyntaxError(message);
  err.name = "JSONError";
  return err;
}
