// chai for the QuickJS sandbox with its `assert` interface compiled on first use
// (used by scripts/build-sandbox-libs.mjs).
//
// QuickJS compiles every function of a source when it loads it (no lazy parsing, no bytecode cache across
// runtimes), and each run has its own runtime: chai's 94 kB are parsed again by every run whose scripts use
// pm.expect. The `assert` interface (≈ 14 kB minified, ≈ 2 ms of QuickJS parse per run) is rarely used by
// Postman scripts (`require("chai").assert`). This build keeps chai's text, but the assert section
// (`lib/chai/interface/assert.js` in chai's published bundle) travels as a string compiled with the
// `Function` captured when chai loads, on the first read of `chai.assert` (the export, or the object a
// plugin gets from `chai.use`). The section runs unchanged, over the same module bindings (passed as
// arguments), so the `assert` object is the one chai would have built. The V8 host keeps the plain build
// (V8 parses lazily anyway; its dynamic workers refuse code from strings).
import { readFileSync } from "node:fs";
import { build, transform } from "esbuild";

const START = "// lib/chai/interface/assert.js\n";
const END = "// lib/chai.js\n";

/** Replaces exactly one occurrence of `from`, or fails the build (chai's text changed: revisit this). */
function replaceOnce(text, from, to, what) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`chai-lazy-assert: ${what} not found once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Top-level names of chai's ESM bundle outside the section that the section's text mentions. */
function freeNames(rest, section) {
  const declared = new Set(
    [...rest.matchAll(/^(?:async\s+)?(?:function\*?|class|var|let|const)\s+([A-Za-z_$][\w$]*)/gm)].map(
      (m) => m[1],
    ),
  );
  const used = new Set(section.match(/(?<![\w$.])[A-Za-z_$][\w$]*/g));
  return [...declared].filter((n) => used.has(n) && n !== "assert").sort();
}

/**
 * chai's ESM source as both sandbox builds bundle it, with the one message postman-sandbox's chai words
 * otherwise: its loupe shows a Map of one entry as `Map{}` (it tests `size - 1 <= 0`), so a failing
 * `pm.expect(new Map([["a", 1]])).to.eql(…)` reads `expected Map{} to deeply equal …` in Newman.
 */
export function chaiSource(path) {
  return replaceOnce(
    readFileSync(path, "utf8"),
    'if (map.size === 0)\n    return "Map{}";',
    'if (map.size <= 1)\n    return "Map{}";',
    "loupe's inspectMap",
  );
}

/** chai's ESM source with the assert section deferred. */
async function lazySource(path) {
  const source = chaiSource(path);
  const start = source.indexOf(START);
  const end = source.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error("chai-lazy-assert: assert section markers not found");
  const section = source.slice(start + START.length, end);
  const rest = source.slice(0, start) + source.slice(end);
  const names = freeNames(rest, section);
  // Assigned, so that the minifier keeps it (an unused function expression is dead code).
  const minified = (
    await transform(`var __section = function (${names.join(", ")}) {\n${section}\nreturn assert;\n};`, {
      minify: true,
      target: "es2020",
      legalComments: "none",
    })
  ).code;
  const fn = /^var __section=(function[\s\S]*\});?\s*$/.exec(minified)?.[1];
  if (!fn) throw new Error("chai-lazy-assert: unexpected minifier output for the assert section");
  const deferred = [
    "var __chaiCompile = Function;",
    "var assert;",
    "function __chaiAssert() {",
    `  if (assert === void 0) assert = __chaiCompile(${JSON.stringify(`return ${fn}`)})()(${names.join(", ")});`,
    "  return assert;",
    "}",
    "",
  ].join("\n");
  let out = source.slice(0, start + START.length) + deferred + source.slice(end);
  out = replaceOnce(
    out,
    "    assert,\n    Assertion,",
    "    get assert() { return __chaiAssert(); },\n    Assertion,",
    "use()",
  );
  return out;
}

/**
 * Builds the QuickJS variant of chai with the given esbuild options (those of the other libraries):
 * bundled unminified, the `assert` export pointed at the deferred builder, then minified.
 */
export async function buildLazyChai(common, entry) {
  const plugin = {
    name: "chai-lazy-assert",
    setup(b) {
      b.onLoad({ filter: /[\\/]chai[\\/]index\.js$/ }, async (args) => ({
        contents: await lazySource(args.path),
        loader: "js",
      }));
    },
  };
  const result = await build({
    ...common,
    minify: false,
    plugins: [...(common.plugins ?? []), plugin],
    entryPoints: [entry],
    format: "cjs",
  });
  const bundled = replaceOnce(
    result.outputFiles[0].text,
    "assert: () => assert,",
    "assert: () => __chaiAssert(),",
    "export",
  );
  return (
    await transform(bundled, { minify: true, format: "cjs", target: common.target, legalComments: "none" })
  ).code;
}
