// postman-sandbox runs a script as the body of a function whose parameters are its globals (uniscope),
// so a top-level `let`, `const` or `class` of one of those names does not compile in Newman:
// `const data = pm.response.json()` is "SyntaxError: Identifier 'data' has already been declared" and
// the script runs nothing. edgerun runs the body in an inner function, where such a declaration would
// compile; this finds it in the text instead, the same way for both script backends.

/** Newman's scope in every script: the ES built-ins uniscope allows, the sandbox's and legacy globals. */
const DECLARED = new Set(
  (
    "Object Function Array Number parseFloat parseInt Infinity NaN undefined Boolean String Symbol Date " +
    "Promise RegExp Error EvalError RangeError ReferenceError SyntaxError TypeError URIError JSON Math " +
    "ArrayBuffer Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array " +
    "Float64Array Uint8ClampedArray BigUint64Array BigInt64Array DataView Map BigInt Set WeakMap WeakSet " +
    "Proxy Reflect decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape isFinite isNaN " +
    "console SharedArrayBuffer Atomics _ CryptoJS tv4 cheerio atob btoa xml2Json Buffer pm postman " +
    "setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate request environment " +
    "globals data iteration tests bridge"
  ).split(" "),
);
/** The legacy response globals, in test scripts only. */
const DECLARED_IN_TESTS = new Set(
  "responseBody responseCode responseHeaders responseTime responseCookies".split(" "),
);
const LEXICAL = /\b(?:let|const|class)\b/;
const WORD = /[\w$]+/y;

/**
 * The first name a script declares at its top level with `let`/`const`/`class` that Newman's scope
 * already has, or undefined. A scanner, not a parser: strings, comments, templates and regular
 * expressions are skipped; declarations inside any bracket (blocks, functions, `for (…)`) are not top
 * level.
 */
export function redeclaredGlobal(source: string, testScript: boolean): string | undefined {
  if (!LEXICAL.test(source)) return undefined;
  const clashes = (name: string) => DECLARED.has(name) || (testScript && DECLARED_IN_TESTS.has(name));
  return topLevelBindings(tokenize(source)).find(clashes);
}

interface Token {
  /** `id` for identifiers and keywords, `p` for punctuators, `v` for any other value (string, number…). */
  kind: "id" | "p" | "v";
  text: string;
  depth: number;
}

/** Punctuators after which a `/` starts a regular expression, and keywords that do the same. */
const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void"]);
const REGEX_AFTER_PUNCT = /^[^)\]}]$|^$/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  const templates: number[] = []; // depth at each open `${`
  let i = 0;
  const push = (kind: Token["kind"], text: string) => out.push({ kind, text, depth });
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === "/" && src[i + 1] === "/") i = lineEnd(src, i);
    else if (c === "/" && src[i + 1] === "*") i = blockEnd(src, i);
    else if (c === "'" || c === '"') {
      i = quoteEnd(src, i, c);
      push("v", "");
    } else if (c === "`") {
      i = templatePart(src, i + 1, templates, depth);
      push("v", "");
    } else if (c === "}" && templates.length > 0 && templates[templates.length - 1] === depth) {
      templates.pop();
      i = templatePart(src, i + 1, templates, depth);
    } else if (/[A-Za-z_$\d]/.test(c)) {
      WORD.lastIndex = i;
      const m = WORD.exec(src) as RegExpExecArray;
      push(/^\d/.test(m[0]) ? "v" : "id", m[0]);
      i += m[0].length;
    } else if (c === "/" && regexAllowed(out[out.length - 1])) {
      i = regexEnd(src, i);
      push("v", "");
    } else {
      // A bracket has the depth outside it; what it encloses is one deeper.
      if (c === ")" || c === "]" || c === "}") depth = Math.max(0, depth - 1);
      push("p", c);
      if (c === "(" || c === "[" || c === "{") depth++;
      i++;
    }
  }
  return out;
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === "id") return REGEX_AFTER_WORD.has(prev.text);
  return prev.kind === "p" && REGEX_AFTER_PUNCT.test(prev.text);
}

function lineEnd(src: string, i: number): number {
  const n = src.indexOf("\n", i);
  return n < 0 ? src.length : n;
}

function blockEnd(src: string, i: number): number {
  const n = src.indexOf("*/", i + 2);
  return n < 0 ? src.length : n + 2;
}

function quoteEnd(src: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < src.length && src[j] !== quote && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** From inside a template: to its end, or past a `${` (whose `}` resumes the template). */
function templatePart(src: string, i: number, templates: number[], depth: number): number {
  let j = i;
  while (j < src.length) {
    if (src[j] === "\\") j += 2;
    else if (src[j] === "`") return j + 1;
    else if (src[j] === "$" && src[j + 1] === "{") {
      templates.push(depth);
      return j + 2;
    } else j++;
  }
  return j;
}

function regexEnd(src: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && src[j] !== "\n") {
    const c = src[j];
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
    j++;
  }
  j++;
  while (j < src.length && /[a-z]/.test(src[j] as string)) j++;
  return j;
}

/** Words that start a statement: an initializer without `;` (automatic semicolon) ends before one. */
const STATEMENT_WORDS = new Set(
  "let const var class function if for while do switch try return throw break continue".split(" "),
);
/** After these a `class` is an expression (`x = class …`), not a declaration. */
const CLASS_EXPRESSION_AFTER = new Set(
  "= ( , : ? [ ! & | + - * / % < > ^ ~ return typeof void new extends".split(" "),
);

/** The names bound by top-level `let`/`const`/`class` declarations, in source order. */
function topLevelBindings(tokens: Token[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "id" || t.depth !== 0) continue;
    const prev = tokens[i - 1];
    if (prev?.kind === "p" && prev.text === ".") continue;
    const next = tokens[i + 1];
    if (t.text === "class" && next?.kind === "id" && !(prev && CLASS_EXPRESSION_AFTER.has(prev.text)))
      names.push(next.text);
    else if (
      (t.text === "let" || t.text === "const") &&
      next &&
      (next.kind === "id" || /^[{[]$/.test(next.text))
    )
      i = declarators(tokens, i + 1, names) - 1;
  }
  return names;
}

/** Reads `a = …, { b, c: d } = …, [e] = …` from `i`; returns the index after the declaration. */
function declarators(tokens: Token[], start: number, names: string[]): number {
  let i = start;
  for (;;) {
    const t = tokens[i];
    if (!t) return i;
    if (t.kind === "id") {
      names.push(t.text);
      i++;
    } else if (t.text === "{" || t.text === "[") i = pattern(tokens, i, names);
    else return i;
    if (tokens[i]?.text === "=") i = initializerEnd(tokens, i + 1);
    if (tokens[i]?.text !== ",") return i;
    i++;
  }
}

/** Skips an initializer: to the next top-level `,` or `;`, or a word that starts a statement. */
function initializerEnd(tokens: Token[], start: number): number {
  let i = start;
  for (; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.depth !== 0) continue;
    if (t.kind === "p" && (t.text === "," || t.text === ";")) return i;
    if (t.kind === "id" && STATEMENT_WORDS.has(t.text) && i > start) return i;
  }
  return i;
}

/** A destructuring pattern from its `{`/`[` at `start`: binding names, not keys or defaults. */
function pattern(tokens: Token[], start: number, names: string[]): number {
  const depth = (tokens[start] as Token).depth; // inside the pattern: depth + 1
  let i = start + 1;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.depth === depth && t.kind === "p" && (t.text === "}" || t.text === "]")) return i + 1;
    const next = tokens[i + 1];
    if (t.depth === depth + 1 && t.kind === "p" && t.text === "=") {
      i = defaultEnd(tokens, i + 1, depth + 1);
      continue;
    }
    if (t.kind === "id" && t.depth > depth && !(next?.kind === "p" && next.text === ":")) {
      const prev = tokens[i - 1];
      if (!(prev?.kind === "p" && prev.text === ".")) names.push(t.text);
    }
    i++;
  }
  return i;
}

function defaultEnd(tokens: Token[], start: number, depth: number): number {
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.depth < depth) return i;
    if (t.depth === depth && t.kind === "p" && t.text === ",") return i;
    i++;
  }
  return i;
}
