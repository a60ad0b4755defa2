/**
 * Scripts probing where QuickJS and V8 may differ (script-backend-corpus.test.ts runs each through both
 * hosts). Most print what they observe, so the console is compared too; a test failing or a script
 * throwing compares the message Newman users would read.
 */
export const ENGINE_CASES: string[] = [
  // Built-in errors, uncaught: the script's error message.
  "const o = null; o.x;",
  "let u; u.foo();",
  "const o = {}; o.a.b;",
  "const o = {}; o.f();",
  "const o = { a: {} }; o.a.f();",
  "notDefined + 1;",
  "const c = 1; c = 2;",
  "JSON.parse('{');",
  "JSON.parse('');",
  "JSON.parse('{\"a\":1,}');",
  "JSON.parse(undefined);",
  "new Array(-1);",
  "(1).toFixed(200);",
  "'abc'.repeat(-1);",
  "Symbol() + '';",
  "const { a } = undefined;",
  "Object.defineProperty(1, 'a', {});",
  "'use strict'; Object.freeze({ a: 1 }).a = 2;",
  "decodeURIComponent('%');",
  "new RegExp('(');",
  "1n + 1;",
  "[].reduce((a, b) => a + b);",
  "class A {}; A();",
  "const ns = { Thing: class {} }; ns.Thing();",
  "x = y;",
  "await Promise.reject(new TypeError('async no'));",
  // The same errors inside a test: the assertion's message.
  `pm.test("null prop", () => { const o = null; return o.x; });
pm.test("not fn", () => { const o = {}; o.run(); });
pm.test("undefined var", () => missing.x);
pm.test("json", () => JSON.parse("<html>"));
pm.test("range", () => new Array(-1));`,
  // Thrown non-errors.
  `pm.test("string", () => { throw "plain"; });
pm.test("object", () => { throw { message: "obj", code: 1 }; });
pm.test("number", () => { throw 42; });
pm.test("null", () => { throw null; });
pm.test("custom", () => { class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } } throw new MyError("mine"); });`,
  "throw 'top-level string';",
  "throw { message: 'top-level object' };",
  "throw null;",
  "class MyError extends Error {}; throw new MyError('subclass');",
  // console formatting.
  `console.log(new Map([[1, "a"], ["b", { c: 2 }]]), new Set([1, "x"]));
console.log(new Date(0), /re/gi, -0, NaN, Infinity, 10n, Symbol("s"));
console.log([1, , 3], [undefined, null], { u: undefined, f() {}, g: () => 1 });
console.log(new Error("boom"), new TypeError("typed"));
class P { constructor() { this.a = 1; } }
console.log(new P(), Object.create(null), new Uint8Array([1, 2]), Promise.resolve(1));
const circ = { name: "c" }; circ.self = circ; console.log(circ);
console.log("%s is %d years and %o", "Ann", 42.5, { x: 1 }, "extra");
console.log({ get g() { return 1; } }, [function named() {}, class K {}]);
console.info("info"); console.warn("warn"); console.error("error"); console.debug("debug");`,
  `console.log({ a: { b: { c: { d: { e: 1 } } } }, arr: new Array(120).fill(0) });
console.log("x".repeat(5), [["nested", ["deeper", ["deepest"]]]], "  padded  ");
console.log(String(Symbol("s")), Object.prototype.toString.call(null), typeof null);`,
  `const d = new Date(Date.UTC(2021, 2, 7, 13, 4, 5, 6));
console.log(d.toISOString(), d.toUTCString(), d.toJSON(), d.getTimezoneOffset(), d.getDay(), d.valueOf());`,
  `for (const s of ["2020-01-01", "2020-01-01T10:00", "2020-01-01 10:00", "March 7, 2021", "2021/03/07",
  "Sun, 07 Mar 2021 13:04:05 GMT", "07 Mar 2021", "2021-3-7", "nonsense", "2021-02-30"])
  console.log(s, "->", Date.parse(s));
console.log(String(new Date(NaN)), new Date(8.64e15 + 1).getTime());`,
  // Numbers and strings.
  `console.log((0.1 + 0.2), (1e21).toString(), (123.456).toFixed(1), (0.000001234).toPrecision(2));
console.log((0.1).toString(3), (255).toString(36), (1e-7).toString(), Number("0x1f"), parseFloat("1e3x"), Number.MAX_SAFE_INTEGER + 2);
console.log(Math.sin(1e10), Math.round(-0.5), Math.max(), 2 ** 53, 5 / 3);
console.log("ß".toUpperCase(), "İ".toLowerCase().length, "\\u0041\\u030A".normalize("NFC").length, "abc".at(-1));
console.log(encodeURIComponent("ä ü/?"), escape("ä+"), "x".padStart(3, "ab"), " t ".trim() + "|");`,
  `console.log(typeof Intl, typeof Intl !== "undefined" && new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(12.5));`,
  // Regular expressions.
  `console.log("2021-03-07".match(/(?<y>\\d{4})-(?<m>\\d{2})/).groups.y, "price: $42".match(/(?<=\\$)\\d+/)[0]);
console.log(/\\p{L}+/u.test("héllo"), "aXbXc".split(/x/i), "a1b2".replace(/\\d/g, (d) => d * 2), [..."a1b22".matchAll(/\\d+/g)].map(String));
console.log(/a.c/s.test("a\\nc"), /^b/m.test("a\\nb"), "aaa".lastIndexOf("a"), "x".replaceAll("x", "$&$&"));`,
  // Sorting and collections.
  `console.log([3, 1, 2, 10].sort().join(), [5, 1, 4].sort((a, b) => b - a).join());
const people = [{ n: "a", g: 1 }, { n: "b", g: 0 }, { n: "c", g: 1 }, { n: "d", g: 0 }];
console.log(people.sort((x, y) => x.g - y.g).map((p) => p.n).join(""));
console.log(JSON.stringify({ b: 1, a: 2, 10: "x", 2: "y" }), Object.keys({ z: 1, 1: 2, y: 3 }));
console.log(JSON.stringify({ d: new Date(0), u: undefined, f() {}, n: NaN, i: -Infinity, nested: [undefined] }));
console.log(JSON.stringify({ a: [1, { b: 2 }] }, null, 2), JSON.stringify("\\u2028\\ud800"));
console.log(typeof [].findLast, typeof [].toSorted, typeof structuredClone);`,
  // Functions and stacks.
  `function f(a, b) { return a + b; }
console.log(f.toString(), (() => 1).toString(), f.name, f.length, typeof Math.max.toString());
try { JSON.parse("{x"); } catch (e) { console.log(e.name, e.message); }
try { throw new TypeError("own"); } catch (e) { console.log(e.name, e.message, e instanceof TypeError, String(e)); }
console.log(typeof new Error("s").stack);`,
  // Timers and promise order.
  `const order = [];
setTimeout(() => order.push("t0"), 0);
Promise.resolve().then(() => order.push("micro"));
queueMicrotask?.(() => order.push("qm"));
setTimeout(() => { order.push("t10"); pm.test("order", () => pm.expect(order.join()).to.equal("x")); }, 10);
order.push("sync");`,
  `const id = setInterval(() => { n++; if (n === 3) { clearInterval(id); pm.test("interval", () => pm.expect(n).to.equal(3)); } }, 1);
let n = 0;`,
  `pm.test("async pass", async () => { await new Promise((r) => setTimeout(r, 1)); });
pm.test("async fail", async () => { await null; throw new Error("later"); });
pm.test("promise return", () => Promise.reject(new Error("rejected")));`,
  "setTimeout(() => { throw new Error('in a timer'); }, 0);",
  "Promise.reject(new Error('unhandled'));",
  // Scope: this, var, arguments, sloppy mode.
  `var topVar = 1; function decl() {}
console.log(typeof this, typeof globalThis, typeof arguments, typeof this.topVar, typeof this.decl);
console.log(typeof pm, typeof postman, typeof require, typeof module, typeof exports, typeof __filename, typeof __dirname, typeof CryptoJS);
console.log(typeof atob, typeof btoa, btoa("hi"), atob("aGk="), typeof crypto, typeof Buffer, typeof URL, typeof URLSearchParams);
console.log(typeof setImmediate, typeof TextEncoder, typeof process, typeof global, typeof window);`,
  // A pasted UMD bundle: no CommonJS module object in a script (V8's module wrapper must not show through).
  `(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else if (typeof exports === "object") exports.umdLib = factory();
  else root.umdLib = factory();
})(this, () => ({ v: 1 }));
pm.test("umd global", () => pm.expect(umdLib.v).to.equal(1));
delete this.umdLib;`,
  // The legacy lodash 3 global, named without a member access.
  "console.log(typeof _, _([1, 2, 3]).map((x) => x * 2).value().join());",
  // Libraries (none needing code generation).
  `const moment = require("moment");
console.log(moment.utc("2021-03-07T13:04:05Z").format("LLLL"), moment.utc(0).add(1, "d").toISOString(), moment("2021-03-07", "YYYY-MM-DD").isValid());
var _ = require("lodash"); console.log(_.sortBy([{ a: 2 }, { a: 1 }], "a"), _.chunk([1, 2, 3], 2), _.template ? "t" : "-");
var CryptoJS = require("crypto-js"); console.log(CryptoJS.SHA256("x").toString(), CryptoJS.HmacSHA1("m", "k").toString(CryptoJS.enc.Base64));
const uuid = require("uuid"); console.log(typeof uuid.v4(), /^[0-9a-f-]{36}$/.test(uuid()), typeof uuid.validate);`,
  `var cheerio = require("cheerio"); const $ = cheerio.load("<ul><li class='a'>x</li><li>y</li></ul>");
console.log($("li").length, $(".a").text(), $("ul").html());
const xml2js = require("xml2js"); xml2js.parseString("<r><a>1</a></r>", (err, res) => console.log(err, JSON.stringify(res)));
console.log(JSON.stringify(xml2Json("<r><a x='1'>t</a></r>")));
var tv4 = require("tv4"); console.log(tv4.validate({ a: 1 }, { properties: { a: { type: "string" } } }), tv4.error && tv4.error.message);`,
  `const { Buffer } = require("buffer"); console.log(Buffer.from("héllo").toString("base64"), Buffer.from("aGk=", "base64").toString());
const url = require("url"); console.log(JSON.stringify(url.parse("http://u:p@h:8/p?q=1#f")));
const qs = require("querystring"); console.log(qs.stringify({ a: [1, 2], b: "x y" }), JSON.stringify(qs.parse("a=1&a=2")));
const util = require("util"); console.log(util.format("%s %d %j", "a", 1, { b: 2 }), util.inspect({ a: [1, { b: new Map() }] }));
const assert = require("assert"); try { assert.deepStrictEqual({ a: 1 }, { a: 2 }); } catch (e) { console.log(e.name, e.message.split("\\n")[0]); }`,
  // Response and request APIs.
  `pm.test("json", () => pm.expect(pm.response.json().nested.deep[1].x).to.be.null);
pm.test("text", () => pm.expect(pm.response.text()).to.include("Ann"));
pm.test("header", () => pm.expect(pm.response.headers.get("x-id")).to.equal("8"));
pm.test("time", () => pm.expect(pm.response.responseTime).to.be.below(5));
pm.test("status", () => pm.response.to.have.status("Created"));
console.log(pm.request.url.toString(), pm.request.method, pm.request.body.raw, pm.request.headers.get("accept"));
console.log(JSON.stringify(pm.response.headers.toObject()), pm.response.reason(), pm.response.size && typeof pm.response.size());`,
  `pm.expect(1).to.equal(2);`,
  `pm.test("deep diff", () => pm.expect({ a: [1, 2, { b: "x".repeat(60) }] }).to.eql({ a: [1, 2, { b: "y" }] }));
pm.test("long strings", () => pm.expect("a".repeat(100)).to.equal("b".repeat(100)));
pm.test("numbers", () => pm.expect(0.1 + 0.2).to.equal(0.3));
pm.test("closeTo", () => pm.expect(1.5).to.be.closeTo(1, 0.1));
pm.test("instanceOf", () => pm.expect([]).to.be.instanceOf(Map));
pm.test("throws", () => pm.expect(() => { throw new TypeError("t"); }).to.throw(RangeError));
pm.test("members", () => pm.expect([1, 2]).to.have.members([2, 3]));
pm.test("date", () => pm.expect(new Date(0)).to.equal(new Date(1)));
pm.test("map", () => pm.expect(new Map([[1, 2]])).to.eql(new Map([[1, 3]])));
pm.test("symbol", () => pm.expect(Symbol("a")).to.equal(Symbol("a")));
pm.test("bigint", () => pm.expect(1n).to.equal(2n));`,
];

/**
 * Where QuickJS is not V8 and the V8 host is right: what Newman 6.2.2 (Node 20) printed or reported for
 * each script, which V8's outcome must contain. QuickJS words these its own way (the prelude's
 * v8-messages.ts rewords the common ones when they fail a script, not a message a script reads itself),
 * has no Intl (toLocaleString, localeCompare) and sorts with a boolean comparator as if it were numeric.
 */
export const QUICKJS_DIFFERS: Array<{ source: string; newman: string[] }> = [
  {
    source: "BigInt(1.5);",
    newman: ["The number 1.5 cannot be converted to a BigInt because it is not an integer"],
  },
  {
    source: "null[Symbol.iterator];",
    newman: ["object null is not iterable (cannot read property Symbol(Symbol.iterator))"],
  },
  { source: "const [a] = null;", newman: ["null is not iterable"] },
  { source: "for (const x of 5) {}", newman: ["5 is not iterable"] },
  { source: "(void 0)();", newman: ["(void 0) is not a function"] },
  {
    source: `try { null.x; } catch (e) { console.log(e.message); }
try { undefinedFn(); } catch (e) { console.log(e.message); }
try { ({}).a.b.c; } catch (e) { console.log(e.message); }`,
    newman: [
      "Cannot read properties of null (reading 'x')",
      "undefinedFn is not defined",
      "Cannot read properties of undefined (reading 'b')",
    ],
  },
  {
    source: `const d = new Date(Date.UTC(2021, 2, 7, 13, 4, 5, 6));
console.log(d.toString()); console.log(d.toLocaleString(), "|", d.toLocaleDateString(), "|", d.toLocaleTimeString());
console.log(d.toLocaleDateString("en-GB"));
console.log((1234567.891).toLocaleString(), "a".localeCompare("B"), ["b", "a", "C", "é"].sort((x, y) => x.localeCompare(y)).join(","));`,
    newman: [
      "Sun Mar 07 2021 13:04:05 GMT+0000 (Coordinated Universal Time)",
      "3/7/2021, 1:04:05 PM | 3/7/2021 | 1:04:05 PM",
      "07/03/2021",
      "1,234,567.891 -1 a,b,C,é",
    ],
  },
  { source: "console.log([3, 1, 2].sort((a, b) => a > b).join());", newman: ["3,1,2"] },
];

/**
 * Scripts that do not compile: each fails alone, with V8's message (QuickJS's reworded to it). Left out:
 * a stray closing brace (\`pm.test(…)})\`), which V8 reports as "Unexpected token '}'", QuickJS inside its
 * wrapper as "Unexpected end of input" and Newman inside its own as "Unexpected token ';'".
 */
export const SYNTAX_CASES: string[] = [
  "let = ;",
  "if (x {",
  'pm.test("a", () => {',
  "const a = 1; const a = 2;",
  "var x = 'unterminated",
  "const { a, } = { a: 1 }; const b = [1,,];  return;",
  "function () {}",
  "function 5() {}",
  "  function\n  (a) { return a; }",
  "await 1;",
  "const o = { a: 1 b: 2 };",
  'console.log("fine after the broken ones");',
];
