/**
 * Newman's CLI end-of-run table as plain lines (the CLI adds colour).
 */
import type { Failure, RunStats, RunTimings } from "../schemas/events";

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m ${(s % 60).toFixed(1)}s`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(2)}kB`;
  return `${(n / 1048576).toFixed(2)}MB`;
}

export function formatSummaryTable(
  stats: RunStats,
  timings: RunTimings,
  failures: Failure[],
  received = 0,
): string[] {
  const w1 = 28;
  const w2 = 19;
  const line = (l: string, m: string, r: string) =>
    `${l}${"─".repeat(w1 + 2)}${m}${"─".repeat(w2 + 2)}${m}${"─".repeat(w2 + 2)}${r}`;
  const row = (a: string, b: string, c: string) =>
    `│ ${pad(a, w1, true)} │ ${pad(b, w2, true)} │ ${pad(c, w2, true)} │`;
  const full = (text: string) => `│ ${pad(text, w1 + w2 * 2 + 6)} │`;
  const rows: Array<[string, keyof RunStats]> = [
    ["iterations", "iterations"],
    ["requests", "requests"],
    ["test-scripts", "testScripts"],
    ["prerequest-scripts", "prerequestScripts"],
    ["assertions", "assertions"],
  ];
  const out = [line("┌", "┬", "┐"), row("", "executed", "failed"), line("├", "┼", "┤")];
  for (const [label, key] of rows) out.push(row(label, String(stats[key].total), String(stats[key].failed)));
  out.push(line("├", "┴", "┤").replace(/┴/g, "─"));
  const total = (timings.completed ?? timings.started) - timings.started;
  out.push(full(`total run duration: ${duration(total)}`));
  out.push(line("├", "─", "┤").replace(/┬|┴/g, "─"));
  out.push(full(`total data received: ${bytes(received)} (approx)`));
  out.push(line("├", "─", "┤"));
  out.push(
    full(
      `average response time: ${Math.round(timings.responseAverage)}ms [min: ${Math.round(timings.responseMin)}ms, max: ${Math.round(timings.responseMax)}ms]`,
    ),
  );
  out.push(line("└", "─", "┘"));
  if (failures.length) {
    out.push("", "  #  failure                      detail");
    failures.forEach((f, i) => {
      out.push(
        "",
        ` ${pad(String(i + 1) + ".", 3)} ${pad(f.source === "assertion" ? (f.errorName ?? "AssertionError") : f.name, 28)} ${f.source === "assertion" ? f.name : ""}`,
      );
      out.push(`    ${f.message}`);
      out.push(
        `    at ${f.item ? [...f.item.path, f.item.name].join(" / ") : "run"}, iteration ${f.iteration + 1}`,
      );
    });
  }
  return out;
}
