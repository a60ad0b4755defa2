/**
 * What one request of the benchmark collection puts in the event log: the request.completed event
 * as stored (without the run's envelope), field by field. Guides the "≤ 2 KB per request" budget.
 *
 *   node --import tsx bench/event-size.ts
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { buildPlan } from "../shared/engine/plan";
import { Runner } from "../shared/engine/runner";
import { QuickJSScriptHost, setQuickJSLoader } from "../shared/sandbox/quickjs-host";
import type { Collection } from "../shared/schemas/collection";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";

setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(releaseVariant));
const echo = await startEchoServer();
try {
  const plan = buildPlan(
    {
      collection: benchCollection(3) as unknown as Collection,
      environment: { values: [{ key: "base", value: echo.url }] },
      options: {},
    },
    "run_bench",
  );
  const runner = new Runner(plan, {
    fetch: (r: Request) => fetch(r),
    checkTarget: () => null,
    scripts: new QuickJSScriptHost({}),
    now: () => Date.now(),
    random: Math.random,
  });
  let state = runner.start("local").state;
  for (let i = 0; i < 2; i++) {
    const step = await runner.step(state);
    state = step.state;
    for (const e of step.events) {
      const json = JSON.stringify(e);
      console.log(`${e.type}: ${json.length} B`);
      for (const [k, v] of Object.entries(e)) console.log(`  ${k.padEnd(14)} ${JSON.stringify(v).length}`);
      if (i === 1) console.log(json);
    }
  }
} finally {
  await echo.close();
}
