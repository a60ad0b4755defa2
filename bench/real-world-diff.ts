/**
 * Real-world collections (the ones users already have), run through Newman 6.2.2 and `edgerun run`
 * with the same options against one local target, compared verdict by verdict: assertion names,
 * passed/failed/skipped, failure messages, script and request errors, in order.
 *
 *   node --import tsx bench/real-world-diff.ts --dir DIR [--only NAME] [--json out.json] [--jobs 2]
 *     [--no-rerun] [--kill-after SECONDS] [--keep] [--edgerun OTHER_CHECKOUT/cli/bin.mjs] [--iterations N]
 *
 * DIR holds `<name>.postman_collection.json` files (v1, v2.0, v2.1), each with an optional
 * `<name>.postman_environment.json` (`-e`) and an optional iteration data file `<name>.data.json` or
 * `<name>.data.csv` (`-d`). Nothing is downloaded here and no collection is committed.
 *
 * Staging (`bench/lib/real-world-stage.ts`): a copy of each file is rewritten so that every request
 * goes to one local target answering any method and path with 200 and a postman-echo–like JSON body
 * (`/status/<code>` and `/delay/<ms>` honoured): literal URLs' scheme+host+port (strings, v1
 * `requests[].url`, `url.raw`, `url` objects' protocol/host/port), a leading `{{var}}` host template,
 * absolute http(s) URLs in variable values (environment and collection), in data files' values and
 * in scripts. Both tools
 * run the same rewritten files, each killed after 60 s (`--kill-after`; Newman needs ≈ 2 min for
 * a 340-request collection on the loaded 2-core machine, where edgerun needs 8 s).
 *
 * Verdicts are those of `bench/lib/newman-suite-compare.ts` plus each tool's exit code.
 *
 * Normalisation, so that only real divergences are left: in every verdict key and value, UUIDs, ISO
 * and HTTP dates, epoch seconds/milliseconds, the target's port and the number in response-time
 * messages (`expected 12 to be below 200`) are replaced by placeholders; then Newman runs each
 * collection a second time and every verdict on which Newman disagrees with itself (random data,
 * `$randomInt`, timing) is compared on both sides by its shape only (state and message without
 * quoted strings and numbers), or left out when even that changes; an assertion whose name changes
 * between the two runs (random data in `pm.test`'s name) is keyed by its place (iteration, item,
 * execution, index) on every side; all are counted as unstable (`--no-rerun` skips the second run).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Comparison, compare, type Verdict, verdicts } from "./lib/newman-suite-compare";
import {
  normaliseVerdicts,
  pattern,
  retargetData,
  retargetDocument,
  startAnyEcho,
} from "./lib/real-world-stage";
import { runTool, type ToolRun } from "./lib/tool-run";

const ROOT = join(import.meta.dirname, "..");
const NEWMAN = join(ROOT, "node_modules/newman/bin/newman.js");

interface Entry {
  name: string;
  collection: string;
  environment?: string;
  /** An iteration data file, `.json` or `.csv`. */
  data?: string;
}

interface Result extends Comparison {
  name: string;
  unstable: number;
  newman: { code: number | null; killed: boolean; stderr: string };
  edgerun: { code: number | null; killed: boolean; stderr: string };
}

interface Options {
  work: string;
  origin: string;
  edgerun: string;
  rerun: boolean;
  killAfterMs: number;
  /** Arguments both tools get after the collection's own (`--iterations 2`: `-n 2`). */
  extra: string[];
}

async function discover(dir: string, only?: string): Promise<Entry[]> {
  const files = await readdir(dir);
  return files
    .filter((f) => f.endsWith(".postman_collection.json"))
    .map((f) => f.slice(0, -".postman_collection.json".length))
    .filter((name) => !only || name.includes(only))
    .sort()
    .map((name) => {
      const env = `${name}.postman_environment.json`;
      const data = [`${name}.data.json`, `${name}.data.csv`].find((f) => files.includes(f));
      return {
        name,
        collection: join(dir, `${name}.postman_collection.json`),
        ...(files.includes(env) ? { environment: join(dir, env) } : {}),
        ...(data ? { data: join(dir, data) } : {}),
      };
    });
}

async function stageFile(src: string, dest: string, origin: string): Promise<void> {
  const text = (await readFile(src, "utf8")).replace(/^\uFEFF/, "");
  await writeFile(dest, JSON.stringify(retargetDocument(JSON.parse(text), origin), null, 2));
}

/** A run's verdicts, normalised, and its exit code as one more (Newman exits 1 on any failure). */
const pick = (r: ToolRun): Verdict[] | null =>
  r.report ? [...normaliseVerdicts(verdicts(r.report)), { key: "exit code", value: String(r.code) }] : null;

/**
 * Verdicts of Newman's first run that its second run did not repeat: compared by their shape
 * (`pattern`: state and message without its values) when that is stable (random data in a message),
 * dropped when even that is not (pass/fail flips, keys present once).
 */
function unstableKeys(first: Verdict[] | null, second: Verdict[] | null): Map<string, "shape" | "drop"> {
  const out = new Map<string, "shape" | "drop">();
  if (!first || !second) return out;
  const again = new Map(second.map((v) => [v.key, v.value]));
  const once = new Set(first.map((v) => v.key));
  for (const v of first) {
    const w = again.get(v.key);
    if (w === v.value) continue;
    out.set(v.key, w !== undefined && pattern(w) === pattern(v.value) ? "shape" : "drop");
  }
  for (const v of second) if (!once.has(v.key)) out.set(v.key, "drop");
  return out;
}

/** An assertion verdict's place, `<iteration>|<item>#<execution>|<index>`, before its name. */
const SLOT = /^(.*?#\d+\|\d+) /;

/**
 * The places whose assertion name changed between Newman's two runs: a name built from random data
 * (`pm.test("Name must be " + pm.variables.replaceIn("{{$randomFirstName}}"), …)`) gives every run
 * its own key, so by key alone each side's verdict would look absent on the other.
 */
function unstableNames(first: Verdict[] | null, second: Verdict[] | null): Set<string> {
  const out = new Set<string>();
  if (!first || !second) return out;
  const bySlot = (list: Verdict[]) =>
    new Map(
      list.flatMap((v): Array<[string, string]> => {
        const m = SLOT.exec(v.key);
        return m ? [[m[1] as string, v.key]] : [];
      }),
    );
  const again = bySlot(second);
  for (const [slot, key] of bySlot(first)) if (again.has(slot) && again.get(slot) !== key) out.add(slot);
  return out;
}

/** A side's verdicts with the assertions at `slots` keyed by their place instead of their name. */
function renamed(list: Verdict[] | null, slots: Set<string>): Verdict[] | null {
  if (!list || slots.size === 0) return list;
  return list.map((v) => {
    const slot = SLOT.exec(v.key)?.[1];
    return slot !== undefined && slots.has(slot) ? { key: `${slot} <unstable name>`, value: v.value } : v;
  });
}

/** A side's verdicts with the unstable ones reduced to their shape or left out. */
function steady(list: Verdict[] | null, unstable: Map<string, "shape" | "drop">): Verdict[] | null {
  if (!list) return null;
  return list
    .filter((v) => unstable.get(v.key) !== "drop")
    .map((v) => (unstable.has(v.key) ? { key: v.key, value: pattern(v.value) } : v));
}

async function runOne(entry: Entry, opts: Options): Promise<Result> {
  const out = join(opts.work, entry.name);
  await mkdir(out, { recursive: true });
  const collection = join(out, "collection.json");
  await stageFile(entry.collection, collection, opts.origin);
  const args = [collection, "--timeout-request", "5000", ...opts.extra];
  if (entry.environment) {
    await stageFile(entry.environment, join(out, "environment.json"), opts.origin);
    args.push("-e", join(out, "environment.json"));
  }
  if (entry.data) {
    const csv = entry.data.endsWith(".csv");
    const data = join(out, csv ? "data.csv" : "data.json");
    const text = (await readFile(entry.data, "utf8")).replace(/^\uFEFF/, "");
    await writeFile(data, retargetData(text, opts.origin, csv));
    args.push("-d", data);
  }
  const tool = { cwd: out, killAfterMs: opts.killAfterMs };
  const theirs = await runTool(NEWMAN, args, join(out, "newman.json"), tool);
  const ours = await runTool(opts.edgerun, args, join(out, "edgerun.json"), tool);
  const again = opts.rerun ? await runTool(NEWMAN, args, join(out, "newman-again.json"), tool) : null;
  const slots = again ? unstableNames(pick(theirs), pick(again)) : new Set<string>();
  const [first, second, mine] = [theirs, again, ours].map((r) => (r ? renamed(pick(r), slots) : null));
  const unstable = again ? unstableKeys(first ?? null, second ?? null) : new Map<string, "shape" | "drop">();
  const brief = (r: ToolRun) => ({ code: r.code, killed: r.killed, stderr: r.stderr.trim().slice(0, 2000) });
  return {
    name: entry.name,
    ...compare(steady(first ?? null, unstable), steady(mine ?? null, unstable)),
    unstable: unstable.size + slots.size,
    newman: brief(theirs),
    edgerun: brief(ours),
  };
}

/** Runs the entries `jobs` at a time, in order of names; logs each as it ends. */
async function runAll(entries: Entry[], opts: Options, jobs: number): Promise<Result[]> {
  const results: Result[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i] as Entry;
      const r = await runOne(entry, opts);
      results[i] = r;
      console.error(`${r.agree === r.total ? "✓" : "✗"} ${r.name}: ${r.agree}/${r.total}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}

interface Group {
  pattern: string;
  count: number;
  collections: Set<string>;
  example: { collection: string; key: string; newman: string | null; edgerun: string | null };
}

/** Disagreements grouped by the shapes of both sides' values, most frequent first. */
function groupDisagreements(results: Result[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of results) {
    for (const d of r.disagreements) {
      const p = `${pattern(d.newman)}  ⇢  ${pattern(d.edgerun)}`;
      const g = groups.get(p) ?? {
        pattern: p,
        count: 0,
        collections: new Set<string>(),
        example: { collection: r.name, ...d },
      };
      g.count++;
      g.collections.add(r.name);
      groups.set(p, g);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function print(results: Result[], groups: Group[]): void {
  const refused = (side: "newman" | "edgerun") =>
    results.filter((r) => r.disagreements.some((d) => d.key === "ran" && d[side] === "did not run"));
  const total = results.reduce((n, r) => n + r.total, 0);
  const agree = results.reduce((n, r) => n + r.agree, 0);
  const unstable = results.reduce((n, r) => n + r.unstable, 0);
  const identical = results.filter((r) => r.agree === r.total).length;
  console.log(`\n${results.length} collections run; ${identical} agree on every verdict`);
  for (const side of ["newman", "edgerun"] as const) {
    const list = refused(side);
    console.log(
      `refused or crashed (no report) by ${side}: ${list.length}${list.length ? ` (${list.map((r) => r.name).join(", ")})` : ""}`,
    );
  }
  console.log(
    `verdicts agreeing: ${agree}/${total} = ${((100 * agree) / Math.max(total, 1)).toFixed(1)} % (${unstable} unstable in Newman itself, left out)`,
  );
  const disagreeing = total - agree;
  console.log(`\n${disagreeing} disagreements in ${groups.length} classes (newman ⇢ edgerun):`);
  for (const g of groups) {
    const share = ((100 * g.count) / Math.max(disagreeing, 1)).toFixed(1);
    console.log(`\n[${g.count} = ${share} %, ${g.collections.size} collections] ${g.pattern}`);
    const e = g.example;
    console.log(
      `    e.g. ${e.collection}\n    ${e.key}\n      newman:  ${e.newman}\n      edgerun: ${e.edgerun}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      jobs: { type: "string", default: "2" },
      only: { type: "string" },
      json: { type: "string" },
      "no-rerun": { type: "boolean", default: false },
      "kill-after": { type: "string", default: "60" },
      keep: { type: "boolean", default: false },
      edgerun: { type: "string", default: join(ROOT, "cli/bin.mjs") },
      iterations: { type: "string" },
    },
  });
  if (!values.dir) throw new Error("--dir <directory of *.postman_collection.json> is required");
  const entries = await discover(values.dir, values.only);
  const target = await startAnyEcho();
  const work = await mkdtemp(join(tmpdir(), "edgerun-real-world-"));
  let results: Result[] = [];
  try {
    const opts = {
      work,
      origin: target.origin,
      edgerun: values.edgerun,
      rerun: !values["no-rerun"],
      killAfterMs: 1000 * Number(values["kill-after"]),
      extra: values.iterations ? ["-n", values.iterations] : [],
    };
    results = await runAll(entries, opts, Number(values.jobs));
  } finally {
    await target.close();
    if (!values.keep) await rm(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  }
  const groups = groupDisagreements(results);
  print(results, groups);
  if (values.json) {
    const plain = groups.map((g) => ({ ...g, collections: [...g.collections] }));
    await writeFile(values.json, JSON.stringify({ results, groups: plain }, null, 2));
  }
}

await main();
