/**
 * Secret masking for every output a run produces (events, and therefore SSE, reports, history and the
 * CLI). Scripts still see real values; only what leaves the engine is masked.
 *
 * Masked: values of secret-typed variables, auth parameters that hold credentials, their URL-encoded and
 * base64 forms, and always the values of credential-bearing headers.
 */
import type { AuthDefinition, Scopes } from "../engine/types";
import type { RunEvent } from "../schemas/events";

export const MASK = "********";
/** Shorter values would mask innocent text everywhere ("1", "yes"); they are still masked in headers by name. */
const MIN_SECRET_LENGTH = 4;
const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
]);
const SECRET_AUTH_KEYS = new Set([
  "password",
  "token",
  "value",
  "accessToken",
  "refreshToken",
  "clientSecret",
  "consumerSecret",
  "tokenSecret",
  "secretKey",
  "sessionToken",
  "authKey",
  "secret",
  "privateKey",
  "apiKey",
]);

export interface SecretSources {
  scopes: Pick<Scopes, "globals" | "collection" | "environment">;
  auths: Array<AuthDefinition | undefined>;
  resolve: (s: string) => string;
  extra?: string[];
}

/** Gathers the literal secret values of a run. */
export function collectSecrets(src: SecretSources): string[] {
  const out = new Set<string>(src.extra ?? []);
  for (const list of [src.scopes.globals, src.scopes.collection, src.scopes.environment]) {
    for (const v of list) if (v.type === "secret" && typeof v.value === "string") out.add(v.value);
  }
  for (const auth of src.auths) {
    const params = auth?.[auth.type];
    if (!Array.isArray(params)) continue;
    for (const p of params) {
      if (auth?.type === "apikey" && p.key !== "value") continue;
      if (SECRET_AUTH_KEYS.has(p.key) && typeof p.value === "string") out.add(src.resolve(p.value));
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH && !s.includes("{{"));
}

function variants(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(btoa(secret));
  } catch {
    // not Latin-1: no base64 form to hide
  }
  return [...forms];
}

export interface Masker {
  maskString(text: string): string;
  maskEvent<E extends RunEvent>(event: E): E;
}

export function createMasker(secrets: string[]): Masker {
  const forms = [...new Set(secrets.flatMap(variants))].sort((a, b) => b.length - a.length);
  const re = forms.length
    ? new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
    : null;
  const maskString = (text: string) => (re && text ? text.replace(re, MASK) : text);
  const maskHeaders = (list: Array<{ key: string; value: string }>) =>
    list.map((h) => ({
      key: h.key,
      value: SENSITIVE_HEADERS.has(h.key.toLowerCase()) ? MASK : maskString(h.value),
    }));
  return {
    maskString,
    maskEvent<E extends RunEvent>(event: E): E {
      if (event.type === "request.completed") {
        return {
          ...event,
          request: {
            ...event.request,
            url: maskString(event.request.url),
            headers: maskHeaders(event.request.headers),
            ...(event.request.body !== undefined ? { body: maskString(event.request.body) } : {}),
          },
          ...(event.response
            ? {
                response: {
                  ...event.response,
                  headers: maskHeaders(event.response.headers),
                  bodyPreview: maskString(event.response.bodyPreview),
                },
              }
            : {}),
          ...(event.error ? { error: { ...event.error, message: maskString(event.error.message) } } : {}),
          assertions: event.assertions.map((a) => ({
            ...a,
            name: maskString(a.name),
            ...(a.error ? { error: { ...a.error, message: maskString(a.error.message) } } : {}),
          })),
          console: event.console.map((c) => ({ ...c, message: maskString(c.message) })),
          scriptErrors: event.scriptErrors.map((e) => ({ ...e, message: maskString(e.message) })),
        };
      }
      if (event.type === "run.completed" || event.type === "run.failed" || event.type === "run.cancelled") {
        return {
          ...event,
          failures: event.failures.map((f) => ({
            ...f,
            name: maskString(f.name),
            message: maskString(f.message),
          })),
        };
      }
      return event;
    },
  };
}

/**
 * Masks a whole JSON value (report contexts, exported scopes): every string through the masker, the
 * values of sensitive headers (`{ key, value }` pairs) and of `secret`-typed variables by name.
 */
export function maskDeep<T>(value: T, masker: Pick<Masker, "maskString">): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return masker.maskString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const secretVar = o.type === "secret" && "value" in o;
      const sensitiveHeader = typeof o.key === "string" && SENSITIVE_HEADERS.has(o.key.toLowerCase());
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) {
        out[k] = k === "value" && (secretVar || sensitiveHeader) && x !== "" ? MASK : walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
