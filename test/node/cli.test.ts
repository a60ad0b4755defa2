/**
 * The `edgerun` CLI as users run it: a real child process, the real embedded Worker + Durable Objects
 * (or a server started here for --server mode), the real echo target, and real Newman for comparison.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseStringPromise } from "xml2js";
import { type Server, startEmbedded } from "../../cli/server";

const ROOT = join(import.meta.dirname, "..", "..");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const edgerun = (args: string[], stdin?: string) => exec(join(ROOT, "cli/bin.mjs"), args, stdin);
const newman = (args: string[]) => exec(join(ROOT, "node_modules/newman/bin/newman.js"), args);

const script = (listen: string, ...exec: string[]) => ({ listen, script: { type: "text/javascript", exec } });

/** A collection exercising what the report carries: folders, data, scripts, skips, a failure. */
function collection() {
  return {
    info: {
      _postman_id: "6f1c1c64-cli-test",
      name: "CLI parity",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    event: [script("prerequest", "pm.variables.set('fromCollection', 'c');")],
    item: [
      {
        name: "Get with data",
        request: { method: "GET", url: "{{base}}/get?user={{user}}&n={{n}}" },
        event: [
          script(
            "test",
            "pm.test('status is 200', () => pm.response.to.have.status(200));",
            "pm.test('echoes the data row', () => pm.expect(pm.response.json().args.user).to.eql(pm.iterationData.get('user')));",
            "pm.test.skip('not yet', () => {});",
            "pm.environment.set('lastUser', pm.iterationData.get('user'));",
            "pm.globals.set('count', (Number(pm.globals.get('count')) || 0) + 1);",
          ),
        ],
      },
      {
        name: "Users",
        item: [
          {
            name: "Create user",
            event: [
              script("prerequest", "pm.environment.set('stamp', 'fixed');"),
              script(
                "test",
                "pm.test('created', () => pm.response.to.have.status(201));",
                "pm.test('json body', () => pm.expect(pm.response.json().json.name).to.equal('{{user}}'.length ? pm.iterationData.get('user') : ''));",
              ),
            ],
            request: {
              method: "POST",
              url: "{{base}}/post",
              header: [{ key: "Content-Type", value: "application/json" }],
              body: { mode: "raw", raw: '{"name":"{{user}}","stamp":"{{stamp}}"}' },
            },
          },
        ],
      },
    ],
  };
}

/** Every key path of a JSON value, arrays collapsed to `[]`. */
function keyPaths(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) keyPaths(v, `${prefix}[]`, out);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(`${prefix}.${k}`);
      keyPaths(v, `${prefix}.${k}`, out);
    }
  }
  return out;
}

/** Paths Newman fills from its SDK objects that edgerun's event-sourced report leaves out, on purpose. */
/**
 * Paths Newman fills from its SDK objects that edgerun leaves out on purpose: Newman's internal
 * `_lastExecutionId`, the `system` flag of headers, V8 stack frames (scripts run in QuickJS), and each
 * failure's `parent` (Newman repeats the whole parent folder per failure; ours names it).
 */
const NOT_CARRIED = [
  /\._lastExecutionId$/,
  /^\.run\.executions\[\]\.request\.header\[\]\.system$/,
  /^\.run\.failures\[\]\.error\.stacktrace\[\]\./,
  /^\.run\.failures\[\]\.parent\./,
];

interface NewmanReportJson {
  run: {
    stats: Record<string, { total: number; failed: number }>;
    executions: Array<{
      cursor: { iteration: number };
      item: { name: string };
      response?: { code: number };
      assertions?: Array<{ assertion: string; skipped: boolean; error?: { message: string } }>;
    }>;
    failures: Array<{
      error: { name: string; message: string };
      at: string;
      parent?: { name?: string; info?: { name: string } };
    }>;
  };
}

let dir: string;
let server: Server;
const base = () => inject("targetUrl");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-cli-"));
  await writeFile(join(dir, "collection.json"), JSON.stringify(collection()));
  await writeFile(join(dir, "data.csv"), "user,n\nada,1\ngrace,2\n");
  await writeFile(
    join(dir, "env.json"),
    JSON.stringify({ name: "Local", values: [{ key: "base", value: base(), enabled: true }] }),
  );
  server = await startEmbedded();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("edgerun run (embedded stack)", () => {
  it("reports like Newman: same verdicts, the JSON report shape, JUnit and exported scopes", async () => {
    const common = ["-e", join(dir, "env.json"), "-d", join(dir, "data.csv")];
    const ours = await edgerun([
      "run",
      join(dir, "collection.json"),
      ...common,
      "-r",
      "cli,json,junit",
      "--reporter-json-export",
      join(dir, "ours.json"),
      "--reporter-junit-export",
      join(dir, "ours.xml"),
      "--export-environment",
      join(dir, "ours-env.json"),
      "--export-globals",
      join(dir, "ours-globals.json"),
    ]);
    const theirs = await newman([
      "run",
      join(dir, "collection.json"),
      ...common,
      "-r",
      "json,junit",
      "--reporter-json-export",
      join(dir, "newman.json"),
      "--reporter-junit-export",
      join(dir, "newman.xml"),
      "--export-environment",
      join(dir, "newman-env.json"),
      "--export-globals",
      join(dir, "newman-globals.json"),
    ]);
    expect(theirs.code).toBe(1);
    expect(ours.code, ours.stderr).toBe(1);

    // Live cli output: requests, assertions, the summary table and the failure list.
    expect(ours.stdout).toContain("→ Get with data");
    expect(ours.stdout).toContain("✓  status is 200");
    expect(ours.stdout).toMatch(/│\s+assertions │\s+10 │\s+2 │/);
    expect(ours.stdout).toContain("expected response to have status code 201 but got 200");

    const a = JSON.parse(await readFile(join(dir, "ours.json"), "utf8")) as NewmanReportJson;
    const b = JSON.parse(await readFile(join(dir, "newman.json"), "utf8")) as NewmanReportJson;
    for (const key of ["iterations", "requests", "assertions", "testScripts", "prerequestScripts"]) {
      expect({ key, ...a.run.stats[key] }).toMatchObject({
        key,
        total: b.run.stats[key]!.total,
        failed: b.run.stats[key]!.failed,
      });
    }
    const verdicts = (r: NewmanReportJson) =>
      r.run.executions.map((e) => ({
        item: e.item.name,
        code: e.response?.code,
        assertions: (e.assertions ?? []).map((x) => [x.assertion, x.skipped, x.error?.message ?? null]),
      }));
    expect(verdicts(a)).toEqual(verdicts(b));
    expect(a.run.failures.map((f) => f.error.message)).toEqual(b.run.failures.map((f) => f.error.message));
    // Each failure's parent: the folder holding its item, or the collection (Newman's object has its
    // name under `info`).
    const parentName = (f: NewmanReportJson["run"]["failures"][number]) =>
      f.parent?.name ?? f.parent?.info?.name ?? null;
    expect(a.run.failures.map(parentName)).toEqual(b.run.failures.map(parentName));

    const ourPaths = keyPaths(a);
    const missing = [...keyPaths(b)].filter((p) => !ourPaths.has(p) && !NOT_CARRIED.some((re) => re.test(p)));
    expect(missing).toEqual([]);

    // JUnit: valid XML with the same suites, cases and failures as Newman's.
    const junit = async (file: string) => {
      const xml = await parseStringPromise(await readFile(join(dir, file), "utf8"));
      const suites = xml.testsuites.testsuite as Array<{
        $: { failures: string };
        testcase?: Array<{ failure?: unknown[] }>;
      }>;
      return {
        tests: Number(xml.testsuites.$.tests),
        failures: suites.reduce((n, s) => n + Number(s.$.failures), 0),
        suites: suites.length,
        failedCases: suites.flatMap((s) => s.testcase ?? []).filter((c) => c.failure).length,
      };
    };
    expect(await junit("ours.xml")).toEqual(await junit("newman.xml"));

    // Exported scopes carry the same final values as Newman's.
    const values = async (file: string) => {
      const scope = JSON.parse(await readFile(join(dir, file), "utf8")) as {
        values: Array<{ key: string; value: unknown }>;
        _postman_variable_scope: string;
      };
      return {
        scope: scope._postman_variable_scope,
        values: Object.fromEntries(scope.values.map((v) => [v.key, v.value])),
      };
    };
    expect(await values("ours-env.json")).toEqual(await values("newman-env.json"));
    expect(await values("ours-globals.json")).toEqual(await values("newman-globals.json"));
  }, 120_000);
});

describe("differential: Newman vs edgerun on the compat collections", () => {
  const data2 = join(ROOT, "test/fixtures/compat2-data.csv");
  const cases: Array<[string, string, string[]]> = [
    ["compat", "compat", []],
    ["compat2 with a data file", "compat2", ["-d", data2]],
    ["compat2 with --bail", "compat2", ["-d", data2, "--bail"]],
    ["compat2 with --folder", "compat2", ["-d", data2, "--folder", "Folder A"]],
    ["compat3 over two iterations", "compat3", ["-n", "2"]],
    ["compat4 request mutation and value types", "compat4", []],
    ["compat6 script errors and JSON errors", "compat6", []],
    ["compat7 file uploads from --working-dir", "compat7", ["--working-dir", join(ROOT, "test/fixtures")]],
    ["compat8 auth inheritance and system headers", "compat8", []],
    ["compat10 URL encoding", "compat10", ["--env-var", "seg=s/t u", "--env-var", "val=v&w=1"]],
    ["compat11 response handling (status reasons, 204, HEAD, gzip, sizes, methods)", "compat11", []],
    ["compat12 request mutation from pre-request scripts", "compat12", []],
    ["compat13 cookie jar across requests", "compat13", []],
    ["compat14 script order through nested folders", "compat14", []],
    [
      "compat20 engine parity from Newman's integration suite",
      "compat20-engine",
      ["-d", join(ROOT, "test/fixtures/compat20-engine-data.csv")],
    ],
    [
      "compat9 flow control with typed CSV values",
      "compat9",
      ["-d", join(ROOT, "test/fixtures/compat9-data.csv")],
    ],
    [
      "compat5 environment file, JSON data, legacy globals, chai and chai-postman messages",
      "compat5",
      [
        "-e",
        join(ROOT, "test/fixtures/compat5.postman_environment.json"),
        "-d",
        join(ROOT, "test/fixtures/compat5-data.json"),
      ],
    ],
  ];
  it.each(cases)(
    "%s: same verdicts, messages, order, failures and stats",
    async (_label, name, extra) => {
      const file = join(ROOT, `test/fixtures/${name}.postman_collection.json`);
      const args = (out: string) => [
        "run",
        file,
        ...extra,
        "--env-var",
        `base=${base()}`,
        "-r",
        "json",
        "--reporter-json-export",
        join(dir, out),
      ];
      const ours = await edgerun([...args(`${name}-ours.json`), "--silent"]);
      const theirs = await newman(args(`${name}-newman.json`));
      expect(ours.code).toBe(theirs.code);
      const verdicts = async (report: string) => {
        const json = JSON.parse(await readFile(join(dir, report), "utf8")) as NewmanReportJson;
        // Newman repeats an execution entry when a script used pm.sendRequest; count each item once.
        const seen = new Set<string>();
        return {
          stats: json.run.stats,
          // `at` may carry V8's line:column of the throwing frame (scripts run in QuickJS here): compare
          // the place (assertion index, prerequest/test script) without it.
          // Connection errors are Newman's words too (engine/request-error.ts).
          failures: json.run.failures.map((f) => [
            f.error.name,
            f.error.message,
            f.at.replace(/:\d+:\d+$/, ""),
          ]),
          assertions: json.run.executions.flatMap((e) => {
            const key = `${e.item.name}#${e.cursor.iteration}`;
            if (seen.has(key)) return [];
            seen.add(key);
            return (e.assertions ?? []).map((a) => [
              e.item.name,
              a.assertion,
              a.skipped,
              a.error?.message ?? null,
            ]);
          }),
        };
      };
      expect(await verdicts(`${name}-ours.json`)).toEqual(await verdicts(`${name}-newman.json`));
    },
    60_000,
  );
});
describe("edgerun run --server", () => {
  const remote = () => ["--server", server.baseUrl, "--api-key", server.apiKey];

  it("runs against a running instance, reads the collection from stdin, and -x suppresses the exit code", async () => {
    const res = await edgerun(
      ["run", "-", ...remote(), "--env-var", `base=${base()}`, "--global-var", "unused=1", "-x", "-n", "2"],
      JSON.stringify(collection()),
    );
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Iteration 2/2");
    expect(res.stdout).toMatch(/│\s+iterations │\s+2 │\s+0 │/);
  }, 60_000);

  it("prints the problem details of a rejected collection", async () => {
    await writeFile(join(dir, "bad.json"), JSON.stringify({ info: { name: "bad" }, item: "nope" }));
    const res = await edgerun(["run", join(dir, "bad.json"), ...remote()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: The collection was rejected: /);
    expect(res.stderr).toContain("/collection/item");
    // A wrong key is the key's refusal, not the collection's.
    const keyless = await edgerun([
      "run",
      join(dir, "bad.json"),
      "--server",
      server.baseUrl,
      "--api-key",
      "wrong",
    ]);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toMatch(/^error: The server refused the API key: Unauthorized/);
  }, 60_000);

  it("stops a run that fails with --bail and reports the request error", async () => {
    const res = await edgerun([
      "run",
      join(dir, "collection.json"),
      ...remote(),
      "--env-var",
      "base=http://127.0.0.1:1",
      "--bail",
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("[errored]");
  }, 60_000);

  it("runs a Newman CI line unchanged: --bail failure, -r htmlextra and its options, --export-collection", async () => {
    const html = join(dir, "htmlextra.html");
    const exported = join(dir, "exported-collection.json");
    const res = await edgerun([
      "run",
      join(dir, "collection.json"),
      ...remote(),
      "--env-var",
      "base=http://127.0.0.1:1",
      "--bail",
      "failure",
      "-r",
      "cli,htmlextra",
      "--reporter-htmlextra-export",
      html,
      "--reporter-htmlextra-title",
      "Nightly",
      "--export-collection",
      exported,
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("[errored]");
    expect(res.stderr).toContain("edgerun: -r htmlextra: edgerun writes its own html report in its place.");
    expect(res.stderr).toContain("edgerun: ignoring --reporter-htmlextra-title");
    expect(await readFile(html, "utf8")).toMatch(/^<!doctype html>/i);
    const collectionJson = JSON.parse(await readFile(exported, "utf8")) as Record<string, unknown>;
    expect(collectionJson).toMatchObject({
      info: { name: "CLI parity" },
      name: "collection",
      _postman_variable_scope: "collection",
    });
    expect(collectionJson._postman_exported_using).toMatch(/^edgerun\//);
  }, 60_000);
});

/**
 * A real HTTP proxy in front of the test server. `seen` lists the event streams it passed on: "submit"
 * for the submission's own (`POST /v1/runs` answering with the stream), else the `Last-Event-ID` asked
 * for. `cutAfter`: the first stream is cut after that many events. `jsonOnly`: the submission asks
 * for JSON only, as a client or server without create-and-follow would.
 */
async function startProxy(opts: { cutAfter?: number; jsonOnly?: boolean }) {
  const seen: string[] = [];
  let cut = false;
  const proxy = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && k !== "host") headers.set(k, v);
    if (opts.jsonOnly && req.method === "POST") headers.set("accept", "application/json");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${server.baseUrl}${req.url}`, {
      method: req.method,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    // fetch already decoded the body: do not pass the upstream encoding on.
    const {
      "content-encoding": _enc,
      "content-length": _len,
      ...passHeaders
    } = Object.fromEntries(upstream.headers);
    res.writeHead(upstream.status, passHeaders);
    const isEvents = upstream.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
    if (isEvents) seen.push(req.method === "POST" ? "submit" : String(req.headers["last-event-id"] ?? ""));
    let events = 0;
    for await (const chunk of upstream.body ?? []) {
      res.write(chunk);
      events += (Buffer.from(chunk).toString().match(/^id: /gm) ?? []).length;
      if (isEvents && opts.cutAfter !== undefined && !cut && events >= opts.cutAfter) {
        cut = true;
        res.socket?.destroy();
        return;
      }
    }
    res.end();
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const { port } = proxy.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, wasCut: () => cut, close: () => proxy.close() };
}

describe("cookie jars (--cookie-jar, --export-cookie-jar)", () => {
  const remote = () => ["--server", server.baseUrl, "--api-key", server.apiKey];

  it("starts from a Newman jar file and exports the final jar as Newman does", async () => {
    const host = new URL(base()).hostname;
    const jarCollection = {
      info: { name: "jar", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
      item: [
        { name: "set", request: { method: "GET", url: `${base()}/cookies/set?a=1&b=2` } },
        {
          name: "get",
          request: { method: "GET", url: `${base()}/cookies` },
          event: [
            script(
              "test",
              "pm.test('cookies sent', () => pm.expect(pm.response.json().cookies).to.eql({ seed: 's1', a: '1', b: '2' }));",
            ),
          ],
        },
      ],
    };
    const seed = {
      version: "tough-cookie@4.1.3-postman.1",
      storeType: "MemoryCookieStore",
      rejectPublicSuffixes: true,
      cookies: [
        {
          key: "seed",
          value: "s1",
          domain: host,
          path: "/",
          hostOnly: true,
          creation: "2026-01-01T00:00:00.000Z",
        },
        {
          key: "old",
          value: "x",
          domain: host,
          path: "/",
          hostOnly: true,
          expires: "2020-01-01T00:00:00.000Z",
        },
      ],
    };
    await writeFile(join(dir, "jar-collection.json"), JSON.stringify(jarCollection));
    await writeFile(join(dir, "jar-seed.json"), JSON.stringify(seed));
    const jarRun = (tool: typeof edgerun, out: string, extra: string[] = []) =>
      tool([
        "run",
        join(dir, "jar-collection.json"),
        ...extra,
        "--cookie-jar",
        join(dir, "jar-seed.json"),
        "--export-cookie-jar",
        join(dir, out),
      ]);
    const [ours, theirs] = [
      await jarRun(edgerun, "jar-ours.json", remote()),
      await jarRun(newman, "jar-newman.json"),
    ];
    expect(theirs.code).toBe(0);
    expect(ours.code).toBe(0);
    const pick = (jar: { cookies: Array<Record<string, unknown>> }) =>
      jar.cookies.map(({ key, value, domain, path, hostOnly }) => ({ key, value, domain, path, hostOnly }));
    const ourJar = JSON.parse(await readFile(join(dir, "jar-ours.json"), "utf8"));
    const newmanJar = JSON.parse(await readFile(join(dir, "jar-newman.json"), "utf8"));
    expect(pick(ourJar)).toEqual(pick(newmanJar));
    expect(ourJar).toMatchObject({ storeType: "MemoryCookieStore", rejectPublicSuffixes: true });
  }, 90_000);

  it("says what is wrong with a jar file that holds no cookies", async () => {
    await writeFile(join(dir, "jar-bad.json"), JSON.stringify({ version: "x" }));
    const res = await edgerun([
      "run",
      join(dir, "collection.json"),
      ...remote(),
      "--cookie-jar",
      join(dir, "jar-bad.json"),
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("holds no cookie list");
  }, 60_000);
});

describe("edgerun run over a flaky connection", () => {
  const items = Array.from({ length: 8 }, (_, i) => ({
    name: `r${i}`,
    request: { url: `${base()}/delay/100?i=${i}` },
  }));
  const runThrough = async (proxy: { url: string }) => {
    await writeFile(join(dir, "flaky.json"), JSON.stringify({ info: { name: "flaky" }, item: items }));
    return edgerun(["run", join(dir, "flaky.json"), "--server", proxy.url, "--api-key", server.apiKey]);
  };

  it("resumes the event stream with Last-Event-ID: every request reported exactly once", async () => {
    const proxy = await startProxy({ cutAfter: 4 });
    try {
      const res = await runThrough(proxy);
      expect(res.code, res.stderr).toBe(0);
      expect(proxy.wasCut()).toBe(true);
      // Started and followed in one request, then resumed after the cut with the last event's id.
      expect(proxy.seen[0]).toBe("submit");
      expect(proxy.seen.length).toBeGreaterThanOrEqual(2);
      expect(Number(proxy.seen[1])).toBeGreaterThan(0);
      for (const item of items) expect(res.stdout.split(`→ ${item.name}\n`).length - 1).toBe(1);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it("follows with GET …/events when the submission is answered with the run's JSON", async () => {
    const proxy = await startProxy({ jsonOnly: true });
    try {
      const res = await runThrough(proxy);
      expect(res.code, res.stderr).toBe(0);
      expect(proxy.seen).toEqual(["0"]);
      for (const item of items) expect(res.stdout.split(`→ ${item.name}\n`).length - 1).toBe(1);
    } finally {
      proxy.close();
    }
  }, 60_000);
});

describe("edgerun run interrupted", () => {
  it("cancels the run on Ctrl-C, prints the partial summary and exits 130", async () => {
    const slow = {
      info: { name: "slow" },
      item: Array.from({ length: 30 }, (_, i) => ({
        name: `slow ${i}`,
        request: { url: `${base()}/delay/200?i=${i}` },
      })),
    };
    await writeFile(join(dir, "slow.json"), JSON.stringify(slow));
    const child = spawn(process.execPath, [join(ROOT, "cli/bin.mjs"), "run", join(dir, "slow.json")], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!interrupted && stdout.includes("→ slow 1")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("Cancelling the run");
    expect(stdout).toContain("Run cancelled.");
    expect(stdout).toMatch(/│\s+requests │/);
    expect(stdout).not.toContain("→ slow 29");
  }, 60_000);
});

describe("edgerun usage errors", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["missing file", ["run", "nope.json"], /The collection file 'nope.json' does not exist\./],
    ["unknown flag", ["run", "x.json", "--frobnicate"], /Unknown option '--frobnicate'/],
    ["bad number", ["run", "x.json", "-n", "zero"], /--iteration-count must be a whole number/],
    [
      "export without a path",
      ["run", "x.json", "--reporter-json-export"],
      /--reporter-json-export needs a file path/,
    ],
    ["bad env-var", ["run", "x.json", "--env-var", "novalue"], /--env-var expects KEY=VALUE/],
    ["unknown command", ["launch", "x.json"], /Unknown command 'launch'/],
    [
      "unsupported Newman flag",
      ["run", "x.json", "--ssl-client-cert", "c.pem"],
      /--ssl-client-cert is not supported/,
    ],
    ["server without key", ["run", "package.json", "--server", "http://127.0.0.1:1"], /needs an API key/],
    [
      "unreachable server",
      ["run", "package.json", "--server", "http://127.0.0.1:1", "--api-key", "k"],
      /Cannot reach the edgerun server at http:\/\/127\.0\.0\.1:1/,
    ],
  ];
  it.each(cases)("%s → one-line error, exit 1", async (_name, args, message) => {
    const res = await edgerun(args);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects invalid JSON with the file name", async () => {
    await writeFile(join(dir, "broken.json"), "{ not json");
    const res = await edgerun(["run", join(dir, "broken.json")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`The collection '${join(dir, "broken.json")}' is not valid JSON`);
  });

  it("rejects a file nested 10,000 levels deep with its name, without a stack overflow", async () => {
    const deep = `{"info":{"name":"deep"},"item":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    await writeFile(join(dir, "deep.json"), deep);
    const res = await edgerun(["run", join(dir, "deep.json")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `The collection '${join(dir, "deep.json")}' is nested deeper than 128 levels`,
    );
    expect(res.stderr).not.toContain("RangeError");
  });

  it("documents itself", async () => {
    const res = await edgerun(["--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: edgerun run <collection> [options]");
    expect(res.stdout).toContain("--export-environment");
  });
});
