/**
 * A deliberately hostile HTTP target for the engine's abort and limit tests, bound to 127.0.0.1 on a
 * free port: it never answers, drips one byte a second, streams forever, serves a gzip bomb, redirects
 * without end, or floods Set-Cookie. It records what it saw so tests can await conditions instead of
 * sleeping, and `close()` destroys every open socket so no test leaves a connection behind.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";

export interface HostileServer {
  url: string;
  /** Requests received, by path (without query). */
  hits: Map<string, number>;
  /** Responses whose connection closed before the server finished writing them. */
  abandoned: string[];
  /** Cookie header of each request, by path. */
  cookies: Map<string, string>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, server: HostileServer) => void;

const MIB = 1024 * 1024;

/**
 * Writes chunks from `next()` into `sink` (the response, or a compressor piped into it) respecting
 * backpressure until `next()` answers null or the client goes away (recorded as abandoned).
 */
function pump(res: ServerResponse, sink: Writable, server: HostileServer, next: () => Buffer | null): void {
  let closed = false;
  res.on("close", () => {
    closed = true;
    if (!res.writableFinished) server.abandoned.push(res.req.url ?? "");
    if (sink !== res) sink.destroy();
  });
  const write = () => {
    while (!closed) {
      const chunk = next();
      if (chunk === null) return void sink.end();
      if (!sink.write(chunk)) return void sink.once("drain", write);
    }
  };
  write();
}

const handlers: Record<string, Handler> = {
  // Accepts the request and never sends headers.
  "/hang": () => undefined,
  // Headers at once, then one byte per second, forever.
  "/drip": (req, res, server) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("x");
    const timer = setInterval(() => res.write("x"), 1000);
    res.on("close", () => {
      clearInterval(timer);
      server.abandoned.push(req.url ?? "");
    });
  },
  // An endless fast stream of text.
  "/stream": (_req, res, server) => {
    res.writeHead(200, { "content-type": "text/plain" });
    const chunk = Buffer.alloc(64 * 1024, "a");
    pump(res, res, server, () => chunk);
  },
  // ?mib=N of zeros, gzip-compressed while streaming (~1000:1).
  "/bomb": (req, res, server) => {
    const mib = Number(new URL(req.url ?? "/", "http://x").searchParams.get("mib") ?? "256");
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
    const gzip = createGzip();
    gzip.pipe(res);
    const zeros = Buffer.alloc(MIB, "0");
    let sent = 0;
    pump(res, gzip, server, () => (sent++ < mib ? zeros : null));
  },
  // /loop?n=k redirects to /loop?n=k+1 without end.
  "/loop": (req, res) => {
    const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n") ?? "0");
    res.writeHead(302, { location: `/loop?n=${n + 1}` });
    res.end();
  },
  // ?n=N Set-Cookie headers of ?size=S-byte values.
  "/flood": (req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    const n = Number(q.get("n") ?? "5000");
    const value = "v".repeat(Number(q.get("size") ?? "1"));
    res.setHeader(
      "set-cookie",
      Array.from({ length: n }, (_, i) => `c${i}=${value}; Path=/`),
    );
    res.end("flooded");
  },
  "/ok": (_req, res) => {
    res.end("ok");
  },
};

/** Starts the server; resolves once it listens. */
export async function startHostileServer(): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const server: HostileServer = {
    url: "",
    hits: new Map(),
    abandoned: [],
    cookies: new Map(),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    server.hits.set(path, (server.hits.get(path) ?? 0) + 1);
    server.cookies.set(path, req.headers.cookie ?? "");
    const handler = handlers[path];
    if (handler) handler(req, res, server);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  http.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  const address = http.address();
  if (!address || typeof address === "string") throw new Error("no address");
  server.url = `http://127.0.0.1:${address.port}`;
  return server;
}
