/**
 * `edgerun run -r cli` prints what `newman run` prints: one collection covering the reporter's output
 * (folders, request lines, assertions, failed requests, script errors, iterations with data, a runner
 * warning, the summary table and the failures list, `--bail`) through real Newman and the real CLI, the
 * outputs compared line by line once what legitimately differs is masked (timings, sizes, the banner's
 * name, the network errors' wording, table widths that follow them).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const NEWMAN = join(ROOT, "node_modules/newman/bin/newman.js");
const EDGERUN = join(ROOT, "cli/bin.mjs");

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // Colour as the flags say: neither tool sees the environment's colour switches.
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(stdout));
  });
}

const script = (listen: string, exec: string[]) => ({ listen, script: { type: "text/javascript", exec } });
const info = (name: string) => ({
  name,
  schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
});

function collection(base: string) {
  return {
    info: info("Output parity"),
    event: [
      script("prerequest", [
        "if (pm.info.requestName === 'col pre') throw new RangeError('collection pre');",
      ]),
      script("test", ["pm.test('collection-level test', () => {});"]),
    ],
    item: [
      {
        name: "root ok",
        request: { method: "GET", url: `${base}/get?q={{q}}` },
        event: [
          script("test", [
            "pm.test('status 200', () => pm.response.to.have.status(200));",
            "pm.test('fails', () => pm.expect(pm.iterationData.get('q')).to.equal('never'));",
            "pm.test.skip('skipped one', () => {});",
            "console.log('logged', { q: pm.iterationData.get('q') });",
            "pm.test('last', () => {});",
          ]),
        ],
      },
      {
        name: "Folder A",
        item: [
          {
            name: "a1",
            request: { method: "POST", url: `${base}/post`, body: { mode: "raw", raw: '{"x":1}' } },
            event: [
              script("prerequest", ["undefinedFn();"]),
              script("test", ["pm.test('a1 ok', () => {});"]),
            ],
          },
          {
            name: "Nested B",
            event: [
              script("test", ["if (pm.info.requestName === 'b1') throw new TypeError('folder boom');"]),
            ],
            item: [
              { name: "b1", request: { method: "GET", url: `${base}/status/404` } },
              { name: "refused", request: { method: "GET", url: "http://127.0.0.1:1/x" } },
            ],
          },
          {
            name: "a2",
            request: { method: "GET", url: `${base}/get` },
            event: [script("test", ["null.x;"])],
          },
        ],
      },
      {
        name: "upload",
        request: {
          method: "POST",
          url: `${base}/post`,
          body: {
            mode: "formdata",
            formdata: [{ key: "f", type: "file", src: "edgerun-no-such-upload.txt" }],
          },
        },
      },
      { name: "col pre", request: { method: "GET", url: `${base}/get` } },
      { name: "timeout", request: { method: "GET", url: `${base}/delay/2000` } },
      {
        name: "last root",
        request: { method: "GET", url: `${base}/get` },
        event: [
          script("test", [
            "pm.test('long ' + 'x'.repeat(150), () => { throw new Error('y'.repeat(200)); });",
          ]),
        ],
      },
    ],
  };
}

/** Collection- and folder-level test scripts that each pass a test and then throw, before the item's own. */
function interleaved(base: string) {
  const passThenThrow = (level: string) =>
    script("test", [`pm.test('${level} test', () => {});`, `throw new Error('${level} boom');`]);
  return {
    info: info("Interleaved errors"),
    event: [passThenThrow("collection")],
    item: [
      {
        name: "Folder",
        event: [passThenThrow("folder")],
        item: [
          {
            name: "item",
            request: { method: "GET", url: `${base}/get` },
            event: [script("test", ["pm.test('item test', () => {});"])],
          },
        ],
      },
    ],
  };
}

/**
 * pm.sendRequest calls (answered, 404, refused; nested in callbacks) in pre-request and test scripts,
 * pre-request assertions and errors, a collection-level pre-request error before the item's console
 * output, and a request skipped from a side request's callback.
 */
function sideRequests(base: string) {
  const collectionError =
    "if (pm.info.requestName === 'after collection error') { console.log('collection pre'); throw new Error('collection boom'); }";
  return {
    info: info("Side requests"),
    event: [script("prerequest", [collectionError])],
    item: [
      {
        name: "token first",
        request: { method: "GET", url: `${base}/get?main=1` },
        event: [
          script("prerequest", [
            "pm.test('pre passes', () => {});",
            `pm.sendRequest('${base}/get?token=1', (err, res) => {`,
            "  console.log('token', res.code);",
            "  pm.test('token ok', () => pm.expect(res.code).to.equal(200));",
            "  pm.sendRequest('http://127.0.0.1:1/refused', (err2) => {",
            "    console.log('refused', Boolean(err2));",
            "    pm.test('after refused', () => {});",
            "  });",
            "});",
            "console.log('after call');",
            "pm.test('pre fails', () => pm.expect(1).to.equal(2));",
          ]),
          script("test", [
            "pm.test('t1', () => {});",
            `pm.sendRequest({ url: '${base}/status/404', method: 'POST', body: { mode: 'raw', raw: 'x' } }, (err, res) => {`,
            "  pm.test('side 404', () => pm.expect(res.code).to.equal(200));",
            "});",
            "pm.test('t2', () => {});",
          ]),
        ],
      },
      {
        name: "pre error",
        request: { method: "GET", url: `${base}/get` },
        event: [
          script("prerequest", ["pm.test('before error', () => {});", "console.log('x');", "undefinedFn();"]),
          script("test", ["pm.test('after', () => {});"]),
        ],
      },
      {
        name: "after collection error",
        request: { method: "GET", url: `${base}/get` },
        event: [script("prerequest", ["console.log('item pre');"])],
      },
      {
        name: "skipped",
        request: { method: "GET", url: `${base}/get` },
        event: [
          script("prerequest", [
            "pm.test('before skip', () => {});",
            `pm.sendRequest('${base}/get?s=1', () => { pm.execution.skipRequest(); });`,
          ]),
        ],
      },
    ],
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape codes
const ANSI = /\x1b\[\d+m/g;
/** The banner as colors.reset wraps it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape codes
const RESET_BANNER = /^\x1b\[0m(newman|edgerun)\x1b\[0m$/;

/**
 * The output with what legitimately differs masked: the banner's name, a response's size and time, the
 * run's duration, data received and response times, in the tables (whose
 * widths follow those texts) runs of borders and spaces are collapsed.
 */
function masked(out: string): string[] {
  const lines = out.split("\n");
  const tableAt = lines.findIndex((l) => /^(┌─|---)/.test(l.replace(ANSI, "")));
  return lines.map((raw, i) => {
    let line = raw
      .replace(/^(newman|edgerun)$/, "BANNER")
      .replace(RESET_BANNER, "\x1b[0mBANNER\x1b[0m")
      .replace(/\[(\d{3} [^,\]]*), [\d.]+k?B, [\d.]+(ms|µs|s)\]/, "[$1, SIZE, TIME]")
      .replace(/(total run duration|total data received|average response time): [^│|]*/, "$1: X")
      // --reporter-cli-show-timestamps' local times, in whatever form the locale writes them.
      .replace(/\[\d[\d/.,: ]*(?: ?[AP]M)?\]/g, "[CLOCK]");
    if (tableAt >= 0 && i >= tableAt) line = line.replace(/─+/g, "─").replace(/-+/g, "-").replace(/ +/g, " ");
    return line.trimEnd();
  });
}

let dir: string;
const args = (...extra: string[]) => [
  "run",
  join(dir, "collection.json"),
  "-d",
  join(dir, "data.json"),
  "--timeout-request",
  "500",
  ...extra,
];

/** Runs a collection of `dir` through both without colour, expects the same masked output, answers ours. */
async function sameAsNewman(name: string, extra: string[] = []): Promise<string> {
  const file = join(dir, name);
  const [newman, ours] = await Promise.all([
    run(NEWMAN, ["run", file, "--color", "off", ...extra]),
    run(EDGERUN, ["run", file, "-r", "cli", "--no-color", ...extra]),
  ]);
  expect(masked(ours)).toEqual(masked(newman.replace(ANSI, "")));
  return ours;
}

/**
 * `--bail` stops an item at its first failing script, as postman-runtime's stopOnFailure: a failed
 * pre-request assertion or error sends no request, a collection-level failure runs no item script
 * after it, a request error runs no test script.
 */
function bailCases(base: string): Record<string, unknown> {
  const item = (name: string, url: string, pre: string[] | null, test: string[]) => ({
    name,
    request: { method: "GET", url },
    event: [...(pre ? [script("prerequest", pre)] : []), script("test", test)],
  });
  const rest = item("two", `${base}/get`, null, ["pm.test('two runs', () => {});"]);
  const itemTest = ["console.log('item test'); pm.test('item passes', () => {});"];
  const col = (name: string, event: unknown[], first: unknown) => ({
    info: info(name),
    event,
    item: [first, rest],
  });
  return {
    "bail-pre-assertion.json": col(
      "pre assertion",
      [],
      item(
        "one",
        `${base}/get`,
        ["console.log('pre'); pm.test('pre fails', () => pm.expect(1).to.eql(2)); console.log('after');"],
        itemTest,
      ),
    ),
    "bail-pre-error.json": col(
      "pre error",
      [script("prerequest", ["throw new Error('collection pre boom');"])],
      item("one", `${base}/get`, ["console.log('item pre');"], itemTest),
    ),
    "bail-request-error.json": col("request error", [], item("one", "http://127.0.0.1:1/x", null, itemTest)),
    // Every failed assertion of the failing script names the AssertionFailure ("a fails, b fails").
    "bail-two-assertions.json": col(
      "two assertions",
      [],
      item("one", `${base}/get`, null, [
        "pm.test('a fails', () => pm.expect(1).to.eql(2)); pm.test('a passes', () => {});",
        "pm.test('b fails', () => pm.expect(3).to.eql(4));",
      ]),
    ),
    "bail-collection-test.json": col(
      "collection test",
      [
        script("test", [
          "pm.test('collection fails', () => pm.expect(1).to.eql(2)); console.log('coll after');",
        ]),
      ],
      item("one", `${base}/get`, null, itemTest),
    ),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-cli-output-"));
  for (const [name, doc] of Object.entries(bailCases(inject("targetUrl"))))
    await writeFile(join(dir, name), JSON.stringify(doc));
  await writeFile(join(dir, "collection.json"), JSON.stringify(collection(inject("targetUrl"))));
  await writeFile(join(dir, "data.json"), JSON.stringify([{ q: "one" }, { q: "two" }]));
  await writeFile(join(dir, "interleaved.json"), JSON.stringify(interleaved(inject("targetUrl"))));
  await writeFile(join(dir, "side-requests.json"), JSON.stringify(sideRequests(inject("targetUrl"))));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("edgerun run -r cli output", () => {
  it("is Newman's line by line without colour (-n 2 with data)", async () => {
    const [newman, ours] = await Promise.all([
      run(NEWMAN, args("-n", "2", "--color", "off")),
      run(EDGERUN, args("-n", "2", "-r", "cli", "--no-color")),
    ]);
    // Newman's `--color off` still lets cli-table3 colour the failures table: edgerun prints no codes.
    expect(ours).not.toMatch(ANSI);
    expect(masked(ours)).toEqual(masked(newman.replace(ANSI, "")));
    expect(ours).toContain("Iteration 2/2");
    expect(ours).toMatch(/^ 16\. {2}Error +long xxx/m);
    // A runner warning is a console message: quoted by util.inspect and wrapped as Newman wraps them.
    expect(ours).toContain('  │ \'Form param `f`, file load error: "edgerun-no-such-upl\n  │ oad.txt"');
  }, 60_000);

  it("is Newman's line by line and code by code with colour", async () => {
    const [newman, ours] = await Promise.all([
      run(NEWMAN, args("--color", "on")),
      run(EDGERUN, args("-r", "cli", "--color", "on")),
    ]);
    expect(ours).toContain("\x1b[31m\x1b[1m  1.\x1b[22m\x1b[39m");
    expect(masked(ours)).toEqual(masked(newman));
  }, 60_000);

  it("is Newman's under --folder (a nested folder, its parents' scripts run)", async () => {
    const [newman, ours] = await Promise.all([
      run(NEWMAN, args("--folder", "Nested B", "--color", "off")),
      run(EDGERUN, args("--folder", "Nested B", "-r", "cli", "--no-color")),
    ]);
    expect(masked(ours)).toEqual(masked(newman.replace(ANSI, "")));
    expect(ours).toContain("❏ Folder A / Nested B\n↳ b1\n");
  }, 60_000);

  it("prints a test script's error between its assertions and the next script's, as Newman", async () => {
    const ours = await sameAsNewman("interleaved.json");
    expect(ours).toMatch(
      /collection test\n +1⠄ Error in test-script\n.*folder test\n +2⠄ Error in test-script\n.*item test/,
    );
  }, 60_000);

  it("prints pm.sendRequest lines and pre-request assertions where they happened, as Newman", async () => {
    const ours = await sameAsNewman("side-requests.json");
    // Sync output first, then the answer, then what its callback did; the refused call takes number 2.
    expect(ours).toMatch(
      /pre passes\n.*\n.*'after call'\n.*\n +1\. pre fails\n +GET \S+\?token=1 \[200 OK.*\n(.*\n){3}.*token ok\n +GET http:\/\/127\.0\.0\.1:1\/refused \[errored\]\n/,
    );
    expect(ours).toMatch(/POST \S+\/status\/404 \[404 Not Found, [^\]]+\]\n +3\. side 404\n/);
    expect(ours).toMatch(/ +5⠄ Error in prerequest-script\n +┌\n +│ 'item pre'/);
  }, 60_000);

  it("is Newman's under the cli reporter's switches", async () => {
    const stamped = await sameAsNewman("side-requests.json", ["--reporter-cli-show-timestamps"]);
    expect(stamped).toMatch(/^ {2}\[[^\]]+\] {2}✓ {2}pre passes\n/m);
    const trimmed = [
      "--reporter-cli-no-success-assertions",
      "--reporter-cli-no-console",
      "--reporter-cli-no-banner",
    ];
    expect(await sameAsNewman("side-requests.json", trimmed)).not.toContain("pre passes");
    const quiet = await sameAsNewman("side-requests.json", [
      "--reporter-cli-no-assertions",
      "--reporter-cli-no-summary",
    ]);
    expect(quiet).not.toMatch(/^ +1\. pre fails$/m);
    // Newman registers no cli output at all under either.
    for (const silent of ["--reporter-cli-silent", "--silent"])
      expect(await sameAsNewman("side-requests.json", [silent])).toBe("");
  }, 120_000);

  it("is Newman's under --bail, the AssertionFailure line included", async () => {
    const [newman, ours] = await Promise.all([
      run(NEWMAN, args("--bail", "--color", "off")),
      run(EDGERUN, args("--bail", "-r", "cli", "--no-color")),
    ]);
    // Newman's `at` for it is a line and column inside its sandbox bundle.
    const at = (l: string) => l.replace(/at test-script:\d+:\d+/, "at test-script");
    expect(masked(ours)).toEqual(masked(newman.replace(ANSI, "")).map(at));
    expect(ours).toContain("  2⠄ AssertionFailure in test-script");
  }, 60_000);

  it("stops an item at its first failing script under --bail, as Newman", async () => {
    const at = (l: string) => l.replace(/at (prerequest|test)-script:\d+:\d+/, "at $1-script");
    for (const name of Object.keys(bailCases(""))) {
      const file = join(dir, name);
      const [newman, ours] = await Promise.all([
        run(NEWMAN, ["run", file, "--bail", "--color", "off"]),
        run(EDGERUN, ["run", file, "--bail", "-r", "cli", "--no-color"]),
      ]);
      expect({ name, lines: masked(ours) }).toEqual({
        name,
        lines: masked(newman.replace(ANSI, "")).map(at),
      });
      expect(ours).not.toContain("item passes");
      expect(ours).not.toContain("two runs");
    }
    expect(
      await run(EDGERUN, ["run", join(dir, "bail-pre-assertion.json"), "--bail", "--no-color"]),
    ).toContain("  2⠄ AssertionFailure in prerequest-script");
  }, 120_000);
});
