/**
 * Collections and environments straight from the Postman API, as `newman run <uid> --postman-api-key K`
 * and `newman run "https://api.postman.com/collections/<uid>?apikey=K"` load them (newman/lib/util.js
 * `fetchJson`): the key travels in the `X-Api-Key` header, never in the URL a message could print.
 */

/** The Postman API's origin; `EDGERUN_POSTMAN_API_URL` points the CLI at a stand-in (tests: no network). */
export function postmanApiUrl(): string {
  return (process.env.EDGERUN_POSTMAN_API_URL ?? "https://api.postman.com").replace(/\/+$/, "");
}

const API_HOSTS = new Set(["api.postman.com", "api.getpostman.com"]);
/** A Postman UID: the owner's id, a dash, a UUID (the pattern Newman and the Postman API validate with). */
const UID = /^[0-9A-Z]+-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

export type PostmanResource = "collection" | "environment";

export interface PostmanApiRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * Where an input at `location` is fetched from, and with which headers, when it is a Postman UID (with a
 * key given, and no file of that name) or a Postman API URL (its `apikey` query moved to the header);
 * undefined for anything else. Newman's precedence: a URL's own `apikey` over `--postman-api-key`.
 */
export function postmanApiRequest(opts: {
  location: string;
  resource: PostmanResource;
  apiKey: string | undefined;
  fileExists: boolean;
}): PostmanApiRequest | undefined {
  const { location, resource, apiKey } = opts;
  if (!opts.fileExists && apiKey && UID.test(location))
    return { url: `${postmanApiUrl()}/${resource}s/${location}`, headers: { "X-Api-Key": apiKey } };
  if (!/^https?:\/\//i.test(location)) return undefined;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  if (!API_HOSTS.has(url.hostname.toLowerCase())) return undefined;
  const key = url.searchParams.get("apikey") ?? apiKey;
  url.searchParams.delete("apikey");
  return { url: url.toString(), headers: key ? { "X-Api-Key": key } : {} };
}

/** The Postman API's own error text (`{ error: { name, message } }`), if its answer carries one. */
export function postmanApiError(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { name?: unknown; message?: unknown } };
    const message = body.error?.message;
    if (typeof message !== "string") return undefined;
    return typeof body.error?.name === "string" ? `${body.error.name}: ${message}` : message;
  } catch {
    return undefined;
  }
}
