// pm.response (and pm.sendRequest responses) plus chai-postman's assertions (`pm.response.to.have.status`,
// `pm.expect(pm.response).to.be.ok`, `.jsonBody`, `.jsonSchema`, …). Runs inside QuickJS.
import { BODY_ASSERTIONS } from "./chai-body";
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
export interface AjvError {
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

/** pm.request, or a request-like object (chai-postman duck-types requests). */
export function isRequest(obj: unknown): obj is RequestLike {
  if (!obj || typeof obj !== "object" || isResponse(obj)) return false;
  const o = obj as Partial<RequestLike>;
  return typeof o.method === "string" && o.headers instanceof PropertyList && o.url !== undefined;
}

/** How chai-postman registers its assertions: chai's `Assertion.addMethod` / `addProperty`, or alike. */
export type Registrar = Pick<ChaiPluginApi["Assertion"], "addMethod" | "addProperty">;

/** What the assertion groups share: chai's Assertion, its utils and chai-postman's guards. */
export interface Plugin extends Registrar {
  A: ChaiPluginApi["Assertion"];
  utils: ChaiUtils;
  obj(a: Assertion): unknown;
  mustBeResponse(a: Assertion): PostmanResponse;
  codeOf(a: Assertion): number;
  ajvFactory: AjvFactory;
}

/**
 * chai plugin with chai-postman's assertions: the same names, semantics and failure messages as the
 * plugin Postman's sandbox loads, so reports read the same as Newman's.
 */
export function chaiPostman(
  chai: ChaiPluginApi,
  utils: ChaiUtils,
  ajvFactory: AjvFactory,
  register: Registrar,
): void {
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

  const p: Plugin = { ...register, A, utils, obj, mustBeResponse, codeOf, ajvFactory };
  for (const add of [addGuards, addStatusClasses, addStatusCodes, addReasons, ...BODY_ASSERTIONS]) add(p);
}

/** chai-postman's type assertions: `.postmanRequest`, `.postmanResponse`, `.postmanRequestOrResponse`. */
function addGuards(p: Plugin): void {
  const { obj, addProperty } = p;
  addProperty("postmanRequest", function () {
    this.assert(
      isRequest(obj(this)),
      "expecting a postman request object but got #{this}",
      "not expecting a postman request object",
    );
  });
  addProperty("postmanResponse", function () {
    this.assert(
      isResponse(obj(this)),
      "expecting a postman response object but got #{this}",
      "not expecting a postman response object",
    );
  });
  addProperty("postmanRequestOrResponse", function () {
    const o = obj(this);
    this.assert(
      isResponse(o) || isRequest(o),
      "expecting a postman request or response object but got #{this}",
      "not expecting a postman request or response object",
    );
  });
}

/** `.statusCodeClass(n)`, `.info` … `.serverError` and `.error`. */
function addStatusClasses(p: Plugin): void {
  const { codeOf, addMethod, addProperty } = p;
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
  addMethod("statusCodeClass", function (classCode) {
    classAssert(this, Number(classCode));
  });
  for (const [name, classCode] of [
    ["info", 1],
    ["success", 2],
    ["redirection", 3],
    ["clientError", 4],
    ["serverError", 5],
  ] as Array<[string, number]>) {
    addProperty(name, function () {
      classAssert(this, classCode);
    });
  }
  addProperty("error", function () {
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
}

/** `.statusCode(n)` and `.statusReason(text)`. */
function addStatusCodes(p: Plugin): void {
  const { mustBeResponse, codeOf, addMethod } = p;
  addMethod("statusCode", function (code) {
    const actual = codeOf(this);
    this.assert(
      actual === Number(code),
      "expected response to have status code #{exp} but got #{act}",
      "expected response to not have status code #{act}",
      Number(code),
      actual,
    );
  });
  addMethod("statusReason", function (reason) {
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
}

/** `.accepted`, `.notFound`, … (reason and code), chai's `.ok` for responses, and `.status(codeOrReason)`. */
function addReasons(p: Plugin): void {
  const { A, obj, mustBeResponse, codeOf, addMethod, addProperty } = p;
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
    addProperty(name, function () {
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
  addMethod("status", function (codeOrReason) {
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
}
