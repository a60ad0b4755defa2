/**
 * The masker a run applies to every event it emits: one regex over the run's secrets, re-derived when
 * scopes change, plus the credentials each request itself sent; names written in the collection stay.
 */
import type { ConsoleTagged, ConsoleValue, RunEvent } from "../schemas/events";
import {
  type CredentialTemplates,
  collectSecrets,
  compile,
  credentialForms,
  isSensitiveHeader,
  MASK,
  maskDeep,
  maskUrlUserinfo,
  type ScopeSet,
  searchable,
  userinfoSecret,
  variants,
} from "./mask";

export interface MaskerOptions {
  /** Text written in the collection (names, assertion names in scripts): never rewritten. */
  isStatic?: (text: string) => boolean;
  /** Credential templates resolved again whenever `update` brings new scopes. */
  templates?: CredentialTemplates;
}

export interface Masker {
  maskString(text: string): string;
  maskEvent<E extends RunEvent>(event: E): E;
  /**
   * Re-derives the secrets from the run's current scopes, so values a script marks secret (or a
   * credential template now resolving to a new token) are masked from this point on. Cheap when
   * nothing changed, and free when every list is the same array as in the previous call: the engine
   * never changes a scope's list in place (a script's changes come back as new lists), so the same
   * lists hold the same secrets.
   */
  update(scopes: ScopeSet[]): void;
}

/** A masker over fixed secrets, optionally re-derived from scopes (`update`) and sparing static names. */
export function createMasker(secrets: string[], options: MaskerOptions = {}): Masker {
  const fixed = searchable(secrets);
  let current = new Set(fixed);
  let key = [...current].sort().join("\u0000");
  let re = compile(fixed);
  const replace = (text: string, r: RegExp | null) => (r && text ? text.replace(r, MASK) : text);
  let seen: unknown[] = [];
  const maskString = (text: string) => replace(text, re);
  return {
    maskString,
    maskEvent<E extends RunEvent>(event: E): E {
      if (event.type !== "request.completed") return maskTerminal(event, maskString, options.isStatic);
      // Credentials this request actually sent (or received as cookies) are masked in its own event.
      const sent = [
        ...event.request.headers.filter((h) => isSensitiveHeader(h.key)),
        ...(event.response?.headers ?? []).filter((h) => h.key.toLowerCase() === "set-cookie"),
      ].flatMap((h) => credentialForms(h.key, h.value));
      const extra = searchable([...sent, ...userinfoSecret(event.request.url)]).filter(
        (x) => !current.has(x),
      );
      if (!extra.length)
        return re
          ? maskRequest(event, maskString, options.isStatic)
          : maskPositional(event, options.isStatic);
      // A text holding none of the extra forms masks exactly as with the run's regex, so the combined
      // one (a compile that costs with the number of secrets) is built only for a text that needs it;
      // usually the credential appears only in its own header, which is masked by name.
      const forms = extra.flatMap(variants);
      let local: RegExp | null | undefined;
      const mask = (text: string) => {
        if (!text || !forms.some((f) => text.includes(f))) return replace(text, re);
        local ??= compile([...current, ...extra]);
        return replace(text, local);
      };
      return maskRequest(event, mask, options.isStatic);
    },
    update(scopes: ScopeSet[]): void {
      const lists = scopes.flatMap((s) => [s.globals, s.collection, s.environment, s.local]);
      if (lists.length === seen.length && lists.every((list, i) => list === seen[i])) return;
      seen = lists;
      const all = collectSecrets({
        scopes,
        templates: options.templates ?? { headers: [], values: [], pairs: [] },
        extra: fixed,
      }).sort();
      const next = all.join("\u0000");
      if (next === key) return;
      key = next;
      current = new Set(all);
      re = compile(all);
    },
  };
}

type MaskFn = (text: string) => string;

function keepStatic(text: string, mask: MaskFn, isStatic?: (text: string) => boolean): string {
  const masked = mask(text);
  return masked !== text && isStatic?.(text) ? text : masked;
}

function maskHeaders<H extends { key: string; value: string }>(list: H[], mask: MaskFn): H[] {
  return list.map((h) => ({ ...h, value: isSensitiveHeader(h.key) ? MASK : mask(h.value) }));
}

function maskRequest<E extends RunEvent>(event: E, mask: MaskFn, isStatic?: (t: string) => boolean): E {
  if (event.type !== "request.completed") return event;
  return {
    ...event,
    request: {
      ...event.request,
      url: mask(maskUrlUserinfo(event.request.url)),
      headers: maskHeaders(event.request.headers, mask),
      ...(event.request.body !== undefined ? { body: mask(event.request.body) } : {}),
    },
    ...(event.response
      ? {
          response: {
            ...event.response,
            headers: maskHeaders(event.response.headers, mask),
            bodyPreview: mask(event.response.bodyPreview),
          },
        }
      : {}),
    ...(event.error ? { error: { ...event.error, message: mask(event.error.message) } } : {}),
    assertions: event.assertions.map((a) => ({
      ...a,
      name: keepStatic(a.name, mask, isStatic),
      ...(a.error ? { error: { ...a.error, message: mask(a.error.message) } } : {}),
    })),
    console: event.console.map((c) => ({
      ...c,
      message: mask(c.message),
      ...(c.args ? { args: c.args.map((a) => maskConsoleValue(a, mask)) } : {}),
    })),
    scriptErrors: event.scriptErrors.map((e) => ({ ...e, message: mask(e.message) })),
    // A failed pm.sendRequest's URL is written by the script (an API key in its query, userinfo).
    ...(event.sideRequestFailures
      ? {
          sideRequestFailures: event.sideRequestFailures.map((f) => ({
            ...f,
            url: mask(maskUrlUserinfo(f.url)),
            error: { ...f.error, message: mask(f.error.message) },
          })),
        }
      : {}),
    ...(event.sideRequests
      ? {
          sideRequests: event.sideRequests.map((r) => ({
            ...r,
            url: mask(maskUrlUserinfo(r.url)),
            ...(r.error ? { error: { ...r.error, message: mask(r.error.message) } } : {}),
          })),
        }
      : {}),
    ...(event.retries
      ? { retries: event.retries.map((r) => (r.error ? { ...r, error: mask(r.error) } : r)) }
      : {}),
    ...(event.visualizer ? { visualizer: maskDeep(event.visualizer, { maskString: mask }) } : {}),
  };
}

/**
 * A console argument with every string in it masked as `message` is (keys, dates and regexps too), and
 * a number whose digits hold a secret turned into the masked text.
 */
function maskConsoleValue(value: ConsoleValue, mask: MaskFn): ConsoleValue {
  if (typeof value === "string") return mask(value);
  if (typeof value === "number") {
    const masked = mask(String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((v) => maskConsoleValue(v, mask));
  if (value === null || typeof value !== "object") return value;
  if (typeof value.t !== "string") {
    const out: Record<string, ConsoleValue> = {};
    for (const [k, x] of Object.entries(value)) out[mask(k)] = maskConsoleValue(x, mask);
    return out;
  }
  const { v, c, ...rest } = value as ConsoleTagged;
  return {
    ...rest,
    ...(v === undefined
      ? {}
      : { v: typeof v === "string" ? mask(v) : v.map((x) => maskConsoleValue(x, mask)) }),
    ...(c === undefined ? {} : { c }),
  };
}

/**
 * `maskRequest` when no secret is searched for in text (the masking function is the identity): only
 * what is masked by position can change (URL userinfo, sensitive headers, visualizer data); an event
 * with none of those is returned as it is instead of copied.
 */
function maskPositional<E extends RunEvent>(event: E, isStatic?: (t: string) => boolean): E {
  if (event.type !== "request.completed") return event;
  const positional =
    event.visualizer !== undefined ||
    maskUrlUserinfo(event.request.url) !== event.request.url ||
    event.sideRequestFailures?.some((f) => maskUrlUserinfo(f.url) !== f.url) === true ||
    event.sideRequests?.some((r) => maskUrlUserinfo(r.url) !== r.url) === true ||
    event.request.headers.some((h) => isSensitiveHeader(h.key)) ||
    event.response?.headers.some((h) => isSensitiveHeader(h.key)) === true;
  return positional ? maskRequest(event, (text) => text, isStatic) : event;
}

function maskTerminal<E extends RunEvent>(event: E, mask: MaskFn, isStatic?: (t: string) => boolean): E {
  if (event.type !== "run.completed" && event.type !== "run.failed" && event.type !== "run.cancelled")
    return event;
  return {
    ...event,
    failures: event.failures.map((f) => ({
      ...f,
      name: keepStatic(f.name, mask, isStatic),
      // Under --bail an assertion failure's message is the assertion's name.
      message: f.name === "AssertionFailure" ? keepStatic(f.message, mask, isStatic) : mask(f.message),
      ...(f.sideRequest
        ? { sideRequest: { ...f.sideRequest, url: mask(maskUrlUserinfo(f.sideRequest.url)) } }
        : {}),
    })),
    ...(event.type === "run.failed" ? { reason: mask(event.reason) } : {}),
  };
}
