/**
 * Differential check of two prelude bundles (issue 16): runs every script of a corpus through an old
 * and the current prelude, each in its own `node:vm` context (as bench/prelude-profile.ts does), and
 * prints each script whose output differs (response ids aside). A change to the prelude's hot paths
 * (chai-chains.ts) must leave verdicts, messages, console and scopes byte-identical.
 *
 *   node --import tsx bench/prelude-diff.ts old-bundle.js [corpus=bench/prelude-diff-scripts.txt]
 *
 * Save the old bundle first (before rebuilding), e.g.
 *   node --import tsx -e 'import {PRELUDE_SOURCE as s} from "./shared/sandbox/generated/prelude.ts";
 *     import {writeFileSync} from "node:fs"; writeFileSync("/tmp/prelude-old.js", s)'
 * The corpus separates scripts with a line `----`; they run as test scripts of bench/sandbox-scripts.ts's
 * request and response, one context per bundle for the whole corpus (as the scripts of one run).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import type { PreludeHost, PreludeInput, PreludeOutput } from "../shared/sandbox/contract";
import { REQUIRE_ALIASES } from "../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../shared/sandbox/generated/libs/index";
import { PRELUDE_QUICKJS_SOURCE, PRELUDE_SOURCE } from "../shared/sandbox/generated/prelude";
import { benchContext } from "./sandbox-scripts";

const oldBundle = process.argv[2];
if (!oldBundle) throw new Error("usage: prelude-diff.ts old-bundle.js [corpus.txt]");
const corpus = process.argv[3] ?? join(import.meta.dirname, "prelude-diff-scripts.txt");

const libraries = new Map<string, string>();
for (const [id, load] of Object.entries(LIBRARY_LOADERS)) libraries.set(id, await load());

/** One prelude context with every library served, timers answered at once, no network. */
function preludeOf(bundle: string): (inputJson: string) => Promise<string> {
  const sandbox = createContext({});
  const host: PreludeHost = {
    sendRequest: async () => JSON.stringify({ error: { name: "Unsupported", message: "not here" } }),
    cookieJar: () => "null",
    library: (name) => libraries.get(REQUIRE_ALIASES[name] ?? name),
    now: () => 0,
    sleep: async () => undefined,
    compile: (params, body) =>
      runInContext(`(async function (${params}) {\n${body}\n})`, sandbox, { filename: "script.js" }),
  };
  sandbox.__host = host;
  runInContext(bundle, sandbox, { filename: "prelude.js" });
  return sandbox.__edgerun_execute as (inputJson: string) => Promise<string>;
}

const before = preludeOf(readFileSync(oldBundle, "utf8"));
// Both current builds: V8's, and QuickJS's with its parts compiled on first use (prelude/lazy.ts).
const afters = [
  ["v8", preludeOf(PRELUDE_SOURCE)],
  ["quickjs", preludeOf(PRELUDE_QUICKJS_SOURCE)],
] as const;
const limits = { consoleEntries: 100, consoleMessageChars: 2000, timers: 100 };
// Every response gets a random id (as in the SDK): not part of the comparison. The scopes and request a
// prelude leaves out (unchanged, contract.ts PreludeOutput) are the input's, as the hosts fill them in;
// the data row is left out too (the engine keeps its own whatever a script does to pm.iterationData).
const withoutIds = (json: string) => json.replace(/"id":"[0-9a-f-]{36}"/g, "");
const outcomeOf = (out: string, input: string) => {
  const { scopes, request, ...rest } = JSON.parse(out) as PreludeOutput;
  const { context } = JSON.parse(input) as PreludeInput;
  const { data: _row, ...lists } = scopes ?? context.scopes;
  return withoutIds(JSON.stringify({ ...rest, scopes: lists, request: request ?? context.request }));
};
const scripts = readFileSync(corpus, "utf8").split(/\n----\n/);
let differ = 0;
for (const source of scripts) {
  const input = JSON.stringify({ source, location: "request:diff", context: benchContext(), limits });
  const a = outcomeOf(await before(input), input);
  for (const [build, after] of afters) {
    const b = outcomeOf(await after(input), input);
    if (a === b) continue;
    differ++;
    console.log(`differs (${build}): ${source.trim()}\n  old ${a}\n  new ${b}`);
  }
}
console.log(`${scripts.length} scripts, ${differ} differ`);
if (differ) process.exitCode = 1;
