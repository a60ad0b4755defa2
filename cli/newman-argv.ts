/**
 * The parts of Newman's command line that `node:util`'s parseArgs cannot express, taken out of argv
 * before it parses the rest, so that a CI job's `newman run …` line runs unchanged:
 *
 * - `--reporter-<reporter>-<option> [value]`: Newman removes every such option from argv itself
 *   (bin/util.js), with `=value` or the next word as its value unless that starts with `-`, and hands
 *   each reporter its own. The CLI reporter's switches never take a value.
 * - `--bail [modifiers]`: an optional comma list of `folder` and `failure`. Newman stops the run at the
 *   first failure for a bare `--bail` and for one with `failure`; `folder` alone does not stop it.
 */

/** Newman's switches of the `cli` reporter (`--reporter-cli-no-summary`, …): flags, never with a value. */
export const CLI_REPORTER_SWITCHES = [
  "no-summary",
  "no-failures",
  "no-assertions",
  "no-success-assertions",
  "no-console",
  "no-banner",
  "silent",
  "show-timestamps",
] as const;
export type CliReporterSwitch = (typeof CLI_REPORTER_SWITCHES)[number];

const PREFIX = "--reporter-";
const SWITCHES = new Set<string>(CLI_REPORTER_SWITCHES.map((s) => `cli-${s}`));
const BAIL_MODIFIERS = /^(folder|failure)(,(folder|failure))*$/;

export interface NewmanArgv {
  /** argv without the options below, for parseArgs. */
  rest: string[];
  /** `--reporter-<name>-<option>` by `<name>-<option>`: the value, or true for a flag without one. */
  reporterOptions: Map<string, string | true>;
  /** `--bail`'s modifiers when it was given (empty for a bare `--bail`), undefined when not. */
  bail?: string[];
}

/**
 * Splits Newman's reporter options and `--bail [modifiers]` off argv. Words after `--` are
 * positionals and stay as they are.
 */
export function splitNewmanArgv(argv: readonly string[]): NewmanArgv {
  const rest: string[] = [];
  const reporterOptions = new Map<string, string | true>();
  let bail: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (arg === "--bail" || arg.startsWith("--bail=")) {
      const inline = arg.startsWith("--bail=") ? arg.slice("--bail=".length) : undefined;
      const word = inline ?? (next !== undefined && BAIL_MODIFIERS.test(next) ? next : undefined);
      if (inline === undefined && word !== undefined) i++;
      bail = [...(bail ?? []), ...(word ? word.split(",") : [])];
      continue;
    }
    if (!arg.startsWith(PREFIX) || arg.length === PREFIX.length) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(PREFIX.length, eq === -1 ? undefined : eq);
    if (eq !== -1) reporterOptions.set(name, arg.slice(eq + 1));
    else if (!SWITCHES.has(name) && next !== undefined && !next.startsWith("-")) {
      reporterOptions.set(name, next);
      i++;
    } else reporterOptions.set(name, true);
  }
  return { rest, reporterOptions, ...(bail ? { bail } : {}) };
}

/** Whether Newman stops at the first failure for these `--bail` modifiers (run/index.js). */
export function bailStops(modifiers: readonly string[] | undefined): boolean {
  if (!modifiers) return false;
  return modifiers.length === 0 || modifiers.includes("failure");
}
