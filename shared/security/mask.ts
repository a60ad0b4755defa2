/**
 * Secret masking for every output a run produces (events, and therefore SSE, reports, history and the
 * CLI). Scripts still see real values; only what leaves the engine is masked.
 *
 * Masked wherever they reappear (headers, URLs, bodies, console, assertion and error messages):
 * - values of secret-typed variables, including ones a script sets during the run (`…set(k, v, 'secret')`);
 * - credential auth parameters (bearer token, basic/digest/NTLM password, API key value, OAuth and AWS
 *   secrets…), and for basic auth also `user:password` and its base64 form;
 * - credential header values written in the collection (`Authorization`, `Proxy-Authorization`, `Cookie`,
 *   `X-Api-Key`…): the whole value, the part after the scheme, decoded basic credentials, cookie values;
 * - the same headers as actually sent (digest/OAuth signatures, script-added headers) within their own
 *   event, and the password of URL userinfo (`http://user:pw@host`, masked in place).
 * Every form is also masked URL-encoded and base64-encoded.
 *
 * Not masked: text written in the collection itself — item, folder and collection names and ids, and
 * assertion names that appear verbatim in a script — so a secret that happens to be an ordinary word
 * ("password") does not rewrite "Digest auth wrong password". Values shorter than 4 characters and the
 * JSON words true/false/null/undefined are never searched for in free text (they would mask innocent
 * text everywhere); they are still masked by position: credential headers by name, secret-typed
 * variables in exported scopes by type, URL userinfo in place.
 */
import type { AuthDefinition, KV, Scopes } from "../engine/types";
import { makeResolver } from "../engine/variables";
import type { Masker } from "./masker";

export const MASK = "********";
const MIN_SECRET_LENGTH = 4;
const NEVER_SEARCHED = new Set(["true", "false", "null", "undefined"]);
const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-amz-security-token",
]);
const SECRET_AUTH_KEYS = new Set([
  "password",
  "token",
  "value",
  "accessToken",
  "refreshToken",
  "clientSecret",
  "clientToken",
  "consumerSecret",
  "tokenSecret",
  "secretKey",
  "sessionToken",
  "authKey",
  "secret",
  "privateKey",
  "apiKey",
]);
/** Parameters of digest / OAuth `Authorization` values that are derived from the credentials. */
const SECRET_HEADER_PARAMS = new Set(["response", "oauth_signature", "signature", "oauth_token"]);

/** The scopes a run's secrets are read from (secret-typed variables; credential templates resolve against them). */
export type ScopeSet = Pick<Scopes, "globals" | "collection" | "environment"> &
  Partial<Pick<Scopes, "local">>;

/** Credential-bearing text of a collection before variable resolution (collected once per run). */
export interface CredentialTemplates {
  /** Header name → value templates, auth parameter templates, URL userinfo templates. */
  headers: Array<{ key: string; value: string }>;
  values: string[];
  /** Basic-auth `[username, password]` templates. */
  pairs: Array<[string, string]>;
}

/** True for a header whose value is a credential and is masked by name. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}

/** Collects the credential templates of the requests a run may send (headers, auth, URL userinfo). */
export function credentialTemplates(
  requests: Array<{ headers: KV[]; auth?: AuthDefinition | undefined; url?: { auth?: string } }>,
): CredentialTemplates {
  const out: CredentialTemplates = { headers: [], values: [], pairs: [] };
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key));
  for (const r of requests) {
    for (const h of r.headers)
      if (isSensitiveHeader(h.key) && typeof h.value === "string" && once(`h${h.key}\u0000${h.value}`))
        out.headers.push({ key: h.key, value: h.value });
    const userinfo = r.url?.auth;
    if (userinfo && once(`u${userinfo}`)) out.values.push(userinfo.slice(userinfo.indexOf(":") + 1));
    const auth = r.auth;
    const params = auth?.[auth.type];
    if (!auth || !Array.isArray(params)) continue;
    const param = (k: string) => params.find((p) => p.key === k)?.value;
    for (const p of params) {
      if (auth.type === "apikey" && p.key !== "value") continue;
      if (SECRET_AUTH_KEYS.has(p.key) && typeof p.value === "string" && once(`v${p.value}`))
        out.values.push(p.value);
    }
    const [user, pw] = [param("username"), param("password")];
    if (auth.type === "basic" && typeof pw === "string" && once(`b${user}\u0000${pw}`))
      out.pairs.push([typeof user === "string" ? user : "", pw]);
  }
  return out;
}

function tryAtob(text: string): string | null {
  try {
    return /^[A-Za-z0-9+/]+=*$/.test(text) ? atob(text) : null;
  } catch {
    return null;
  }
}

/** The secret forms inside one credential header value (whole value, token after the scheme, decoded basic, cookie values…). */
export function credentialForms(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  const out = [value];
  if (lower === "cookie" || lower === "set-cookie") {
    const pairs = lower === "cookie" ? value.split(";") : [value.split(";")[0] ?? ""];
    for (const pair of pairs) out.push(pair.slice(pair.indexOf("=") + 1).trim());
    return out;
  }
  const m = /^([A-Za-z][\w-]*)\s+(\S[\s\S]*)$/.exec(value.trim());
  if (!m || (lower !== "authorization" && lower !== "proxy-authorization")) return out;
  const [, scheme = "", rest = ""] = m;
  out.push(rest);
  const decoded = scheme.toLowerCase() === "basic" ? tryAtob(rest) : null;
  if (decoded !== null) out.push(decoded, decoded.slice(decoded.indexOf(":") + 1));
  for (const [, k = "", v = ""] of rest.matchAll(/([\w-]+)="([^"]*)"/g))
    if (SECRET_HEADER_PARAMS.has(k.toLowerCase())) out.push(v, safeDecode(v));
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Keeps the values worth searching for in free text (see the module comment for the policy). */
export function searchable(values: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const v of values)
    if (v.length >= MIN_SECRET_LENGTH && !NEVER_SEARCHED.has(v.toLowerCase()) && !v.includes("{{"))
      out.add(v);
  return [...out];
}

/** Secret-typed variable values of the given scopes. */
function scopeSecrets(sets: ScopeSet[]): string[] {
  const out: string[] = [];
  for (const s of sets)
    for (const list of [s.globals, s.collection, s.environment, s.local ?? []])
      for (const v of list)
        if (v.type === "secret" && v.value !== null && v.value !== undefined && v.value !== "")
          out.push(typeof v.value === "string" ? v.value : JSON.stringify(v.value));
  return out;
}

/** Every secret of a run for the given scopes: secret-typed values and the credential templates resolved with them. */
export function collectSecrets(src: {
  scopes: ScopeSet[];
  templates: CredentialTemplates;
  extra?: string[];
}): string[] {
  const out = [...(src.extra ?? []), ...scopeSecrets(src.scopes)];
  const t = src.templates;
  for (const s of src.scopes) {
    const resolve = makeResolver({ ...s, local: s.local ?? [], data: {} });
    for (const v of t.values) out.push(resolve(v));
    for (const [user, pw] of t.pairs) out.push(resolve(pw), `${resolve(user)}:${resolve(pw)}`);
    for (const h of t.headers) out.push(...credentialForms(h.key, resolve(h.value)));
  }
  return searchable(out);
}

export function variants(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(btoa(secret));
  } catch {
    // not Latin-1: no base64 form to hide
  }
  return [...forms];
}

/** Recently compiled secret sets: every Runner (a slice, a checkpointed step) rebuilds its masker. */
const compiled = new Map<string, RegExp | null>();
const COMPILED_KEEP = 16;

export function compile(secrets: string[]): RegExp | null {
  const forms = [...new Set(secrets.flatMap(variants))].sort(
    (a, b) => b.length - a.length || (a < b ? -1 : 1),
  );
  const key = forms.join("\u0000");
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  // Global regexes are safe to share: `replace` resets `lastIndex` before and after use.
  const re = forms.length
    ? new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
    : null;
  if (compiled.size >= COMPILED_KEEP) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, re);
  return re;
}

/** Masks the userinfo of a URL in place: the password, or a lone user name (often a token). */
export function maskUrlUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return `${scheme}${colon >= 0 ? `${info.slice(0, colon)}:${MASK}` : MASK}@`;
  });
}

export function userinfoSecret(url: string): string[] {
  const info = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url)?.[1];
  if (!info) return [];
  const pw = info.slice(info.indexOf(":") + 1);
  return [pw, safeDecode(pw)];
}

/**
 * Recognises text written in the collection: exact names and ids, and the assertion names scripts
 * declare as string literals (`pm.test('name', …)`, `tests["name"]`; template literals with `${}` are
 * computed, so they do not count). Parsed lazily, the first time a masked name needs the answer.
 */
export function staticText(src: { names: string[]; sources: string[] }): (text: string) => boolean {
  const names = new Set(src.names);
  let parsed = false;
  return (text) => {
    if (!parsed) {
      parsed = true;
      for (const source of src.sources) for (const name of declaredTestNames(source)) names.add(name);
    }
    return names.has(text);
  };
}

function declaredTestNames(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(TEST_NAME)) {
    const literal = m[0].slice(m[0].indexOf(m[1] ?? "'"));
    if (literal.startsWith("`") && literal.includes("${")) continue;
    out.push(literal.slice(1, -1).replace(/\\(.)/g, "$1"));
  }
  return out;
}

/** `pm.test('name', …)`, `pm.test.skip("name")`, `tests["name"]`: the assertion names written in a script. */
const TEST_NAME = /(?:\bpm\.test(?:\.skip)?\(\s*|\btests\[\s*)(['"`])(?:\\.|(?!\1)[^\\])*\1/g;

/** Masks script source except the assertion names it declares (they are the collection's own text). */
export function maskScriptSource(source: string, mask: (text: string) => string): string {
  let out = "";
  let last = 0;
  for (const m of source.matchAll(TEST_NAME)) {
    out += mask(source.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + mask(source.slice(last));
}

/** Keys whose string values are the collection's own names and ids: never rewritten. */
const STATIC_KEYS = new Set(["name", "id"]);

/**
 * Masks a whole JSON value (report contexts, exported scopes): every string through the masker, the
 * values of sensitive headers (`{ key, value }` pairs) and of `secret`-typed variables by position,
 * and leaves `name` / `id` strings (item, folder and collection names) as written.
 */
export function maskDeep<T>(value: T, masker: Pick<Masker, "maskString">): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return masker.maskString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const secretVar = o.type === "secret" && "value" in o;
      const sensitiveHeader = typeof o.key === "string" && isSensitiveHeader(o.key);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) {
        if (k === "value" && (secretVar || sensitiveHeader) && x !== "") out[k] = MASK;
        else if (STATIC_KEYS.has(k) && typeof x === "string") out[k] = x;
        else if (k === "exec" && (typeof x === "string" || Array.isArray(x)))
          out[k] = Array.isArray(x)
            ? x.map((l) => (typeof l === "string" ? maskScriptSource(l, masker.maskString) : walk(l)))
            : maskScriptSource(x, masker.maskString);
        else out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
