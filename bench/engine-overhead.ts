/**
 * Engine overhead per request (issue 3): the same N GET requests to a local target, once as a raw
 * `fetch` loop and once through the engine (Runner.step, no scripts), then the difference per request.
 * Also samples heap during a long run to show memory stays flat.
 *
 *   node --expose-gc --import tsx bench/engine-overhead.ts [requests=2000] [longRun=10000]
 */

import { buildPlan } from "../shared/engine/plan";
import { runLocal } from "../shared/engine/run-local";
import type { Collection } from "../shared/schemas/collection";
import { startEchoServer } from "../test/echo-server";

const n = Number(process.argv[2] ?? 2000);
const long = Number(process.argv[3] ?? 10000);

function collection(url: string, count: number): Collection {
  return {
    info: { name: "bench" },
    item: Array.from({ length: count }, (_, i) => ({
      name: `r${i}`,
      request: { method: "GET", url: `${url}/get?i=${i}` },
    })),
  } as Collection;
}

const deps = {
  fetch: (r: Request) => fetch(r),
  checkTarget: () => null,
  scripts: undefined,
  now: () => Date.now(),
  random: Math.random,
};

async function main(): Promise<void> {
  const echo = await startEchoServer();
  try {
    // Warm up both paths.
    for (let i = 0; i < 200; i++) await (await fetch(`${echo.url}/get?w=${i}`)).text();
    await runLocal(buildPlan({ collection: collection(echo.url, 200), options: {} }, "warm"), deps, {
      collect: false,
    });

    const t0 = performance.now();
    for (let i = 0; i < n; i++) await (await fetch(`${echo.url}/get?i=${i}`)).text();
    const raw = performance.now() - t0;

    const plan = buildPlan({ collection: collection(echo.url, n), options: {} }, "bench");
    const t1 = performance.now();
    await runLocal(plan, deps, { collect: false });
    const engine = performance.now() - t1;

    console.log(`requests: ${n}`);
    console.log(`raw fetch loop: ${(raw / n).toFixed(3)} ms/request`);
    console.log(`engine:         ${(engine / n).toFixed(3)} ms/request`);
    console.log(`overhead:       ${((engine - raw) / n).toFixed(3)} ms/request`);

    const heap: number[] = [];
    const longPlan = buildPlan(
      { collection: collection(echo.url, 100), options: { iterationCount: Math.ceil(long / 100) } },
      "long",
    );
    globalThis.gc?.();
    await runLocal(longPlan, deps, {
      collect: false,
      onEvent: (_e, seq) => {
        if (seq % 1000 !== 0) return;
        globalThis.gc?.(); // with --expose-gc the sample is live memory, not garbage awaiting collection
        heap.push(process.memoryUsage().heapUsed / 1048576);
      },
    });
    console.log(
      `long run: ${long} requests, heap MiB sampled every 1000 events: ${heap.map((h) => h.toFixed(1)).join(" ")}`,
    );
  } finally {
    await echo.close();
  }
}

await main();
