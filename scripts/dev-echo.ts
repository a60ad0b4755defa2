/**
 * Development only: the local echo target `npm start` serves beside the stack (default port 8788), so the
 * README's first example runs with no internet. Never part of a deployment (the Worker does not import it).
 */
import { startEchoServer } from "../test/echo-server";

const port = Number(process.env.ECHO_PORT ?? "8788");
const echo = await startEchoServer(port);
console.log(`edgerun: local echo target on ${echo.url} (development only)`);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    void echo.close().then(() => process.exit(0));
  });
}
