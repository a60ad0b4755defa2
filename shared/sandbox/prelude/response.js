// pm.response (and pm.sendRequest responses) plus chai-postman's assertions (`pm.response.to.have.status`,
// `pm.expect(pm.response).to.be.ok`, `.jsonBody`, `.jsonSchema`, …). Runs inside QuickJS.
import { PropertyList } from "./lists.js";

const REASONS = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function parseCookie(header) {
  const [pair, ...attrs] = String(header).split(";");
  const i = pair.indexOf("=");
  const c = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim() };
  for (const a of attrs) {
    const j = a.indexOf("=");
    const k = (j < 0 ? a : a.slice(0, j)).trim().toLowerCase();
    const v = j < 0 ? true : a.slice(j + 1).trim();
    if (k === "path" || k === "domain" || k === "expires") c[k] = v;
    else if (k === "httponly") c.httpOnly = true;
    else if (k === "secure") c.secure = true;
  }
  return c;
}

export function cookieList(cookies) {
  const list = new PropertyList(
    cookies.map((c) => ({ ...c, key: c.name })),
    false,
  );
  return list;
}

export function createResponse(data) {
  const headers = new PropertyList(data.headers, true);
  const setCookies = data.headers
    .filter((h) => h.key.toLowerCase() === "set-cookie")
    .map((h) => parseCookie(h.value));
  let parsed;
  let parsedOk = false;
  const response = {
    id: undefined,
    code: data.code,
    status: data.status || REASONS[data.code] || "",
    headers,
    cookies: cookieList(setCookies),
    responseTime: data.responseTime,
    responseSize: data.responseSize,
    text: () => data.body,
    json: (reviver) => {
      if (!parsedOk || reviver) {
        try {
          parsed = JSON.parse(data.body, reviver);
          parsedOk = !reviver;
        } catch (e) {
          const err = new SyntaxError(`JSONError: ${e.message}`);
          err.name = "JSONError";
          throw err;
        }
      }
      return parsed;
    },
    jsonp: (cb) => {
      const m = new RegExp(
        `^\\s*${cb ? cb.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : "[\\w$.]+"}\\s*\\(([\\s\\S]*)\\)\\s*;?\\s*$`,
      ).exec(data.body);
      return JSON.parse(m ? m[1] : data.body);
    },
    reason: () => data.status || REASONS[data.code] || "",
    size: () => {
      const header = data.headers.reduce((n, h) => n + h.key.length + String(h.value).length + 4, 0);
      return { body: data.responseSize, header, total: data.responseSize + header };
    },
    dataURI: () =>
      `data:${headers.get("content-type") || "text/plain"};base64,${btoa(unescape(encodeURIComponent(data.body)))}`,
    stream: { toString: () => data.body },
    toJSON: () => ({
      code: data.code,
      status: response.status,
      header: data.headers,
      body: data.body,
      responseTime: data.responseTime,
    }),
  };
  return response;
}

function isResponse(obj) {
  return (
    obj &&
    typeof obj === "object" &&
    typeof obj.code === "number" &&
    obj.headers instanceof PropertyList &&
    typeof obj.text === "function"
  );
}

/** chai plugin with chai-postman's response assertions. */
export function chaiPostman(chai, utils, ajvFactory) {
  const A = chai.Assertion;
  const resp = (a) => {
    const obj = utils.flag(a, "object");
    new A(isResponse(obj), "expected a response object").to.equal(true);
    return obj;
  };
  const klass = (name, test, word) =>
    A.addProperty(name, function () {
      const r = resp(this);
      this.assert(
        test(r.code),
        `expected response code to be ${word} but found #{act}`,
        `expected response code to not be ${word} but found #{act}`,
        undefined,
        r.code,
      );
    });
  klass("info", (c) => c >= 100 && c < 200, "1XX");
  klass("success", (c) => c >= 200 && c < 300, "2XX");
  klass("redirection", (c) => c >= 300 && c < 400, "3XX");
  klass("clientError", (c) => c >= 400 && c < 500, "4XX");
  klass("serverError", (c) => c >= 500 && c < 600, "5XX");
  klass("error", (c) => c >= 400 && c < 600, "4XX or 5XX");
  const exact = {
    accepted: 202,
    badRequest: 400,
    unauthorized: 401,
    forbidden: 403,
    notFound: 404,
    notAcceptable: 406,
    rateLimited: 429,
    withoutContent: 204,
  };
  for (const [name, code] of Object.entries(exact)) {
    A.addProperty(name, function () {
      const r = resp(this);
      this.assert(
        r.code === code,
        `expected response code to be ${code} but found #{act}`,
        `expected response code to not be ${code}`,
        code,
        r.code,
      );
    });
  }
  A.overwriteProperty(
    "ok",
    (_super) =>
      function () {
        const obj = utils.flag(this, "object");
        if (isResponse(obj)) {
          this.assert(
            obj.code === 200,
            "expected response code to be 200 but found #{act}",
            "expected response code to not be 200",
            200,
            obj.code,
          );
        } else _super.call(this);
      },
  );
  A.addMethod("status", function (expected) {
    const r = resp(this);
    if (typeof expected === "number") {
      this.assert(
        r.code === expected,
        "expected response to have status code #{exp} but got #{act}",
        "expected response to not have status code #{act}",
        expected,
        r.code,
      );
    } else {
      this.assert(
        r.status === expected,
        "expected response to have status reason #{exp} but got #{act}",
        "expected response to not have status reason #{act}",
        expected,
        r.status,
      );
    }
  });
  A.addProperty("statusCode", function () {
    utils.flag(this, "object", resp(this).code);
  });
  A.addProperty("statusCodeClass", function () {
    utils.flag(this, "object", Math.floor(resp(this).code / 100));
  });
  A.addMethod("header", function (key, value) {
    const r = resp(this);
    const has = r.headers.has(key);
    if (arguments.length < 2) {
      this.assert(
        has,
        `expected response to have header with key '${key}'`,
        `expected response to not have header with key '${key}'`,
        true,
        has,
      );
    } else {
      const actual = r.headers.get(key);
      this.assert(
        actual === value,
        `expected '${key}' response header to be #{exp} but got #{act}`,
        `expected '${key}' response header to not be #{act}`,
        value,
        actual,
      );
    }
  });
  A.addProperty("withBody", function () {
    const r = resp(this);
    this.assert(
      r.text() !== "",
      "expected response to have content in body",
      "expected response to not have content in body",
    );
  });
  A.addProperty("json", function () {
    const r = resp(this);
    let ok = true;
    try {
      r.json();
    } catch (_e) {
      ok = false;
    }
    this.assert(
      ok,
      "expected response body to be a valid json but got error #{act}",
      "expected response body not to be a valid json",
    );
  });
  for (const [name, re] of [
    ["html", /html/],
    ["xml", /xml/],
    ["text", /^text\//],
    ["javascript", /javascript/],
  ]) {
    A.addProperty(name, function () {
      const r = resp(this);
      const ct = String(r.headers.get("content-type") || "");
      this.assert(
        re.test(ct),
        `expected response to be ${name} but content-type is #{act}`,
        `expected response to not be ${name}`,
        undefined,
        ct,
      );
    });
  }
  A.addMethod("body", function (expected) {
    const r = resp(this);
    const text = r.text();
    if (arguments.length === 0) {
      this.assert(
        text !== "",
        "expected response to have content in body",
        "expected response to not have content in body",
      );
    } else if (expected instanceof RegExp) {
      this.assert(
        expected.test(text),
        "expected response body to match #{exp}",
        "expected response body not to match #{exp}",
        expected,
        text,
      );
    } else if (typeof expected === "string") {
      this.assert(
        text === expected,
        "expected response body to equal #{exp} but got #{act}",
        "expected response body not to equal #{exp}",
        expected,
        text,
      );
    } else {
      let body;
      try {
        body = r.json();
      } catch (_e) {
        body = text;
      }
      this.assert(
        utils.eql(body, expected),
        "expected response body json to equal #{exp} but got #{act}",
        "expected response body json to not equal #{exp}",
        expected,
        body,
      );
    }
  });
  A.addMethod("jsonBody", function (path, value) {
    const r = resp(this);
    let body;
    try {
      body = r.json();
    } catch (_e) {
      this.assert(false, "expected response body to be a valid json");
      return;
    }
    if (arguments.length === 0) return;
    if (typeof path === "object") {
      this.assert(
        utils.eql(body, path),
        "expected response body json to equal #{exp} but got #{act}",
        "expected response body json to not equal #{exp}",
        path,
        body,
      );
      return;
    }
    const segs = String(path)
      .replace(/\[(\w+)\]/g, ".$1")
      .split(".")
      .filter(Boolean);
    let cur = body;
    let found = true;
    for (const s of segs) {
      if (cur !== null && typeof cur === "object" && s in cur) cur = cur[s];
      else {
        found = false;
        break;
      }
    }
    if (arguments.length === 1) {
      this.assert(
        found,
        `expected #{act} to have property '${path}'`,
        `expected #{act} to not have property '${path}'`,
        undefined,
        body,
      );
    } else {
      this.assert(
        found && utils.eql(cur, value),
        `expected response body json at '${path}' to contain #{exp} but got #{act}`,
        `expected response body json at '${path}' to not contain #{exp}`,
        value,
        cur,
      );
    }
  });
  A.addMethod("jsonSchema", function (schema, options) {
    const obj = utils.flag(this, "object");
    const data = isResponse(obj) ? obj.json() : obj;
    const ajv = ajvFactory(options);
    const valid = ajv.validate(schema, data);
    // Postman bundles ajv 6, whose messages say "should" where ajv 8 says "must".
    const msg = valid ? "" : ajv.errorsText(ajv.errors).replace(/\bmust\b/g, "should");
    this.assert(
      valid,
      `expected data to satisfy schema but found following errors: \n${msg}`,
      "expected data to not satisfy schema",
      true,
      valid,
    );
  });
  A.addMethod("responseTime", function (ms) {
    const r = resp(this);
    if (ms === undefined) utils.flag(this, "object", r.responseTime);
    else
      this.assert(
        r.responseTime === ms,
        "expected response time to be #{exp} but got #{act}",
        "expected response time to not be #{exp}",
        ms,
        r.responseTime,
      );
  });
  A.addMethod("responseSize", function (n) {
    const r = resp(this);
    if (n === undefined) utils.flag(this, "object", r.responseSize);
    else
      this.assert(
        r.responseSize === n,
        "expected response size to be #{exp} but got #{act}",
        "expected response size to not be #{exp}",
        n,
        r.responseSize,
      );
  });
  A.addMethod("cookie", function (name, value) {
    const r = resp(this);
    const c = r.cookies.one(name);
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
