/**
 * `edgerun run -r cli` prints console output as Newman's cli reporter does: the same collection through
 * real Newman and the real CLI (on both script backends), the console boxes compared line by line.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SECRET = "s3cr3t-console-value";
/** A secret a script logs as a number: masked, it is shown as the masked text. */
const PIN = "20261202";

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(stdout));
  });
}

/** One console call per value kind Newman's reporter inspects differently. */
const CALLS = [
  'console.log("token:", "abc");',
  "console.log(1, 2.5, -0, true, null, undefined, NaN, Infinity, -Infinity, 1e21, 1.5e-7);",
  'console.log({ a: 1, b: [1, 2], s: "x", u: undefined, n: null, nan: NaN });',
  'console.info("info", { nested: { deep: { deeper: [1, { x: "y" }] } } });',
  'console.warn("warn"); console.debug("debug");',
  'console.error("error", new Error("boom"), new TypeError("bad"), { e: new RangeError("r") });',
  "console.log(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)), new Date(NaN), /x+y/gi, new RegExp('a/b'));",
  "function named() {}",
  "console.log(named, () => 1, async function af() {}, function* gen() {}, class K {});",
  "console.log({ f: named, arr: [named] }, new WeakMap(), new ArrayBuffer(4));",
  'console.log(new Map([["k", 1], [{ o: 1 }, [2]], ["f", named]]), new Set([1, "two", { t: 3 }]));',
  'const c = { name: "c" }; c.self = c; c.list = [c, { back: c }]; const self = []; self.push(self);',
  "console.log(c, self);",
  "let deep = [0]; for (let i = 0; i < 30; i++) deep = [deep];",
  "let deepo = { v: [] }; for (let i = 0; i < 30; i++) deepo = { d: deepo };",
  "console.log(deep, deepo);",
  "console.log(Array.from({ length: 150 }, (_, i) => i), Array.from({ length: 120 }, (_, i) => 'i' + i));",
  "console.log(new Array(3), [1, , 3], new Uint8Array([1, 2, 3]), new Float64Array(2));",
  'console.log(Symbol("sym"), 10n, { "key with space": 1, valid_id: 2, 3: "three" });',
  'console.log("multi\\nline", "a".repeat(120), { long: "b".repeat(70), more: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });',
  'console.log(new String("boxed"), new Number(3), Object.create(null), { toJSON() { return { replaced: true }; } });',
  "class Foo { constructor() { this.x = 1; } }",
  "console.log(new Foo(), \"quote's\", 'dq\"', [[], {}, [[]], '']);",
  'console.log({ t: "u", v: 1 }, JSON.parse(\'{"__proto__": { "x": 1 }, "k": [] }\'), Buffer.from("hi"));',
  "console.log(new Map([[new Map([[1, { u: undefined }]]), new Set([NaN, 2n])]]), [new Date(0), Symbol()]);",
  'console.log(pm.environment.get("secretVar"));',
  "console.log();",
];

function collection(base: string) {
  const script = (listen: string, exec: string[]) => ({ listen, script: { type: "text/javascript", exec } });
  return {
    info: {
      name: "Console parity",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: [
      {
        name: "values",
        request: { method: "GET", url: `${base}/get` },
        event: [
          script("prerequest", ['console.log("before the request", { n: 1 });']),
          script("test", [
            ...CALLS,
            "pm.test('first', () => {});",
            'console.log("between", [1, 2]);',
            "pm.test('second', () => {});",
          ]),
        ],
      },
      {
        name: "over the limit",
        request: { method: "GET", url: `${base}/get` },
        event: [
          script("test", [
            'console.log("y".repeat(2500));',
            'console.log(Number(pm.environment.get("pin")));',
          ]),
        ],
      },
    ],
  };
}

/** The console boxes of a cli report: Newman prints the secret itself, edgerun masks it. */
const boxes = (out: string) =>
  out
    .slice(0, out.indexOf("→ over the limit"))
    .split("\n")
    .filter((line) => /^ {2}[┌│└]/.test(line))
    .map((line) => line.replaceAll(SECRET, "********"));

let dir: string;
let newmanBoxes: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-cli-console-"));
  await writeFile(join(dir, "collection.json"), JSON.stringify(collection(inject("targetUrl"))));
  await writeFile(
    join(dir, "env.json"),
    JSON.stringify({
      name: "Secrets",
      values: [
        { key: "secretVar", value: SECRET, type: "secret", enabled: true },
        { key: "pin", value: PIN, type: "secret", enabled: true },
      ],
    }),
  );
  const newman = join(ROOT, "node_modules/newman/bin/newman.js");
  newmanBoxes = boxes(
    await run(newman, ["run", join(dir, "collection.json"), "-e", join(dir, "env.json"), "--color", "off"]),
  );
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(["v8", "quickjs"])("edgerun run -r cli console output (%s)", (backend) => {
  it("is Newman's, box by box and line by line", async () => {
    const args = [
      "run",
      join(dir, "collection.json"),
      "-e",
      join(dir, "env.json"),
      "-r",
      "cli",
      "--no-color",
    ];
    const out = await run(join(ROOT, "cli/bin.mjs"), args, { SCRIPT_BACKEND: backend });
    expect(newmanBoxes.length).toBeGreaterThan(200);
    expect(boxes(out)).toEqual(newmanBoxes);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(PIN);
    expect(out).toContain("  │ '********'\n");
    // Arguments whose encoding exceeds the console message limit: the message as the Postman app shows it.
    expect(out).toContain(`  │ ${"y".repeat(2000)}… (truncated)`);
  }, 60_000);
});
