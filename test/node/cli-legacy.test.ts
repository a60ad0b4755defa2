/**
 * Differential cases for Newman's sandbox (issue 15): each `compat16-*` … `compat19-*` collection runs
 * through real Newman 6.2.2 and `edgerun run` (embedded stack) against the local echo target; every
 * assertion's verdict and message, the failures and the stats must be the same.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test/fixtures");

interface Report {
  run: {
    stats: Record<string, unknown>;
    failures: Array<{ error: { name: string; message: string } }>;
    executions: Array<{
      cursor: { iteration: number };
      item: { name: string };
      assertions?: Array<{ assertion: string; skipped: boolean; error?: { message: string } }>;
    }>;
  };
}

/** Runs a Node script of this repository (Newman's bin or edgerun's) and resolves with its exit code. */
function node(script: string, args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("close", resolve);
  });
}

/** What must agree: stats, failures (connection errors in Newman's words too) and assertions. */
function verdicts(report: Report) {
  const seen = new Set<string>();
  return {
    stats: report.run.stats,
    failures: report.run.failures.map((f) => [f.error.name, f.error.message]),
    assertions: report.run.executions.flatMap((e) => {
      const key = `${e.item.name}#${e.cursor.iteration}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return (e.assertions ?? []).map((a) => [e.item.name, a.assertion, a.skipped, a.error?.message ?? null]);
    }),
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-legacy-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixtures = (await readdir(FIXTURES))
  .filter((f) => /^compat1[6-9]-.*\.postman_collection\.json$/.test(f))
  .sort();

describe("differential: Newman's sandbox (legacy API, messages, modern gaps)", () => {
  it("has fixtures", () => expect(fixtures.length).toBeGreaterThan(0));

  it.each(fixtures)(
    "%s: same verdicts, messages, failures and stats as Newman 6.2.2",
    async (file) => {
      const args = (out: string) => [
        "run",
        join(FIXTURES, file),
        "--env-var",
        `base=${inject("targetUrl")}`,
        "-r",
        "json",
        "--reporter-json-export",
        join(dir, out),
      ];
      const [ours, theirs] = await Promise.all([
        node(join(ROOT, "cli/bin.mjs"), [...args(`${file}-ours.json`), "--silent"]),
        node(join(ROOT, "node_modules/newman/bin/newman.js"), args(`${file}-newman.json`)),
      ]);
      expect(ours).toBe(theirs);
      const read = async (name: string) =>
        verdicts(JSON.parse(await readFile(join(dir, name), "utf8")) as Report);
      expect(await read(`${file}-ours.json`)).toEqual(await read(`${file}-newman.json`));
    },
    90_000,
  );
});
