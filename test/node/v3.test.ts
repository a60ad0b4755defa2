/**
 * Collection v3 (git-native YAML): the converter on a hand-written tree, parse errors that name the
 * file and line, the API's size limits, and a round trip — every compat fixture → toV3 → convertV3 →
 * the real engine and QuickJS sandbox against the echo target, with the same verdicts as the v2.1 file.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { followRun } from "../../cli/follow";
import { inlineLocalFiles } from "../../cli/inputs";
import { startEmbedded } from "../../cli/server";
import { checkCollectionLimits } from "../../shared/engine/limits";
import { buildPlan, PlanError, type PlanInput } from "../../shared/engine/plan";
import { asV21Collection, convertV3, environmentToV3, toV3, V3Error } from "../../shared/engine/v3";
import type { Collection, Environment } from "../../shared/schemas/collection";
import { CollectionDocumentSchema } from "../../shared/schemas/collection-v3";
import type { RunEvent } from "../../shared/schemas/events";
import { runEngine } from "../support/run-engine";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test/fixtures");
const TREE = join(FIXTURES, "v3");
type Json = Record<string, unknown>;

async function readTree(dir: string, base = dir, out: Record<string, string> = {}) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await readTree(path, base, out);
    else out[relative(base, path)] = await readFile(path, "utf8");
  }
  return out;
}

const find = (items: unknown, name: string): Json =>
  (items as Json[]).find((i) => i.name === name) ?? (undefined as never);

async function run(input: Omit<PlanInput, "options"> & { options?: PlanInput["options"] }) {
  const plan = buildPlan({ options: {}, ...input } as PlanInput, "run_v3");
  return runEngine(plan);
}

/** What must not change when the same collection arrives as v3: every verdict, message and count. */
function verdicts(events: RunEvent[]) {
  const end = events.at(-1);
  return {
    requests: events.flatMap((e) =>
      e.type === "request.completed"
        ? [
            {
              at: [e.iteration, ...e.item.path, e.item.name].join(" / "),
              code: e.response?.code ?? e.error?.name,
              assertions: e.assertions.map((a) => [a.name, a.passed, a.skipped, a.error?.message ?? null]),
              scriptErrors: e.scriptErrors.map((s) => `${s.location}: ${s.message}`),
            },
          ]
        : [],
    ),
    end: end && "stats" in end ? { type: end.type, stats: end.stats, failures: end.failures.length } : null,
  };
}

const env = (extra: Array<{ key: string; value: string }> = []): Environment => ({
  name: "round trip",
  values: [{ key: "base", value: inject("targetUrl") }, ...extra],
});

describe("convertV3 on a hand-written tree", () => {
  it("maps folders, order, definitions, settings, bodies, path variables, disabled entries and environments", async () => {
    const { collection, environments, skipped } = convertV3({ files: await readTree(TREE) });
    expect(collection.info.name).toBe("Echo API (v3)");
    expect(collection.item.map((i) => i.name)).toEqual(["Get status", "Users", "Redirect"]);
    expect(collection.variable).toEqual([
      { key: "greeting", value: "hello" },
      { key: "user", value: "ada" },
      { key: "unused", value: "off", disabled: true },
    ]);
    expect(collection.auth).toEqual({
      type: "bearer",
      bearer: [{ key: "token", value: "tok-{{greeting}}", type: "string" }],
    });
    const users = find(collection.item, "Users");
    expect((users.item as Json[]).map((i) => i.name)).toEqual(["Get user :id", "Create user", "Form"]);
    expect(users.auth).toEqual({ type: "noauth" });
    expect(users.variable).toEqual([{ key: "folderOnly", value: "kept on the v2.1 folder" }]);
    const get = find(collection.item, "Get status").request as Json;
    expect(get.url).toMatchObject({ raw: "{{base}}/get?a=1" });
    expect(get.header).toEqual([
      { key: "X-Trace", value: "on" },
      { key: "X-Off", value: "no", disabled: true },
    ]);
    expect(find(collection.item, "Redirect").protocolProfileBehavior).toEqual({ followRedirects: false });
    expect(find(users.item, "Create user").request).toMatchObject({
      body: { mode: "raw", options: { raw: { language: "json" } } },
    });
    expect(Object.keys(environments)).toEqual(["Local"]);
    expect(environments.Local!.values).toContainEqual({
      key: "api_key",
      value: "not-a-real-key",
      type: "secret",
      enabled: true,
    });
    expect(skipped).toEqual([
      {
        path: "postman/collections/Echo API/Live feed.request.yaml",
        reason: "WebSocket request (websocket-request): edgerun runs HTTP requests only, so it was not run",
      },
    ]);
  });

  it("runs through the engine with every assertion passing", async () => {
    const { collection } = convertV3({ files: await readTree(TREE) });
    const result = verdicts(await run({ collection: collection as Collection, environment: env() }));
    expect(result.requests.map((r) => r.at)).toEqual([
      "0 / Get status",
      "0 / Users / Get user :id",
      "0 / Users / Create user",
      "0 / Users / Form",
      "0 / Redirect",
    ]);
    const failed = result.requests.flatMap((r) =>
      r.assertions.filter((a) => a[1] !== true || r.scriptErrors.length),
    );
    expect(failed).toEqual([]);
    expect(result.end?.stats.assertions).toMatchObject({ total: 13, failed: 0 });
  });

  it("stored-collection helpers: the document schema takes both formats, asV21Collection converts v3 only", async () => {
    const files = await readTree(TREE);
    expect(CollectionDocumentSchema.safeParse({ format: "v3", files }).success).toBe(true);
    expect(CollectionDocumentSchema.safeParse({ format: "v3", files: { a: 1 } }).success).toBe(false);
    expect((asV21Collection({ format: "v3", files }) as Collection).info.name).toBe("Echo API (v3)");
    const v21 = { info: { name: "plain" }, item: [] };
    expect(asV21Collection(v21)).toBe(v21);
  });

  it("accepts paths relative to the collection directory", async () => {
    const files = await readTree(join(TREE, "postman/collections/Echo API"));
    const { collection } = convertV3({ files });
    expect(collection.info.name).toBe("Echo API (v3)");
    expect(collection.item).toHaveLength(3);
  });
});

describe("v3 parse errors name the file and the line", () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "invalid YAML",
      "$kind: http-request\nurl: '{{base}}/get'\nheaders: [a,\n",
      /^c\/Bad\.request\.yaml:4:1: invalid YAML: /,
    ],
    ["missing $kind", "url: x\n", /^c\/Bad\.request\.yaml:1:1: missing '\$kind'/],
    [
      "headers not a list",
      "$kind: http-request\nmethod: GET\nheaders:\n  key: X\n",
      /^c\/Bad\.request\.yaml:4:3: 'headers' must be a list/,
    ],
    [
      "a header without a key",
      "$kind: http-request\nheaders:\n  - key: A\n    value: '1'\n  - value: '2'\n",
      /^c\/Bad\.request\.yaml:5:5: each entry of 'headers' needs a string 'key'/,
    ],
    [
      "body without type",
      "$kind: http-request\nbody:\n  content: x\n",
      /^c\/Bad\.request\.yaml:3:3: 'body' needs a 'type'/,
    ],
    ["not a mapping", "- just\n- a list\n", /^c\/Bad\.request\.yaml:1:1: the file must hold a YAML mapping/],
  ];
  it.each(cases)("%s", (_name, text, message) => {
    const files = { "postman/collections/c/Bad.request.yaml": text };
    expect(() => convertV3({ files: { ...files } })).toThrow(V3Error);
    try {
      convertV3({ files });
    } catch (err) {
      expect((err as V3Error).message.replace("postman/collections/", "")).toMatch(message);
    }
  });

  it("a tree with several collections needs one chosen", () => {
    const files = {
      "postman/collections/a/r.request.yaml": "$kind: http-request\n",
      "postman/collections/b/r.request.yaml": "$kind: http-request\n",
    };
    expect(() => convertV3({ files })).toThrow("the tree holds several collections (a, b); choose one");
    expect(convertV3({ files, collection: "b" }).collection.info.name).toBe("b");
    expect(() => convertV3({ files, collection: "c" })).toThrow("no collection 'c' (found: a, b)");
  });

  it("buildPlan reports a broken file as a PlanError pointing into /collection/files", () => {
    const files = { "postman/collections/c/Bad.request.yaml": "url: x\n" };
    const attempt = () => buildPlan({ collection: { format: "v3", files }, options: {} }, "run_x");
    expect(attempt).toThrow(PlanError);
    try {
      attempt();
    } catch (err) {
      expect((err as PlanError).pointer).toBe("/collection/files/postman~1collections~1c~1Bad.request.yaml");
      expect((err as PlanError).message).toContain("Bad.request.yaml:1:1");
    }
  });
});

describe("v3 through the API's plan and limits", () => {
  it("buildPlan converts a v3 body and takes its environment by name", async () => {
    const files = await readTree(TREE);
    const plan = buildPlan(
      { collection: { format: "v3", files, environment: "Local" }, options: {} },
      "run_y",
    );
    expect(plan.collection.name).toBe("Echo API (v3)");
    expect(plan.collection.items).toHaveLength(5);
    expect(plan.environment.name).toBe("Local");
    // The run says what it left out, in run.started.
    const events = await run({ collection: { format: "v3", files }, environment: env() });
    expect(events[0]).toMatchObject({
      type: "run.started",
      warnings: [
        "skipped postman/collections/Echo API/Live feed.request.yaml: WebSocket request (websocket-request): edgerun runs HTTP requests only, so it was not run",
      ],
    });
  });

  it("refuses more than 2,000 files, a file over 2 MiB and more than 12 MiB in all", () => {
    const many = Object.fromEntries(
      Array.from({ length: 2001 }, (_, i) => [`r${i}.request.yaml`, "$kind: x\n"]),
    );
    expect(checkCollectionLimits({ format: "v3", files: many })[0]?.message).toMatch(
      /2001 files exceed the limit of 2000/,
    );
    const big = { "a.request.yaml": "x".repeat(2 * 1024 * 1024 + 1) };
    expect(checkCollectionLimits({ format: "v3", files: big })[0]).toMatchObject({
      pointer: "/files/a.request.yaml",
    });
    const total = Object.fromEntries(
      Array.from({ length: 7 }, (_, i) => [`f${i}.yaml`, "é".repeat(1024 * 1024)]),
    );
    expect(checkCollectionLimits({ format: "v3", files: total })[0]?.message).toMatch(
      /exceed the limit of 12582912/,
    );
    expect(checkCollectionLimits({ format: "v3", files: { "a.yaml": "$kind: collection\n" } })).toEqual([]);
    // The collection the files convert to has the v2.1 limits too (here: one script over 256 KiB).
    const script = `$kind: http-request\nscripts:\n  - type: afterResponse\n    code: |-\n      ${"x".repeat(300_000)}\n`;
    expect(checkCollectionLimits({ format: "v3", files: { "big.request.yaml": script } })[0]).toMatchObject({
      pointer: "/files",
      message: expect.stringMatching(
        /script of more than 262144 characters exceeds .*\(in the collection the v3 files convert to\)$/,
      ),
    });
  });
});

describe("round trip: v2.1 → toV3 → convertV3 runs with identical verdicts", () => {
  const data2 = "compat2-data.csv";
  const cases: Array<
    [string, { data?: string; env?: string; vars?: Array<[string, string]>; folder?: string }]
  > = [
    ["compat", {}],
    ["compat2", { data: data2 }],
    ["compat2", { data: data2, folder: "Folder A" }],
    ["compat3", {}],
    ["compat4", {}],
    ["compat5", { data: "compat5-data.json", env: "compat5.postman_environment.json" }],
    ["compat6", {}],
    ["compat7", {}],
    ["compat8", {}],
    ["compat9", { data: "compat9-data.csv" }],
    [
      "compat10",
      {
        vars: [
          ["seg", "s/t u"],
          ["val", "v&w=1"],
        ],
      },
    ],
    ["compat11", {}],
    ["compat12", {}],
    ["compat13", {}],
    ["compat14", {}],
  ];
  it.each(cases)("%s %j", async (name, opts) => {
    const original = JSON.parse(
      await readFile(join(FIXTURES, `${name}.postman_collection.json`), "utf8"),
    ) as Json;
    const files = toV3(original);
    let envJson: Json | undefined;
    if (opts.env) {
      envJson = JSON.parse(await readFile(join(FIXTURES, opts.env), "utf8")) as Json;
      Object.assign(files, environmentToV3(envJson));
    }
    const converted = convertV3({ files });
    // Converting the converted collection again gives the same files: nothing is lost on the way.
    expect(toV3(converted.collection)).toEqual(toV3(original));
    await inlineLocalFiles(original, FIXTURES, false);
    await inlineLocalFiles(converted.collection, FIXTURES, false);
    const data = opts.data ? await readFile(join(FIXTURES, opts.data), "utf8") : undefined;
    const iterationData = data && opts.data?.endsWith(".json") ? (JSON.parse(data) as unknown[]) : data;
    const vars = (opts.vars ?? []).map(([key, value]) => ({ key, value }));
    const environment = (scope: Json | undefined): Environment => {
      const base = env(vars);
      return scope
        ? { ...scope, values: [...(scope.values as Environment["values"]), ...base.values] }
        : base;
    };
    const common = {
      ...(iterationData !== undefined ? { iterationData } : {}),
      options: opts.folder ? { folder: [opts.folder] } : {},
    };
    const v3Env = envJson ? converted.environments[String(envJson.name)] : undefined;
    const ours = await run({
      collection: converted.collection as Collection,
      environment: environment(v3Env),
      ...common,
    });
    const theirs = await run({
      collection: original as Collection,
      environment: environment(envJson),
      ...common,
    });
    expect(verdicts(ours)).toEqual(verdicts(theirs));
    expect(verdicts(ours).requests.length).toBeGreaterThan(0);
  });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "cli/bin.mjs"), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("edgerun run <dir>", () => {
  it("runs a repository root with -e NAME and warns about the skipped WebSocket request", async () => {
    const res = await cli(["run", TREE, "-e", "Local", "--env-var", `base=${inject("targetUrl")}`]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(
      "warning: skipped postman/collections/Echo API/Live feed.request.yaml: WebSocket",
    );
    expect(res.stdout).toContain("❏ Users\n↳ Get user :id");
    expect(res.stdout).toMatch(/│\s+assertions │\s+13 │\s+0 │/);
  }, 60_000);

  it("names the file and line of a broken request, and lists the environments it has", async () => {
    const dir = await mkdtemp(join(tmpdir(), "edgerun-v3-"));
    await writeFile(join(dir, "Ok.request.yaml"), "$kind: http-request\nurl: x\n");
    await writeFile(join(dir, "Bad.request.yaml"), "$kind: http-request\nheaders: 3\n");
    const broken = await cli(["run", dir]);
    await rm(dir, { recursive: true, force: true });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      `error: The v3 collection is invalid: ${join(dir, "Bad.request.yaml")}:2:10: 'headers' must be a list\n`,
    );
    const bad = await cli(["run", join(TREE, "postman/collections/Echo API"), "-e", "Nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^error: No environment named 'Nope' in .*postman\/environments \(found: Local\)\.$/m,
    );
  }, 60_000);
});

describe("POST /v1/runs with a v3 tree (the Worker, embedded)", () => {
  const post = (server: Awaited<ReturnType<typeof startEmbedded>>, collection: unknown) =>
    server.api("/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ collection, environment: env(), options: {} }),
    });

  it("runs it, refuses a broken file with its pointer (400) and an oversized tree (413)", async () => {
    const server = await startEmbedded();
    try {
      const created = await post(server, { format: "v3", files: await readTree(TREE) });
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const events: RunEvent[] = [];
      for await (const { event } of followRun(server, id)) events.push(event);
      expect(events[0]).toMatchObject({ type: "run.started", collection: { name: "Echo API (v3)" } });
      expect((events[0] as { warnings?: string[] }).warnings).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({
        type: "run.completed",
        stats: { assertions: { total: 13, failed: 0 } },
      });

      const broken = await post(server, { format: "v3", files: { "c/Bad.request.yaml": "url: x\n" } });
      expect(broken.status).toBe(400);
      const problem = (await broken.json()) as { errors?: Array<{ pointer: string; detail: string }> };
      expect(problem.errors?.[0]).toMatchObject({ pointer: "/collection/files/c~1Bad.request.yaml" });
      expect(problem.errors?.[0]?.detail).toContain("c/Bad.request.yaml:1:1: missing '$kind'");

      const many = Object.fromEntries(
        Array.from({ length: 2001 }, (_, i) => [`r${i}.request.yaml`, "$kind: x\n"]),
      );
      const tooMany = await post(server, { format: "v3", files: many });
      expect(tooMany.status).toBe(413);
      expect(tooMany.headers.get("content-type")).toContain("problem+json");
    } finally {
      await server.stop();
    }
  }, 60_000);
});
