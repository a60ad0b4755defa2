/**
 * Engine-wide types: the contracts between the runner, the HTTP layer and the script host.
 *
 * Everything here is plain JSON-serialisable data so that run state can be checkpointed to SQLite and
 * handed across the QuickJS boundary without custom marshalling.
 */
import type { JsonValue } from "../schemas/collection";
import type { AssertionResult, ConsoleEntry, HeaderList } from "../schemas/events";

export type { JsonValue };

/** One variable in a scope, Postman's `{ key, value, type, enabled }`. */
export interface VarEntry {
  key: string;
  value: JsonValue;
  /** "default" | "secret" | "string" | "number" | "boolean" | "any" … ; "secret" values are masked in outputs. */
  type?: string;
  enabled?: boolean;
}

/** All variable scopes of a run, lowest precedence first in resolution order: globals < collection < environment < data < local. */
export interface Scopes {
  globals: VarEntry[];
  collection: VarEntry[];
  environment: VarEntry[];
  /** Current iteration's data row. */
  data: Record<string, JsonValue>;
  /** `pm.variables.set` values; live for the whole run (across items and iterations), as in Newman 6. */
  local: VarEntry[];
  environmentName?: string;
}

/** A key/value list entry as Postman stores it (headers, query params, urlencoded fields). */
export interface KV {
  key: string;
  value: string;
  disabled?: boolean;
  description?: string;
  /** A header the runtime added to the sent request (test scripts' `pm.request`, as in Newman). */
  system?: boolean;
}

/** Postman's structured URL, normalised: host and path always arrays. */
export interface UrlDefinition {
  raw?: string;
  protocol?: string;
  /** `user:pass` written before the host, if any. */
  auth?: string;
  host: string[];
  port?: string;
  path: string[];
  query: KV[];
  hash?: string;
  /** Path variables (`:id`). */
  variable: KV[];
}

export interface FormField {
  key: string;
  value?: string;
  type?: "text" | "file";
  /** For file parts: inline content (edgerun cannot read the user's disk). */
  src?: string | string[] | null;
  contentType?: string;
  disabled?: boolean;
}

/** Postman request body, as in the collection format. */
export interface BodyDefinition {
  mode?: "raw" | "urlencoded" | "formdata" | "file" | "graphql" | string;
  raw?: string;
  urlencoded?: KV[];
  formdata?: FormField[];
  file?: { src?: string | null; content?: string };
  graphql?: { query?: string; operationName?: string; variables?: string | JsonValue };
  options?: { raw?: { language?: string } } & Record<string, JsonValue | undefined>;
  disabled?: boolean;
}

/** Auth in Postman's v2.1 shape: `{ type, [type]: [{ key, value, type }] }` (v2.0 objects are converted). */
export interface AuthDefinition {
  type: string;
  [type: string]: string | Array<{ key: string; value: JsonValue; type?: string }> | undefined;
}

/**
 * The request as scripts see and mutate it: unresolved (`{{vars}}` still in place), Postman-shaped.
 * `auth` is the effective auth after inheritance.
 */
export interface RequestDefinition {
  method: string;
  url: UrlDefinition;
  headers: KV[];
  body?: BodyDefinition;
  auth?: AuthDefinition;
  /** The request's description (text), which scripts read as `request.description`. */
  description?: string;
}

/** Postman protocolProfileBehavior options the HTTP layer honours. */
export interface ProtocolProfile {
  followRedirects?: boolean;
  maxRedirects?: number;
  followOriginalHttpMethod?: boolean;
  followAuthorizationHeader?: boolean;
  removeRefererHeaderOnRedirect?: boolean;
  strictSSL?: boolean;
  disableBodyPruning?: boolean;
  disableUrlEncoding?: boolean;
  disabledSystemHeaders?: Record<string, boolean>;
  disableCookies?: boolean;
}

/** What the HTTP layer captured of a response; scripts get this whole (body capped). */
export interface ResponseData {
  code: number;
  status: string;
  headers: HeaderList;
  /** Body decoded as UTF-8 text, up to the capture cap. */
  body: string;
  /**
   * Bytes of the body read, after content decoding. Reading stops past the capture cap (then
   * `truncated`), so for a larger body this is the cap plus the last chunk, not the full size.
   */
  responseSize: number;
  responseTime: number;
  truncated?: boolean;
}

export interface Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** Epoch ms; absent for session cookies. */
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
  hostOnly?: boolean;
  sameSite?: string;
}

export interface ScriptInfo {
  eventName: "prerequest" | "test";
  iteration: number;
  iterationCount: number;
  requestName: string;
  requestId: string;
}

/** Everything a script can observe. */
export interface ScriptContext {
  info: ScriptInfo;
  scopes: Scopes;
  request: RequestDefinition;
  response?: ResponseData;
  /** Cookies that apply to the request URL (for `pm.cookies`). */
  cookies: Cookie[];
  /** Names of the collection, folders and item: `pm.execution.location`. */
  location: string[];
  collectionName: string;
}

export interface ScriptInput {
  source: string;
  /** Human location for error messages, e.g. `collection`, `folder:Users`, `request:Get user`. */
  location: string;
  context: ScriptContext;
  timeoutMs: number;
}

export interface ScriptOutcome {
  scopes: Scopes;
  request: RequestDefinition;
  assertions: AssertionResult[];
  console: ConsoleEntry[];
  /** The script threw or exceeded a limit. */
  error?: { name: string; message: string };
  /** Present only when the script called setNextRequest; `null` stops the iteration's run. */
  nextRequest?: { target: string | null };
  skipRequest: boolean;
  visualizer?: { template: string; data: JsonValue };
  /**
   * Each `pm.sendRequest` whose answer arrived, in arrival order: `call` its call order in the script
   * (from 0, the order the engine's sendRequest capability was called in), and how many of the script's
   * assertions and console entries were recorded before it (before its callback ran), so reporters print
   * its line there, as Newman does. Absent when the script sent none (or from an older sandbox).
   */
  sideRequests?: SideRequestPosition[];
}

/** Where a script's pm.sendRequest completed among its assertions and console entries (ScriptOutcome). */
export interface SideRequestPosition {
  call: number;
  afterAssertions: number;
  afterConsole: number;
}

export interface SendRequestOutcome {
  response?: ResponseData;
  error?: { name: string; message: string };
}

/** Capabilities the engine grants a script; nothing else of the host is reachable. */
export interface ScriptCapabilities {
  /** `pm.sendRequest`: goes through the same HTTP path (policy, limits, cookie jar) as collection requests. */
  sendRequest(request: RequestDefinition | string): Promise<SendRequestOutcome>;
  cookieJar: {
    getAll(url: string): Cookie[];
    set(url: string, cookie: Partial<Cookie> & { name: string; value: string }): void;
    unset(url: string, name: string): void;
    clear(url: string): void;
  };
}

/** Executes untrusted script source. Implementations: QuickJS (shared/sandbox), and any future isolate-based host. */
export interface ScriptHost {
  run(input: ScriptInput, caps: ScriptCapabilities): Promise<ScriptOutcome>;
}

/** Asks whether a URL may be contacted; answers a human-readable refusal reason or null. */
export type TargetCheck = (url: URL) => string | null | Promise<string | null>;

/**
 * Called by a fetcher that may queue a request (the per-origin rate limiter): `onQueue` when it starts
 * waiting for a slot, `onSend` right before the request leaves. The request timeout is paused in between
 * and the response time starts at `onSend`, so waiting for a slot is not counted as the target's
 * slowness (a plain fetch calls neither: both start when fetch is called). Cancel still applies.
 */
export interface FetchHooks {
  onQueue?(): void;
  onSend?(): void;
  /**
   * Set for a request the platform's fetch cannot express (a method token it does not know, a body on
   * GET or HEAD): the fetcher sends this method and body with the Request's URL, headers and signal.
   * The engine sets it only for a fetcher that said it can (`ItemDeps.wire`).
   */
  wire?: WireRequest;
}

/** What a request says on the wire beyond what a Request may carry (see FetchHooks.wire). */
export interface WireRequest {
  method: string;
  body?: Uint8Array | string | undefined;
  /** The request target (path and query) as the URL text has it, when the URL parser would change it. */
  target?: string | undefined;
  /** Header names as the request spells them, in its order (a Request's Headers lower-case and sort them). */
  names?: string[] | undefined;
}

export type Fetcher = (request: Request, hooks?: FetchHooks) => Promise<Response>;
