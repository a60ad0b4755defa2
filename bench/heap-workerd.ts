/**
 * Is workerd's growth during a long run retained memory or lazy garbage collection? Runs one long run
 * on the local stack with the inspector attached and samples the JS heap in use of the Worker's isolate
 * (`Runtime.getHeapUsage`; workerd's inspector does not answer `HeapProfiler.collectGarbage`, so read
 * the low points between collections) next to the process RSS.
 *
 *   node --import tsx bench/heap-workerd.ts [requests=3000]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";
import { connectInspector } from "./lib/inspector";
import { readEvents, startStack, submitRun } from "./lib/stack";

const requests = Number(process.argv[2] ?? 3000);
const port = 9300 + Math.floor(Math.random() * 500);
const dir = mkdtempSync(join(tmpdir(), "edgerun-heap-"));
const echo = await startEchoServer();
const stack = await startStack(join(dir, "state"), join(dir, "wrangler.log"), { inspectorPort: port });
const rssMiB = () =>
  Math.round(
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${stack.workerdPid}/status`, "utf8"))![1]) / 1024,
  );
try {
  const inspector = await connectInspector(port);
  const send = inspector.send;
  const sample = async (label: string) => {
    const heap = (await send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
    console.log(
      `${label.padEnd(12)} heap used ${(heap.usedSize / 2 ** 20).toFixed(1)} MiB, total ${(heap.totalSize / 2 ** 20).toFixed(1)} MiB; RSS ${rssMiB()} MiB`,
    );
  };
  await send("Runtime.enable");
  await sample("start");
  const id = await submitRun(stack, {
    collection: benchCollection(100),
    environment: { name: "bench", values: [{ key: "base", value: echo.url }] },
    options: { iterationCount: Math.ceil(requests / 100) },
  });
  let done = 0;
  let next = 500;
  const checkpoints: Promise<void>[] = [];
  await readEvents(stack, id, (m) => {
    if (m.event === "request.completed" && ++done >= next) {
      checkpoints.push(sample(`${done} req`));
      next += Math.max(250, Math.floor(requests / 12));
    }
  });
  await Promise.all(checkpoints);
  await sample("finished");
  inspector.close();
} finally {
  await stack.stop();
  await echo.close();
}
