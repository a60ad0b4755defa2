/**
 * `npm run bench`: every benchmark case in one process tree against one local echo target, one
 * compact table, results in bench/results/<date>.json and the table in bench/README.md.
 *
 *   npm run bench                      # full set (engine, cli 10/500/5000, concurrent, big 20k + 100k)
 *   npm run bench -- --quick           # ≈ 2-minute subset (cli 10/500, big 2,000)
 *   npm run bench -- --cases engine,big --big 20000 --no-write
 *
 * Flags (or BENCH_* environment variables): --cases (engine,cli,scripts,concurrent,big), --big N[,N…],
 * --cli 10,500, --repeats N, --engine N, --max-minutes M (the whole run's bound), --no-write.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startEchoServer } from "../test/echo-server";
import { cliCase } from "./cases/cli";
import { engineCase } from "./cases/engine";
import { scriptsCase } from "./cases/scripts";
import { bigRunCase, concurrentCase } from "./cases/stack";
import { workerdFetchCase } from "./cases/workerd-fetch";
import { type Results, renderTable, updateReadme } from "./lib/report";
import { type Stack, startStack } from "./lib/stack";
import { versions } from "./lib/versions";

const ROOT = join(import.meta.dirname, "..");
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: process.env.BENCH_QUICK === "1" },
    cases: { type: "string", default: process.env.BENCH_CASES },
    big: { type: "string", default: process.env.BENCH_BIG },
    cli: { type: "string", default: process.env.BENCH_CLI },
    repeats: { type: "string", default: process.env.BENCH_REPEATS },
    engine: { type: "string", default: process.env.BENCH_ENGINE },
    "max-minutes": { type: "string", default: process.env.BENCH_MAX_MINUTES },
    "no-write": { type: "boolean", default: false },
  },
});
const quick = flags.quick ?? false;
const numbers = (s: string | undefined, fallback: number[]) => (s ? s.split(",").map(Number) : fallback);
const cases = new Set((flags.cases ?? "engine,cli,scripts,concurrent,big").split(","));
const cliSizes = numbers(flags.cli, quick ? [10, 500] : [10, 500, 5000]);
const repeats = Number(flags.repeats ?? (quick ? 1 : 3));
const bigSizes = numbers(flags.big, quick ? [2000] : [20_000, 100_000]);
const engineRequests = Number(flags.engine ?? (quick ? 500 : 2000));
const maxMinutes = Number(flags["max-minutes"] ?? (quick ? 5 : 40));

const cleanups: Array<() => Promise<void>> = [];
const deadline = setTimeout(() => {
  console.error(`bench: stopped after the ${maxMinutes}-minute bound (--max-minutes)`);
  void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(2));
}, maxMinutes * 60_000);

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const results: Results = {
    date,
    quick,
    machine: machine(),
    versions: await versions(),
    commands: [],
    cases: {},
  };
  results.commands.push(`npm run bench -- ${process.argv.slice(2).join(" ")}`.trim());
  const echo = await startEchoServer();
  cleanups.push(() => echo.close());
  const dir = await mkdtemp(join(tmpdir(), "edgerun-bench-"));
  let stack: Stack | undefined;
  try {
    if (cases.has("engine")) {
      log(`engine: ${engineRequests} requests × raw / engine / engine + script`);
      results.cases.engine = await engineCase({ url: echo.url, requests: engineRequests });
      log(`workerd: ${engineRequests} raw fetches inside workerd, bare and with the engine's headers`);
      results.cases.workerdFetch = await workerdFetchCase({
        url: echo.url,
        server: echo.server,
        requests: engineRequests,
      });
    }
    if (cases.has("cli")) {
      const sizes = cliSizes.map((requests) => ({ requests, repeats: requests >= 5000 ? 1 : repeats }));
      log(`cli: edgerun run vs newman run on ${cliSizes.join(", ")} scripted requests`);
      results.cases.cli = await cliCase({ url: echo.url, dir, sizes });
    }
    if (cases.has("scripts")) {
      log("scripts: the typical test script in workerd, QuickJS and V8 (bench/cases/v8-scripts.ts)");
      results.cases.scripts = await scriptsCase(
        quick ? { batches: 4, perBatch: 100 } : { batches: 10, perBatch: 200 },
      );
    }
    if (cases.has("concurrent") || cases.has("big")) {
      log("stack: bundling (wrangler deploy --dry-run) and starting workerd");
      const persist = join(dir, "state");
      await mkdir(persist);
      const logFile = join(dir, "wrangler.log");
      log(`stack: wrangler output in ${logFile} (kept after a failure)`);
      stack = await startStack(persist, logFile);
      cleanups.unshift(() => stack?.stop() ?? Promise.resolve());
      if (cases.has("concurrent")) {
        log("concurrent: 50 runs × 40 scripted requests");
        results.cases.concurrent = await concurrentCase(stack, { url: echo.url, runs: 50, requests: 40 });
        results.cases.stackBackend = process.env.SCRIPT_BACKEND ?? "quickjs";
      }
      if (cases.has("big")) {
        results.cases.big = [];
        for (const requests of bigSizes) {
          log(`big: one run of ${requests} scripted requests, its replay and its report`);
          results.cases.big.push(await bigRunCase(stack, { url: echo.url, requests, persistDir: persist }));
        }
      }
      if (cases.has("concurrent") && process.env.SCRIPT_BACKEND === undefined) {
        results.cases.concurrentV8 = await concurrentWithV8({ dir, url: echo.url, stop: stack.stop });
        stack = undefined;
        if (existsSync("/dev/shm")) {
          log("stack: the V8 case again with its storage in /dev/shm (no fsync cost per commit)");
          const shm = await mkdtemp("/dev/shm/edgerun-bench-");
          cleanups.push(() => rm(shm, { recursive: true, force: true }));
          results.cases.concurrentV8Memory = await concurrentWithV8({ dir: shm, url: echo.url });
        }
      }
    }
  } finally {
    for (const c of cleanups.splice(0)) await c().catch(() => {});
    clearTimeout(deadline);
  }
  await rm(dir, { recursive: true, force: true }); // kept (with wrangler.log) when a case failed
  const table = renderTable(results);
  console.log(`\n${table}`);
  if (flags["no-write"]) return;
  const out = join(ROOT, "bench/results", `${date.slice(0, 19).replace(/:/g, "-")}.json`);
  await mkdir(join(ROOT, "bench/results"), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  const readme = join(ROOT, "bench/README.md");
  await writeFile(readme, updateReadme(await readFile(readme, "utf8"), results, table));
  console.log(`\nwrote ${out} and the table in bench/README.md`);
}

/**
 * The concurrent case again on a stack whose scripts run in V8 isolates (what a deployment with the
 * Worker Loader does; `npm start` keeps QuickJS, see README), its storage under `dir`: the first stack
 * is stopped first (`stop`), so the two never share the machine.
 */
async function concurrentWithV8(opts: { dir: string; url: string; stop?: () => Promise<void> }) {
  await opts.stop?.();
  const persist = join(opts.dir, "state-v8");
  await mkdir(persist);
  process.env.SCRIPT_BACKEND = "v8";
  try {
    log("stack: the same with SCRIPT_BACKEND=v8");
    const v8 = await startStack(persist, join(opts.dir, "wrangler-v8.log"));
    try {
      log("concurrent: 50 runs × 40 scripted requests, scripts in V8");
      return await concurrentCase(v8, { url: opts.url, runs: 50, requests: 40 });
    } finally {
      await v8.stop();
    }
  } finally {
    delete process.env.SCRIPT_BACKEND;
  }
}

function machine() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
  };
}

function log(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

await main();
