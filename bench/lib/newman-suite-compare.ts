/**
 * Per-verdict comparison of two Newman JSON reports (Newman's and edgerun's) of the same collection:
 * every assertion (name, passed/failed/skipped, message) and every failure that is not an assertion
 * (script errors, request errors), aligned by iteration, item and occurrence.
 */

export interface ReportJson {
  run: {
    executions: Array<{
      item: { name?: string };
      cursor: { iteration: number; ref?: string };
      assertions?: Array<{ assertion: string; skipped?: boolean; error?: { message: string } }>;
    }>;
    failures: Array<{
      error: { name: string; message: string };
      source?: { name?: string };
      cursor?: { iteration?: number };
      at?: string;
    }>;
  };
}

/** One verdict: where it is (`key`) and what it says (`value`). */
export interface Verdict {
  key: string;
  value: string;
}

export interface Disagreement {
  key: string;
  newman: string | null;
  edgerun: string | null;
}

export interface Comparison {
  total: number;
  agree: number;
  /** Agreeing verdicts that are connection failures, compared by kind (not by wording). */
  byKind: number;
  disagreements: Disagreement[];
}

/**
 * Connection-level failures are worded by the platform (Node: `connect ECONNREFUSED 127.0.0.1:1`,
 * `getaddrinfo ENOTFOUND host`, `write EPROTO …`; workerd: `could not reach host: …`, without the
 * cause) and named `Error` by Newman, `RequestError` by edgerun: compared by kind only (README).
 */
const CONNECTION = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EPROTO|ECONNRESET|socket hang up|could not reach/;

/** Whether a verdict was compared by kind (see CONNECTION). */
export const BY_KIND = "<connection failure>";

function failureValue(name: string, message: string): string {
  return CONNECTION.test(message) ? BY_KIND : `${name}: ${message}`;
}

/** The verdicts of one report, in report order. */
export function verdicts(report: ReportJson): Verdict[] {
  const out: Verdict[] = [];
  const seen = new Map<string, number>();
  const refs = new Set<string>();
  for (const e of report.run.executions) {
    // Newman pushes the same execution object once per request event (auth retries, sendRequest).
    if (e.cursor.ref !== undefined && refs.has(e.cursor.ref)) continue;
    if (e.cursor.ref !== undefined) refs.add(e.cursor.ref);
    const where = `${e.cursor.iteration}|${e.item.name ?? ""}`;
    const n = seen.get(where) ?? 0;
    seen.set(where, n + 1);
    (e.assertions ?? []).forEach((a, i) => {
      const state = a.skipped ? "skipped" : a.error ? `failed: ${a.error.message}` : "passed";
      out.push({ key: `${where}#${n}|${i} ${a.assertion}`, value: state });
    });
  }
  const failureSeen = new Map<string, number>();
  for (const f of report.run.failures) {
    if (f.error.name === "AssertionError") continue;
    const where = `${f.cursor?.iteration ?? 0}|${f.source?.name ?? ""}|${(f.at ?? "").replace(/:\d+:\d+$/, "")}`;
    const n = failureSeen.get(where) ?? 0;
    failureSeen.set(where, n + 1);
    out.push({ key: `failure ${where}#${n}`, value: failureValue(f.error.name, f.error.message) });
  }
  return out;
}

/**
 * Compares two verdict lists over the union of their keys; a side that did not run (`null`)
 * disagrees on every verdict of the other side (and on one "ran" verdict, so a collection that neither
 * tool ran is still counted).
 */
export function compare(newman: Verdict[] | null, edgerun: Verdict[] | null): Comparison {
  const a = new Map((newman ?? []).map((v) => [v.key, v.value]));
  const b = new Map((edgerun ?? []).map((v) => [v.key, v.value]));
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const disagreements: Disagreement[] = [];
  let agree = 0;
  let byKind = 0;
  const ran = (v: Verdict[] | null) => (v ? "ran" : "did not run");
  if (ran(newman) === ran(edgerun)) agree++;
  else disagreements.push({ key: "ran", newman: ran(newman), edgerun: ran(edgerun) });
  for (const key of keys) {
    const x = a.get(key) ?? null;
    const y = b.get(key) ?? null;
    if (x === y) agree++;
    if (x === y && x === BY_KIND) byKind++;
    else if (x !== y) disagreements.push({ key, newman: x, edgerun: y });
  }
  return { total: keys.length + 1, agree, byKind, disagreements };
}
