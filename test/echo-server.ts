/**
 * A small postman-echo–like HTTP target that tests start on a random loopback port.
 *
 * Real sockets, real HTTP: the engine and the Worker talk to it exactly as they would to a user's API.
 * Routes: /get /post /put /patch /delete /anything (echo), /status/:code (?retry-after=, ?www-authenticate=), /delay/:ms, /headers,
 * /redirect/:n, /redirect-to?url=&status=, /cookies, /cookies/set?k=v, /cookies/delete?k,
 * /basic-auth/:user/:pass, /bearer, /gzip, /deflate, /brotli, /bytes/:n, /json, /xml, /html,
 * /response-headers?k=v, /limited/:bucket (counted), /stats/limited-:bucket (arrival times, for rate-limit tests),
 * /hang (never answers), /drip (one byte per second, forever),
 * /hooks/:bucket (webhook receiver: records headers and raw body; `?status=` answers that code) and
 * /hooks-log/:bucket (what it recorded, oldest first).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";

export interface EchoServer {
  url: string;
  server: Server;
  close(): Promise<void>;
  /** Timestamps (ms) of every request received, per path prefix; used by rate-limit tests. */
  hits: Map<string, number[]>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function json(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** Webhook deliveries per bucket (monitor notification tests). */
const hookLog = new Map<string, Array<{ at: number; headers: IncomingMessage["headers"]; body: string }>>();

function md5(s: string): string {
  return createHash("md5").update(s).digest("hex");
}

async function handle(req: IncomingMessage, res: ServerResponse, hits: Map<string, number[]>): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean);
  const head = parts[0] === "limited" ? `limited-${parts[1] ?? ""}` : (parts[0] ?? "");
  const list = hits.get(head) ?? [];
  list.push(Date.now());
  hits.set(head, list);
  const body = await readBody(req);
  const query = Object.fromEntries(url.searchParams.entries());
  const text = body.toString("utf8");
  let parsed: unknown = null;
  const ct = req.headers["content-type"] ?? "";
  if (ct.includes("application/json")) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  const form = ct.includes("application/x-www-form-urlencoded")
    ? Object.fromEntries(new URLSearchParams(text))
    : {};
  const echo = {
    args: query,
    data: parsed ?? text,
    form,
    headers: req.headers,
    method: req.method,
    url: url.pathname + url.search,
    /** The request target exactly as it came on the wire. */
    rawUrl: req.url,
    json: parsed,
    cookies: parseCookies(req.headers.cookie),
  };

  switch (parts[0] ?? "") {
    case "get":
    case "post":
    case "put":
    case "patch":
    case "delete":
    case "anything":
    case "echo":
      return json(res, 200, echo);
    case "headers":
      return json(res, 200, { headers: req.headers });
    case "status": {
      const code = Number(parts[1] ?? 200);
      const extra: Record<string, string> = {};
      if (query["retry-after"]) extra["retry-after"] = query["retry-after"];
      if (query["www-authenticate"]) extra["www-authenticate"] = query["www-authenticate"];
      return json(res, code, { status: code }, extra);
    }
    case "raw-headers":
      // The request's header lines as they came: names as spelled, in order.
      return json(res, 200, { method: req.method, rawHeaders: req.rawHeaders });
    case "chunked":
      // Transfer-Encoding: chunked (several writes, no Content-Length), for clients that frame bodies themselves.
      res.writeHead(200, { "content-type": "text/plain", "x-method": req.method ?? "" });
      res.write("hello ");
      res.write(`${req.method} `);
      return void res.end(text || "world");
    case "hang":
      // Never answers: headers never come; ends only when the client gives up.
      await new Promise((r) => req.on("close", r));
      return;
    case "drip": {
      // Headers at once, then one byte per second until the client gives up (`?length=n`: a declared
      // Content-Length the body never reaches).
      res.writeHead(200, {
        "content-type": "text/plain",
        ...(query.length ? { "content-length": Number(query.length) } : {}),
      });
      const timer = setInterval(() => res.write("."), 1000);
      await new Promise((r) => req.on("close", r));
      clearInterval(timer);
      return;
    }
    case "delay": {
      const ms = Math.min(Number(parts[1] ?? 0), 30_000);
      await new Promise((r) => setTimeout(r, ms));
      return json(res, 200, { delay: ms });
    }
    case "redirect": {
      const n = Number(parts[1] ?? 1);
      const to = n <= 1 ? "/get" : `/redirect/${n - 1}`;
      res.writeHead(302, { location: to });
      return void res.end();
    }
    case "redirect-to": {
      res.writeHead(Number(query.status ?? 302), { location: query.url ?? "/get" });
      return void res.end();
    }
    case "cookies": {
      if (parts[1] === "set") {
        const cookies = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}; Path=/`);
        res.writeHead(302, { location: "/cookies", "set-cookie": cookies });
        return void res.end();
      }
      if (parts[1] === "delete") {
        const cookies = Object.keys(query).map((k) => `${k}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
        res.writeHead(302, { location: "/cookies", "set-cookie": cookies });
        return void res.end();
      }
      return json(res, 200, { cookies: parseCookies(req.headers.cookie) });
    }
    case "basic-auth": {
      const expected = `Basic ${Buffer.from(`${parts[1]}:${parts[2]}`).toString("base64")}`;
      if (req.headers.authorization === expected)
        return json(res, 200, { authenticated: true, user: parts[1] });
      return json(res, 401, { authenticated: false }, { "www-authenticate": 'Basic realm="echo"' });
    }
    case "digest-auth": {
      // /digest-auth/auth/:user/:pass — RFC 2617 with qop=auth and MD5.
      const [, , user = "", pass = ""] = parts;
      const realm = "echo";
      const nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
      const auth = req.headers.authorization ?? "";
      if (auth.startsWith("Digest ")) {
        const fields = Object.fromEntries(
          [...auth.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [
            m[1],
            m[2] ?? m[3] ?? "",
          ]),
        );
        const ha1 = md5(`${user}:${realm}:${pass}`);
        const ha2 = md5(`${req.method}:${fields.uri}`);
        const expected = md5(`${ha1}:${nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`);
        if (fields.response === expected && fields.username === user)
          return json(res, 200, { authenticated: true });
      }
      return json(
        res,
        401,
        { authenticated: false },
        {
          "www-authenticate": `Digest realm="${realm}", qop="auth", nonce="${nonce}", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5`,
        },
      );
    }
    case "bearer": {
      const auth = req.headers.authorization ?? "";
      if (auth.startsWith("Bearer ")) return json(res, 200, { authenticated: true, token: auth.slice(7) });
      return json(res, 401, { authenticated: false });
    }
    case "gzip":
    case "deflate":
    case "brotli": {
      const raw = Buffer.from(JSON.stringify({ [head]: true, headers: req.headers }));
      const enc = head === "gzip" ? "gzip" : head === "deflate" ? "deflate" : "br";
      const data =
        head === "gzip" ? gzipSync(raw) : head === "deflate" ? deflateSync(raw) : brotliCompressSync(raw);
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": enc,
        "content-length": data.length,
      });
      return void res.end(data);
    }
    case "bytes": {
      const n = Math.min(Number(parts[1] ?? 0), 50 * 1024 * 1024);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": n });
      const chunk = Buffer.alloc(Math.min(n, 65536), 97);
      let left = n;
      while (left > 0) {
        const size = Math.min(left, chunk.length);
        if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
          await new Promise((r) => res.once("drain", r));
        }
        left -= size;
      }
      return void res.end();
    }
    case "limited":
      // Rate-limit probe: any path below /limited/<bucket>; /stats/limited-<bucket> reports the arrivals.
      return json(res, 200, { ok: true, at: Date.now() });
    case "hooks": {
      const bucket = parts[1] ?? "";
      hookLog.set(bucket, [
        ...(hookLog.get(bucket) ?? []),
        { at: Date.now(), headers: req.headers, body: text },
      ]);
      return json(res, Number(query.status ?? 200), { received: true });
    }
    case "hooks-log":
      return json(res, 200, { deliveries: hookLog.get(parts[1] ?? "") ?? [] });
    case "stats": {
      const key = parts[1] ?? "";
      const times = [...hits.entries()].filter(([k]) => k === key).flatMap(([, v]) => v);
      return json(res, 200, { count: times.length, times });
    }
    case "json":
      return json(res, 200, {
        id: 1,
        name: "Leanne Graham",
        tags: ["a", "b"],
        address: { city: "Gwenborough", geo: { lat: "-37.3159", lng: "81.1496" } },
        active: true,
      });
    case "xml": {
      const xml = '<?xml version="1.0"?><root><user id="1"><name>Ann</name></user></root>';
      res.writeHead(200, { "content-type": "application/xml" });
      return void res.end(xml);
    }
    case "html": {
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end(
        "<html><head><title>Echo</title></head><body><h1 class='t'>Hello</h1></body></html>",
      );
    }
    case "response-headers": {
      const headers: Record<string, string> = { "content-type": "application/json" };
      // A query key replaces the default whatever its case (`?Content-Type=…`), as postman-echo does.
      for (const [k, v] of Object.entries(query)) {
        delete headers[k.toLowerCase()];
        headers[k] = v;
      }
      res.writeHead(200, headers);
      return void res.end(JSON.stringify(query));
    }
    default:
      return json(res, 404, { error: "not found", path: url.pathname });
  }
}

/** Starts the echo server on 127.0.0.1 and a random port. */
export async function startEchoServer(port = 0): Promise<EchoServer> {
  const hits = new Map<string, number[]>();
  const server = createServer((req, res) => {
    handle(req, res, hits).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    server,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
