/**
 * `edgerun run` command line: Newman's flags with Newman's meaning, plus edgerun's own
 * (API-CONTRACT.md §1). Parsing is strict: an unknown flag or a bad value is a one-line error,
 * never a silently ignored option.
 */
import { parseArgs } from "node:util";
import { bailStops, CLI_REPORTER_SWITCHES, type CliReporterSwitch, splitNewmanArgv } from "./newman-argv";

/** A user-facing CLI failure: printed as one line (plus optional detail lines), never as a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export type ColorMode = "on" | "off" | "auto";
export type ReporterName = "cli" | "json" | "junit" | "html";

/** Reporters Newman users name that edgerun writes with one of its own (`-r htmlextra` → html). */
const REPORTER_ALIASES: Record<string, ReporterName> = { htmlextra: "html" };

export interface RunArgs {
  collection: string;
  environment?: string;
  globals?: string;
  iterationData?: string;
  iterationCount?: number;
  folder: string[];
  envVar: Array<[string, string]>;
  globalVar: Array<[string, string]>;
  delayRequest?: number;
  timeout?: number;
  timeoutRequest?: number;
  timeoutScript?: number;
  bail: boolean;
  ignoreRedirects: boolean;
  insecure: boolean;
  suppressExitCode: boolean;
  reporters: ReporterName[];
  jsonExport?: string;
  junitExport?: string;
  htmlExport?: string;
  exportEnvironment?: string;
  exportGlobals?: string;
  /** Newman's --export-collection: the collection as run, with Postman's export fields. */
  exportCollection?: string;
  /** Newman's --cookie-jar: a tough-cookie jar file the run starts with. */
  cookieJar?: string;
  /** Newman's --export-cookie-jar: where the run's final jar is written. */
  exportCookieJar?: string;
  silent: boolean;
  color: ColorMode;
  cli: CliReporterOptions;
  /** Where relative file paths of request bodies are resolved (Newman's --working-dir). */
  workingDir?: string;
  noInsecureFileRead: boolean;
  server?: string;
  apiKey?: string;
  /** Newman's --postman-api-key: collections and environments by Postman UID (cli/postman-api.ts). */
  postmanApiKey?: string;
  region?: string;
  parallel?: number;
  retry?: number;
  /** Notes for stderr about accepted Newman options edgerun reads differently or ignores. */
  warnings: string[];
}

/** Newman's `--reporter-cli-*` switches and `--disable-unicode`. */
export interface CliReporterOptions {
  noSummary: boolean;
  noFailures: boolean;
  noAssertions: boolean;
  noSuccessAssertions: boolean;
  noConsole: boolean;
  noBanner: boolean;
  /** `--reporter-cli-show-timestamps`: Newman's local times before request lines, assertions and console output. */
  showTimestamps?: boolean;
  ascii: boolean;
  /** `--verbose`: Newman's per-request detail (sizes, bodies, phases), phase totals and percentiles at the end. */
  verbose?: boolean;
}

export type Command = { kind: "help" } | { kind: "version" } | { kind: "run"; args: RunArgs };

export const HELP = `Usage: edgerun run <collection> [options]

Runs a Postman collection (v2.0/v2.1 JSON file, or - for stdin) like \`newman run\`, or a
Collection v3 directory (postman/collections/<name>/, or the repository root holding postman/).
With no --server it starts edgerun's own Worker and Durable Objects embedded (workerd) for the
duration of the run; with --server/--api-key it runs on a deployed or \`npm start\` instance.

Inputs (a file, an http(s) URL or - for stdin)
  -e, --environment FILE|NAME    environment file (Postman export); with a v3 directory, the name
                                 of one in postman/environments/
      --postman-api-key KEY      load the collection and environment by Postman UID from the
                                 Postman API (an api.postman.com URL's ?apikey= works too)
  -g, --globals FILE             globals file (Postman export)
  -d, --iteration-data FILE      data file, CSV or JSON (one iteration per row)
  -n, --iteration-count N        number of iterations
      --folder NAME              run only this folder or request (repeatable)
      --env-var KEY=VALUE        set an environment variable (repeatable)
      --global-var KEY=VALUE     set a global variable (repeatable)

Behaviour
      --delay-request MS         wait between requests
      --timeout MS               whole-run timeout (the run ends failed)
      --timeout-request MS       per-request timeout
      --timeout-script MS        per-script CPU budget
      --bail [failure|folder]    stop at the first failing test or request error (as Newman:
                                 a bare --bail or 'failure'; 'folder' alone does not stop)
      --ignore-redirects         do not follow 3xx redirects
  -k, --insecure                 accepted for compatibility; TLS is verified by the platform
  -x, --suppress-exit-code       exit 0 even when tests fail
      --parallel N               run up to N iterations concurrently (1-6)
      --retry N                  retry failed requests (network errors, 5xx, 429) up to N times
      --region HINT              auto, wnam, enam, sam, weur, eeur, apac, oc, afr or me

Output
  -r, --reporters LIST           cli,json,junit,html (default: cli; htmlextra writes html;
                                 others are skipped with a note, as in Newman)
      --reporter-json-export F   where the json reporter writes (default newman/…json)
      --reporter-junit-export F  where the junit reporter writes (default newman/…xml)
      --reporter-html-export F   where the html reporter writes (default newman/…html; also
                                 --reporter-htmlextra-export)
      --export-environment FILE  write the final environment
      --export-globals FILE      write the final globals
      --export-collection FILE   write the collection as run
      --cookie-jar FILE          start with this cookie jar (tough-cookie JSON, as Newman's)
      --export-cookie-jar FILE   write the final cookie jar
      --silent                   no cli output
      --color on|off|auto        colour the cli output (default auto)
      --disable-unicode          ASCII symbols only
      --reporter-cli-no-summary | -no-failures | -no-assertions | -no-success-assertions
      --reporter-cli-no-console | -no-banner | -silent | -show-timestamps
                                 trim the cli reporter's output, as in Newman
      --verbose                  show each exchange (sizes, headers, bodies, phases) and a phase summary
      --working-dir DIR          where relative file paths of form-data/file bodies are read from
      --no-insecure-file-read    refuse body files outside the working directory

Server
      --server URL               run on this edgerun instance instead of the embedded stack
      --api-key KEY              API key for --server (or EDGERUN_API_KEY)

  -h, --help                     this help
  -v, --version                  print the version

Exit code: 0 when every assertion passed and no request failed, 1 otherwise (or always 0 with -x).`;

const OPTIONS = {
  environment: { type: "string", short: "e" },
  globals: { type: "string", short: "g" },
  "iteration-data": { type: "string", short: "d" },
  "iteration-count": { type: "string", short: "n" },
  folder: { type: "string", multiple: true },
  "env-var": { type: "string", multiple: true },
  "global-var": { type: "string", multiple: true },
  "delay-request": { type: "string" },
  timeout: { type: "string" },
  "timeout-request": { type: "string" },
  "timeout-script": { type: "string" },
  "ignore-redirects": { type: "boolean" },
  insecure: { type: "boolean", short: "k" },
  "suppress-exit-code": { type: "boolean", short: "x" },
  reporters: { type: "string", short: "r" },
  "export-environment": { type: "string" },
  "export-globals": { type: "string" },
  "export-collection": { type: "string" },
  silent: { type: "boolean" },
  color: { type: "string" },
  "no-color": { type: "boolean" },
  "disable-unicode": { type: "boolean" },
  verbose: { type: "boolean" },
  "working-dir": { type: "string" },
  "no-insecure-file-read": { type: "boolean" },
  "ssl-client-cert": { type: "string" },
  "ssl-client-key": { type: "string" },
  "ssl-client-passphrase": { type: "string" },
  "ssl-client-cert-list": { type: "string" },
  "ssl-extra-ca-certs": { type: "string" },
  "cookie-jar": { type: "string" },
  "export-cookie-jar": { type: "string" },
  server: { type: "string" },
  "api-key": { type: "string" },
  "postman-api-key": { type: "string" },
  region: { type: "string" },
  parallel: { type: "string" },
  retry: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

function integer(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`--${flag} must be a whole number from ${min} to ${max}, got '${raw}'.`);
  }
  return n;
}

function pairs(flag: string, raw: string[] | undefined): Array<[string, string]> {
  return (raw ?? []).map((entry) => {
    const i = entry.indexOf("=");
    if (i <= 0) throw new CliError(`--${flag} expects KEY=VALUE, got '${entry}'.`);
    return [entry.slice(0, i), entry.slice(i + 1)];
  });
}

function reporters(raw: string | undefined, warnings: string[]): ReporterName[] {
  const list = (raw ?? "cli")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const out: ReporterName[] = [];
  for (const name of list) {
    const alias = REPORTER_ALIASES[name];
    if (alias) warnings.push(`-r ${name}: edgerun writes its own ${alias} report in its place.`);
    const reporter = alias ?? name;
    // Newman warns about a reporter it cannot load and runs on with the others: so does edgerun.
    if (reporter !== "cli" && reporter !== "json" && reporter !== "junit" && reporter !== "html") {
      warnings.push(
        `could not find "${name}" reporter; edgerun's reporters are cli, json, junit and html (htmlextra writes html).`,
      );
      continue;
    }
    out.push(reporter);
  }
  return [...new Set(out)];
}

/** What edgerun reads of Newman's `--reporter-<name>-<option>` options; the rest is named in a warning. */
interface ReporterOptions {
  jsonExport?: string;
  junitExport?: string;
  htmlExport?: string;
  cli: Record<CliReporterSwitch, boolean>;
}

const EXPORT_OPTIONS: Record<string, "jsonExport" | "junitExport" | "htmlExport"> = {
  "json-export": "jsonExport",
  "junit-export": "junitExport",
  "html-export": "htmlExport",
  "htmlextra-export": "htmlExport",
};

function reporterOptions(options: Map<string, string | true>, warnings: string[]): ReporterOptions {
  const cli = Object.fromEntries(CLI_REPORTER_SWITCHES.map((s) => [s, false])) as ReporterOptions["cli"];
  const out: ReporterOptions = { cli };
  for (const [name, value] of options) {
    const exportKey = EXPORT_OPTIONS[name];
    if (exportKey) {
      if (value === true || value === "") throw new CliError(`--reporter-${name} needs a file path.`);
      out[exportKey] = value;
    } else if (
      name.startsWith("cli-") &&
      (CLI_REPORTER_SWITCHES as readonly string[]).includes(name.slice(4))
    ) {
      cli[name.slice(4) as CliReporterSwitch] = true;
    } else warnings.push(`ignoring --reporter-${name}: edgerun's reporters have no such option.`);
  }
  return out;
}

/** Turns argv (without `node bin`) into a command; throws CliError with Newman-style wording. */
export function parseCommand(argv: string[]): Command {
  const newman = splitNewmanArgv(argv);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: newman.rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CliError(`${message} (see edgerun --help)`);
  }
  const { values: v, positionals } = parsed;
  if (v.version) return { kind: "version" };
  if (v.help || positionals.length === 0) return { kind: "help" };
  const [command, collection, ...extra] = positionals;
  if (command !== "run") throw new CliError(`Unknown command '${command}'. Try: edgerun run <collection>`);
  if (!collection) throw new CliError("Missing collection: edgerun run <collection> [options]");
  if (extra.length) throw new CliError(`Unexpected argument '${extra[0]}'.`);
  for (const flag of [
    "ssl-client-cert",
    "ssl-client-key",
    "ssl-client-passphrase",
    "ssl-client-cert-list",
    "ssl-extra-ca-certs",
  ] as const) {
    if (v[flag] !== undefined) {
      throw new CliError(
        `--${flag} is not supported: requests leave from Cloudflare's network, which does not present client certificates from a CLI.`,
      );
    }
  }
  const warnings: string[] = [];
  const chosen = reporters(v.reporters, warnings);
  const reporting = reporterOptions(newman.reporterOptions, warnings);
  const color = v["no-color"] ? "off" : (v.color ?? "auto");
  if (color !== "on" && color !== "off" && color !== "auto") {
    throw new CliError(`--color must be on, off or auto, got '${color}'.`);
  }
  return {
    kind: "run",
    args: {
      collection,
      environment: v.environment,
      globals: v.globals,
      iterationData: v["iteration-data"],
      iterationCount: integer("iteration-count", v["iteration-count"], 1, 10_000),
      folder: v.folder ?? [],
      envVar: pairs("env-var", v["env-var"]),
      globalVar: pairs("global-var", v["global-var"]),
      delayRequest: integer("delay-request", v["delay-request"], 0, 60_000),
      timeout: integer("timeout", v.timeout, 0, 24 * 3600_000),
      timeoutRequest: integer("timeout-request", v["timeout-request"], 0, 300_000),
      timeoutScript: integer("timeout-script", v["timeout-script"], 0, 60_000),
      bail: bailStops(newman.bail),
      ignoreRedirects: v["ignore-redirects"] ?? false,
      insecure: v.insecure ?? false,
      suppressExitCode: v["suppress-exit-code"] ?? false,
      reporters: chosen,
      jsonExport: reporting.jsonExport,
      junitExport: reporting.junitExport,
      htmlExport: reporting.htmlExport,
      exportEnvironment: v["export-environment"],
      exportGlobals: v["export-globals"],
      exportCollection: v["export-collection"],
      cookieJar: v["cookie-jar"],
      exportCookieJar: v["export-cookie-jar"],
      // `--reporter-cli-silent` silences the cli reporter as `--silent` does (Newman registers neither).
      silent: (v.silent ?? false) || reporting.cli.silent,
      color,
      cli: {
        noSummary: reporting.cli["no-summary"],
        noFailures: reporting.cli["no-failures"],
        noAssertions: reporting.cli["no-assertions"],
        noSuccessAssertions: reporting.cli["no-success-assertions"],
        noConsole: reporting.cli["no-console"],
        noBanner: reporting.cli["no-banner"],
        showTimestamps: reporting.cli["show-timestamps"],
        ascii: v["disable-unicode"] ?? false,
        verbose: v.verbose ?? false,
      },
      workingDir: v["working-dir"],
      noInsecureFileRead: v["no-insecure-file-read"] ?? false,
      server: v.server,
      apiKey: v["api-key"] ?? process.env.EDGERUN_API_KEY,
      postmanApiKey: v["postman-api-key"],
      region: v.region,
      parallel: integer("parallel", v.parallel, 1, 6),
      retry: integer("retry", v.retry, 0, 10),
      warnings,
    },
  };
}
