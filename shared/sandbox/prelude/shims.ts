// Platform shims the bundled libraries and Newman's scripts expect, installed once per context before
// any script runs: btoa/atob, a JSON.parse whose errors read like Postman's and a String.prototype.repeat
// the CPU budget can see. What only the libraries need (crypto, a minimal EventTarget, `global`,
// `globalThis`) is kept off the global object and lent to a library while it loads (LIBRARY_ONLY).
import { jsonError } from "./json-error";

type Global = typeof globalThis & Record<string, unknown>;
const g = globalThis as Global;

/** JSON as the prelude found it: its own input and output never go through a script's replacement. */
export const nativeJson = { parse: JSON.parse, stringify: JSON.stringify };

/** crypto.getRandomValues/randomUUID (Math.random: neither backend lends the platform's to scripts). */
const cryptoShim = {
  getRandomValues<T extends { length: number; [i: number]: number }>(arr: T): T {
    for (let i = 0; i < arr.length; i++) arr[i] = Math.floor(Math.random() * 256);
    return arr;
  },
  randomUUID(): string {
    const h = "0123456789abcdef";
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) =>
      c === "x" ? (h[Math.floor(Math.random() * 16)] ?? "0") : (h[8 + Math.floor(Math.random() * 4)] ?? "8"),
    );
  },
};

/** The prelude's own crypto (scope ids): scripts have none, as in Newman (`typeof crypto` is "undefined"). */
export const sandboxCrypto: { randomUUID(): string } = cryptoShim;

// QuickJS's native String.prototype.repeat appends one copy at a time without reaching the interrupt
// handler, so 'x'.repeat(1e6) costs ~0.3 s of CPU the budget cannot see. Doubling keeps it O(log n).
function repeat(this: unknown, count: unknown): string {
  if (this === null || this === undefined)
    throw new TypeError("String.prototype.repeat called on null or undefined");
  const str = String(this);
  let n = Math.trunc(Number(count)) || 0;
  if (n < 0 || n === Number.POSITIVE_INFINITY) throw new RangeError("Invalid count value: " + count);
  if (str.length === 0 || n === 0) return "";
  if (str.length * n >= 1 << 30) throw new RangeError("Invalid string length");
  let out = "";
  let chunk = str;
  while (n > 0) {
    if (n & 1) out += chunk;
    n >>>= 1;
    if (n) chunk += chunk;
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const b64 = (n: number) => B64[n & 63] ?? "";

/**
 * btoa as Newman's (the `btoa` package: Buffer.from(text, "binary")): each character's low byte, so
 * text beyond Latin-1 is encoded, not refused (QuickJS has no btoa).
 */
export function btoa(input: unknown): string {
  const s = String(input);
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const byte = (at: number) => (at < s.length ? s.charCodeAt(at) & 255 : 0);
    const n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out +=
      b64(n >> 18) +
      b64(n >> 12) +
      (i + 1 < s.length ? b64(n >> 6) : "=") +
      (i + 2 < s.length ? b64(n) : "=");
  }
  return out;
}

/** atob, the inverse of btoa. */
export function atob(input: unknown): string {
  const s = String(input).replace(/[\s=]/g, "");
  const at = (i: number) => {
    const c = s[i];
    return c === undefined ? -1 : B64.indexOf(c);
  };
  let out = "";
  for (let i = 0; i < s.length; i += 4) {
    const n = (at(i) << 18) | (at(i + 1) << 12) | ((at(i + 2) & 63) << 6) | (at(i + 3) & 63);
    out += String.fromCharCode((n >> 16) & 255);
    if (s[i + 2] !== undefined) out += String.fromCharCode((n >> 8) & 255);
    if (s[i + 3] !== undefined) out += String.fromCharCode(n & 255);
  }
  return out;
}

/** The EventTarget and Event chai's plugin events are built on when it loads (no platform has one here). */
function events(): { Event: unknown; EventTarget: unknown } {
  class Event {
    type: unknown;
    constructor(type: unknown) {
      this.type = type;
    }
  }
  class EventTarget {
    addEventListener(): void {}
    removeEventListener(): void {}
    dispatchEvent(): boolean {
      return true;
    }
  }
  return { Event, EventTarget };
}

/**
 * Globals the bundled libraries read while they load (crypto-js takes `globalThis.crypto` for
 * WordArray.random, chai builds on EventTarget, UMD wrappers look for `global`/`globalThis`) but that
 * Newman's scripts do not have: its sandbox deletes every global its allow-list does not name, so there
 * `typeof crypto`, `typeof globalThis` and `typeof global` are "undefined" and naming one is a
 * ReferenceError. containment.ts lends them to a library for the time of its load.
 */
export const LIBRARY_ONLY: Readonly<Record<string, unknown>> = {
  crypto: cryptoShim,
  ...events(),
  global: g,
  globalThis: g,
};

/**
 * Built-ins newer than postman-sandbox's allow-list, which its sandbox deletes (so scripts there see
 * none of them): the libraries test for each with `typeof` first.
 */
const NEWER_BUILT_INS = [
  "AggregateError",
  "FinalizationRegistry",
  "WeakRef",
  "Iterator",
  "Float16Array",
  "InternalError",
];

/**
 * Length of a byte order mark at the start of `text` (0 for none or a non-string): liquid-json, Postman's
 * JSON parser, drops a UTF-16/UTF-32 mark (U+FEFF, U+BBBF), a UTF-16 one read as two characters (FE FF,
 * FF FE) or a UTF-8 one read as three (EF BB BF) before parsing, so such a body parses in Newman.
 */
export function bomLength(text: unknown): number {
  if (typeof text !== "string") return 0;
  const a = text.charCodeAt(0);
  if (a === 0xfeff || a === 0xbbbf) return 1;
  const b = text.charCodeAt(1);
  if ((a === 0xfe && b === 0xff) || (a === 0xff && b === 0xfe)) return 2;
  return a === 0xef && b === 0xbb && text.charCodeAt(2) === 0xbf ? 3 : 0;
}

/** Installs the shims on the context's global object (once, when the prelude is evaluated). */
export function installShims(): void {
  // Postman's sandbox parses JSON with errors named JSONError and worded with a position; scripts and
  // reports see the same here.
  const nativeParse = nativeJson.parse;
  JSON.parse = function parse(
    text: string,
    reviver?: (this: unknown, key: string, value: unknown) => unknown,
  ) {
    const bom = bomLength(text);
    const input = bom ? text.slice(bom) : text;
    try {
      return nativeParse(input, reviver);
    } catch (e) {
      throw jsonError(input, e);
    }
  };
  Object.defineProperty(String.prototype, "repeat", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: repeat,
  });
  g.btoa ??= btoa;
  g.atob ??= atob;
  // No `process` global, as in Newman's sandbox: the bundled libraries get their own shim at build time.
  // The platform's crypto, EventTarget, … (V8: what host.js could not delete) go too.
  for (const name of [...Object.keys(LIBRARY_ONLY), ...NEWER_BUILT_INS]) Reflect.deleteProperty(g, name);
}
