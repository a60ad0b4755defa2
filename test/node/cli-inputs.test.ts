/**
 * Inputs Newman accepts (issue 15), differentially: each fixture runs through real Newman 6.2.2 and the
 * real `edgerun run` (embedded stack) on the local echo target, and both must give the same verdicts,
 * messages, failures and stats. `POST /v1/runs` is checked on the same shapes without the CLI.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { followRun } from "../../cli/follow";
import { type Server, startEmbedded } from "../../cli/server";
import type { RunEvent } from "../../shared/schemas/events";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test/fixtures");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(script: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

interface Report {
  run: {
    stats: Record<string, { total: number; failed: number }>;
    executions: Array<{
      item: { name: string };
      cursor: { iteration: number };
      assertions?: Array<{ assertion: string; skipped: boolean; error?: { message: string } }>;
    }>;
    failures: Array<{ error: { name: string; message: string } }>;
  };
}

/** What must be equal between the two tools: stats, failures and every assertion's verdict, in order. */
async function verdicts(file: string) {
  const json = JSON.parse(await readFile(file, "utf8")) as Report;
  return {
    stats: json.run.stats,
    failures: json.run.failures.map((f) => [f.error.name, f.error.message]),
    assertions: json.run.executions.flatMap((e) =>
      (e.assertions ?? []).map((a) => [
        e.item.name,
        e.cursor.iteration,
        a.assertion,
        a.error?.message ?? null,
      ]),
    ),
  };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-inputs-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs Newman and edgerun with the same arguments (edgerun's own extra ones allowed) and compares. */
async function differential(name: string, args: string[], ours: string[] = args) {
  const common = ["--env-var", `base=${inject("targetUrl")}`, "-r", "json", "--reporter-json-export"];
  const theirs = await node(join(ROOT, "node_modules/newman/bin/newman.js"), [
    "run",
    ...args,
    ...common,
    join(dir, `${name}-newman.json`),
  ]);
  const mine = await node(join(ROOT, "cli/bin.mjs"), [
    "run",
    ...ours,
    ...common,
    join(dir, `${name}-ours.json`),
  ]);
  expect(mine.code, mine.stderr).toBe(theirs.code);
  expect(await verdicts(join(dir, `${name}-ours.json`))).toEqual(
    await verdicts(join(dir, `${name}-newman.json`)),
  );
  return { theirs, mine };
}

const fixture = (name: string) => join(FIXTURES, name);

describe("differential: input shapes Newman accepts", () => {
  it("a Collection v1 export (folders_order, dataMode bodies, header strings, pathVariables, legacy auth)", async () => {
    const { theirs, mine } = await differential("v1", [fixture("compat15-inputs-v1.json")]);
    const warning = "newman: Newman v4 deprecates support for the v1 collection format";
    expect(theirs.stderr).toContain(warning);
    expect(mine.stderr).toContain(warning);
  }, 90_000);

  it("a wrapped collection, a wrapped UTF-16 LE environment, globals as a bare array, a BOM CSV", async () => {
    await differential("wrapped", [
      fixture("compat15-inputs-wrapped.json"),
      "-e",
      fixture("compat15-inputs-env-utf16le.json"),
      "-g",
      fixture("compat15-inputs-globals.json"),
      "-d",
      fixture("compat15-inputs-data-bom.csv"),
    ]);
  }, 90_000);

  it("UTF-16 BE and BOM-less UTF-16 LE files read like Newman's UTF-16 LE (Newman itself cannot read BE)", async () => {
    const env = (await readFile(fixture("compat15-inputs-env-utf16le.json"))).subarray(2);
    const be = Buffer.from(env).swap16();
    await writeFile(join(dir, "env-be.json"), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    await writeFile(join(dir, "env-le-nobom.json"), env);
    const data = (await readFile(fixture("compat15-inputs-data-bom.csv"))).subarray(3).toString();
    await writeFile(
      join(dir, "data-be.csv"),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(data, "utf16le").swap16()]),
    );
    const rest = ["-g", fixture("compat15-inputs-globals.json")];
    for (const [label, envFile, dataFile] of [
      ["be", join(dir, "env-be.json"), join(dir, "data-be.csv")],
      ["nobom", join(dir, "env-le-nobom.json"), fixture("compat15-inputs-data-bom.csv")],
    ] as const) {
      const collection = fixture("compat15-inputs-wrapped.json");
      const newmanArgs = [
        collection,
        "-e",
        fixture("compat15-inputs-env-utf16le.json"),
        "-d",
        fixture("compat15-inputs-data-bom.csv"),
        ...rest,
      ];
      await differential(`utf16-${label}`, newmanArgs, [collection, "-e", envFile, "-d", dataFile, ...rest]);
    }
  }, 120_000);

  it("a data file with no rows (empty, or a JSON object): one iteration without data, as Newman runs it", async () => {
    await writeFile(join(dir, "empty.csv"), "\n");
    await writeFile(join(dir, "object.json"), '{"a": 1}');
    for (const file of ["empty.csv", "object.json"]) {
      const { mine } = await differential(`no-rows-${file}`, [
        fixture("compat15-inputs-wrapped.json"),
        "-d",
        join(dir, file),
      ]);
      expect(mine.stderr).toContain(`The iteration data file '${join(dir, file)}'`);
    }
  }, 120_000);

  it("missing upload files: a warning with postman-runtime's text, the request still sent", async () => {
    const { mine } = await differential("upload", [
      fixture("compat15-inputs-upload.json"),
      "--working-dir",
      FIXTURES,
    ]);
    const form = 'Form param `file`, file load error: "compat15-no-such-file.txt", no such file';
    const binary = 'Binary file load error: "compat15-no-such-file.bin", no such file';
    // Newman prints them as the request's console output (level warn): so does edgerun, from the event.
    expect(mine.stderr).not.toContain(form);
    const cli = await node(join(ROOT, "cli/bin.mjs"), [
      "run",
      fixture("compat15-inputs-upload.json"),
      "--working-dir",
      FIXTURES,
      "--env-var",
      `base=${inject("targetUrl")}`,
    ]);
    // Newman shows them as console messages: quoted by util.inspect, wrapped to 54 columns in the box.
    const box = (text: string) =>
      `'${text}'`
        .match(/.{1,54}/g)
        ?.map((line) => `  │ ${line}`)
        .join("\n");
    expect(cli.stdout).toContain(box(form));
    expect(cli.stdout).toContain(box(binary));
  }, 90_000);
});

describe("POST /v1/runs accepts the same shapes", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startEmbedded();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("a v1 collection, a bare-array environment, wrapped globals and CSV text with a BOM", async () => {
    const v1 = JSON.parse(await readFile(fixture("compat15-inputs-v1.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const res = await server.api("/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        collection: v1,
        environment: [{ key: "base", value: inject("targetUrl") }],
        globals: { globals: { values: [{ key: "g", value: "1" }] } },
        iterationData: "\uFEFFuser\nada\n",
        options: {},
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const events: RunEvent[] = [];
    for await (const { event } of followRun(server, id)) events.push(event);
    const end = events.at(-1)!;
    expect(end.type).toBe("run.completed");
    expect(end.type === "run.completed" ? end.failures : null).toEqual([]);
    const names = events.flatMap((e) => (e.type === "request.completed" ? [e.item.name] : []));
    expect(names).toEqual([
      "urlencoded post",
      "formdata post",
      "raw json post",
      "root get",
      "path variable",
      "legacy basic auth",
    ]);
  }, 90_000);

  it("a Postman API export wrapped as { collection }", async () => {
    const wrapped = JSON.parse(await readFile(fixture("compat15-inputs-wrapped.json"), "utf8")) as {
      collection: Record<string, unknown>;
    };
    const res = await server.api("/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ collection: wrapped, options: { iterationCount: 1 } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const events: RunEvent[] = [];
    for await (const { event } of followRun(server, id)) events.push(event);
    expect(events.find((e) => e.type === "run.started")).toMatchObject({
      collection: { name: "compat15 wrapped collection" },
    });
  }, 90_000);

  it("a stored collection given as v1 is stored as v2.1 and runs by id", async () => {
    const v1 = JSON.parse(await readFile(fixture("compat15-inputs-v1.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const stored = await server.api("/v1/collections", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(v1),
    });
    expect(stored.status, await stored.clone().text()).toBe(201);
    const { id, collection } = (await stored.json()) as {
      id: string;
      collection: { info: { schema: string } };
    };
    expect(collection.info.schema).toBe(
      "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    );
    const res = await server.api("/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        collection: id,
        environment: [{ key: "base", value: inject("targetUrl") }],
        options: {},
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const run = (await res.json()) as { id: string };
    const events: RunEvent[] = [];
    for await (const { event } of followRun(server, run.id)) events.push(event);
    const end = events.at(-1)!;
    expect(end.type === "run.completed" ? end.failures : end).toEqual([]);
  }, 90_000);
});
