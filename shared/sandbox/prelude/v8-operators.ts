// V8's wording for the `in` and `instanceof` operators and for destructuring a nullish value. QuickJS
// names neither operand ("invalid 'in' operand", "cannot convert to object"), and the values are gone
// once the error is thrown, so the operands are recovered from the script's text: a literal, or a name
// the script declares once with a literal value (or none) and never assigns again. Where that does not
// determine the value, the message is left as QuickJS words it (see README, deliberate differences).

/** A value known from the source; `object` stands for any object literal (`{}`, `[]`). */
type Known = { value: unknown } | { object: true };

const NAME = /^[A-Za-z_$][\w$]*$/;
const escapeName = (s: string) => s.replace(/[$]/g, "\\$");

/** The value of a literal written as `text` (`undefined`, `null`, `true`, `5`, `'x'`, `{}`), if it is one. */
function literal(text: string): Known | undefined {
  const t = text.trim();
  if (t === "undefined") return { value: undefined };
  if (t === "null") return { value: null };
  if (t === "true" || t === "false") return { value: t === "true" };
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return { value: Number(t) };
  const str = /^(['"])((?:\\.|(?!\1).)*)\1$/.exec(t);
  if (str) return { value: (str[2] ?? "").replace(/\\(.)/g, "$1") };
  if (/^(?:\{[^{}]*\}|\[[^[\]]*\])$/.test(t)) return { object: true };
  return undefined;
}

/** The value of `name` when the script declares it once (`var n;`, `let n = null`) and never reassigns it. */
function declared(name: string, source: string): Known | undefined {
  const n = escapeName(name);
  const decls = [...source.matchAll(/\b(?:var|let|const)\s+([^;\n]*)/g)].flatMap((m) =>
    (m[1] ?? "").split(","),
  );
  const mine = decls.map((d) => new RegExp(`^\\s*${n}\\s*(?:=\\s*(.*))?$`).exec(d)).filter((m) => m !== null);
  if (mine.length !== 1) return undefined;
  // Assignments after the declaration (`n = …`, `n += …`, `n++`, `--n`) make the value unknown.
  const writes = source.match(
    new RegExp(`(?<![\\w$.])${n}\\s*(?:[-+*/%&|^]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*${n}\\b`, "g"),
  );
  const init = mine[0]?.[1];
  if ((writes?.length ?? 0) > (init === undefined ? 0 : 1)) return undefined;
  return init === undefined ? { value: undefined } : literal(init);
}

/** What the operand written as `text` is known to hold. */
function operandValue(text: string, source: string): Known | undefined {
  const t = text.trim();
  return literal(t) ?? (NAME.test(t) && t !== "this" ? declared(t, source) : undefined);
}

const render = (v: unknown) => (typeof v === "string" ? v : String(v));

const OPERAND = String.raw`(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$]*|\{[^{}]*\}|\[[^[\]]*\])`;

/** `'x' in undefined` → V8's `Cannot use 'in' operator to search for 'x' in undefined`. */
function inMessage(source: string, at: number): string | undefined {
  const m = new RegExp(`(${OPERAND})\\s*in\\s+(${OPERAND})`, "y");
  // QuickJS points at the `in` keyword: the left operand ends just before it.
  for (let start = Math.max(0, at - 200); start <= at; start++) {
    m.lastIndex = start;
    const hit = m.exec(source);
    if (!hit || start + hit[0].indexOf("in", (hit[1] ?? "").length) !== at) continue;
    const key = operandValue(hit[1] ?? "", source);
    const target = operandValue(hit[2] ?? "", source);
    if (!key || !target || !("value" in key) || !("value" in target)) return undefined;
    return `Cannot use 'in' operator to search for '${render(key.value)}' in ${render(target.value)}`;
  }
  return undefined;
}

/** `x instanceof o`: V8 says the right side is not an object (a primitive) or not callable (an object). */
function instanceofMessage(source: string, at: number): string | undefined {
  const line = source.slice(at, source.indexOf("\n", at) < 0 ? source.length : source.indexOf("\n", at));
  const hit = new RegExp(`\\binstanceof\\s+(${OPERAND})`).exec(line);
  const target = hit ? operandValue(hit[1] ?? "", source) : undefined;
  if (!target) return undefined;
  return "object" in target || (typeof target.value === "object" && target.value !== null)
    ? "Right-hand side of 'instanceof' is not callable"
    : "Right-hand side of 'instanceof' is not an object";
}

const PATTERN = /(?:\b(?:var|let|const)\s*|\(\s*)\{([^{}]*)\}\s*=\s*([^;\n)]+)/g;

/**
 * `const {a} = u` with `u` undefined → `Cannot destructure property 'a' of 'u' as it is undefined.`.
 * QuickJS places this error at the start of the enclosing function, so the pattern is found by text:
 * only when exactly one destructuring in the script has a right side known to be null or undefined.
 */
function destructureMessage(source: string): string | undefined {
  const nullish = [...source.matchAll(PATTERN)].filter((m) => {
    const v = operandValue(m[2] ?? "", source);
    return v && "value" in v && (v.value === undefined || v.value === null);
  });
  if (nullish.length !== 1) return undefined;
  const [, pattern = "", rhs = ""] = nullish[0] ?? [];
  const known = operandValue(rhs, source);
  const kind = known && "value" in known ? String(known.value) : "undefined";
  const first = /^\s*([A-Za-z_$][\w$]*)/.exec(pattern.split(",")[0] ?? "")?.[1];
  return first
    ? `Cannot destructure property '${first}' of '${rhs.trim()}' as it is ${kind}.`
    : `Cannot destructure '${rhs.trim()}' as it is ${kind}.`;
}

/**
 * V8's wording for a QuickJS operator error at index `at` of `source` (`at` < 0: the position is not in
 * the script's own text, as for destructuring), or undefined when the operands cannot be recovered.
 */
export function operatorMessage(message: string, source: string, at: number): string | undefined {
  if (message === "invalid 'in' operand") return at < 0 ? undefined : inMessage(source, at);
  if (message === "invalid 'instanceof' right operand")
    return at < 0 ? undefined : instanceofMessage(source, at);
  if (message === "cannot convert to object") return destructureMessage(source);
  return undefined;
}
