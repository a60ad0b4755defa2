#!/usr/bin/env node
// Bundles the sandbox prelude and the libraries scripts may require() into shared/sandbox/generated/:
// generated/prelude.ts (PRELUDE_SOURCE) and generated/libs/<id>.ts (one lazily imported module per library).
// Run by `npm start`, `npm test` and `npm run deploy`; the output is not committed.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { buildLazyChai, chaiSource } from "./chai-lazy-assert.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "shared/sandbox/generated");
const libsDir = join(out, "libs");
mkdirSync(libsDir, { recursive: true });
const require = createRequire(join(root, "package.json"));

const LIBS = {
  chai: "chai",
  lodash: "lodash",
  // Newman's legacy `_` global (lodash 3) and the Sugar 1.3.9 prototype extensions of its sandbox.
  lodash3: "lodash3",
  sugar: "sugar/release/sugar-full.development.js",
  "crypto-js": "crypto-js",
  moment: "moment",
  // `uuid` is not the uuid package: postman-sandbox serves its own v4 function (prelude/modules.ts).
  tv4: "tv4",
  ajv: "ajv6", // ajv 6, as Newman's sandbox bundles (messages say "should", paths are `.a[0]`)
  xml2js: "xml2js",
  cheerio: "cheerio",
  "csv-parse-sync": "csv-parse/lib/sync",
  buffer: "buffer/",
  events: "events/",
  util: "util/",
  assert: "assert/",
  path: "path-browserify",
  punycode: "punycode/",
  string_decoder: "string_decoder/",
  querystring: "querystring-es3",
  url: "url/",
  stream: "stream-browserify",
  timers: "timers-browserify",
  // pm.response.contentInfo()'s tables and sniffing, loaded by the scripts that call it.
  "content-info": "./shared/sandbox/prelude/content-info.ts",
};

const alias = {
  path: "path-browserify",
  stream: "stream-browserify",
  timers: "timers-browserify",
  querystring: "querystring-es3",
  "node:buffer": "buffer",
  "node:events": "events",
  "node:stream": "stream-browserify",
  "node:util": "util",
};

// Skip work when inputs are older than outputs (fast `npm test` / `npm start` re-runs).
const stamp = join(out, ".stamp");
const newest = (dir) => readdirSync(dir).reduce((m, f) => Math.max(m, statSync(join(dir, f)).mtimeMs), 0);
const inputsTime = Math.max(
  newest(join(root, "shared/sandbox/prelude")),
  newest(join(root, "shared/sandbox/v8")),
  statSync(join(root, "shared/engine/dynamic-variables.ts")).mtimeMs,
  statSync(join(root, "package-lock.json")).mtimeMs,
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
  statSync(join(root, "scripts/chai-lazy-assert.mjs")).mtimeMs,
);
if (existsSync(stamp) && statSync(stamp).mtimeMs > inputsTime && process.argv[2] !== "--force")
  process.exit(0);

const shim = join(out, "node-shims.js");
writeFileSync(
  shim,
  `export { Buffer } from "buffer/"; export const process = globalThis.process || { env: {}, nextTick: (f, ...a) => Promise.resolve().then(() => f(...a)), browser: true, version: "v20.0.0", versions: {} };\n`,
);

// When a script needs Sugar (the prototype extensions of Newman's sandbox): it uses the legacy interface
// (where Sugar idioms live: `responseBody.has(…)`), or calls a method only Sugar provides. Names chai,
// lodash or the pm API also have (`.include(`, `.has(`, `.first(`) count only on a built-in
// (`Object.isString(`), so typical pm scripts do not pay for Sugar.
const sugarSource = readFileSync(require.resolve(LIBS.sugar), "utf8");
const BUILT_INS = ["Object", "Array", "String", "Number", "Date", "RegExp", "Function"];
const namesOf = (src) =>
  runInNewContext(
    `${src};\n(${JSON.stringify(BUILT_INS)}).flatMap((n) => [globalThis[n], globalThis[n].prototype]).map((o) => Object.getOwnPropertyNames(o))`,
  );
const native = new Set(namesOf("").flat());
const sugarNames = [
  ...new Set(
    namesOf(sugarSource)
      .flat()
      .filter((n) => !native.has(n)),
  ),
].sort();
const chai = await import("chai");
const PM_NAMES = [
  "has",
  "add",
  "all",
  "any",
  // not "each": Sugar's Array#each is what real scripts call on the arrays pm lists' filter/map return
  // (`pm.environment.values.filter(…).each(…)` works in Newman, whose sandbox always has Sugar); a pm list's
  // own each() still answers first when Sugar is loaded
  "find",
  "remove",
  "clear",
  "count",
  "get",
  "set",
  "unset",
  "one",
];
const shared = new Set([...Object.getOwnPropertyNames(chai.Assertion.prototype), ...PM_NAMES]);
const alt = (names) => names.map((n) => n.replace(/\$/g, "\\$")).join("|");
const sugarUse = [
  // not on `_` (lodash has many of the same names), nor on built-ins Sugar does not extend whose methods
  // share a name with one of its own (`console.log(`, `Math.round(`, `Math.floor(`), nor on a
  // `moment(…)` (`.format(`): every script would load Sugar for those
  `(?<!(?:(?:^|[^\\w$.])(?:_|console|Math|JSON|Reflect)|\\bmoment\\s*\\([^()]*\\))\\s*)\\.\\s*(?:${alt(sugarNames.filter((n) => !shared.has(n)))})\\s*\\(`,
  `(?:\\b(?:${BUILT_INS.join("|")})\\s*\\.\\s*(?:${alt(sugarNames)})\\s*\\()`,
  "(?<![\\w$.])(?:tests\\s*\\[|responseBody\\b|postman\\s*\\.|responseCode\\b|responseHeaders\\b)",
].join("|");
writeFileSync(
  join(out, "sugar-names.ts"),
  `// generated by scripts/build-sandbox-libs.mjs\n/** Source of the RegExp that tells a script needs Sugar loaded. */\nexport const SUGAR_USE_SOURCE: string = ${JSON.stringify(sugarUse)};\n`,
);

// JSON modules become `module.exports = JSON.parse("…")`: QuickJS parses an object literal about 3.5×
// slower than JSON.parse reads the same text (http-reasons' table in the prelude: 1.3 -> 0.4 ms per run).
// The same object either way (a `default` import of this CommonJS module is module.exports).
const jsonAsParse = {
  name: "json-as-parse",
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (args) => ({
      contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, "utf8"))))});`,
      loader: "js",
    }));
  },
};

const common = {
  bundle: true,
  plugins: [jsonAsParse],
  write: false,
  platform: "browser",
  target: "es2020",
  mainFields: ["browser", "module", "main"],
  alias,
  define: { global: "globalThis", "process.env.NODE_ENV": '"production"' },
  logLevel: "error",
  legalComments: "none",
  minify: true,
};

// The QuickJS prelude defers the parts most runs never call (prelude/lazy.ts): each travels as its own
// bundled CommonJS text, compiled on the first call of one of its exports. Measured per QuickJS run:
// dynamic-variables ≈ 1.0 ms, v8-messages ≈ 1 ms, v8-operators ≈ 0.25 ms, json-error and legacy ≈ 0.2–0.3 ms.
const LAZY = [
  "shared/engine/dynamic-variables.ts",
  "shared/sandbox/prelude/v8-messages.ts",
  "shared/sandbox/prelude/v8-operators.ts",
  "shared/sandbox/prelude/json-error.ts",
  "shared/sandbox/prelude/legacy.ts",
  "shared/sandbox/prelude/chai-chains.ts",
].map((p) => join(root, p));
const LAZY_HELPER = join(root, "shared/sandbox/prelude/lazy.ts");

/** Replaces imports of the LAZY modules (but `self`, the one being bundled) with deferring stubs. */
function lazyParts(self) {
  return {
    name: "lazy-prelude-parts",
    setup(b) {
      b.onResolve({ filter: /^edgerun:lazy$/ }, () =>
        self ? { path: "edgerun:lazy", external: true } : { path: LAZY_HELPER },
      );
      b.onLoad({ filter: /\.ts$/ }, async (args) =>
        LAZY.includes(args.path) && args.path !== self
          ? { contents: await lazyStub(args.path), loader: "js", resolveDir: dirname(args.path) }
          : undefined,
      );
    },
  };
}

/**
 * `path` bundled as the body of a function of `__edgerunLazy` (prelude/lazy.ts `lazyModule`, for the
 * parts it defers itself) that returns its exports as a plain object: an ES module, so no CommonJS
 * helpers run when it loads (they would enumerate what a script added to Object.prototype).
 */
async function lazyBody(path) {
  const built = await build({
    ...common,
    plugins: [jsonAsParse, lazyParts(path)],
    entryPoints: [path],
    format: "esm",
  });
  let text = built.outputFiles[0].text.trim();
  text = text.replace(
    /^import\s*\{\s*lazyModule as ([\w$]+)\s*\}\s*from\s*"edgerun:lazy";/,
    "var $1=__edgerunLazy;",
  );
  const exported = /export\s*\{([^}]*)\};?$/.exec(text);
  if (
    !exported ||
    /\b(?:import|export)\b/.test(
      text.slice(0, exported.index).replace(/"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, ""),
    )
  )
    throw new Error(`lazy prelude part ${path}: unexpected bundle shape`);
  const fields = exported[1].split(",").map((e) => {
    const [local, name = local] = e.trim().split(/\s+as\s+/);
    return `${name}:${local}`;
  });
  return `${text.slice(0, exported.index)}return{${fields.join(",")}};`;
}

/**
 * A module with the exports of `path`: constants as literals, each function a forwarder that compiles the
 * bundled module on its first call. Fails the build on an export it cannot forward (an object).
 */
async function lazyStub(path) {
  const body = await lazyBody(path);
  const exports = new Function("__edgerunLazy", body)(() => () => ({}));
  const lines = [
    `import { lazyModule } from "edgerun:lazy";`,
    `const load = lazyModule(${JSON.stringify(body)});`,
  ];
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === "function") {
      const params = Array.from({ length: value.length }, (_, i) => `a${i}`).join(", ");
      lines.push(`export function ${name}(${params}) { return load().${name}(${params}); }`);
    } else if (value === null || typeof value !== "object") {
      lines.push(`export const ${name} = ${JSON.stringify(value)};`);
    } else throw new Error(`lazy prelude part ${path}: export ${name} is an object`);
  }
  return lines.join("\n");
}

const prelude = await build({
  ...common,
  entryPoints: [join(root, "shared/sandbox/prelude/index.ts")],
  format: "iife",
});
const preludeQuickjs = await build({
  ...common,
  plugins: [jsonAsParse, lazyParts(undefined)],
  entryPoints: [join(root, "shared/sandbox/prelude/index.ts")],
  format: "iife",
});
writeFileSync(
  join(out, "prelude.ts"),
  `// generated by scripts/build-sandbox-libs.mjs\n/** The prelude as the V8 host evaluates it. */\nexport const PRELUDE_SOURCE: string = ${JSON.stringify(prelude.outputFiles[0].text)};\n/** The QuickJS build: the rarely used parts compiled on first use (prelude/lazy.ts). */\nexport const PRELUDE_QUICKJS_SOURCE: string = ${JSON.stringify(preludeQuickjs.outputFiles[0].text)};\n`,
);

// The V8 script host's in-isolate modules (shared/sandbox/v8/*.js), served as text to the Worker Loader.
const v8Source = (file) => JSON.stringify(readFileSync(join(root, "shared/sandbox/v8", file), "utf8"));
writeFileSync(
  join(out, "v8-entry.ts"),
  `// generated by scripts/build-sandbox-libs.mjs\nexport const V8_HOST_SOURCE: string = ${v8Source("host.js")};\nexport const V8_MAIN_SOURCE: string = ${v8Source("main.js")};\n`,
);

// Libraries that get no injected Node globals. chai only asks `typeof Buffer === "function"` (loupe, to name a
// Buffer in messages): the shim would bundle a private copy of the buffer polyfill (28 of chai's 94 kB, parsed
// by every run whose scripts use pm.expect: 10.4 -> 6.6 ms in QuickJS) whose class no script's Buffer is
// an instance of; without it the check reads the sandbox's global (none), with the same messages.
const NO_SHIMS = new Set(["buffer", "chai", "content-info"]);
// mime-types' `extension(type)` as a table (type -> first extension): what contentInfo() needs of mime-db.
const mimeExtensions = {
  name: "mime-extensions",
  setup(b) {
    b.onResolve({ filter: /^edgerun:mime-extensions$/ }, (args) => ({ path: args.path, namespace: "mime" }));
    b.onLoad({ filter: /.*/, namespace: "mime" }, () => {
      const db = require("mime-db");
      const table = {};
      for (const [type, entry] of Object.entries(db))
        if (entry.extensions?.length) table[type] = entry.extensions[0];
      return {
        contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(table))});`,
        loader: "js",
      };
    });
  },
};
// The V8 build's chai, worded as postman-sandbox's (chai-lazy-assert.mjs `chaiSource`).
const chaiMessages = {
  name: "chai-messages",
  setup(b) {
    b.onLoad({ filter: /[\\/]chai[\\/]index\.js$/ }, (args) => ({
      contents: chaiSource(args.path),
      loader: "js",
    }));
  },
};
const loaders = [];
// `<id>:quickjs` is the build the QuickJS host serves for `<id>` (libraries.ts); others serve `<id>`.
const builds = [
  ...Object.entries(LIBS).map(([id, spec]) => [id, spec, undefined]),
  ["chai:quickjs", LIBS.chai, buildLazyChai],
];
for (const [id, spec, custom] of builds) {
  const entry = require.resolve(spec);
  const text = custom
    ? await custom(common, entry)
    : (
        await build({
          ...common,
          entryPoints: [entry],
          format: "cjs",
          inject: NO_SHIMS.has(id) ? [] : [shim],
          ...(id === "chai" ? { plugins: [...common.plugins, chaiMessages] } : {}),
          ...(id === "content-info" ? { plugins: [...common.plugins, mimeExtensions] } : {}),
        })
      ).outputFiles[0].text;
  const file = `${id.replace(/[^a-z0-9]/gi, "_")}.ts`;
  writeFileSync(
    join(libsDir, file),
    `// generated\nconst source: string = ${JSON.stringify(text)};\nexport default source;\n`,
  );
  loaders.push(
    `  ${JSON.stringify(id)}: async () => (await import("./${file.replace(/\.ts$/, "")}")).default,`,
  );
  console.log(`sandbox lib ${id.padEnd(16)} ${(text.length / 1024).toFixed(0).padStart(5)} KiB`);
}
writeFileSync(
  join(libsDir, "index.ts"),
  `// generated\nexport const LIBRARY_LOADERS: Record<string, () => Promise<string>> = {\n${loaders.join("\n")}\n};\n`,
);
writeFileSync(stamp, String(Date.now()));
console.log(
  `sandbox prelude ${(prelude.outputFiles[0].text.length / 1024).toFixed(0)} KiB (QuickJS: ${(preludeQuickjs.outputFiles[0].text.length / 1024).toFixed(0)} KiB)`,
);
