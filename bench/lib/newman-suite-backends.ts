/**
 * `npm run compat:newman-suite -- --backends`: the same suite through `edgerun run` twice, scripts in
 * QuickJS and in V8 (`SCRIPT_BACKEND`), compared verdict by verdict (newman-suite-compare.ts) and line by
 * line on the CLI reporter's output (console lines, failure details), timings and sizes masked. The CLI's
 * embedded stack runs scripts in V8 by default, so every difference here is one Newman users would see
 * change with the backend.
 */
import { compare, type ReportJson, type Verdict, verdicts } from "./newman-suite-compare";

/** One backend's run of a suite: the JSON report (null if none) and the CLI reporter's stdout. */
export interface BackendRun {
  code: number | null;
  report: ReportJson | null;
  stdout: string;
}

/** How the backends differ on one suite. */
export interface BackendDiff {
  name: string;
  total: number;
  agree: number;
  verdicts: Array<{ key: string; quickjs: string | null; v8: string | null }>;
  /** Output lines (masked) only one backend printed, in order, prefixed `quickjs:` or `v8:`. */
  lines: string[];
  codes: { quickjs: number | null; v8: number | null };
}

/**
 * The CLI reporter's text without what varies between any two runs: durations, sizes, ports, ids.
 * Dynamic variables ({{$randomInt}}…) differ per run too: see `noise` in diffBackends.
 */
export function maskOutput(text: string): string[] {
  return (
    text
      .replace(/\b\d+(\.\d+)?\s?(ms|s|m)\b/g, "<t>")
      .replace(/\b\d+(\.\d+)?\s?(B|KB|kB|MB)\b/g, "<size>")
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
      .replace(/localhost:\d+/g, "localhost:<port>")
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
      .replace(/reference = \w+/g, "reference = <id>")
      .split("\n")
      // Table cells are padded to the widest value: one digit more anywhere moves every border.
      .map((line) => line.replace(/\s+/g, " ").trim())
      .filter((line) => line !== "")
  );
}

/** Lines only one side has, as a longest-common-subsequence diff (outputs are a few hundred lines). */
function lineDiff(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`quickjs: ${a[i++]}`);
    else out.push(`v8: ${b[j++]}`);
  }
  return out;
}

/**
 * Compares one suite's QuickJS and V8 runs. `again` is a second QuickJS run: output lines that differ
 * between the two QuickJS runs (random dynamic variables, dates) are noise, left out of the V8 comparison
 * where the outputs line up (same number of lines).
 */
export function diffBackends(
  name: string,
  runs: { quickjs: BackendRun; again: BackendRun; v8: BackendRun },
): BackendDiff {
  const { quickjs, again, v8 } = runs;
  const pick = (r: BackendRun): Verdict[] | null => (r.report ? verdicts(r.report) : null);
  const c = compare(pick(quickjs), pick(v8));
  const [q, q2, v] = [quickjs, again, v8].map((r) => maskOutput(r.stdout)) as [string[], string[], string[]];
  const aligned = q.length === q2.length && q.length === v.length;
  const lines = aligned
    ? q.flatMap((line, i) => (line === v[i] || line !== q2[i] ? [] : [`quickjs: ${line}`, `v8: ${v[i]}`]))
    : lineDiff(q, v);
  return {
    name,
    total: c.total,
    agree: c.agree,
    verdicts: c.disagreements.map((d) => ({ key: d.key, quickjs: d.newman, v8: d.edgerun })),
    lines,
    codes: { quickjs: quickjs.code, v8: v8.code },
  };
}

/** Prints the per-suite differences and the totals. */
export function printBackendDiffs(diffs: BackendDiff[]): void {
  let total = 0;
  let agree = 0;
  for (const d of diffs) {
    total += d.total;
    agree += d.agree;
    const same = d.verdicts.length === 0 && d.lines.length === 0 && d.codes.quickjs === d.codes.v8;
    console.log(
      `${same ? "✓" : "✗"} ${d.name}: ${d.agree}/${d.total} (exit quickjs ${d.codes.quickjs}, v8 ${d.codes.v8})`,
    );
    for (const v of d.verdicts)
      console.log(`    ${v.key}\n      quickjs: ${v.quickjs}\n      v8:      ${v.v8}`);
    for (const line of d.lines) console.log(`    ${line}`);
  }
  const outputs = diffs.filter((d) => d.lines.length > 0).length;
  console.log(
    `\n${diffs.length} collections; verdicts agreeing QuickJS/V8: ${agree}/${total}; ${outputs} with other CLI output`,
  );
}
