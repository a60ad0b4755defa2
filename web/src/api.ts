/**
 * The web app's only way to reach the server: the public `/v1` API with the user's key from localStorage.
 * The key never goes into a URL; every rejection arrives as RFC 9457 problem+json and becomes an ApiError.
 */
const KEY_STORAGE = "edgerun.apiKey";
const keyListeners = new Set<() => void>();

/** The stored API key, or null before the user has entered one. */
export function getApiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Saves (or with null, forgets) the key and tells the UI, so a 401 can ask for it again. */
export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
  for (const fn of keyListeners) fn();
}

/** Subscribes to key changes (sign-in, sign-out, a rejected key); returns the unsubscribe function. */
export function onApiKeyChange(fn: () => void): () => void {
  keyListeners.add(fn);
  return () => keyListeners.delete(fn);
}

export interface ProblemDetail {
  pointer: string;
  detail: string;
}

/** A problem+json answer (or a network failure, status 0) with what the UI needs to explain it. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: ProblemDetail[];
  constructor(opts: { status: number; title: string; detail: string; errors?: ProblemDetail[] }) {
    super(opts.detail || opts.title);
    this.name = "ApiError";
    this.status = opts.status;
    this.title = opts.title;
    this.errors = opts.errors ?? [];
  }
}

/** Listeners told when the server rejects the key (401), so the key dialog can open. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Headers with the bearer key; throws a 401-like ApiError when no key has been entered yet. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const key = getApiKey();
  if (!key) {
    for (const fn of unauthorizedListeners) fn();
    throw new ApiError({ status: 401, title: "API key needed", detail: "Enter your API key first." });
  }
  return { authorization: `Bearer ${key}`, ...extra };
}

async function toError(res: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; errors?: ProblemDetail[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: fall back to the status line
  }
  if (res.status === 401) for (const fn of unauthorizedListeners) fn();
  return new ApiError({
    status: res.status,
    title: body.title ?? `HTTP ${res.status}`,
    detail: body.detail ?? res.statusText,
    ...(body.errors ? { errors: body.errors } : {}),
  });
}

/** Calls the API and returns the raw Response when it is 2xx (for streams and downloads). */
export async function apiResponse(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) };
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError({ status: 0, title: "Network error", detail: "The server could not be reached." });
  }
  if (!res.ok) throw await toError(res);
  return res;
}

/** Calls the API with an optional JSON body and parses the JSON answer (undefined for 204). */
export async function api<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const init: RequestInit = { method: opts.method ?? "GET" };
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await apiResponse(path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

let routes: Promise<Set<string>> | undefined;

/**
 * Whether the server offers an optional route (stored collections, monitors): read once from
 * `/openapi.json`, so the UI can hide a feature without provoking a 404 in the console.
 */
export function hasRoute(path: string): Promise<boolean> {
  routes ??= fetch("/openapi.json")
    .then((r) => (r.ok ? (r.json() as Promise<{ paths?: Record<string, unknown> }>) : { paths: {} }))
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => new Set<string>());
  return routes.then((set) => set.has(path));
}

/** Downloads an authenticated API response as a file (a link cannot carry the Authorization header). */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const blob = await (await apiResponse(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
