// chai-postman's header, body, JSON, schema and measure assertions (see response.ts). Runs inside QuickJS.

import type { PropertyList } from "./lists";
import type { AjvError, Assertion, Plugin } from "./response";
import { isRequest } from "./response";
import { isResponse, type PostmanResponse } from "./response-object";

/** lodash-style property path: `a.b[0]["c.d"]` → ["a", "b", "0", "c.d"]. */
function toPath(path: unknown): string[] {
  const out: string[] = [];
  String(path).replace(
    /[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g,
    (m: string, num: string | undefined, quote: string | undefined, str: string) => {
      out.push(quote ? str : num !== undefined ? num : m);
      return m;
    },
  );
  return out;
}

/** A path lodash reads as one property name: `_.has`/`_.get` (chai-postman's) use it whole. */
const DEEP_PROP = /\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]/;

/**
 * lodash's castPath for a string: a plain word (also `""`), a text without `.`/`[…]`, or a name the
 * object already has is one key; anything else is parsed. (`.jsonBody` only takes strings.)
 */
function castPath(text: string, obj: unknown): string[] {
  if (/^\w*$/.test(text) || !DEEP_PROP.test(text)) return [text];
  if (obj !== null && obj !== undefined && text in Object(obj)) return [text];
  return toPath(text);
}

function hasPath(obj: unknown, path: string): boolean {
  let cur = obj;
  for (const key of castPath(path, obj)) {
    if (cur === null || cur === undefined || !Object.hasOwn(Object(cur), key)) return false;
    cur = Reflect.get(Object(cur), key);
  }
  return true;
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const key of castPath(path, obj)) {
    if (cur === null || cur === undefined) return undefined;
    cur = Reflect.get(Object(cur), key);
  }
  return cur;
}

/** ajv 8's `/a/0/b-c` instance path in ajv 6's data path form: `.a[0]['b-c']`. */
function dataPath(pointer: unknown): string {
  return String(pointer || "")
    .split("/")
    .slice(1)
    .map((raw) => {
      const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (/^\d+$/.test(seg)) return `[${seg}]`;
      return /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `['${seg.replace(/'/g, "\\'")}']`;
    })
    .join("");
}

/** ajv 6's errorsText (the bundled ajv is 6, as Postman's; ajv 8 errors are converted too). */
function ajv6ErrorsText(errors: AjvError[] | null | undefined): string {
  return (errors || [])
    .map(
      (e) =>
        `data${e.dataPath ?? dataPath(e.instancePath)} ${String(e.message).replace(/\bmust\b/g, "should")}`,
    )
    .join(", ");
}

/** The first line of the body's JSON error (chai-postman's wording), or undefined when it parses. */
function parseError(r: PostmanResponse): string | undefined {
  try {
    r.json();
    return undefined;
  } catch (e) {
    const { name, message } = e as Error;
    return name === "JSONError" && message ? message.split("\n")[0] : `${name}: ${message}`;
  }
}

/** `.header(key[, value])` on requests and responses, and `.withBody`. */
export function addHeaderAndBody(p: Plugin): void {
  const { A, obj, mustBeResponse, addMethod, addProperty } = p;
  addMethod("header", function (key, value) {
    const o = obj(this);
    if (!isResponse(o) && !isRequest(o)) new A(o).to.be.postmanRequestOrResponse;
    const ror = isRequest(o) ? "request" : "response";
    const headers = (o as { headers: PropertyList }).headers;
    const has = headers.has(key);
    this.assert(
      has,
      `expected ${ror} to have header with key '${String(key)}'`,
      `expected ${ror} to not have header with key '${String(key)}'`,
      true,
      has,
    );
    if (arguments.length < 2) return;
    const actual = headers.one(key)?.value;
    this.assert(
      actual === value,
      `expected '${String(key)}' ${ror} header to be #{exp} but got #{act}`,
      `expected '${String(key)}' ${ror} header to not be #{act}`,
      value,
      actual,
    );
  });
  addProperty("withBody", function () {
    const text = mustBeResponse(this).text();
    this.assert(
      typeof text === "string" && text.length > 0,
      "expected response to have content in body",
      "expected response to not have content in body",
    );
  });
}

/** `.json` (the body parses) and `.body(content)` (text, RegExp or JSON equality). */
export function addJson(p: Plugin): void {
  const { utils, mustBeResponse, addMethod, addProperty } = p;
  addProperty("json", function () {
    const error = parseError(mustBeResponse(this));
    this.assert(
      !error,
      `expected response body to be a valid json but got error ${error}`,
      "expected response body not to be a valid json",
    );
  });
  addMethod("body", function (content) {
    const r = mustBeResponse(this);
    if (
      content !== null &&
      typeof content === "object" &&
      Object.getPrototypeOf(content) === Object.prototype
    ) {
      let data: unknown;
      try {
        data = r.json();
      } catch {
        // compared as undefined, like chai-postman
      }
      this.assert(
        utils.eql(data, content),
        "expected response body json to equal #{exp} but got #{act}",
        "expected response body json to not equal #{exp} but got #{act}",
        content,
        data,
      );
      return;
    }
    const text = r.text();
    if (arguments.length === 0) {
      this.assert(
        typeof text === "string" && text.length > 0,
        "expected response to have content in body",
        "expected response to not have content in body",
      );
      return;
    }
    if (content instanceof RegExp) {
      this.assert(
        content.exec(String(text)) !== null,
        "expected response body text to match #{exp} but got #{act}",
        "expected response body text #{act} to not match #{exp}",
        content,
        text,
      );
      return;
    }
    this.assert(
      utils.eql(text, content),
      "expected response body to equal #{exp} but got #{act}",
      "expected response body to not equal #{exp}",
      content,
      text,
    );
  });
}

/** `.jsonBody([path[, value]])`. */
export function addJsonPath(p: Plugin): void {
  const { utils, mustBeResponse, addMethod } = p;
  addMethod("jsonBody", function (path, value) {
    const r = mustBeResponse(this);
    let body: unknown;
    const error = parseError(r);
    if (!error) body = r.json();
    if (arguments.length === 0) {
      this.assert(
        !error,
        `expected response body to be a valid json but got error ${error}`,
        "expected response body not to be a valid json",
      );
      return;
    }
    if (typeof path !== "string") return; // chai-postman asserts nothing for a non-string path
    this.assert(
      hasPath(body, path),
      "expected #{act} in response to contain property #{exp}",
      "expected #{act} in response to not contain property #{exp}",
      path,
      body,
    );
    if (arguments.length > 1) {
      const at = getPath(body, path);
      this.assert(
        utils.eql(at, value),
        `expected response body json at "${path}" to contain #{exp} but got #{act}`,
        `expected response body json at "${path}" to not contain #{exp} but got #{act}`,
        value,
        at,
      );
    }
  });
}

/** `.responseTime` and `.responseSize`, as properties and as methods. */
export function addMeasures(p: Plugin): void {
  const { A, utils, mustBeResponse } = p;
  // `responseTime` / `responseSize`: as a property they make the measured number the assertion's object
  // (`.responseTime.below(200)`); called, they check it is a number and optionally equal to a value.
  const measure = (
    name: string,
    read: (r: PostmanResponse) => unknown,
    what: string,
    equal: [string, string, boolean],
  ) =>
    A.addChainableMethod(
      name,
      function (value) {
        const n = utils.flag(this, "number");
        this.assert(
          typeof n === "number",
          `expected response to have a valid ${what} but got #{act}`,
          `expected response to not have a valid ${what} but got #{act}`,
          null,
          n,
        );
        if (arguments.length)
          this.assert(utils.eql(n, value), equal[0], equal[1], equal[2] ? value : null, n);
      },
      function () {
        const n = read(mustBeResponse(this));
        utils.flag(this, "number", n);
        utils.flag(this, "object", n);
      },
    );
  measure("responseTime", (r) => r.responseTime, "response time", [
    "expected response to have a valid response time but got #{act}",
    "expected response to not have a valid response time but got #{act}",
    false,
  ]);
  measure(
    "responseSize",
    (r) => {
      const size = r.size();
      return (size.header || 0) + (size.body || 0);
    },
    "response size",
    [
      "expected response size to equal #{act} but got #{exp}",
      "expected response size to not equal #{act} but got #{exp}",
      true,
    ],
  );
}

/** `.jsonSchema(schema[, options])` with the bundled ajv (6, as Postman's). */
export function addSchema(p: Plugin): void {
  const { A, obj, ajvFactory, addMethod } = p;
  addMethod("jsonSchema", function (schema, options) {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema))
      new A(schema).to.be.an("object");
    const o = obj(this);
    const data = isResponse(o) ? o.json() : isRequest(o) && typeof o.json === "function" ? o.json() : o;
    const ajv = ajvFactory({ allErrors: true, logger: false, ...(options || {}) });
    const valid = ajv.validate(schema, data);
    // Postman bundles ajv 6, whose messages say "should" where ajv 8 says "must".
    const text = valid ? "" : ajv6ErrorsText(ajv.errors);
    this.assert(
      valid && !ajv.errors,
      `expected data to satisfy schema but found following errors: \n${text}`,
      "expected data to not satisfy schema",
      true,
      valid,
    );
  });
}

/** chai 4's array-only `.members`, and content-type and cookie helpers some collections use. */
export function addExtras(p: Plugin): void {
  const { A, utils, obj, mustBeResponse, addMethod, addProperty } = p;
  // chai 4 (Newman's) requires arrays for .members; chai 6 accepts any iterable and words it differently.
  A.overwriteMethod(
    "members",
    (_super) =>
      function (this: Assertion, subset, msg) {
        if (msg) utils.flag(this, "message", msg);
        const flagMsg = utils.flag(this, "message");
        new A(obj(this), flagMsg).to.be.an("array");
        new A(subset, flagMsg).to.be.an("array");
        return _super.apply(this, arguments as unknown as unknown[]);
      },
  );

  // Beyond chai-postman: content-type and cookie helpers some collections use.
  for (const [name, re] of [
    ["html", /html/],
    ["xml", /xml/],
    ["javascript", /javascript/],
  ] as Array<[string, RegExp]>) {
    addProperty(name, function () {
      const ct = String(mustBeResponse(this).headers.get("content-type") || "");
      this.assert(
        re.test(ct),
        `expected response to be ${name} but content-type is #{act}`,
        `expected response to not be ${name}`,
        undefined,
        ct,
      );
    });
  }
  addMethod("cookie", function (name, value) {
    const c = mustBeResponse(this).cookies.one(name);
    if (value === undefined)
      this.assert(
        !!c,
        `expected response to have cookie '${name}'`,
        `expected response to not have cookie '${name}'`,
      );
    else
      this.assert(
        !!c && c.value === value,
        `expected cookie '${name}' to have value #{exp} but got #{act}`,
        `expected cookie '${name}' to not have value #{exp}`,
        value,
        c?.value,
      );
  });
}

/** The assertion groups response.ts installs after its own. */
export const BODY_ASSERTIONS: Array<(p: Plugin) => void> = [
  addHeaderAndBody,
  addJson,
  addJsonPath,
  addMeasures,
  addSchema,
  addExtras,
];
