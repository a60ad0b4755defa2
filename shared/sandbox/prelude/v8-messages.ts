// Error messages worded like V8's (Newman runs scripts in Node), from QuickJS's. Where QuickJS leaves
// out what V8 names (the callee of "x is not a function", the key of a computed property read), the
// expression is recovered from the script's source at the position in the error's stack.
import { operatorMessage } from "./v8-operators";

/** The file name user scripts are compiled under, and how many lines the host's wrapper adds before them. */
export const SCRIPT_FILE = "script.js";
export const SCRIPT_HEADER_LINES = 2;

/** A field of a thrown value, which may be anything (`throw "text"`, a QuickJS error, a plain object). */
function field(error: unknown, key: "message" | "stack" | "name"): unknown {
  return error !== null && (typeof error === "object" || typeof error === "function")
    ? Reflect.get(error, key)
    : undefined;
}

// `at f (script.js:3:14)` for a runtime error, `at script.js:3:14` for a syntax error.
const FRAME = new RegExp(`\\(?${SCRIPT_FILE.replace(".", "\\.")}:(\\d+):(\\d+)\\)?`);
const NATIVE_FRAME = /^\s*at ([\w$]+) \(native\)/;

/**
 * Index in `source` of the innermost user-script frame of `error`'s stack, or -1; `native`: that frame
 * is the caller of the native function the error was thrown in (`at RegExp (native)`).
 */
function positionOf(error: unknown, source: string, native?: string): number {
  // Only when the innermost frame is the script's own: an error thrown inside a library or the
  // prelude must not be blamed on the script's call into it.
  const frames = String(field(error, "stack") ?? "")
    .split("\n")
    .filter((l) => l.trim().startsWith("at "));
  if (native && !new RegExp(`^\\s*at ${native} \\(native\\)`).test(frames[0] ?? "")) return -1;
  const first = frames[native ? 1 : 0];
  const m = first ? FRAME.exec(first) : null;
  if (!m) return -1;
  return indexOf(source, Number(m[1]) - SCRIPT_HEADER_LINES, Number(m[2]) - 1);
}

/** Index in `source` of 1-based `line`, 0-based `col`, or -1 when it is not in it. */
function indexOf(source: string, line: number, col: number): number {
  if (line < 1) return -1;
  let index = 0;
  for (let l = 1; l < line; l++) {
    index = source.indexOf("\n", index) + 1;
    if (index === 0) return -1;
  }
  return index + col < source.length ? index + col : -1;
}

const IDENT_CHAR = /[\w$]/;

/** Index of the bracket that opens the group closing at `end` (`)` or `]`), or -1. */
function openingOf(src: string, end: number): number {
  const close = src[end];
  const open = close === ")" ? "(" : "[";
  let depth = 0;
  for (let i = end; i >= 0; i--) {
    if (src[i] === close) depth++;
    else if (src[i] === open && --depth === 0) return i;
  }
  return -1;
}

/** `['a']` → `.a`, `[0]` → `[0]`, anything else as written. */
function renderIndex(inner: string): string {
  const m = /^\s*(['"])([A-Za-z_$][\w$]*)\1\s*$/.exec(inner);
  return m ? `.${m[2]}` : `[${inner.trim()}]`;
}

/** V8's rendering of the callee ending just before index `end`: `pm.response.json(...).name.nope`. */
function calleeBefore(src: string, end: number): string {
  let j = end - 1;
  let out = "";
  for (let guard = 0; guard < 50; guard++) {
    while (j >= 0 && /\s/.test(src[j] ?? "")) j--;
    const c = src[j];
    if (c === ")" || c === "]") {
      const open = openingOf(src, j);
      if (open < 0) return "";
      out = (c === ")" ? "(...)" : renderIndex(src.slice(open + 1, j))) + out;
      j = open - 1;
      continue;
    }
    if (!c || !IDENT_CHAR.test(c)) return "";
    let k = j;
    while (k > 0 && IDENT_CHAR.test(src[k - 1] ?? "")) k--;
    out = src.slice(k, j + 1) + out;
    j = k - 1;
    while (j >= 0 && /\s/.test(src[j] ?? "")) j--;
    if (src[j] !== ".") return out;
    out = `.${out}`;
    j -= src[j - 1] === "?" ? 2 : 1;
  }
  return "";
}

/** The literal key of the `[…]` opening at `open`, or undefined when it is an expression. */
function keyAt(src: string, open: number): string | undefined {
  if (src[open] !== "[") return undefined;
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "[") depth++;
    else if (src[i] === "]" && --depth === 0) {
      const m = /^\s*(?:(['"])(.*)\1|(\d+))\s*$/.exec(src.slice(open + 1, i));
      return m ? (m[2] ?? m[3]) : undefined;
    }
  }
  return undefined;
}

/** V8's wording for the token at `at`: `Unexpected token ')'`, `Unexpected identifier 'b'`, … */
function unexpectedAt(src: string, at: number): string {
  const rest = src.slice(at);
  if (rest.trim() === "") return "Unexpected end of input";
  const word = /^[A-Za-z_$][\w$]*/.exec(rest);
  const KEYWORDS =
    /^(?:break|case|catch|class|const|continue|debugger|default|delete|do|else|export|extends|finally|for|function|if|import|in|instanceof|new|return|super|switch|this|throw|try|typeof|var|void|while|with|yield|null|true|false|enum)$/;
  if (word)
    return KEYWORDS.test(word[0]) ? `Unexpected token '${word[0]}'` : `Unexpected identifier '${word[0]}'`;
  if (/^\d/.test(rest)) return "Unexpected number";
  if (/^['"`]/.test(rest)) return "Unexpected string";
  return `Unexpected token '${rest[0]}'`;
}

/** Messages V8 words after the native function that threw (`at toFixed (native)`). */
const BY_NATIVE: Record<string, Record<string, string>> = {
  "invalid number of digits": {
    toFixed: "toFixed() digits argument must be between 0 and 100",
    toPrecision: "toPrecision() argument must be between 1 and 100",
    toExponential: "toExponential() argument must be between 0 and 100",
  },
  "not an object": {
    defineProperty: "Object.defineProperty called on non-object",
    defineProperties: "Object.defineProperties called on non-object",
  },
};

/** Messages recovered from the token at the error's position in the source. */
function fromToken(message: string, source: string, at: number): string | undefined {
  if (/^(?:expecting '.+'|variable name expected|unexpected token(?: in expression)?: '.*')$/.test(message)) {
    // A script body is not async in Newman either: QuickJS reads `await x` there as two identifiers.
    if (/(^|[^\w$.])await\s*$/.test(source.slice(0, at)))
      return "await is only valid in async functions and the top level bodies of modules";
    return unexpectedAt(source, at);
  }
  if (message === "function name expected") {
    // QuickJS points at the token after `function`: `(` is V8's nameless function statement.
    const token = /\S/.exec(source.slice(at));
    const next = token ? at + token.index : at;
    return source[next] === "(" ? "Function statements require a function name" : unexpectedAt(source, next);
  }
  if (message === "invalid redefinition of lexical identifier") {
    // QuickJS points just past the redeclared name.
    const name = /([A-Za-z_$][\w$]*)\s*$/.exec(source.slice(0, at));
    return name ? `Identifier '${name[1]}' has already been declared` : message;
  }
  return undefined;
}

const SIMPLE: Array<[RegExp, string]> = [
  [/^'([^']+)' is not defined$/, "$1 is not defined"],
  [/^cannot read property '([^']*)' of (null|undefined)$/, "Cannot read properties of $2 (reading '$1')"],
  [/^cannot set property '([^']*)' of (null|undefined)$/, "Cannot set properties of $2 (setting '$1')"],
  [/^unexpected token(?: in expression)?: '(.+)'$/, "Unexpected token '$1'"],
  [/^cannot convert to object$/, "Cannot convert undefined or null to object"],
  [/^empty array$/, "Reduce of empty array with no initial value"],
  [/^invalid array length$/, "Invalid array length"],
  [/^stack overflow$/, "Maximum call stack size exceeded"],
  [/^cannot convert bigint to number$/, "Cannot mix BigInt and other types, use explicit conversions"],
  [/^cannot convert symbol to string$/, "Cannot convert a Symbol value to a string"],
  [/^unexpected end of string$/, "Invalid or unexpected token"],
];

const OPERAND = /^[A-Za-z_$][\w$]*(?:\s*(?:\?\.|\.)\s*[A-Za-z_$][\w$]*)*/;

/**
 * V8's `o is not iterable` for spreading or iterating a value that is not iterable, the operand as
 * written; V8 adds `(cannot read property null)` when the spread of a null or undefined is an argument.
 */
function notIterable(message: string, source: string, at: number): string | undefined {
  const nullish = /^cannot read property 'Symbol\.iterator' of (null|undefined)$/.exec(message);
  if (!nullish && message !== "value is not iterable") return undefined;
  // QuickJS may point at the last property of a member operand (`r.a`): back up to its start.
  let start = at;
  while (start > 0 && /[\w$.?]/.test(source[start - 1] ?? "") && source.slice(start - 3, start) !== "...")
    start--;
  const operand = OPERAND.exec(source.slice(start))?.[0];
  if (!operand) return undefined;
  const before = source.slice(0, start);
  const spread = /\.\.\.\s*$/.test(before);
  if (!spread && !/(^|[^\w$])of\s+$/.test(before)) return undefined;
  let depth = 0;
  let opener = "";
  for (let i = before.length - 1; i >= 0 && !opener; i--) {
    const c = before[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      if (depth === 0) opener = c;
      else depth--;
    }
  }
  if (spread && opener === "(" && nullish)
    return `${operand} is not iterable (cannot read property ${nullish[1]})`;
  if (spread && opener === "(") return "Spread syntax requires ...iterable[Symbol.iterator] to be a function";
  return `${operand} is not iterable`;
}

const REGEXP_REASONS: Record<string, (pattern: string) => string | undefined> = {
  "expecting ')'": () => "Unterminated group",
  "nothing to repeat": () => "Nothing to repeat",
  "extraneous characters at the end": (p) => (p.includes(")") ? "Unmatched ')'" : undefined),
  "unexpected end": (p) =>
    /(^|[^\\])(\\\\)*\\$/.test(p)
      ? "\\ at end of pattern"
      : p.includes("[")
        ? "Unterminated character class"
        : undefined,
};
const STRING_ARG = /^(['"])((?:\\.|(?!\1).)*)\1/;

/** The value of the string literal at the start of `text` (a plain `'…'` or `"…"`), or undefined. */
function literalAt(text: string): { value: string; length: number } | undefined {
  const m = STRING_ARG.exec(text);
  if (!m) return undefined;
  try {
    return {
      value: JSON.parse(`"${m[1] === '"' ? m[2] : (m[2] ?? "").replace(/\\'/g, "'").replace(/"/g, '\\"')}"`),
      length: m[0].length,
    };
  } catch {
    return undefined;
  }
}

const EVAL_FRAME = /^\s*at <input>:(\d+):(\d+)/;

/**
 * A SyntaxError of code built from a string (`eval('{"a":1}')`, `new Function('a b')`): QuickJS places
 * it in `<input>`, not in the script. With the string written as a literal in the call, it is worded from
 * that text; else from QuickJS's message alone (the token it names, or the message as it is): the
 * script's own source says nothing about it. Undefined when the error is not from such code.
 */
function builtCodeMessage(error: unknown, message: string, source: string): string | undefined {
  const frames = String(field(error, "stack") ?? "")
    .split("\n")
    .filter((l) => l.trim().startsWith("at "));
  const where = EVAL_FRAME.exec(frames[0] ?? "");
  if (!where) return undefined;
  const caller = FRAME.exec(frames[1] ?? "");
  const call = caller ? indexOf(source, Number(caller[1]) - SCRIPT_HEADER_LINES, Number(caller[2]) - 1) : -1;
  const text = call >= 0 && source[call] === "(" ? literalAt(source.slice(call + 1).trimStart()) : undefined;
  if (text) {
    const at = indexOf(text.value, Number(where[1]), Number(where[2]) - 1);
    const worded = fromToken(message, text.value, at < 0 ? text.value.length : at);
    if (worded) return worded;
  }
  const token = /^unexpected token(?: in expression)?: '(.*)'$/.exec(message);
  return token ? unexpectedAt(token[1] ?? "", 0) : message;
}

/** V8's `Invalid regular expression: /(/: Unterminated group` for `new RegExp('(')` with literal arguments. */
function regexpMessage(error: unknown, message: string, source: string): string | undefined {
  const at = positionOf(error, source, "RegExp");
  if (at < 0 || source[at] !== "(") return undefined;
  let rest = source.slice(at + 1).trimStart();
  const pattern = literalAt(rest);
  if (!pattern) return undefined;
  rest = rest.slice(pattern.length).trimStart();
  let flags = "";
  if (rest[0] === ",") {
    const f = literalAt(rest.slice(1).trimStart());
    if (!f) return undefined;
    flags = f.value;
  }
  if (message === "invalid regular expression flags")
    return `Invalid flags supplied to RegExp constructor '${flags}'`;
  const reason = REGEXP_REASONS[message]?.(pattern.value);
  return reason && `Invalid regular expression: /${pattern.value}/${flags}: ${reason}`;
}

/** Newman's (V8's) wording of a script error's message; `source` is the script that threw. */
export function v8Message(error: unknown, source: unknown): string {
  const message = String(field(error, "message") ?? error);
  const name = field(error, "name");
  const native = NATIVE_FRAME.exec(String(field(error, "stack") ?? ""))?.[1];
  const byNative = native ? BY_NATIVE[message]?.[native] : undefined;
  if (byNative) return byNative;
  // QuickJS says what was wrong ("expecting hex digit", "malformed UTF-8"); V8 has one message for all.
  if (name === "URIError") return "URI malformed";
  const readOnly = /^'([\w$]+)' is read-only$/.exec(message);
  if (readOnly && typeof source === "string" && new RegExp(`\\bconst\\s+${readOnly[1]}\\b`).test(source))
    return "Assignment to constant variable.";
  if (native === "RegExp" && name === "SyntaxError" && typeof source === "string") {
    const worded = regexpMessage(error, message, source);
    if (worded) return worded;
  }
  if (name === "SyntaxError" && typeof source === "string") {
    const built = builtCodeMessage(error, message, source);
    if (built !== undefined) return built;
    const at = positionOf(error, source);
    const worded = fromToken(message, source, at < 0 ? source.length : at);
    if (worded) return worded;
  }
  if (name === "TypeError" && typeof source === "string" && /\biter/.test(message)) {
    const at = positionOf(error, source);
    const worded = at < 0 ? undefined : notIterable(message, source, at);
    if (worded) return worded;
  }
  if (name === "TypeError" && typeof source === "string" && !native) {
    const worded = operatorMessage(message, source, positionOf(error, source));
    if (worded) return worded;
  }
  for (const [re, to] of SIMPLE) if (re.test(message)) return message.replace(re, to);
  if (message === "class constructors must be invoked with 'new'") {
    // V8 names the class; QuickJS throws inside it, so its frame is the stack's first (`at A (…)`).
    const name = /^\s*at ([\w$]+) \(/m.exec(String(field(error, "stack") ?? ""))?.[1];
    if (name) return `Class constructor ${name} cannot be invoked without 'new'`;
  }
  const access = /^cannot (read|set) property of (null|undefined)$/.exec(message);
  if (message !== "not a function" && !access) return message;
  if (typeof source !== "string") return message;
  const at = positionOf(error, source);
  if (at < 0) return message;
  if (access) {
    const key = keyAt(source, at);
    if (key === undefined) return message;
    return access[1] === "read"
      ? `Cannot read properties of ${access[2]} (reading '${key}')`
      : `Cannot set properties of ${access[2]} (setting '${key}')`;
  }
  const constructed =
    /^new\s+([\w$.]+)/.exec(source.slice(at)) ?? /\bnew\s+([\w$.]+)\s*$/.exec(source.slice(0, at));
  if (constructed) return `${constructed[1]} is not a constructor`;
  if (source[at] === "(" || source[at] === "`") {
    const callee = calleeBefore(source, at);
    if (callee) return `${callee} is not a function`;
  }
  return message;
}

/** V8's error name: QuickJS throws a stack overflow as an InternalError, V8 as a RangeError. */
export function v8Name(error: unknown): string {
  const name = String(field(error, "name") || "Error");
  return name === "InternalError" && /stack overflow/.test(String(field(error, "message")))
    ? "RangeError"
    : name;
}
