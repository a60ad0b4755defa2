// What postman-collection's toJSON() answers for the objects scripts hold (Request, Url, RequestBody,
// lists, RequestAuth, Response): the collection format, with the SDK's property order, which scripts see in
// `JSON.stringify(pm.request)`. The prelude hands requests back to the engine in its own shape
// (request.ts `toDefinition`), so these shapes stay a script-facing matter. Runs inside QuickJS.
type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === "object" && v !== null;

/** `fields` without its undefined values (PropertyBase#toJSON leaves them out; null and false stay). */
export function defined(fields: Fields): Fields {
  const out: Fields = {};
  for (const k of Object.keys(fields)) if (fields[k] !== undefined) out[k] = fields[k];
  return out;
}

/** A copy of a plain value (the SDK's cloneElement), so a script changing the JSON changes nothing else. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isRecord(value)) return value;
  const out: Fields = {};
  for (const k of Object.keys(value)) out[k] = clone(value[k]);
  return out;
}

/**
 * A list member (header, query parameter, form field) as its Property#toJSON writes it: `disabled` first
 * (the Property constructor sets it before the member's own fields), a text description as
 * `{ content, type: "text/plain" }`.
 */
export function memberJson(item: Fields): Fields {
  const out: Fields = "disabled" in item ? { disabled: item.disabled } : {};
  for (const k of Object.keys(item)) {
    const v = item[k];
    if (k === "disabled" || v === undefined) continue;
    out[k] = k === "description" && typeof v === "string" ? { content: v, type: "text/plain" } : clone(v);
  }
  return out;
}

/** A Variable (path variable, auth parameter) as Variable#toJSON writes it: `{ type, value, key }`. */
export function variableJson(item: Fields): Fields {
  const { key, value, type, disabled, description } = item;
  return defined({
    ...(description === undefined ? {} : { description: memberJson({ description }).description }),
    ...(disabled === undefined ? {} : { disabled }),
    type: typeof type === "string" ? type : "any",
    value: clone(value),
    key,
  });
}

/** RequestAuth#toJSON: `type`, that type's parameters, then every other type's, each a Variable list. */
export function authJson(auth: unknown): unknown {
  if (!isRecord(auth) || typeof auth.type !== "string") return clone(auth);
  const out: Fields = { type: auth.type, [auth.type]: [] };
  for (const k of Object.keys(auth)) {
    const params = auth[k];
    if (k === "type") continue;
    if (Array.isArray(params)) out[k] = params.filter(isRecord).map(variableJson);
    else if (isRecord(params))
      out[k] = Object.keys(params).map((key) => variableJson({ key, value: params[key] }));
  }
  return out;
}

/** The UTF-8 bytes of a text, as Buffer#toJSON lists them (a lone surrogate becomes U+FFFD). */
export function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return bytes;
}
