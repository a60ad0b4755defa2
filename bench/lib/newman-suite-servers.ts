/**
 * The two local servers Newman's own integration suite starts next to postman-echo.com
 * (newman's `npm/server.js`, reimplemented here): a raw echo on a TCP socket (echoes the request
 * message as written, for custom methods and bodies on GET/HEAD) and a redirect server (`/<n>` hops,
 * `/status/<code>` with a `location`, any other path echoes url, method, headers and body as JSON).
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

async function listen(server: HttpServer | TcpServer): Promise<number> {
  // `::` is dual-stack: `localhost` may resolve to ::1 or 127.0.0.1 depending on the client.
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: HttpServer | TcpServer, sockets: Set<{ destroy(): void }>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/**
 * Raw echo: answers 200 with the request message as body (and JSON-quoted in a `raw-request` header,
 * which HEAD requests read). Newman's version waits 1 s after the first chunk; here the message is
 * taken as complete once the socket has been quiet for 150 ms.
 */
export async function startRawEchoServer(): Promise<LocalServer> {
  const sockets = new Set<{ destroy(): void }>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let data = "";
    let timer: NodeJS.Timeout | undefined;
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString();
      clearTimeout(timer);
      timer = setTimeout(() => {
        socket.write(
          `HTTP/1.1 200 ok\r\nconnection: close\r\ncontent-type: text/plain\r\nraw-request: ${JSON.stringify(data)}\r\n\r\n`,
        );
        if (!data.startsWith("HEAD / HTTP/1.1")) socket.write(data);
        socket.end();
      }, 150);
    });
  });
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** Redirect + echo, as newman's `createRedirectServer`. */
export async function startRedirectServer(): Promise<LocalServer> {
  const sockets = new Set<{ destroy(): void }>();
  const server = createHttpServer((req, res) => {
    const url = req.url ?? "/";
    if (/^\/\d+$/.test(url)) {
      const hops = Number.parseInt(url.slice(1), 10) - 1;
      res.writeHead(302, { location: hops > 0 ? `/${hops}` : "/" });
      return void res.end();
    }
    if (/^\/status\/\d{3}$/.test(url)) {
      res.writeHead(Number.parseInt(url.slice(-3), 10), { location: "/" });
      return void res.end();
    }
    let data = "";
    req.on("data", (d: Buffer) => (data += d.toString()));
    req.once("end", () => {
      res.writeHead(200, { connection: "close", "Content-Type": "application/json" });
      res.end(JSON.stringify({ url, method: req.method, headers: req.headers, data }));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}
