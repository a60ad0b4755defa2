/**
 * Bundled sources for the sandbox: the prelude and the libraries scripts may `require()`.
 * Generated at build time by scripts/build-sandbox-libs.mjs; each library is a separate lazily
 * imported module, and is evaluated inside QuickJS only when a script needs it.
 */
import { LIBRARY_LOADERS } from "./generated/libs/index";
import { PRELUDE_QUICKJS_SOURCE, PRELUDE_SOURCE } from "./generated/prelude";
import { SUGAR_USE_SOURCE } from "./generated/sugar-names";

/**
 * The prelude bundle. QuickJS gets its own build, whose rarely used parts compile on first use
 * (prelude/lazy.ts: QuickJS parses every function of a source when it loads it, V8 lazily itself).
 */
export async function preludeSource(variant?: "quickjs"): Promise<string> {
  return variant === "quickjs" ? PRELUDE_QUICKJS_SOURCE : PRELUDE_SOURCE;
}

/**
 * A library's CommonJS source. A host may ask for its own build of a library (`<id>:<variant>`, e.g.
 * `chai:quickjs`, whose `assert` interface compiles on first use: scripts/chai-lazy-assert.mjs) and gets
 * the common one where there is none.
 */
export async function loadLibrary(id: string, variant?: "quickjs"): Promise<string | undefined> {
  const load = (variant && LIBRARY_LOADERS[`${id}:${variant}`]) || LIBRARY_LOADERS[id];
  return load ? load() : undefined;
}

const GLOBAL_USES: Array<[RegExp, string[]]> = [
  // `.to` alone too: `const to = pm.response.to;` reads chai as much as `pm.response.to.have…` does.
  [/\bpm\s*\.\s*expect\b|\.\s*to\b|\bexpect\s*\(|\bchai\b|\.jsonSchema\b/, ["chai"]],
  [/\.jsonSchema\b|\bajv\b/i, ["ajv"]],
  // The legacy `_` global is lodash 3, as in Newman (require('lodash') is lodash 4): `_.map`, `_(list)`
  // (a chain) and `typeof _` (else only a V8 run whose other scripts load lodash3 would have it).
  [/(^|[^\w$.])_\s*[.(]|\btypeof\s+_(?![\w$])/, ["lodash3"]],
  [/\bCryptoJS\b/, ["crypto-js"]],
  [/\btv4\b/, ["tv4"]],
  [/\bxml2Json\b/, ["xml2js", "buffer", "events", "stream", "string_decoder", "timers"]],
  [/\bBuffer\b/, ["buffer"]],
  [/\bcheerio\b/, ["cheerio", "buffer"]],
  // pm.response.contentInfo(): postman-collection's MIME tables (prelude/content-info.ts).
  [/\bcontentInfo\b/, ["content-info"]],
];

/** A call of a method only Sugar provides (`responseBody.has(…)`): the script needs Sugar loaded. */
export const SUGAR_USE = new RegExp(SUGAR_USE_SOURCE);
GLOBAL_USES.push([SUGAR_USE, ["sugar"]]);

/**
 * Code built from strings (`eval`, `Function(…)`, `new Function(…)`): the text cannot say which globals
 * that code names, so every library global's source is fetched (each still loads only when read:
 * prelude/index.ts installLazyGlobals).
 */
const CODE_FROM_TEXT = /\beval\b|\bFunction\s*\(/;
const LIBRARY_GLOBAL_IDS = [
  ...["lodash3", "crypto-js", "tv4", "buffer", "cheerio"],
  ...["xml2js", "events", "stream", "string_decoder", "timers"],
];

const REQUIRE_RE = /\brequire\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g;

/** Which bundles a script needs, from its text (require calls and well-known globals). */
export function neededLibraries(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(REQUIRE_RE)) {
    const name = m[1]!;
    out.add(name === "csv-parse/lib/sync" ? "csv-parse-sync" : name);
  }
  for (const [re, ids] of GLOBAL_USES) if (re.test(source)) for (const id of ids) out.add(id);
  if (CODE_FROM_TEXT.test(source)) for (const id of LIBRARY_GLOBAL_IDS) out.add(id);
  return [...out];
}
