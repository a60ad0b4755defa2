/**
 * Newman's own integration collections (`test/integration/**` of postmanlabs/newman, Apache-2.0), run
 * through Newman 6.2.2 and `edgerun run` with the same options against local targets, compared per
 * verdict (issue 15: "all run, none refused, ≥ 90 % of verdicts agree").
 *
 *   scripts/fetch-newman-suite.sh /tmp/newman-suite      # once: extracts test/integration
 *   npm run compat:newman-suite -- --dir /tmp/newman-suite [--only NAME] [--json out.json] [--verbose]
 *     [--edgerun OTHER_CHECKOUT/cli/bin.mjs]   (before/after: another commit's CLI, e.g. from `git archive`)
 *     [--backends]   (edgerun alone, scripts in QuickJS vs V8: verdicts and CLI output compared)
 *
 * Nothing is downloaded here. postman-echo.com is replaced by the local echo target
 * (`test/echo-server.ts`), newman's localhost:4041 (raw echo) and :4042 (redirects) by the two servers
 * of `bench/lib/newman-suite-servers.ts`. Suites are found as newman's `npm/test-integration.js` finds
 * them (`<name>.postman_<kind>.<ext>`, `.skip` ignored); `<name>.postman_config.json` options become the
 * equivalent CLI flags for both tools. Newman's suite also passes `abortOnFailure` (not a CLI option;
 * it only makes its own run stop early), which neither tool gets here.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { URL } from "node:url";
import { parseArgs } from "node:util";
import { startEchoServer } from "../test/echo-server";
import { type BackendDiff, diffBackends, printBackendDiffs } from "./lib/newman-suite-backends";
import { type Comparison, compare, type Verdict, verdicts } from "./lib/newman-suite-compare";
import { startRawEchoServer, startRedirectServer } from "./lib/newman-suite-servers";
import { runTool, type ToolRun } from "./lib/tool-run";

const ROOT = join(import.meta.dirname, "..");

interface Suite {
  name: string;
  files: Record<string, string>;
}

interface Targets {
  echo: string;
  raw: number;
  redirect: number;
}

/** Groups the spec files as newman's integration runner does: `<name>.postman_<kind>.<ext>`. */
async function discover(dir: string): Promise<Suite[]> {
  const suites = new Map<string, Suite>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      const m = /(.+)\.postman_([^.]+)(\.skip)?\.([^.]{3,})$/i.exec(path);
      if (!entry.isFile() || !m || m[3]) continue;
      const name = relative(dir, m[1] as string);
      const suite = suites.get(name) ?? { name, files: {} };
      suite.files[`${m[2]}${(m[4] as string).toUpperCase()}`] = path;
      suites.set(name, suite);
    }
  };
  await walk(dir);
  return [...suites.values()]
    .filter((s) => s.files.collectionJSON)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Points every postman-echo.com URL (strings and `{host, protocol, port}` objects) at the local targets. */
function retarget(text: string, t: Targets): string {
  const echo = new URL(t.echo);
  const replaced = text
    .replace(/(postman-echo\.com\/delay\/)(\d+)/g, (_m, p: string, s: string) => `${p}${Number(s) * 1000}`)
    .replace(/https?:\/\/postman-echo\.com/g, t.echo)
    // Hosts given by a variable (`https://{{host}}/post`) are postman-echo's too: plain HTTP locally.
    .replace(/https:\/\/\{\{/g, "http://{{")
    .replace(/postman-echo\.com/g, echo.host)
    .replace(/:4041\b/g, `:${t.raw}`)
    .replace(/:4042\b/g, `:${t.redirect}`);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    const host = Array.isArray(o.host) ? o.host.join(".") : o.host;
    if (host === "postman-echo.com") {
      o.host = echo.hostname.split(".");
      o.port = echo.port;
      o.protocol = "http";
    }
    if (o.port === "4041" || o.port === 4041) o.port = String(t.raw);
    if (o.port === "4042" || o.port === 4042) o.port = String(t.redirect);
    return o;
  };
  try {
    return JSON.stringify(walk(JSON.parse(replaced.replace(/^\uFEFF/, ""))), null, 2);
  } catch {
    return replaced; // CSV, or JSON in another encoding: the text replacement is all it gets
  }
}

/** Retargets a file's text keeping its encoding and BOM (several suites test exactly those). */
function retargetFile(raw: Buffer, t: Targets): Buffer {
  if (raw[0] === 0xff && raw[1] === 0xfe) {
    return Buffer.concat([
      raw.subarray(0, 2),
      Buffer.from(retarget(raw.subarray(2).toString("utf16le"), t), "utf16le"),
    ]);
  }
  if (raw[0] === 0xfe && raw[1] === 0xff) return raw; // UTF-16 BE: none in the suite
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const text = retarget(raw.subarray(bom ? 3 : 0).toString("utf8"), t);
  return Buffer.concat([raw.subarray(0, bom ? 3 : 0), Buffer.from(text)]);
}

/** Copies the suite's files retargeted into `out`; returns the CLI arguments both tools get. */
async function stage(suite: Suite, out: string, t: Targets, workingDir: string): Promise<string[]> {
  const args: string[] = [];
  const copy = async (kind: string, flag: string) => {
    const src = suite.files[kind];
    if (!src) return;
    const target = join(out, basename(src));
    await writeFile(target, retargetFile(await readFile(src), t));
    args.push(flag, target);
  };
  await copy("collectionJSON", "");
  await copy("environmentJSON", "-e");
  await copy("globalsJSON", "-g");
  await copy("dataCSV", "-d");
  if (!suite.files.dataCSV) await copy("dataJSON", "-d");
  const config = suite.files.configJSON
    ? ((JSON.parse(await readFile(suite.files.configJSON, "utf8")) as { run?: Record<string, unknown> })
        .run ?? {})
    : {};
  if (config.ignoreRedirects) args.push("--ignore-redirects");
  if (config.insecure) args.push("-k");
  for (const [key, flag] of [
    ["timeout", "--timeout"],
    ["timeoutRequest", "--timeout-request"],
    ["timeoutScript", "--timeout-script"],
  ] as const) {
    if (typeof config[key] === "number") args.push(flag, String(config[key]));
  }
  args.push("--working-dir", workingDir);
  return args.filter((a) => a !== "");
}

/** --backends: the suite through edgerun with scripts in QuickJS (twice: the noise), then in V8, compared. */
async function runBackends(
  suite: Suite,
  { work, targets, workingDir, edgerun }: SuiteRun,
): Promise<BackendDiff> {
  const out = join(work, suite.name.replaceAll("/", "__"));
  await mkdir(out, { recursive: true });
  const args = await stage(suite, out, targets, workingDir);
  const run = (backend: string, file = backend) =>
    runTool(edgerun, args, join(out, `${file}.json`), {
      cwd: ROOT,
      env: { SCRIPT_BACKEND: backend },
      reporters: "cli,json",
    });
  const quickjs = await run("quickjs");
  const again = await run("quickjs", "quickjs-again");
  return diffBackends(suite.name, { quickjs, again, v8: await run("v8") });
}

interface SuiteResult extends Comparison {
  name: string;
  newmanCode: number | null;
  edgerunCode: number | null;
  edgerunStderr: string;
  newmanStderr: string;
}

interface SuiteRun {
  work: string;
  targets: Targets;
  workingDir: string;
  edgerun: string;
}

async function runSuite(
  suite: Suite,
  { work, targets: t, workingDir, edgerun }: SuiteRun,
): Promise<SuiteResult> {
  const out = join(work, suite.name.replaceAll("/", "__"));
  await mkdir(out, { recursive: true });
  const args = await stage(suite, out, t, workingDir);
  const theirs = await runTool(
    join(ROOT, "node_modules/newman/bin/newman.js"),
    args,
    join(out, "newman.json"),
    { cwd: ROOT },
  );
  const ours = await runTool(edgerun, args, join(out, "edgerun.json"), { cwd: ROOT });
  const pick = (r: ToolRun): Verdict[] | null => (r.report ? verdicts(r.report) : null);
  return {
    name: suite.name,
    ...compare(pick(theirs), pick(ours)),
    newmanCode: theirs.code,
    edgerunCode: ours.code,
    edgerunStderr: ours.stderr.trim(),
    newmanStderr: theirs.stderr.trim(),
  };
}

/** The directory holding the integration specs, and the one relative upload paths resolve against. */
function locate(dir: string): { specs: string; workingDir: string } {
  const nested = join(dir, "test", "integration");
  if (existsSync(nested)) return { specs: nested, workingDir: dir };
  return { specs: dir, workingDir: dirname(dirname(dir)) };
}

function print(results: SuiteResult[], verbose: boolean): void {
  let total = 0;
  let agree = 0;
  for (const r of results) {
    total += r.total;
    agree += r.agree;
    const flag = r.disagreements.length ? "✗" : "✓";
    console.log(
      `${flag} ${r.name}: ${r.agree}/${r.total} (exit newman ${r.newmanCode}, edgerun ${r.edgerunCode})`,
    );
    if (!verbose && r.disagreements.length > 6) {
      console.log(`    … ${r.disagreements.length} disagreements (--verbose lists them)`);
      continue;
    }
    for (const d of r.disagreements) {
      console.log(`    ${d.key}\n      newman:  ${d.newman}\n      edgerun: ${d.edgerun}`);
    }
    if (r.edgerunStderr && (verbose || r.disagreements.length))
      console.log(`    edgerun stderr: ${r.edgerunStderr.slice(0, 400)}`);
  }
  const notRun = results.filter((r) => r.disagreements.some((d) => d.key === "ran")).length;
  const byKind = results.reduce((n, r) => n + r.byKind, 0);
  console.log(
    `\n${results.length} collections, ${notRun} not run by one tool; verdicts agreeing: ${agree}/${total} = ${((100 * agree) / Math.max(total, 1)).toFixed(1)} % (${byKind} of them connection failures, compared by kind)`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      only: { type: "string" },
      json: { type: "string" },
      verbose: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      // edgerun against itself: scripts in QuickJS vs V8 (verdicts and CLI output), no Newman.
      backends: { type: "boolean", default: false },
      // Another checkout's CLI (e.g. an older commit extracted with `git archive`), for before/after.
      edgerun: { type: "string", default: join(ROOT, "cli/bin.mjs") },
    },
  });
  if (!values.dir) throw new Error("--dir <extracted newman repository or its test/integration> is required");
  const { specs, workingDir } = locate(values.dir);
  const suites = (await discover(specs)).filter((s) => !values.only || s.name.includes(values.only));
  const [echo, raw, redirect] = await Promise.all([
    startEchoServer(),
    startRawEchoServer(),
    startRedirectServer(),
  ]);
  const work = await mkdtemp(join(tmpdir(), "edgerun-newman-suite-"));
  const targets = { echo: echo.url, raw: raw.port, redirect: redirect.port };
  const results: SuiteResult[] = [];
  const diffs: BackendDiff[] = [];
  try {
    for (const suite of suites) {
      const run = { work, targets, workingDir, edgerun: values.edgerun };
      if (values.backends) {
        const d = await runBackends(suite, run);
        diffs.push(d);
        console.error(`${d.name}: ${d.agree}/${d.total}, ${d.lines.length} output lines differ`);
        continue;
      }
      const r = await runSuite(suite, run);
      results.push(r);
      console.error(`${r.name}: ${r.agree}/${r.total}`);
    }
  } finally {
    await Promise.all([echo.close(), raw.close(), redirect.close()]);
    if (!values.keep) await rm(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  }
  if (values.backends) printBackendDiffs(diffs);
  else print(results, values.verbose);
  if (values.json) await writeFile(values.json, JSON.stringify(values.backends ? diffs : results, null, 2));
}

await main();
