/**
 * Differential against real Newman 6.2.2: a `pm.sendRequest` that gets no response is a run failure
 * (listed in `run.failures` with the side request as its source, counted in `requests.failed`, exit
 * code 1), and same-named failing tests keep their own `assertion:N`. Both CLIs run as child processes
 * against the local echo target; the refused side request goes to 127.0.0.1:1.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

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

const script = (listen: string, ...exec: string[]) => ({ listen, script: { type: "text/javascript", exec } });

function collection(base: string) {
  return {
    info: { name: "side", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [
      {
        name: "send",
        event: [
          script(
            "prerequest",
            "pm.sendRequest('http://127.0.0.1:1/token', function () {});",
            "pm.sendRequest({ url: '', method: 'POST' }, function () {});",
          ),
          script(
            "test",
            "pm.test('same', function () { pm.expect(1).to.eql(1); });",
            "pm.test('same', function () { undefined.x; });",
            "pm.test('same', function () { undefined.y; });",
          ),
        ],
        request: { method: "GET", url: `${base}/get` },
      },
    ],
  };
}

interface Report {
  run: {
    stats: { requests: { total: number; failed: number } };
    failures: Array<{
      at: string;
      error: { name: string; message: string; index?: number };
      source: { name?: string; request?: { method: string; url: { host?: string[] } } };
    }>;
  };
}

/** What both reports must agree on (error texts of refused connections are Node's in Newman). */
function shape(r: Report) {
  return {
    requests: r.run.stats.requests,
    failures: r.run.failures.map((f) => ({
      at: f.at,
      named: f.source.name !== undefined,
      method: f.source.request?.method,
      host: f.source.request?.url.host?.join(".") || undefined,
      index: f.error.index,
      ...(f.error.message.includes("url is empty") ? { message: f.error.message } : {}),
    })),
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-side-"));
  await writeFile(join(dir, "c.json"), JSON.stringify(collection(inject("targetUrl"))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("failed pm.sendRequest and same-named tests (vs Newman)", () => {
  it("lists, counts and exits as Newman does", async () => {
    const run = (bin: string, name: string) =>
      exec(join(ROOT, bin), [
        "run",
        join(dir, "c.json"),
        "-r",
        "json",
        "--reporter-json-export",
        join(dir, `${name}.json`),
      ]);
    const [ours, theirs] = [
      await run("cli/bin.mjs", "ours"),
      await run("node_modules/newman/bin/newman.js", "newman"),
    ];
    expect(ours).toBe(theirs);
    expect(theirs).toBe(1);
    const read = async (name: string) =>
      JSON.parse(await readFile(join(dir, `${name}.json`), "utf8")) as Report;
    const a = shape(await read("ours"));
    expect(a).toEqual(shape(await read("newman")));
    expect(a.failures.map((f) => f.at)).toEqual([
      "request",
      "request",
      "assertion:1 in test-script",
      "assertion:2 in test-script",
    ]);
  }, 60_000);
});
