/**
 * Wall time of `edgerun run` (embedded workerd stack) vs `newman run` on the same collections and the
 * same local echo target, in one process run (issue 8). Each collection request carries a test script
 * with three assertions over the JSON response.
 *
 *   npx tsx bench/cli-vs-newman.ts [repeats=3]
 *
 * Prints a markdown table (median wall time of each tool per collection).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEchoServer } from "../test/echo-server";

const ROOT = join(import.meta.dirname, "..");
const repeats = Number(process.argv[2] ?? 3);

function collection(count: number) {
  return {
    info: {
      name: `bench-${count}`,
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: Array.from({ length: count }, (_, i) => ({
      name: `request ${i}`,
      request: { method: "GET", url: `{{base}}/get?i=${i}` },
      event: [
        {
          listen: "test",
          script: {
            exec: [
              "pm.test('status is 200', () => pm.response.to.have.status(200));",
              "const body = pm.response.json();",
              `pm.test('echoes i', () => pm.expect(body.args.i).to.eql('${i}'));`,
              "pm.test('is json', () => pm.response.to.be.json);",
            ],
          },
        },
      ],
    })),
  };
}

/** Async spawn: the echo target lives in this process, so the event loop must stay free. */
function time(bin: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(performance.now() - t0);
      else reject(new Error(`${bin} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const echo = await startEchoServer();
  const dir = await mkdtemp(join(tmpdir(), "edgerun-bench-"));
  const rows: string[] = [];
  try {
    for (const count of [10, 500]) {
      const file = join(dir, `c${count}.json`);
      await writeFile(file, JSON.stringify(collection(count)));
      const args = ["run", file, "--env-var", `base=${echo.url}`, "-r", "cli"];
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        theirs.push(await time(join(ROOT, "node_modules/newman/bin/newman.js"), args));
        ours.push(await time(join(ROOT, "cli/bin.mjs"), args));
      }
      const o = median(ours);
      const n = median(theirs);
      rows.push(`| ${count} | ${Math.round(n)} ms | ${Math.round(o)} ms | ${(o / n).toFixed(2)}× |`);
    }
  } finally {
    await echo.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`node ${process.version}, ${repeats} repeats, median wall time\n`);
  console.log("| requests | newman run | edgerun run | edgerun / newman |\n| --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
}

await main();
