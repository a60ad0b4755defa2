// pm.response (and pm.sendRequest responses) plus chai-postman's assertions (`pm.response.to.have.status`,
// `pm.expect(pm.response).to.be.ok`, `.jsonBody`, `.jsonSchema`, …). Runs inside QuickJS.
import { PropertyList } from "./lists";
import { isResponse, type PostmanResponse } from "./response-object";

export { jsonError } from "./json-error";
export { cookieList, createResponse } from "./response-object";

/** An Assertion as chai's plugin API hands it to added properties and methods. */
export interface Assertion {
  assert(ok: unknown, message: string, negatedMessage: string, expected?: unknown, actual?: unknown): void;
}
/** The guard chains chai-postman runs to fail with chai's own message. */
interface GuardChain {
  to: {
    be: {
      postmanResponse: unknown;
      postmanRequestOrResponse: unknown;
      a(type: string): unknown;
      an(type: string): unknown;
    };
    have: { property(name: string): unknown };
  };
}
type AssertionFn = (this: Assertion, ...args: unknown[]) => void;
/** The parts of chai's plugin API (`chai.use((chai, utils) => …)`) chai-postman uses. */
export interface ChaiPluginApi {
  Assertion: {
    new (object: unknown, message?: unknown): GuardChain;
    addProperty(name: string, getter: (this: Assertion) => void): void;
    addMethod(name: string, method: AssertionFn): void;
    addChainableMethod(name: string, method: AssertionFn, chain: (this: Assertion) => void): void;
    overwriteProperty(name: string, wrap: (parent: unknown) => (this: Assertion) => void): void;
    overwriteMethod(name: string, wrap: (parent: AssertionFn) => AssertionFn): void;
  };
}
export interface ChaiUtils {
  flag(assertion: Assertion, key: string, value?: unknown): unknown;
  eql(a: unknown, b: unknown): boolean;
}
interface AjvError {
  dataPath?: string;
  instancePath?: string;
  message?: string;
}
/** An ajv instance (6, as Postman bundles; 8's errors are converted too). */
export interface AjvLike {
  validate(schema: unknown, data: unknown): unknown;
  errors?: AjvError[] | null;
}
export type AjvFactory = (options?: Record<string, unknown>) => AjvLike;

/** pm.request, or another script's copy of one (chai-postman's duck typing). */
interface RequestLike {
  method: string;
  headers: PropertyList;
  url: unknown;
  json?: () => unknown;
}

function isRequest(obj: unknown): obj is RequestLike {
  if (!obj || typeof obj !== "object" || isResponse(obj)) return false;
  const o = obj as Partial<RequestLike>;
  return typeof o.method === "string" && o.headers instanceof PropertyList && o.url !== undefined;
}

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

function hasPath(obj: unknown, path: unknown): boolean {
  let cur = obj;
  for (const key of toPath(path)) {
    if (cur === null || cur === undefined || !Object.hasOwn(Object(cur), key)) return false;
    cur = Reflect.get(Object(cur), key);
  }
  return true;
}

function getPath(obj: unknown, path: unknown): unknown {
  let cur = obj;
  for (const key of toPath(path)) {
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

/**
 * chai plugin with chai-postman's assertions: the same names, semantics and failure messages as the
 * plugin Postman's sandbox loads, so reports read the same as Newman's.
 */
export function chaiPostman(chai: ChaiPluginApi, utils: ChaiUtils, ajvFactory: AjvFactory): void {
  const A = chai.Assertion;
  const obj = (a: Assertion): unknown => utils.flag(a, "object");
  // chai-postman's guard assertions run only when the fast check fails: they then fail with
  // chai-postman's own message, and when they would pass they cost more than the assertion itself.
  const mustBeResponse = (a: Assertion): PostmanResponse => {
    const o = obj(a);
    if (!isResponse(o)) new A(o).to.be.postmanResponse;
    return o as PostmanResponse;
  };
  const codeOf = (a: Assertion): number => {
    const r = mustBeResponse(a);
    if (typeof r.code === "number") return r.code;
    new A(r).to.have.property("code");
    new A(r.code).to.be.a("number");
    return r.code as unknown as number;
  };

  A.addProperty("postmanRequest", function () {
    this.assert(
      isRequest(obj(this)),
      "expecting a postman request object but got #{this}",
      "not expecting a postman request object",
    );
  });
  A.addProperty("postmanResponse", function () {
    this.assert(
      isResponse(obj(this)),
      "expecting a postman response object but got #{this}",
      "not expecting a postman response object",
    );
  });
  A.addProperty("postmanRequestOrResponse", function () {
    const o = obj(this);
    this.assert(
      isResponse(o) || isRequest(o),
      "expecting a postman request or response object but got #{this}",
      "not expecting a postman request or response object",
    );
  });

  const classAssert = (a: Assertion, classCode: number) => {
    const code = codeOf(a);
    a.assert(
      Math.floor(code / 100) === classCode,
      "expected response code to be #{exp}XX but found #{act}",
      "expected response code to not be #{exp}XX",
      classCode,
      code,
    );
  };
  A.addMethod("statusCodeClass", function (classCode) {
    classAssert(this, Number(classCode));
  });
  for (const [name, classCode] of [
    ["info", 1],
    ["success", 2],
    ["redirection", 3],
    ["clientError", 4],
    ["serverError", 5],
  ] as Array<[string, number]>) {
    A.addProperty(name, function () {
      classAssert(this, classCode);
    });
  }
  A.addProperty("error", function () {
    const code = codeOf(this);
    const cls = Math.floor(code / 100);
    this.assert(
      cls === 4 || cls === 5,
      "expected response code to be 4XX or 5XX but found #{act}",
      "expected response code to not be 4XX or 5XX",
      null,
      code,
    );
  });
  A.addMethod("statusCode", function (code) {
    const actual = codeOf(this);
    this.assert(
      actual === Number(code),
      "expected response to have status code #{exp} but got #{act}",
      "expected response to not have status code #{act}",
      Number(code),
      actual,
    );
  });
  A.addMethod("statusReason", function (reason) {
    const r = mustBeResponse(this);
    const wanted = String(reason);
    this.assert(
      r.reason() === wanted,
      "expected response to have status reason #{exp} but got #{act}",
      "expected response to not have status reason #{act}",
      wanted,
      r.reason(),
    );
  });
  const reasonAndCode = (a: Assertion, reasonName: string, statusCode: number) => {
    const r = mustBeResponse(a);
    const wanted = reasonName.toUpperCase();
    const actualReason = String(r.reason()).toUpperCase();
    const actualCode = Number(r.details().code);
    a.assert(
      actualReason === wanted,
      "expected response to have status reason #{exp} but got #{act}",
      "expected response to not have status reason #{act}",
      wanted,
      actualReason,
    );
    a.assert(
      actualCode === statusCode,
      "expected response to have status code #{exp} but got #{act}",
      "expected response to not have status code #{act}",
      statusCode,
      actualCode,
    );
  };
  for (const [name, statusCode, reasonName] of [
    ["accepted", 202, "Accepted"],
    ["withoutContent", 204, "No Content"],
    ["badRequest", 400, "Bad Request"],
    ["unauthorised", 401, "Unauthorised"],
    ["unauthorized", 401, "Unauthorized"],
    ["forbidden", 403, "Forbidden"],
    ["notFound", 404, "Not Found"],
    ["notAcceptable", 406, "Acceptable"],
    ["rateLimited", 429, "Too Many Requests"],
  ] as Array<[string, number, string]>) {
    A.addProperty(name, function () {
      reasonAndCode(this, reasonName, statusCode);
    });
  }
  A.overwriteProperty(
    "ok",
    (_super) =>
      function () {
        if (!isResponse(obj(this))) {
          this.assert(obj(this), "expected #{this} to be truthy", "expected #{this} to be falsy");
          return;
        }
        reasonAndCode(this, "OK", 200);
      },
  );
  A.addMethod("status", function (codeOrReason) {
    const r = mustBeResponse(this);
    if (typeof codeOrReason === "number") {
      const code = codeOf(this);
      this.assert(
        code === codeOrReason,
        "expected response to have status code #{exp} but got #{act}",
        "expected response to not have status code #{act}",
        codeOrReason,
        code,
      );
    } else {
      this.assert(
        r.reason() === codeOrReason,
        "expected response to have status reason #{exp} but got #{act}",
        "expected response to not have status reason #{act}",
        codeOrReason,
        r.reason(),
      );
    }
  });
  A.addMethod("header", function (key, value) {
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
  A.addProperty("withBody", function () {
    const text = mustBeResponse(this).text();
    this.assert(
      typeof text === "string" && text.length > 0,
      "expected response to have content in body",
      "expected response to not have content in body",
    );
  });
  const parseError = (r: PostmanResponse): string | undefined => {
    try {
      r.json();
      return undefined;
    } catch (e) {
      const { name, message } = e as Error;
      return name === "JSONError" && message ? message.split("\n")[0] : `${name}: ${message}`;
    }
  };
  A.addProperty("json", function () {
    const error = parseError(mustBeResponse(this));
    this.assert(
      !error,
      `expected response body to be a valid json but got error ${error}`,
      "expected response body not to be a valid json",
    );
  });
  A.addMethod("body", function (content) {
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
  A.addMethod("jsonBody", function (path, value) {
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
  A.addMethod("jsonSchema", function (schema, options) {
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
    A.addProperty(name, function () {
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
  A.addMethod("cookie", function (name, value) {
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
