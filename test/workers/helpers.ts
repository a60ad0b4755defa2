/** Shared helpers for tests that run inside workerd against the real Worker and Durable Objects. */
import { env, exports } from "cloudflare:workers";

export const DEV_KEY = "edgerun-dev-key";
export const target = (): string => (env as unknown as { TARGET: string }).TARGET;

export function api(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? DEV_KEY}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return exports.default.fetch(new Request(`http://edgerun.test${path}`, { ...init, headers }));
}

export interface SseMessage {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** Reads SSE messages until `stop` says so or the stream ends; returns what was read. */
export async function readSse(
  res: Response,
  stop: (msg: SseMessage, all: SseMessage[]) => boolean = (m) =>
    ["run.completed", "run.failed", "run.cancelled"].includes(m.event),
): Promise<SseMessage[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: SseMessage[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf("\n\n");
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":") || !line.includes(":")) continue;
        const i = line.indexOf(":");
        fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
      }
      if (fields.id === undefined || fields.data === undefined) continue;
      const msg = {
        id: Number(fields.id),
        event: fields.event ?? "message",
        data: JSON.parse(fields.data) as Record<string, unknown>,
      };
      out.push(msg);
      if (stop(msg, out)) {
        await reader.cancel();
        return out;
      }
    }
  }
  return out;
}

/** A minimal Postman v2.1 collection of plain requests against the echo target. */
export function collection(
  name: string,
  requests: Array<{ name: string; method?: string; url: string; body?: string; tests?: string[] }>,
) {
  return {
    info: { name, schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: requests.map((r) => ({
      name: r.name,
      ...(r.tests ? { event: [{ listen: "test", script: { exec: r.tests } }] } : {}),
      request: {
        method: r.method ?? "GET",
        url: r.url,
        header: [{ key: "X-Test", value: "{{headerValue}}" }],
        ...(r.body ? { body: { mode: "raw", raw: r.body, options: { raw: { language: "json" } } } } : {}),
      },
    })),
  };
}

export async function startRun(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ id: string; res: Response; json: Record<string, unknown> }> {
  const res = await api("/v1/runs", { method: "POST", body: JSON.stringify(body), headers });
  const json = (await res.json()) as Record<string, unknown>;
  return { id: String(json.id), res, json };
}
