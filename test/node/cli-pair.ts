/**
 * Runs one collection through both CLIs, `edgerun run` and the real Newman 6.2.2, as child processes
 * with the JSON reporter, for the differential tests that compare their reports.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

function exec(file: string, args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", resolve);
  });
}

/** One CLI's standard output for `args` (colour as the flags say: the environment's switches are dropped). */
export function textOutput(bin: "edgerun" | "newman", args: string[]): Promise<string> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
  const file = join(ROOT, bin === "edgerun" ? "cli/bin.mjs" : "node_modules/newman/bin/newman.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.on("error", reject);
    child.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Both CLIs' exit codes and JSON reports for `collection`, run with the same `args` (a temporary dir). */
export async function runBoth<R>(input: { collection: object; args?: string[] }) {
  const { args = [] } = input;
  const dir = await mkdtemp(join(tmpdir(), "edgerun-pair-"));
  try {
    await writeFile(join(dir, "c.json"), JSON.stringify(input.collection));
    const run = (bin: string, name: string) =>
      exec(join(ROOT, bin), [
        "run",
        join(dir, "c.json"),
        ...args,
        "-r",
        "json",
        "--reporter-json-export",
        join(dir, `${name}.json`),
      ]);
    // One after the other: the machine is small and each run times its requests.
    const oursCode = await run("cli/bin.mjs", "ours");
    const newmanCode = await run("node_modules/newman/bin/newman.js", "newman");
    const read = async (name: string) => JSON.parse(await readFile(join(dir, `${name}.json`), "utf8")) as R;
    return { oursCode, newmanCode, ours: await read("ours"), newman: await read("newman") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
