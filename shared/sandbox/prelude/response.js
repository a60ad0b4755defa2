// pm.response (and pm.sendRequest responses) plus chai-postman's assertions (`pm.response.to.have.status`,
// `pm.expect(pm.response).to.be.ok`, `.jsonBody`, `.jsonSchema`, …). Runs inside QuickJS.
import { PropertyList } from "./lists";
import { isResponse } from "./response-object";

export { jsonError } from "./json-error";
export { cookieList, createResponse } from "./response-object";

function isRequest(obj) {
  return (
    !!obj &&
    typeof obj === "object" &&
    !isResponse(obj) &&
    typeof obj.method === "string" &&
    obj.headers instanceof PropertyList &&
    obj.url !== undefined
  );
}

/** lodash-style property path: `a.b[0]["c.d"]` → ["a", "b", "0", "c.d"]. */
function toPath(path) {
  const out = [];
  String(path).replace(
    /[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g,
    (m, num, quote, str) => {
      out.push(quote ? str : num !== undefined ? num : m);
      return m;
    },
  );
  return out;
}

function hasPath(obj, path) {
  let cur = obj;
  for (const key of toPath(path)) {
    if (cur === null || cur === undefined || !Object.hasOwn(Object(cur), key)) return false;
    cur = cur[key];
  }
  return true;
}

function getPath(obj, path) {
  let cur = obj;
  for (const key of toPath(path)) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** ajv 8's `/a/0/b-c` instance path in ajv 6's data path form: `.a[0]['b-c']`. */
function dataPath(pointer) {
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
function ajv6ErrorsText(errors) {
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
export function chaiPostman(chai, utils, ajvFactory) {
  const A = chai.Assertion;
  const obj = (a) => utils.flag(a, "object");
  // chai-postman's guard assertions run only when the fast check fails: they then fail with
  // chai-postman's own message, and when they would pass they cost more than the assertion itself.
  const mustBeResponse = (a) => {
    const o = obj(a);
    if (!isResponse(o)) new A(o).to.be.postmanResponse;
    return o;
  };
  const codeOf = (a) => {
    const r = mustBeResponse(a);
    if (typeof r.code === "number") return r.code;
    new A(r).to.have.property("code");
    new A(r.code).to.be.a("number");
    return r.code;
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

  const classAssert = (a, classCode) => {
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
    classAssert(this, classCode);
  });
  for (const [name, classCode] of [
    ["info", 1],
    ["success", 2],
    ["redirection", 3],
    ["clientError", 4],
    ["serverError", 5],
  ]) {
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
  const reasonAndCode = (a, reasonName, statusCode) => {
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
  ]) {
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
    const has = o.headers.has(key);
    this.assert(
      has,
      `expected ${ror} to have header with key '${String(key)}'`,
      `expected ${ror} to not have header with key '${String(key)}'`,
      true,
      has,
    );
    if (arguments.length < 2) return;
    const actual = o.headers.one(key)?.value;
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
  const parseError = (r) => {
    try {
      r.json();
      return undefined;
    } catch (e) {
      return e.name === "JSONError" && e.message ? e.message.split("\n")[0] : `${e.name}: ${e.message}`;
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
      let data;
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
        content.exec(text) !== null,
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
    let body;
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
  const measure = (name, read, what, equal) =>
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
    const data = isResponse(o) || (isRequest(o) && typeof o.json === "function") ? o.json() : o;
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
      function (subset, msg) {
        if (msg) utils.flag(this, "message", msg);
        const flagMsg = utils.flag(this, "message");
        new A(obj(this), flagMsg).to.be.an("array");
        new A(subset, flagMsg).to.be.an("array");
        return _super.apply(this, arguments);
      },
  );

  // Beyond chai-postman: content-type and cookie helpers some collections use.
  for (const [name, re] of [
    ["html", /html/],
    ["xml", /xml/],
    ["javascript", /javascript/],
  ]) {
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
