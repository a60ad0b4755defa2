/**
 * The scripts sandbox-diff.test.ts runs in postman-sandbox and in our sandbox: what real-world collections
 * do (pm.response.to.*, pm.expect chains failing on values of many types, variable scopes, pm.request,
 * libraries, console, thrown errors, async tests, flow control, the legacy globals). `known` marks a
 * documented, deliberate difference (README "Compatibility with Newman") with its reason.
 */
import type { AuthDefinition, JsonValue } from "../../shared/engine/types";
import { REQUEST_CASES } from "./sandbox-diff-request";

export type Vars = Record<string, JsonValue>;
export interface DiffCase {
  name: string;
  source: string;
  /** Test script (with a response) unless said otherwise. */
  event?: "prerequest" | "test";
  request?: {
    method?: string;
    url?: string;
    headers?: [string, string][];
    body?: string;
    /** The request's auth, as the collection gives it (`{ type, [type]: [{ key, value }] }`). */
    auth?: AuthDefinition;
  };
  response?: {
    code?: number;
    status?: string;
    headers?: [string, string][];
    body?: string;
    responseTime?: number;
  };
  env?: Vars;
  globals?: Vars;
  collection?: Vars;
  local?: Vars;
  data?: Vars;
  /** Why this case differs on purpose (it must still differ). */
  known?: string;
}
export type Full = Required<Omit<DiffCase, "request" | "response">> & {
  request: Required<Omit<NonNullable<DiffCase["request"]>, "auth">> & { auth?: AuthDefinition };
  response: Required<NonNullable<DiffCase["response"]>>;
};

const BODY = JSON.stringify({
  id: 7,
  name: "Ada O'Neil",
  email: "ada@example.com",
  tags: ["admin", "dev"],
  active: true,
  score: 9.5,
  address: { city: "Paris", zip: "75001", geo: { lat: 48.85, lng: 2.35 } },
  items: [
    { id: 1, price: 10 },
    { id: 2, price: 20.5 },
  ],
  nothing: null,
  createdAt: "2024-01-15T10:30:00Z",
});

/** A case with the shared request, response and scopes filled in where it gives none. */
export function withDefaults(c: DiffCase): Full {
  return {
    event: "test",
    env: { baseUrl: "https://api.example.com", token: "t-123", count: "3" },
    globals: { g: "global", shared: "from-globals" },
    collection: { apiVersion: "v2", shared: "from-collection" },
    local: {},
    data: { user: "ada", n: 5 },
    known: "",
    ...c,
    request: {
      method: "POST",
      url: "https://api.example.com/users/7?page=2&limit=10",
      headers: [
        ["Accept", "application/json"],
        ["Content-Type", "application/json"],
      ],
      body: '{"name":"Ada"}',
      ...c.request,
    },
    response: {
      code: 200,
      status: "OK",
      headers: [
        ["Content-Type", "application/json; charset=utf-8"],
        ["X-Request-Id", "abc-123"],
        ["Cache-Control", "no-cache"],
      ],
      body: BODY,
      responseTime: 123,
      ...c.response,
    },
  };
}

const html = {
  headers: [["Content-Type", "text/html"]] as [string, string][],
  body: "<html><body>hi</body></html>",
};
const t = (name: string, source: string, extra: Partial<DiffCase> = {}): DiffCase => ({
  name,
  source,
  ...extra,
});
/** A pm.test around one expression. */
const pt = (name: string, expr: string, extra: Partial<DiffCase> = {}): DiffCase =>
  t(name, `pm.test(${JSON.stringify(name)}, function () { ${expr}; });`, extra);

const RESPONSE_AND_CHAI: DiffCase[] = [
  // pm.response.to.*
  pt("status 200 passes", "pm.response.to.have.status(200)"),
  pt("status 201 fails", "pm.response.to.have.status(201)"),
  pt("status by reason passes", 'pm.response.to.have.status("OK")'),
  pt("status by reason fails", 'pm.response.to.have.status("Created")'),
  pt("not status fails", "pm.response.to.not.have.status(200)"),
  pt("to.be.ok", "pm.response.to.be.ok"),
  pt("to.be.success", "pm.response.to.be.success"),
  pt("to.be.error fails", "pm.response.to.be.error"),
  pt("to.be.clientError fails", "pm.response.to.be.clientError"),
  pt("to.be.serverError fails", "pm.response.to.be.serverError"),
  pt("to.not.be.ok fails", "pm.response.to.not.be.ok"),
  pt("to.be.notFound fails", "pm.response.to.be.notFound"),
  pt("to.be.accepted fails", "pm.response.to.be.accepted"),
  pt("to.be.unauthorized fails", "pm.response.to.be.unauthorized"),
  pt("to.be.forbidden fails", "pm.response.to.be.forbidden"),
  pt("to.be.badRequest fails", "pm.response.to.be.badRequest"),
  pt("404 notFound passes", "pm.response.to.be.notFound", { response: { code: 404, status: "Not Found" } }),
  pt("404 to.be.ok fails", "pm.response.to.be.ok", { response: { code: 404, status: "Not Found" } }),
  pt("500 serverError passes", "pm.response.to.be.serverError", {
    response: { code: 500, status: "Internal Server Error" },
  }),
  pt("500 success fails", "pm.response.to.be.success", {
    response: { code: 500, status: "Internal Server Error" },
  }),
  pt("to.be.json passes", "pm.response.to.be.json"),
  pt("html to.be.json fails", "pm.response.to.be.json", { response: html }),
  pt("to.be.html on html", "pm.response.to.be.html", {
    response: html,
    known: "edgerun adds .html/.xml/.javascript to chai-postman; Newman's chai has no such property",
  }),
  pt("header present", 'pm.response.to.have.header("Content-Type")'),
  pt("header missing fails", 'pm.response.to.have.header("X-Missing")'),
  pt("header value passes", 'pm.response.to.have.header("X-Request-Id", "abc-123")'),
  pt("header value fails", 'pm.response.to.have.header("X-Request-Id", "zzz")'),
  pt("not header fails", 'pm.response.to.not.have.header("Cache-Control")'),
  pt("jsonBody path passes", 'pm.response.to.have.jsonBody("address.city")'),
  pt("jsonBody path fails", 'pm.response.to.have.jsonBody("address.street")'),
  pt("jsonBody path value fails", 'pm.response.to.have.jsonBody("name", "Bob")'),
  pt("jsonBody object fails", "pm.response.to.have.jsonBody({ id: 8 })"),
  pt("jsonBody on html fails", "pm.response.to.have.jsonBody()", { response: html }),
  pt("body present", "pm.response.to.have.body()"),
  pt("body text fails", 'pm.response.to.have.body("nope")'),
  pt("body regex passes", "pm.response.to.have.body(/Ada/)"),
  pt("body regex fails", "pm.response.to.have.body(/^Bob$/)"),
  pt("to.be.withBody", "pm.response.to.be.withBody"),
  pt("responseTime below", "pm.expect(pm.response.responseTime).to.be.below(1000)"),
  pt("responseTime above fails", "pm.expect(pm.response.responseTime).to.be.above(1000)"),
  pt("to.have.responseTime.below fails", "pm.response.to.have.responseTime.below(100)"),
  pt(
    "jsonSchema passes",
    'pm.response.to.have.jsonSchema({ type: "object", required: ["id", "name"], properties: { id: { type: "number" } } })',
  ),
  pt(
    "jsonSchema fails",
    'pm.response.to.have.jsonSchema({ type: "object", required: ["missing"], properties: { id: { type: "string" } } })',
  ),
  pt("statusCode property", "pm.expect(pm.response.code).to.eql(201)"),
  pt("response status text", 'pm.expect(pm.response.status).to.equal("Created")'),
  // pm.expect chains with failing values of many types
  pt(
    "eql nested objects fails",
    "pm.expect({ a: { b: [1, 2, { c: 'x' }] } }).to.eql({ a: { b: [1, 2, { c: 'y' }] } })",
  ),
  pt("eql arrays fails", "pm.expect([1, 'two', null]).to.eql([1, 'two', undefined])"),
  pt("equal quoted strings fails", `pm.expect("it's \\"quoted\\"").to.equal('other')`),
  pt("equal numbers fails", "pm.expect(1.5).to.equal(2)"),
  pt("equal null vs undefined fails", "pm.expect(null).to.equal(undefined)"),
  pt("equal NaN fails", "pm.expect(NaN).to.equal(1)"),
  pt("eql dates fails", "pm.expect(new Date(0)).to.eql(new Date(1000))"),
  pt("equal long string fails", "pm.expect('a'.repeat(120)).to.equal('b')"),
  pt(
    "eql big object truncated",
    "pm.expect({ alpha: 1, beta: 'two', gamma: [1, 2, 3], delta: { e: 1 }, epsilon: 'a long value here' }).to.eql({})",
  ),
  pt("eql big array truncated", "pm.expect(Array.from({ length: 30 }, (_, i) => i)).to.eql([])"),
  pt("equal object to string fails", "pm.expect(pm.response.json()).to.equal('x')"),
  pt("include string fails", "pm.expect('hello world').to.include('bye')"),
  pt("include array fails", "pm.expect([1, 2, 3]).to.include(4)"),
  pt("include object fails", "pm.expect({ a: 1, b: 2 }).to.include({ a: 2 })"),
  pt("deep include fails", "pm.expect([{ a: 1 }]).to.deep.include({ a: 2 })"),
  pt("contain string passes", "pm.expect(pm.response.text()).to.contain('Ada')"),
  pt("property passes", "pm.expect(pm.response.json()).to.have.property('email')"),
  pt("property fails", "pm.expect(pm.response.json()).to.have.property('phone')"),
  pt("property value fails", "pm.expect(pm.response.json()).to.have.property('id', 8)"),
  pt("nested property fails", "pm.expect(pm.response.json()).to.have.nested.property('address.geo.alt')"),
  pt(
    "deep nested property fails",
    "pm.expect({ a: { b: [{ c: 1 }] } }).to.have.deep.nested.property('a.b[0]', { c: 2 })",
  ),
  pt("own property fails", "pm.expect({}).to.have.own.property('toString')"),
  pt("lengthOf array fails", "pm.expect(pm.response.json().tags).to.have.lengthOf(3)"),
  pt("lengthOf string fails", "pm.expect('abc').to.have.lengthOf(2)"),
  pt("length above fails", "pm.expect([1]).to.have.length.above(2)"),
  pt("oneOf fails", "pm.expect('red').to.be.oneOf(['green', 'blue'])"),
  pt("match fails", "pm.expect('abc-123').to.match(/^\\d+$/)"),
  pt("a string fails on number", "pm.expect(42).to.be.a('string')"),
  pt("an array fails on object", "pm.expect({}).to.be.an('array')"),
  pt("a number fails on null", "pm.expect(null).to.be.a('number')"),
  pt("an object fails on undefined", "pm.expect(undefined).to.be.an('object')"),
  pt("above fails", "pm.expect(5).to.be.above(10)"),
  pt("below fails", "pm.expect(5).to.be.below(1)"),
  pt("at least fails", "pm.expect(5).to.be.at.least(6)"),
  pt("at most fails", "pm.expect(5).to.be.at.most(4)"),
  pt("within fails", "pm.expect(5).to.be.within(6, 9)"),
  pt("above on string fails", "pm.expect('5').to.be.above(1)"),
  pt("keys fails", "pm.expect({ a: 1, b: 2 }).to.have.keys('a', 'c')"),
  pt("all keys fails", "pm.expect({ a: 1 }).to.have.all.keys(['a', 'b'])"),
  pt("any keys fails", "pm.expect({ a: 1 }).to.have.any.keys('x', 'y')"),
  pt("members fails", "pm.expect([1, 2]).to.have.members([2, 3])"),
  pt("include members fails", "pm.expect([1, 2, 3]).to.include.members([4])"),
  pt("ordered members fails", "pm.expect([1, 2]).to.have.ordered.members([2, 1])"),
  pt("deep members fails", "pm.expect([{ a: 1 }]).to.have.deep.members([{ a: 2 }])"),
  pt("closeTo fails", "pm.expect(1.5).to.be.closeTo(2, 0.1)"),
  pt("satisfy fails", "pm.expect(3).to.satisfy(function isEven(n) { return n % 2 === 0; })"),
  pt("satisfy arrow fails", "pm.expect(3).to.satisfy((n) => n > 5)"),
  pt("throw type fails", "pm.expect(() => { throw new TypeError('bad'); }).to.throw(RangeError)"),
  pt("throw message fails", "pm.expect(() => { throw new Error('bad'); }).to.throw('good')"),
  pt("throw passes", "pm.expect(() => { throw new Error('bad'); }).to.throw(/ba/)"),
  pt("not throw fails", "pm.expect(() => { throw new Error('bad'); }).to.not.throw()"),
  pt("throw on non-thrower fails", "pm.expect(() => 1).to.throw()"),
  pt("custom message fails", "pm.expect(1, 'the count is wrong').to.equal(2)"),
  pt("custom message on property", "pm.expect({}, 'needs id').to.have.property('id')"),
  pt("exist fails", "pm.expect(undefined).to.exist"),
  pt("not null fails", "pm.expect(null).to.not.be.null"),
  pt("true fails", "pm.expect('true').to.be.true"),
  pt("false fails", "pm.expect(0).to.be.false"),
  pt("not empty fails", "pm.expect([]).to.not.be.empty"),
  pt("empty fails on object", "pm.expect({ a: 1 }).to.be.empty"),
  pt("empty passes on string", "pm.expect('').to.be.empty"),
  pt("instanceOf fails", "pm.expect([]).to.be.instanceOf(Date)"),
  pt("symbol equal fails", "pm.expect(Symbol('s')).to.equal(1)"),
  pt("function equal fails", "pm.expect(function foo() {}).to.equal(1)"),
  pt("Set include fails", "pm.expect(new Set([1])).to.include(2)"),
  pt("Map eql fails", "pm.expect(new Map([['a', 1]])).to.eql(new Map())"),
  pt("Map of two eql fails", "pm.expect(new Map([['a', 1], ['b', { c: 2 }]])).to.eql(new Map([['a', 1]]))"),
  pt("Map nested in object fails", "pm.expect({ m: new Map([['x', 1]]), n: new Map() }).to.eql({})"),
  pt("Map property fails", "pm.expect(new Map([['a', 1]])).to.have.property('a')"),
  pt("Set eql fails", "pm.expect([new Set([1, 2]), new Set([3])]).to.eql([])"),
  pt("error object eql fails", "pm.expect(new Error('x')).to.eql({})"),
  pt("undefined property read fails", "pm.expect(pm.response.json().missing).to.eql('x')"),
  pt("string startsWith via match", "pm.expect(pm.response.json().email).to.match(/^bob/)"),
  pt(
    "deep equal passes",
    "pm.expect(pm.response.json().address.geo).to.deep.equal({ lat: 48.85, lng: 2.35 })",
  ),
  pt("not include passes", "pm.expect(pm.response.json().tags).to.not.include('guest')"),
  pt("chai assert equal fails", "require('chai').assert.equal(1, 2)"),
  pt("chai assert message fails", "require('chai').assert.isTrue(false, 'should be true')"),
  pt("expect.fail", "pm.expect.fail('forced failure')"),
  pt("chai should-less ok fails", "pm.expect('').to.be.ok"),
  pt("increase fails", "let o = { n: 1 }; pm.expect(() => {}).to.increase(o, 'n')"),
  pt("respondTo fails", "pm.expect({}).to.respondTo('run')"),
  pt("sealed fails", "pm.expect({}).to.be.sealed"),
  pt("finite fails", "pm.expect(Infinity).to.be.finite"),
  pt("string include number", "pm.expect(pm.response.text()).to.include(999)"),
];

const SCOPES_AND_REQUEST: DiffCase[] = [
  t(
    "environment get/set/unset/has",
    "pm.environment.set('a', 'b'); pm.environment.unset('token'); console.log(pm.environment.get('a'), pm.environment.has('token'), pm.environment.has('a'));",
  ),
  t(
    "environment set types",
    "pm.environment.set('n', 1); pm.environment.set('b', true); pm.environment.set('o', { x: [1] }); pm.environment.set('u', undefined); pm.environment.set('z', null);",
    {
      known:
        "scopes are JSON: a value set to undefined goes back to the engine as null (Newman's scope keeps undefined)",
    },
  ),
  t("environment toObject", "console.log(pm.environment.toObject());"),
  t("environment get missing", "console.log(pm.environment.get('nope'), typeof pm.environment.get('nope'));"),
  t(
    "environment clear",
    "pm.environment.clear(); console.log(Object.keys(pm.environment.toObject()).length);",
  ),
  t(
    "environment replaceIn",
    "console.log(pm.environment.replaceIn('{{baseUrl}}/x?t={{token}}&m={{missing}}'));",
  ),
  t(
    "globals get/set/unset",
    "pm.globals.set('g2', 'v'); pm.globals.unset('g'); console.log(pm.globals.get('g2'), pm.globals.get('g'), pm.globals.toObject());",
  ),
  t("globals clear", "pm.globals.clear();"),
  t(
    "collectionVariables",
    "pm.collectionVariables.set('c', 'd'); console.log(pm.collectionVariables.get('apiVersion'), pm.collectionVariables.has('c'), pm.collectionVariables.toObject()); pm.collectionVariables.unset('apiVersion');",
  ),
  t(
    "variables precedence",
    "console.log(pm.variables.get('shared'), pm.variables.get('user'), pm.variables.get('token'), pm.variables.get('g'));",
  ),
  t(
    "variables precedence local wins",
    "pm.variables.set('shared', 'local'); console.log(pm.variables.get('shared'), pm.variables.has('shared'));",
  ),
  t("variables toObject", "console.log(JSON.stringify(pm.variables.toObject()));"),
  t(
    "variables replaceIn",
    "console.log(pm.variables.replaceIn('{{baseUrl}}/{{apiVersion}}/{{user}}/{{missing}}/{{shared}}'));",
  ),
  t("variables replaceIn object", "console.log(pm.variables.replaceIn({ u: '{{user}}' }));"),
  t(
    "variables replaceIn nested",
    "const o = { a: ['{{user}}', { b: '{{token}}', n: 1 }], c: null }; const r = pm.variables.replaceIn(o); console.log(r, o.a[0], r === o);",
  ),
  t(
    "variables replaceIn array and number",
    "console.log(pm.variables.replaceIn(['{{user}}', 2]), pm.variables.replaceIn(5), pm.environment.replaceIn({ t: '{{token}}' }));",
  ),
  t(
    "variables dynamic type",
    "console.log(typeof pm.variables.replaceIn('{{$guid}}'), pm.variables.replaceIn('{{$guid}}').length);",
  ),
  t("variables set number", "pm.variables.set('k', 42); console.log(pm.variables.get('k') + 1);"),
  t(
    "variables unset",
    "pm.variables.set('k', 1); pm.variables.unset('k'); console.log(pm.variables.get('k'));",
  ),
  t(
    "iterationData",
    "console.log(pm.iterationData.get('user'), pm.iterationData.get('n'), pm.iterationData.has('x'), pm.iterationData.toObject());",
  ),
  t("iterationData toJSON", "console.log(JSON.stringify(pm.iterationData.toJSON()));", {
    known:
      "deliberate: a scope's JSON carries a random id on both sides (its values agree: 'scopes toJSON values')",
  }),
  t(
    "info",
    "console.log(pm.info.eventName, pm.info.iteration, pm.info.iterationCount, pm.info.requestName, pm.info.requestId);",
  ),
  t("info prerequest", "console.log(pm.info.eventName);", { event: "prerequest" }),
  t(
    "request url parts",
    "const u = pm.request.url; console.log(u.toString(), u.getHost(), u.getPath(), u.protocol, u.query.get('page'), u.getQueryString());",
  ),
  t(
    "request method and body",
    "console.log(pm.request.method, pm.request.body.mode, pm.request.body.raw, pm.request.body.toString());",
  ),
  t(
    "request headers read",
    "console.log(pm.request.headers.get('Accept'), pm.request.headers.has('X-No'), pm.request.headers.toObject(), pm.request.headers.count());",
  ),
  t(
    "request headers add/upsert/remove",
    "pm.request.headers.add({ key: 'X-A', value: '1' }); pm.request.headers.upsert({ key: 'Accept', value: 'text/plain' }); pm.request.headers.remove('Content-Type'); pm.request.addHeader({ key: 'X-B', value: '2' });",
    { event: "prerequest" },
  ),
  t(
    "request header remove missing",
    "pm.request.headers.remove('X-None'); pm.request.removeHeader('Accept');",
    { event: "prerequest" },
  ),
  t(
    "request url query add/remove",
    "pm.request.url.query.add({ key: 'q', value: 'x y' }); pm.request.url.query.remove('limit'); pm.request.url.addQueryParams('z=1');",
    { event: "prerequest" },
  ),
  t("request url set", "pm.request.url = 'https://other.example.com/a/b?c=d';", { event: "prerequest" }),
  t("request url update", "pm.request.url.update('http://localhost:8080/x');", { event: "prerequest" }),
  t("request method set", "pm.request.method = 'PUT';", { event: "prerequest" }),
  t("request body raw set", "pm.request.body.raw = JSON.stringify({ name: pm.variables.get('user') });", {
    event: "prerequest",
  }),
  t("request body update", "pm.request.body.update('plain text');", { event: "prerequest" }),
  t("request toJSON", "console.log(JSON.stringify(pm.request.toJSON().header));"),
  t(
    "request toJSON whole",
    "console.log(JSON.stringify(pm.request.toJSON()), Object.keys(pm.request.toJSON()));",
  ),
  t(
    "request toJSON parts",
    "console.log(JSON.stringify(pm.request.url.toJSON()), JSON.stringify(pm.request.headers.toJSON()), JSON.stringify(pm.request.body.toJSON()));",
  ),
  t(
    "request toJSON after changes",
    "pm.request.addHeader({ key: 'X-New', value: 'n' }); pm.request.url.addQueryParams('q=1'); pm.request.body.update('text'); console.log(JSON.stringify(pm.request.toJSON()));",
    { event: "prerequest" },
  ),
  t("request toJSON url parts", "console.log(JSON.stringify(pm.request.toJSON()));", {
    request: {
      method: "GET",
      url: "https://u:p@api.example.com:8080/x/y?a=1&b&c=#frag",
      headers: [],
      body: undefined,
    },
  }),
  t(
    "request toJSON with auth",
    "console.log(JSON.stringify(pm.request.toJSON().auth), JSON.stringify(pm.request.auth));",
    {
      request: {
        auth: {
          type: "basic",
          basic: [
            { key: "username", value: "ada", type: "string" },
            { key: "password", value: "pw" },
          ],
        },
      },
    },
  ),
  t(
    "request toJSON without path or protocol",
    "console.log(JSON.stringify(pm.request), JSON.stringify(pm.request.url));",
    {
      request: { method: "GET", url: "api.example.com", headers: [["A", "1"]], body: undefined },
    },
  ),
  t("request toJSON root path", "console.log(JSON.stringify(pm.request.url.toJSON()));", {
    request: { url: "http://localhost:3000/" },
  }),
  t(
    "response toJSON",
    "const j = pm.response.toJSON(); console.log(Object.keys(j), j.status, j.code, JSON.stringify(j.header), j.stream.type, j.stream.data.length, JSON.stringify(j.cookie), j.responseTime, j.responseSize, typeof j.id);",
  ),
  t(
    "response toJSON bytes",
    "console.log(JSON.stringify(pm.response.toJSON().stream), JSON.stringify(pm.response.headers.toJSON()));",
    { response: { headers: [["Content-Type", "text/plain"]], body: "é€😀" } },
  ),
  t("request url variables", "console.log(pm.request.url.toString());", {
    request: { url: "{{baseUrl}}/users/{{id}}" },
  }),
  t("request legacy object", "console.log(request.url, request.method, request.headers, request.data);"),
  t(
    "response json",
    "const j = pm.response.json(); console.log(j.name, j.tags, j.address.geo.lat, j.nothing);",
  ),
  t("response text", "console.log(pm.response.text().length, typeof pm.response.text());"),
  t(
    "response headers",
    "console.log(pm.response.headers.get('content-type'), pm.response.headers.get('X-No'), pm.response.headers.has('X-Request-Id'));",
  ),
  t("response headers toObject", "console.log(pm.response.headers.toObject());"),
  t(
    "response code status time",
    "console.log(pm.response.code, pm.response.status, pm.response.responseTime);",
  ),
  t("response reason", "console.log(pm.response.reason());"),
  t("response json on html throws", "pm.response.json();", { response: html }),
  t("response json on html in test", "pm.test('parses', () => { pm.response.json(); });", { response: html }),
  t("response json on empty body", "pm.test('parses', () => { pm.response.json(); });", {
    response: { body: "" },
  }),
  t("response json on bad json", "pm.test('parses', () => { pm.response.json(); });", {
    response: { body: '{"a": 1,' },
  }),
  t("JSON.parse responseBody bad", "JSON.parse(responseBody);", { response: html }),
  t("response to.have.status in prerequest", "console.log(typeof pm.response);", { event: "prerequest" }),
  t("pm.response.size", "console.log(typeof pm.response.size().body);"),
  t("cookies empty", "console.log(pm.cookies.has('sid'), pm.cookies.get('sid'), pm.cookies.toObject());"),
];

const LIBRARIES: DiffCase[] = [
  t(
    "tv4 validate",
    "const ok = tv4.validate({ a: 1 }, { type: 'object', required: ['b'] }); console.log(ok, tv4.error.message, tv4.error.code);",
  ),
  t(
    "tv4 in test",
    "pm.test('schema', () => pm.expect(tv4.validate(pm.response.json(), { type: 'array' })).to.be.true);",
  ),
  t(
    "ajv errors",
    "const Ajv = require('ajv'); const ajv = new Ajv(); const v = ajv.compile({ type: 'object', required: ['x'], properties: { id: { type: 'string' } } }); console.log(v(pm.response.json()), JSON.stringify(v.errors.map((e) => e.message)));",
  ),
  t(
    "ajv allErrors",
    "const Ajv = require('ajv'); const ajv = new Ajv({ allErrors: true }); const ok = ajv.validate({ properties: { id: { type: 'string' }, name: { type: 'number' } } }, pm.response.json()); console.log(ok, ajv.errorsText());",
  ),
  t("lodash legacy _", "console.log(_.pluck([{ a: 1 }, { a: 2 }], 'a'), typeof _.get, _.VERSION);"),
  t(
    "lodash require",
    "const l = require('lodash'); console.log(l.get(pm.response.json(), 'address.city'), l.map([1, 2], (x) => x * 2), l.VERSION, typeof l.pluck);",
    { known: "library bundle: edgerun bundles lodash 4.18.1, postman-sandbox 4.17.21" },
  ),
  t(
    "lodash utilities",
    "const l = require('lodash'); console.log(l.sortBy([3, 1, 2]), l.uniq([1, 1, 2]), l.pick({ a: 1, b: 2 }, 'a'), l.isEmpty({}), l.chunk([1, 2, 3], 2));",
  ),
  t(
    "moment utc format",
    "const moment = require('moment'); console.log(moment.utc('2024-01-15T10:30:00Z').format('YYYY-MM-DD HH:mm'), moment.utc(0).toISOString());",
  ),
  t(
    "moment add diff",
    "const moment = require('moment'); const a = moment.utc('2024-01-01'); console.log(a.clone().add(1, 'month').format(), a.diff(moment.utc('2023-12-25'), 'days'), moment.utc('bad').isValid());",
  ),
  t(
    "crypto-js hashes",
    "console.log(CryptoJS.MD5('a').toString(), CryptoJS.SHA256('abc').toString().slice(0, 16), CryptoJS.HmacSHA256('m', 'k').toString(CryptoJS.enc.Base64));",
  ),
  t(
    "crypto-js require and base64",
    "const C = require('crypto-js'); const w = C.enc.Utf8.parse('héllo'); console.log(C.enc.Base64.stringify(w), C.enc.Hex.stringify(w));",
  ),
  t(
    "uuid",
    "const uuid = require('uuid'); console.log(/^[0-9a-f-]{36}$/.test(uuid.v4()), typeof uuid.v1, uuid.validate ? 'has validate' : 'no validate');",
  ),
  t(
    "xml2Json",
    "console.log(xml2Json('<user id=\"7\"><name>Ada</name><tags><t>a</t><t>b</t></tags></user>'));",
  ),
  t(
    "xml2js parseString",
    "require('xml2js').parseString('<a><b>1</b></a>', (err, r) => console.log(err, JSON.stringify(r)));",
  ),
  t(
    "cheerio",
    "const $ = cheerio.load('<ul><li class=\"x\">one</li><li>two</li></ul>'); console.log($('li').length, $('.x').text(), $('li').last().html());",
  ),
  t(
    "cheerio require",
    "const c = require('cheerio'); console.log(c.load('<p title=\"t\">hi</p>')('p').attr('title'));",
  ),
  t("atob btoa", "console.log(btoa('user:pass'), atob('dXNlcjpwYXNz'));"),
  t("atob invalid", "atob('***');"),
  t(
    "Buffer",
    "console.log(Buffer.from('héllo').toString('base64'), Buffer.from('aGk=', 'base64').toString(), Buffer.byteLength('héllo'));",
  ),
  t(
    "require fs",
    "const fs = require('fs'); console.log(typeof fs, JSON.stringify(fs), fs === require('fs'));",
  ),
  t(
    "require fs then tests run",
    "const fs = require('fs'); pm.test('after fs', function () { pm.expect(fs.readFileSync).to.be.undefined; });",
  ),
  t(
    "require os",
    "const os = require('os'); console.log(Object.keys(os).join(','), os.EOL === '\\n', os.platform(), os.type(), os.arch(), os.tmpdir(), os.freemem() === Number.MAX_VALUE, JSON.stringify(os.cpus()), os.endianness());",
  ),
  t("require unknown module", "require('crypto'); console.log('not reached');"),
  t("require relative path", "require('./helpers');"),
  t(
    "require unknown module caught",
    "try { require('child_process'); } catch (e) { console.log(e.name, e.message); } pm.test('still runs', function () {});",
  ),
  t("require path", "const p = require('path'); console.log(p.join('a', 'b'));"),
  t("querystring", "console.log(require('querystring').stringify({ a: 1, b: 'x y' }));"),
  t("util.format", "console.log(require('util').format('%s=%d', 'a', 1));"),
  t(
    "csv-parse",
    "const parse = require('csv-parse/lib/sync'); console.log(JSON.stringify(parse('a,b\\n1,2', { columns: true })));",
  ),
  t(
    "chai directly",
    "const { expect } = require('chai'); pm.test('chai', () => expect([1]).to.have.lengthOf(2));",
  ),
  t(
    "sugar-free Date",
    "console.log(new Date(Date.UTC(2024, 0, 2)).toISOString(), JSON.stringify(new Date(0)));",
  ),
];

const CONSOLE_AND_ERRORS: DiffCase[] = [
  t("console strings and numbers", "console.log('a', 1, 2.5, -0, 'b');"),
  t("console levels", "console.info('i'); console.warn('w'); console.error('e'); console.debug('d');"),
  t(
    "async timer callback waiting for a later timer",
    "setTimeout(async () => { await new Promise((r) => setTimeout(r, 10)); pm.variables.set('ok', 1); console.log('inner'); pm.test('after', () => pm.expect(pm.variables.get('ok')).to.eql(1)); }, 10); console.log('outer');",
  ),
  t("console clear", "console.log('before'); console.clear(); console.log('after');"),
  t("console trace is not a function", "console.trace('t');"),
  t("console object", "console.log({ a: 1, b: 'two', c: [1, { d: null }] });"),
  t("console array", "console.log([1, 'a', null, true]);"),
  t("console nested deep", "console.log({ a: { b: { c: { d: { e: { f: 1 } } } } } });"),
  t("console undefined null", "console.log(undefined, null);"),
  t("console NaN Infinity", "console.log(NaN, Infinity, -Infinity);"),
  t("console error object", "console.log(new Error('boom'));", {
    known: "edgerun prints an Error as 'Name: message'; postman-sandbox sends it as { type, name, message }",
  }),
  t("console type error", "console.error(new TypeError('bad type'));", {
    known: "edgerun prints an Error as 'Name: message'; postman-sandbox sends it as { type, name, message }",
  }),
  t("console function", "console.log(function named() {}, () => 1);"),
  t("console symbol", "console.log(Symbol('s'));"),
  t("console date", "console.log(new Date(0));"),
  t("console regexp", "console.log(/ab+c/gi);"),
  t("console map set", "console.log(new Map([['a', 1]]), new Set([1, 2]));"),
  t("console format specifiers", "console.log('%s is %d', 'x', 5);"),
  t("console empty", "console.log();"),
  t("console boolean", "console.log(true, false);"),
  t("console response json", "console.log(pm.response.json().items);"),
  t("console long string", "console.log('x'.repeat(300));"),
  t("console object with undefined", "console.log({ a: undefined, b: function () {} });"),
  t("console circular", "const o = { a: 1 }; o.self = o; console.log(o);"),
  t("console class instance", "class P { constructor() { this.x = 1; } } console.log(new P());"),
  t("console bigint", "console.log(10n);"),
  t("console pm.response", "console.log(typeof pm.response.headers);"),
  t("TypeError reading property", "const a = {}; a.b.c;"),
  t(
    "TypeError reading property in test",
    "pm.test('reads', () => { const j = pm.response.json(); j.missing.field; });",
  ),
  t("TypeError of null", "pm.test('null', () => { const x = null; x.y; });"),
  t("TypeError not a function", "pm.test('call', () => { const o = {}; o.run(); });"),
  t("TypeError undefined call", "pm.test('call2', () => { pm.response.json().nothing(); });"),
  t("ReferenceError", "pm.test('ref', () => { notDefined + 1; });"),
  t("ReferenceError top level", "notDefinedEither;"),
  t("custom Error thrown", "throw new Error('custom failure');"),
  t("custom Error in test", "pm.test('custom', () => { throw new Error('inside test'); });"),
  t("thrown string", "throw 'just a string';", {
    known:
      "Newman reports a thrown non-object as an error named undefined with no message; edgerun names it Error with the value",
  }),
  t("thrown string in test", "pm.test('str', () => { throw 'oops'; });"),
  t("thrown object in test", "pm.test('obj', () => { throw { message: 'plain object' }; });"),
  t("thrown number", "throw 42;", {
    known:
      "Newman reports a thrown non-object as an error named undefined with no message; edgerun names it Error with the value",
  }),
  t(
    "custom error class",
    "class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } } pm.test('mine', () => { throw new MyError('mine failed'); });",
  ),
  t("JSON.parse error in test", "pm.test('json', () => { JSON.parse('{bad'); });"),
  t("JSON.parse error top", "JSON.parse('not json');"),
  t("JSON.parse empty", "pm.test('empty', () => JSON.parse(''));"),
  t("JSON.parse truncated multi-line", `pm.test('multi', () => JSON.parse('{\\n  "a": [1,'));`),
  t("JSON.parse truncated array", "pm.test('arr', () => JSON.parse('['));"),
  t("JSON.parse with a byte order mark", "console.log(JSON.parse('\\ufeff{\"a\": 1}').a);"),
  t("response json with a byte order mark", "console.log(pm.response.json().a);", {
    response: { body: '\ufeff{"a": 2}' },
  }),
  t("JSON.parse unterminated string", `pm.test('str', () => JSON.parse('{"a": "abc'));`),
  t("response json truncated", "pm.response.json();", {
    response: { body: '{"items": [{"id": 1}' },
  }),
  t("thrown named object in test", "pm.test('named', () => { throw { name: 'Custom' }; });"),
  t("thrown null in test", "pm.test('null', () => { throw null; });"),
  t("RangeError", "pm.test('range', () => { new Array(-1); });"),
  t("error after assertion", "pm.test('first', () => {}); throw new Error('after first');"),
  t("syntax error script", "pm.test('x', () => { ;"),
  t("tests after error not run", "pm.test('a', () => {}); null.x; pm.test('b', () => {});"),
];

const ASYNC_AND_FLOW: DiffCase[] = [
  t(
    "setTimeout with test",
    "setTimeout(() => { pm.test('late', () => pm.expect(1).to.equal(2)); }, 10); pm.test('early', () => {});",
  ),
  t("setTimeout inside test", "pm.test('outer', () => { setTimeout(() => { console.log('tick'); }, 5); });"),
  t(
    "done callback passes",
    "pm.test('done', (done) => { setTimeout(() => { pm.expect(1).to.equal(1); done(); }, 5); });",
  ),
  t(
    "done callback fails",
    "pm.test('done err', (done) => { setTimeout(() => { done(new Error('async fail')); }, 5); });",
  ),
  t(
    "done throws in timer",
    "pm.test('done throw', (done) => { setTimeout(() => { try { pm.expect(1).to.equal(2); done(); } catch (e) { done(e); } }, 5); });",
  ),
  t("promise returned passes", "pm.test('promise', () => Promise.resolve(1));"),
  t("promise returned rejects", "pm.test('promise rejects', () => Promise.reject(new Error('rejected')));", {
    known:
      "Newman passes an async test when it is called and its process then dies of the unhandled rejection (newman run: crash); edgerun waits and fails the test",
  }),
  t(
    "async test fails",
    "pm.test('async', async () => { await new Promise((r) => setTimeout(r, 5)); pm.expect('a').to.equal('b'); });",
    {
      known:
        "Newman passes an async test when it is called and its process then dies of the unhandled rejection (newman run: crash); edgerun waits and fails the test",
    },
  ),
  t("async test passes", "pm.test('async ok', async () => { await null; pm.expect(1).to.be.ok; });"),
  t(
    "order of sync and async tests",
    "pm.test('a1', async () => { await null; }); pm.test('s1', () => {}); pm.test('a2', (done) => setTimeout(done, 1)); pm.test('s2', () => { throw new Error('x'); });",
    {
      known:
        "edgerun records a promise-returning test when it settles (after the synchronous ones); Newman when it is called",
    },
  ),
  t("error in timer", "setTimeout(() => { throw new Error('timer boom'); }, 5);"),
  t("const data redeclared", "const data = pm.response.json(); pm.test('never runs', () => {});"),
  t("const lodash redeclared", "const _ = require('lodash'); pm.test('never runs', () => {});"),
  t("destructured redeclaration", "const { a, b: tv4 } = { a: 1, b: 2 }; pm.test('never', () => {});"),
  t("class redeclared", "class CryptoJS {} pm.test('never', () => {});"),
  t("responseBody in a pre-request script", "const responseBody = 1; console.log(responseBody);", {
    event: "prerequest",
  }),
  t("request redeclared in a pre-request script", "let request = 1; console.log(request);", {
    event: "prerequest",
  }),
  t(
    "declarations that do not clash",
    "var data = 1; { const _ = 2; } for (const pm2 of [1]) {} const s = 'const data = 1'; const re = /let _/; const f = () => { const JSON = 1; return JSON; }; pm.test('ran', () => pm.expect(f()).to.equal(1));",
  ),
  t(
    "error in timer, tests kept",
    "pm.test('before', () => {}); setTimeout(() => { pm.test('in timer', () => {}); null.x; }, 5); pm.test('after', () => {});",
  ),
  t("done never called", "pm.test('never done', (done) => {}); pm.test('sync after', () => {});"),
  t(
    "done never called, assertion fails in timer",
    "pm.test('async err', (done) => { setTimeout(() => { pm.expect(1).to.equal(2); done(); }, 1); }); pm.test('after', () => {});",
  ),
  t(
    "done called from a microtask chain",
    "pm.test('chained', (done) => { Promise.resolve().then(() => null).then(() => null).then(() => done()); });",
  ),
  t(
    "done waits for a request started in a microtask",
    "pm.test('late request', (done) => { Promise.resolve().then(() => setTimeout(() => { pm.expect(1).to.equal(1); done(); }, 5)); });",
  ),
  t("top-level await", "await new Promise((r) => setTimeout(r, 5)); console.log('awaited');"),
  t("unhandled rejection", "Promise.reject(new Error('nobody catches'));"),
  t(
    "setInterval cleared",
    "let n = 0; const i = setInterval(() => { if (++n === 3) { clearInterval(i); console.log('n', n); } }, 1);",
  ),
  t(
    "clearTimeout",
    "const h = setTimeout(() => console.log('never'), 5); clearTimeout(h); console.log('cleared');",
  ),
  // Not beside a setTimeout(0): which of the two runs first is a race in Node (the side postman-sandbox's
  // timers run on), so such a case could not be compared reliably.
  t(
    "setImmediate order",
    "setImmediate(() => console.log('immediate')); Promise.resolve().then(() => console.log('micro')); console.log('sync');",
  ),
  t(
    "pm.test.skip",
    "pm.test.skip('skipped one', () => { throw new Error('not run'); }); pm.test('ran', () => {});",
  ),
  t("pm.test without fn", "pm.test('no function');"),
  t("pm.test returns pm", "console.log(typeof pm.test('chained', () => {}));"),
  t("pm.test non-string name", "pm.test(42, () => {}); pm.test({ a: 1 }, () => {});"),
  t("same name twice", "pm.test('dup', () => {}); pm.test('dup', () => { throw new Error('second'); });"),
  t("setNextRequest", "pm.execution.setNextRequest('Login');"),
  t("setNextRequest null", "pm.execution.setNextRequest(null);"),
  t("postman.setNextRequest", "postman.setNextRequest('Other');"),
  t("skipRequest in prerequest", "pm.execution.skipRequest(); console.log('not printed');", {
    event: "prerequest",
    known:
      "after skipRequest Newman hands back the execution at once (what the script does after the call is not part of it); edgerun runs the script to its end",
  }),
  t("skipRequest in test", "pm.execution.skipRequest();"),
  t("execution location", "console.log(typeof pm.execution.location, pm.execution.location.current);"),
  t("visualizer", "pm.visualizer.set('<b>{{x}}</b>', { x: 1 });"),
  t("sendRequest callback shape", "console.log(typeof pm.sendRequest);"),
];

const LEGACY: DiffCase[] = [
  t("tests pass and fail", "tests['passes'] = true; tests['fails'] = false; tests['truthy'] = 1;"),
  t(
    "tests with status",
    "tests['Status code is 200'] = responseCode.code === 200; tests['Body has Ada'] = responseBody.has('Ada');",
  ),
  t(
    "responseBody JSON",
    "const d = JSON.parse(responseBody); tests['id is 7'] = d.id === 7; console.log(typeof responseBody);",
  ),
  t("responseHeaders", "console.log(responseHeaders['Content-Type'], responseHeaders['content-type']);"),
  t(
    "postman.getResponseHeader",
    "console.log(postman.getResponseHeader('content-type'), postman.getResponseHeader('X-No'));",
  ),
  t("responseCode object", "console.log(responseCode.code, responseCode.name, responseCode.detail);"),
  t("responseTime legacy", "console.log(responseTime);"),
  t("environment object", "console.log(environment.token, environment.nope, JSON.stringify(environment));"),
  t("globals object", "console.log(globals.g, typeof globals);"),
  t("data object", "console.log(data.user, iteration);"),
  t(
    "postman.setEnvironmentVariable",
    "postman.setEnvironmentVariable('leg', 'acy'); postman.setGlobalVariable('lg', 1); postman.clearEnvironmentVariable('token'); postman.clearGlobalVariable('g');",
  ),
  t(
    "postman.getEnvironmentVariable",
    "console.log(postman.getEnvironmentVariable('token'), postman.getGlobalVariable('g'));",
  ),
  t(
    "postman.clearEnvironmentVariables",
    "postman.clearEnvironmentVariables(); postman.clearGlobalVariables();",
  ),
  t("legacy tests with pm.test", "tests['legacy'] = true; pm.test('modern', () => {});"),
  t("tests with error after", "tests['before error'] = true; undefinedThing();"),
  t(
    "legacy request in prerequest",
    "console.log(request.method, request.url, JSON.stringify(request.headers));",
    { event: "prerequest" },
  ),
];

const MORE: DiffCase[] = [
  pt("eql array of objects truncated", "pm.expect(pm.response.json().items).to.eql([{ id: 1, price: 11 }])"),
  pt("eql response object fails", "pm.expect(pm.response.json()).to.eql({ id: 7 })"),
  pt("include on response object fails", "pm.expect(pm.response.json()).to.include({ name: 'Bob' })"),
  pt("equal boolean fails", "pm.expect(pm.response.json().active).to.equal(false)"),
  pt("equal string vs number fails", "pm.expect(pm.response.json().id).to.equal('7')"),
  pt("eql with negative zero", "pm.expect(-0).to.eql(0)"),
  pt("equal -0", "pm.expect(-0).to.equal(0)"),
  pt("not equal fails", "pm.expect(7).to.not.equal(7)"),
  pt("not eql object fails", "pm.expect({ a: 1 }).to.not.eql({ a: 1 })"),
  pt("a date fails", "pm.expect('2024-01-01').to.be.a('date')"),
  pt("a regexp fails", "pm.expect('x').to.be.a('regexp')"),
  pt("a function fails", "pm.expect(1).to.be.a('function')"),
  pt("string type with message", "pm.expect(1, 'id type').to.be.a('string')"),
  pt("property on array fails", "pm.expect([1, 2]).to.have.property('length', 3)"),
  pt("nested include fails", "pm.expect({ a: { b: 1 } }).to.nested.include({ 'a.b': 2 })"),
  pt("any.keys on array fails", "pm.expect(['a']).to.have.any.keys('b')"),
  pt("lengthOf on undefined fails", "pm.expect(undefined).to.have.lengthOf(1)"),
  pt("include on null fails", "pm.expect(null).to.include('a')"),
  pt("above on undefined fails", "pm.expect(undefined).to.be.above(1)"),
  pt("within on dates fails", "pm.expect(new Date(5)).to.be.within(new Date(6), new Date(9))"),
  pt("match on number fails", "pm.expect(123).to.match(/a/)"),
  pt("oneOf with objects fails", "pm.expect({ a: 1 }).to.be.oneOf([{ a: 1 }])"),
  pt("deep oneOf passes", "pm.expect({ a: 1 }).to.be.deep.oneOf([{ a: 1 }])"),
  pt("string with newline fails", "pm.expect('line1\\nline2').to.equal('x')"),
  pt("unicode string fails", "pm.expect('héllo ✓').to.equal('x')"),
  pt(
    "long array of strings",
    "pm.expect(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']).to.include('eta')",
  ),
  pt(
    "object with many keys",
    "pm.expect({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }).to.have.property('h')",
  ),
  pt("nested arrays display", "pm.expect([[1, [2, [3, [4]]]]]).to.eql([])"),
  pt("object with null and undefined values", "pm.expect({ a: null, b: undefined }).to.eql({ a: 1 })"),
  pt("empty object and array", "pm.expect({}).to.eql([])"),
  pt(
    "chained and",
    "pm.expect(pm.response.json()).to.be.an('object').and.to.have.property('id').that.equals(8)",
  ),
  pt(
    "that.is.a",
    "pm.expect(pm.response.json()).to.have.property('tags').that.is.an('array').with.lengthOf(5)",
  ),
  pt("response to.have.status in not-a-number", "pm.response.to.have.status('200')"),
  pt("response to.be.info fails", "pm.response.to.be.info"),
  pt("response to.be.redirection fails", "pm.response.to.be.redirection"),
  pt("response to.be.rateLimited fails", "pm.response.to.be.rateLimited"),
  pt("response to.have.header case-insensitive", "pm.response.to.have.header('content-type')"),
  pt("response to.not.be.error", "pm.response.to.not.be.error"),
  pt("response to.have.jsonBody path value passes", "pm.response.to.have.jsonBody('address.zip', '75001')"),
  pt("response to.not.have.jsonBody fails", "pm.response.to.not.have.jsonBody('id')"),
  pt("response body string full", "pm.response.to.have.body(pm.response.text())"),
  pt("response to.be.json on 204", "pm.response.to.be.json", {
    response: { code: 204, status: "No Content", body: "", headers: [] },
  }),
  pt("response json on 204", "pm.response.json()", {
    response: { code: 204, status: "No Content", body: "", headers: [] },
  }),
  t("response headers each", "pm.response.headers.each((h) => console.log(h.key, h.value));"),
  t("response headers toJSON", "console.log(JSON.stringify(pm.response.headers.toJSON()));"),
  t("response headers find", "console.log(pm.response.headers.find((h) => h.key === 'X-Request-Id').value);"),
  t(
    "response headers filter",
    "console.log(pm.response.headers.filter((h) => h.key.startsWith('C')).map((h) => h.key));",
  ),
  t("response contentInfo", "console.log(JSON.stringify(pm.response.contentInfo()));"),
  t("response contentInfo html", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [["Content-Type", "text/html"]], body: "<p>hi</p>" },
  }),
  t("response contentInfo no content-type", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [], body: "plain words" },
  }),
  t("response contentInfo no content-type pdf", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [], body: "%PDF-1.4 rest" },
  }),
  t("response contentInfo no content-type xml", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [], body: '<?xml version="1.0"?><a/>' },
  }),
  t("response contentInfo empty body", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [], body: "" },
  }),
  t(
    "response contentInfo uppercase with charset",
    "console.log(JSON.stringify(pm.response.contentInfo()));",
    {
      response: { headers: [["Content-Type", "Application/JSON; Charset=ISO-8859-1"]], body: "{}" },
    },
  ),
  t("response contentInfo unknown type", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [["Content-Type", "application/x-edgerun-thing"]], body: "x" },
  }),
  t("response contentInfo vendor json", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [["Content-Type", "application/vnd.api+json"]], body: "{}" },
  }),
  t("response contentInfo image", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: { headers: [["Content-Type", "image/png"]], body: "x" },
  }),
  t("response contentInfo attachment filename", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: {
      headers: [
        ["Content-Type", "text/csv"],
        ["Content-Disposition", 'attachment; filename="report \\"q\\".csv"'],
      ],
      body: "a,b",
    },
  }),
  t("response contentInfo attachment token", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: {
      headers: [
        ["Content-Type", "application/octet-stream"],
        ["Content-Disposition", "attachment; filename=data.bin"],
      ],
      body: "x",
    },
  }),
  t("response contentInfo attachment utf-8", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: {
      headers: [
        ["Content-Type", "text/plain"],
        ["Content-Disposition", "attachment; filename*=UTF-8''na%C3%AFve.txt; filename=plain.txt"],
      ],
      body: "x",
    },
  }),
  t(
    "response contentInfo attachment utf-8 lower",
    "console.log(JSON.stringify(pm.response.contentInfo()));",
    {
      response: {
        headers: [
          ["Content-Type", "text/plain"],
          ["Content-Disposition", "attachment; filename*=utf-8''na%C3%AFve.txt"],
        ],
        body: "x",
      },
    },
  ),
  t("response contentInfo attachment latin1", "console.log(JSON.stringify(pm.response.contentInfo()));", {
    response: {
      headers: [
        ["Content-Type", "text/plain"],
        ["Content-Disposition", "attachment; filename*=iso-8859-1'en'caf%E9.txt"],
      ],
      body: "x",
    },
  }),
  t("response text on html", "console.log(pm.response.text());", { response: html }),
  t("request headers each", "pm.request.headers.each((h) => console.log(h.key + '=' + h.value));"),
  t(
    "request url query toObject",
    "console.log(pm.request.url.query.toObject(), pm.request.url.query.count());",
  ),
  t(
    "request url getPathWithQuery",
    "console.log(pm.request.url.getPathWithQuery(), pm.request.url.getRemote(), pm.request.url.port);",
  ),
  t("request url query each", "pm.request.url.query.each((q) => console.log(q.key, q.value));"),
  t("request url host array", "console.log(pm.request.url.host, pm.request.url.path);"),
  t(
    "request body urlencoded via update",
    "pm.request.body.update({ mode: 'raw', raw: 'a=1' }); console.log(pm.request.body.mode, pm.request.body.raw);",
    { event: "prerequest" },
  ),
  t(
    "request headers upsert new",
    "pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer ' + pm.environment.get('token') });",
    { event: "prerequest" },
  ),
  t("request auth read", "console.log(typeof pm.request.auth);"),
  t(
    "environment set then get in same script",
    "pm.environment.set('fresh', 'v'); pm.test('fresh', () => pm.expect(pm.environment.get('fresh')).to.equal('v'));",
  ),
  t(
    "environment set undefined then get",
    "pm.environment.set('u', undefined); console.log(pm.environment.get('u'), pm.environment.has('u'));",
    {
      known:
        "scopes are JSON: a value set to undefined goes back to the engine as null (Newman's scope keeps undefined)",
    },
  ),
  t("globals replaceIn", "console.log(pm.globals.replaceIn('{{g}}-{{token}}'));"),
  t(
    "collectionVariables replaceIn",
    "console.log(pm.collectionVariables.replaceIn('{{apiVersion}}/{{g}}'));",
  ),
  t(
    "environment replaceIn own scope only",
    "console.log(pm.environment.replaceIn('{{token}}/{{g}}/{{user}}'), pm.iterationData.replaceIn('{{user}}/{{token}}'));",
  ),
  t(
    "scope replaceIn dynamic",
    "console.log(pm.globals.replaceIn('{{$guid}}').length, pm.environment.replaceIn({ a: ['{{count}}'] }));",
  ),
  t(
    "btoa binary and padding",
    "console.log(btoa('a'), btoa('ab'), btoa('abc'), btoa('é'), btoa(''), btoa(12));",
  ),
  t("environment toJSON", "console.log(JSON.stringify(pm.environment.toJSON().values.map((v) => v.key)));"),
  t(
    "scopes toJSON values",
    "console.log(JSON.stringify([pm.environment, pm.globals, pm.collectionVariables, pm.variables, pm.iterationData].map((s) => s.toJSON().values)), typeof pm.globals.toJSON().id, pm.environment.toJSON().name);",
  ),
  t(
    "variables get number from data",
    "console.log(pm.variables.get('n') + 1, typeof pm.variables.get('n'));",
  ),
  t(
    "set from response json",
    "pm.environment.set('userId', pm.response.json().id); pm.collectionVariables.set('city', pm.response.json().address.city);",
  ),
  t("set json string", "pm.environment.set('user', JSON.stringify(pm.response.json().address));"),
  t(
    "prerequest timestamp var",
    "pm.variables.set('ts', String(1700000000000)); pm.environment.set('nonce', 'abc');",
    { event: "prerequest" },
  ),
  t("prerequest console of request", "console.log(pm.request.url.toString(), pm.request.method);", {
    event: "prerequest",
  }),
  t("prerequest test counts", "pm.test('in prerequest', () => pm.expect(1).to.equal(2));", {
    event: "prerequest",
  }),
  t("prerequest setNextRequest", "postman.setNextRequest('Other');", { event: "prerequest" }),
  t("prerequest legacy request data", "console.log(request.method, JSON.stringify(request.data));", {
    event: "prerequest",
  }),
  t(
    "ajv on new Ajv logger",
    "const Ajv = require('ajv'); const ajv = new Ajv(); ajv.compile({ $ref: '#/definitions/a', type: 'object', definitions: { a: { type: 'object' } } }); console.log('compiled');",
  ),
  t(
    "ajv with own logger",
    "const Ajv = require('ajv'); const ajv = new Ajv({ logger: console }); ajv.compile({ $ref: '#/definitions/a', type: 'object', definitions: { a: {} } }); console.log(ajv instanceof Ajv, typeof Ajv.ValidationError);",
  ),
  t(
    "moment suppress flag",
    "const moment = require('moment'); moment.suppressDeprecationWarnings = false; moment('13/45/2020'); console.log('after');",
    {
      known:
        "edgerun's moment is told to suppress its deprecation warnings (they would reach the script's console; postman-sandbox's moment has none): a script that turns them back on sees them",
    },
  ),
  t(
    "ajv with format",
    "const Ajv = require('ajv'); const ajv = new Ajv(); const v = ajv.compile({ type: 'string', format: 'email' }); console.log(v('not-an-email'), v('a@b.co'));",
  ),
  t(
    "tv4 multiple",
    "console.log(tv4.validateMultiple({ a: 1, b: 'x' }, { properties: { a: { type: 'string' }, b: { type: 'number' } } }).errors.map((e) => e.message));",
  ),
  t("lodash legacy chain", "console.log(_.chain([3, 1, 2]).sortBy().first().value(), _.contains([1], 1));"),
  t(
    "CryptoJS AES roundtrip",
    "const k = 'secret'; const enc = CryptoJS.AES.encrypt('msg', k).toString(); console.log(CryptoJS.AES.decrypt(enc, k).toString(CryptoJS.enc.Utf8));",
  ),
  t(
    "CryptoJS SHA1 base64",
    "console.log(CryptoJS.SHA1('abc').toString(CryptoJS.enc.Base64), CryptoJS.enc.Base64.parse('YWJj').toString(CryptoJS.enc.Utf8));",
  ),
  t(
    "moment format locale",
    "const moment = require('moment'); console.log(moment.utc(86400000).format('dddd, MMMM Do YYYY'), moment.utc(0).unix());",
  ),
  t("btoa unicode throws", "btoa('✓');"),
  t(
    "Buffer hex",
    "console.log(Buffer.from('ab').toString('hex'), Buffer.isBuffer(Buffer.alloc(1)), Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString());",
  ),
  t("structured eval", "console.log(eval('1 + 1'), typeof Function('return 1'));"),
  t("global this keys", "console.log(typeof globalThis, typeof window, typeof global, typeof process);"),
  t(
    "string methods",
    "console.log('a-b'.split('-'), 'x'.padStart(3, '0'), [1, 2, 3].includes(2), Object.entries({ a: 1 }));",
  ),
  t("Date parse", "console.log(new Date('2024-01-15T10:30:00Z').getTime(), Date.parse('bad'));"),
  t(
    "Intl number",
    "console.log((1234.5).toFixed(1), Number('12px'), parseInt('12px'), (0.1 + 0.2).toString());",
  ),
];

const SDK_OBJECTS: DiffCase[] = [
  pt("expect response property code fails", "pm.expect(pm.response).to.have.property('code', 201)"),
  pt("expect response eql fails", "pm.expect(pm.response.code).to.be.oneOf([201, 204])"),
  pt("expect request header include", "pm.expect(pm.request.headers.get('Accept')).to.include('xml')"),
  pt(
    "expect headers object fails",
    "pm.expect(pm.response.headers.toObject()).to.have.property('x-missing')",
  ),
  pt("expect response headers has", "pm.expect(pm.response.headers.has('X-Request-Id')).to.be.true"),
  pt("expect header value undefined", "pm.expect(pm.response.headers.get('X-None')).to.eql('x')"),
  pt("expect response to be an object", "pm.expect(pm.response).to.be.a('string')"),
  pt(
    "expect request url to equal",
    "pm.expect(pm.request.url.toString()).to.equal('https://api.example.com/users/8')",
  ),
  pt("expect url object", "pm.expect(pm.request.url).to.eql('x')"),
  pt("expect headers list", "pm.expect(pm.response.headers).to.eql([])"),
  t("console.log url object", "console.log(JSON.stringify(pm.request.url));"),
  pt("expect url with auth", "pm.expect(pm.request.url).to.eql('x')", {
    request: { url: "https://u:p@api.example.com/x" },
  }),
  t(
    "url auth read and set",
    "console.log(JSON.stringify(pm.request.url.auth)); pm.request.url.auth = { user: 'x', password: 'y' }; console.log(pm.request.url.toString());",
    { event: "prerequest", request: { url: "https://u:p@api.example.com/x" } },
  ),
  t("console.log pm.request.url", "console.log(pm.request.url.toString(), String(pm.request.url));"),
  t("console.log pm.response.headers", "console.log(pm.response.headers.all().length);"),
  t(
    "console.log scope toObject nested",
    "pm.environment.set('o', { a: { b: [1, 2] } }); console.log(pm.environment.get('o'), typeof pm.environment.get('o'));",
  ),
  t("tests with names of all kinds", "tests[42] = true; tests['quote \"name\"'] = false; tests[''] = true;"),
  t("tests reassigned", "tests['x'] = false; tests['x'] = true;"),
  t("postman.getResponseCookie", "console.log(postman.getResponseCookie('sid'));"),
  t("responseCookies legacy", "console.log(JSON.stringify(responseCookies));"),
  t("xml2Json attributes", "console.log(JSON.stringify(xml2Json('<r a=\"1\"><i>x</i><i>y</i></r>')));"),
  t("xml2Json invalid", "console.log(JSON.stringify(xml2Json('not xml')));"),
  t("cheerio text of body", "const $ = cheerio.load(pm.response.text()); console.log($('body').text());", {
    response: html,
  }),
  t(
    "JSON.stringify response json",
    "console.log(JSON.stringify(pm.response.json(), null, 2).split('\\n').length);",
  ),
  t(
    "pm.response.json reviver-free",
    "const a = pm.response.json(); const b = pm.response.json(); console.log(a === b, a.items[1].price);",
  ),
  t(
    "object spread of json",
    "const { name, ...rest } = pm.response.json(); console.log(name, Object.keys(rest).length);",
  ),
  t("destructure undefined", "const { a } = pm.response.json().missing;", {
    known:
      "QuickJS operand naming: V8 names the destructured value ('Cannot destructure property 'a' of ...'), documented in README",
  }),
  t("in operator on undefined", "'x' in pm.response.json().missing;", {
    known: "QuickJS operand naming: V8 names the right operand of in, documented in README",
  }),
  t("call of undefined method on response", "pm.response.jsonp();"),
  t("assign to const", "const c = 1; c = 2;"),
  t("stack overflow", "function f() { return f(); } f();", {
    known:
      "the stack limit is the QuickJS host's: the script ends with ScriptStackError (README, Script backends)",
  }),
  t("array method on undefined", "pm.response.json().missing.forEach((x) => x);"),
  t("null property in test", "pm.test('null prop', () => { pm.response.json().nothing.id; });"),
];

const CHAI_MORE: DiffCase[] = [
  pt("eql 41-char object", "pm.expect({ abcdefghij: 'abcdefghij', klmnopq: 'rs' }).to.eql({})"),
  pt("eql 39-char object", "pm.expect({ abcdefghij: 'abcdefghij', klmn: 'r' }).to.eql({})"),
  pt("array of 41 chars", "pm.expect(['abcdefghij', 'abcdefghij', 'abcdefghij']).to.eql([])"),
  pt("long string in object", "pm.expect({ s: 'x'.repeat(60) }).to.eql({ s: 'y' })"),
  pt(
    "nested object in array truncated",
    "pm.expect([{ a: { b: { c: 'deep value here' } } }, 2]).to.deep.equal([1])",
  ),
  pt("include with long haystack", "pm.expect(pm.response.text()).to.include('Grace Hopper')"),
  pt("property of long object", "pm.expect(pm.response.json()).to.have.property('name', 'Grace')"),
  pt(
    "nested property value fails",
    "pm.expect(pm.response.json()).to.have.nested.property('address.city', 'Lyon')",
  ),
  pt("keys of response fails", "pm.expect(pm.response.json()).to.have.all.keys('id', 'name')"),
  pt("members of tags", "pm.expect(pm.response.json().tags).to.have.members(['admin'])"),
  pt("include members of items", "pm.expect(pm.response.json().items).to.deep.include({ id: 3, price: 1 })"),
  pt("lengthOf of items", "pm.expect(pm.response.json().items).to.have.lengthOf.above(5)"),
  pt("every item satisfies", "pm.expect(pm.response.json().items.every((i) => i.price > 15)).to.be.true"),
  pt("number close to", "pm.expect(pm.response.json().score).to.be.closeTo(9, 0.2)"),
  pt("approximately", "pm.expect(1.5).to.approximately(2, 0.1)"),
  pt(
    "date string a date",
    "pm.expect(new Date(pm.response.json().createdAt)).to.be.above(new Date('2025-01-01'))",
  ),
  pt("null equal object", "pm.expect(pm.response.json().nothing).to.eql({})"),
  pt("undefined exist message", "pm.expect(pm.response.json().missing, 'missing field').to.exist"),
  pt("not exist fails", "pm.expect(pm.response.json().id).to.not.exist"),
  pt("typeof check", "pm.expect(typeof pm.response.json().id).to.eql('string')"),
  pt("string length", "pm.expect(pm.response.json().email).to.have.length(3)"),
  pt("string not empty", "pm.expect('').to.not.be.empty"),
  pt("is.not.undefined fails", "pm.expect(undefined).to.not.be.undefined"),
  pt("is.undefined fails", "pm.expect(pm.response.json().id).to.be.undefined"),
  pt("is.NaN fails", "pm.expect(1).to.be.NaN"),
  pt("extensible fails", "pm.expect(Object.freeze({})).to.be.extensible"),
  pt("frozen fails", "pm.expect({}).to.be.frozen"),
  pt("ownPropertyDescriptor fails", "pm.expect({ a: 1 }).to.have.ownPropertyDescriptor('b')"),
  pt("change fails", "const o = { v: 1 }; pm.expect(() => {}).to.change(o, 'v')"),
  pt("string contain with custom message", "pm.expect('abc').to.contain('z', 'has z')"),
  pt("include object subset deep", "pm.expect({ a: { b: 1 }, c: 2 }).to.deep.include({ a: { b: 2 } })"),
  pt("oneOf numbers", "pm.expect(pm.response.code).to.be.oneOf([201, 202, 204])"),
  pt("match regex with flags", "pm.expect('ABC').to.match(/abc$/m)"),
  pt(
    "throw with instance",
    "const e = new TypeError('x'); pm.expect(() => { throw e; }).to.throw(new TypeError('y'))",
  ),
  pt(
    "throw class and message",
    "pm.expect(() => { throw new RangeError('out of range'); }).to.throw(RangeError, 'in range')",
  ),
  pt("assert deepEqual", "require('chai').assert.deepEqual({ a: [1] }, { a: [2] })"),
  pt("assert include", "require('chai').assert.include([1, 2], 3, 'contains 3')"),
  pt("assert typeOf", "require('chai').assert.typeOf(1, 'string')"),
  pt("assert property", "require('chai').assert.property({}, 'x')"),
  pt("assert lengthOf", "require('chai').assert.lengthOf([1], 2)"),
  pt("node assert strictEqual", "require('assert').strictEqual(1, 2)"),
  pt("node assert deepStrictEqual", "require('assert').deepStrictEqual({ a: 1 }, { a: 2 })"),
  pt("node assert ok", "require('assert').ok(false)"),
  pt("node assert with message", "require('assert').equal(1, 2, 'one is not two')"),
];

// H44: modules and globals real-world collections rely on (bench/real-world-diff.ts findings).
const REAL_WORLD_MODULES: DiffCase[] = [
  t(
    "uuid module is callable",
    "const uuid = require('uuid'); console.log(typeof uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid()), uuid.v4 === uuid, typeof uuid.v4, Object.keys(uuid), uuid.length, uuid.v4.length);",
  ),
  t(
    "btoa and atob modules",
    "const b = require('btoa'); const a = require('atob'); console.log(typeof b, b('héllo'), b('ab'), typeof a, a('aGk='), a('aGk'), typeof a.atob, a.atob === a, Object.keys(a), Object.keys(b));",
  ),
  t(
    "json module is liquid-json",
    "const J = require('json'); console.log(Object.keys(J), J.parse('\\ufeff{\"a\":1}').a, J.stringify({ b: [1] })); try { J.parse('{x'); } catch (e) { console.log(e.name); }",
  ),
  t(
    "scopes set undefined read back in the same script",
    "pm.environment.set('b', undefined); pm.globals.set('g2', undefined); pm.collectionVariables.set('c2', undefined); console.log(pm.environment.get('b'), typeof pm.globals.get('g2'), pm.collectionVariables.get('c2'), pm.environment.has('b'), pm.variables.get('b'), pm.variables.has('b'), 'b' in pm.environment.toObject()); pm.environment.unset('b'); pm.globals.unset('g2'); pm.collectionVariables.unset('c2');",
    { event: "prerequest" },
  ),
  t(
    "eval'd UMD bundle uses Buffer",
    "pm.collectionVariables.set('lib', \"(function (root, factory) { if (typeof module === 'object' && module.exports) { module.exports = factory(); } else { root.b64lib = factory(); } })(this, function () { return { enc: function (s) { return Buffer.from(s).toString('base64'); } }; });\"); eval(pm.collectionVariables.get('lib')); console.log(typeof this.b64lib, this.b64lib.enc('hi'), typeof this.Buffer, typeof this.pm); pm.collectionVariables.unset('lib'); delete this.b64lib;",
  ),
  t(
    "globals named only by code from strings",
    "const probe = (f) => { try { return f(); } catch (e) { return e.name; } }; console.log(['Buffer', '_', 'CryptoJS', 'tv4', 'responseBody', 'postman', 'xml2Json', 'pm'].map((n) => [n, probe(() => eval('typeof ' + n)), probe(() => new Function('return typeof ' + n)()), probe(() => typeof this[n])].join(':')).join(' '), probe(() => eval('CryptoJS.MD5(\\'a\\').toString()')), probe(() => eval('Buffer.from(\\'a\\').length')));",
  ),
  t("SyntaxError of an eval'd JSON object", 'eval(\'{"args":{},"data":""}\');'),
  t("SyntaxError of an eval'd statement", "eval('var x = ;');"),
];

// A scope's `values` is the SDK's VariableList (real collections filter and map it).
const SCOPE_VALUES: DiffCase[] = [
  t(
    "scope values as a list",
    "const v = pm.environment.values; console.log(v.count(), v.filter((x) => x.key === 'baseUrl').map((x) => x.value), v.map((x) => x.key).join(','), typeof v.each, v.has('token'), v.get('baseUrl'), JSON.stringify(v.toObject()));",
  ),
  t(
    "scope values each and find",
    "const keys = []; pm.environment.values.each((x) => keys.push(x.key)); console.log(keys, pm.globals.values.find((x) => x.key === 'g') && pm.globals.values.find((x) => x.key === 'g').value, pm.collectionVariables.values.all().length, pm.environment.values.idx(0).key);",
  ),
  t(
    "scope values after set",
    "pm.environment.set('n', 5); console.log(pm.environment.values.count(), pm.environment.values.map((x) => [x.key, typeof x.value, x.type].join(':')).join(' '));",
  ),
  t(
    "scope values filtered, then Sugar's each",
    "const keep = ['baseUrl']; const drop = pm.environment.values.filter((x) => !keep.includes(x.key)); drop.each((x) => pm.environment.unset(x.key)); console.log(pm.environment.values.map((x) => x.key));",
  ),
  t(
    "scope values all as JSON",
    "console.log(JSON.stringify(pm.environment.values.all().map((x) => [x.key, x.value, x.type])));",
  ),
];

/** The globals a script sees: postman-sandbox deletes every global its allow-list does not name. */
const GLOBALS: DiffCase[] = [
  t(
    "globals: platform and newer built-ins are not defined",
    "console.log([typeof crypto, typeof fetch, typeof Request, typeof Response, typeof Headers, typeof navigator, typeof performance, typeof queueMicrotask, typeof structuredClone, typeof TextEncoder, typeof TextDecoder, typeof URL, typeof URLSearchParams, typeof AbortController, typeof WebAssembly, typeof global, typeof globalThis, typeof self, typeof window, typeof EventTarget, typeof Event, typeof Intl, typeof WeakRef, typeof FinalizationRegistry, typeof AggregateError, typeof Iterator, typeof Blob, typeof module, typeof exports].join());",
  ),
  t(
    "globals: what a script has",
    "console.log([typeof setTimeout, typeof atob, typeof btoa, typeof escape, typeof SharedArrayBuffer, typeof Symbol, typeof Proxy, typeof Reflect, typeof require, typeof Buffer, typeof postman, typeof _, typeof CryptoJS, typeof tv4, typeof xml2Json, typeof eval, typeof Function, typeof WeakMap, typeof BigInt].join());",
  ),
  t(
    "globals: crypto or CryptoJS",
    "const hex = typeof crypto !== 'undefined' ? 'webcrypto' : CryptoJS.lib.WordArray.random(16).toString(); console.log(hex.length, CryptoJS.lib.WordArray.random(8).sigBytes, require('crypto-js').lib.WordArray.random(4).words.length);",
  ),
  t("globals: naming crypto", "const id = crypto.randomUUID(); console.log(id);"),
  t("globals: naming globalThis", "globalThis.token = 'x'; pm.environment.set('t', token);"),
  t(
    "globals: naming global, WeakRef",
    "for (const f of [() => global.x, () => new WeakRef({}), () => new TextEncoder()]) { try { f(); } catch (e) { console.log(e.name); } }",
  ),
  t(
    "globals: a script's own crypto stays",
    "crypto = { randomUUID: () => 'mine' }; console.log(typeof crypto, crypto.randomUUID(), require('uuid')().length, CryptoJS.lib.WordArray.random(4).sigBytes);",
  ),
  t(
    "globals: the global object's names",
    "const G = Function('return this')(); console.log(['crypto', 'globalThis', 'global', 'EventTarget', 'WeakRef', 'Iterator', 'AggregateError'].filter((n) => n in G));",
  ),
];

/** pm.sendRequest answered in the sandbox itself: a falsy request is "nothing to request", nothing sent. */
const SEND_REQUEST_FALSY: DiffCase[] = [
  t(
    "pm.sendRequest of a falsy request",
    "['', undefined, null, 0, false].forEach(function (req) { var sync = true; var r = pm.sendRequest(req, function (err) { console.log(sync, arguments.length, err instanceof Error, err.name, err.message, this === pm); }); sync = false; console.log(r); }); console.log(pm.sendRequest(''));",
  ),
  t(
    "pm.sendRequest of a falsy request: its callback's error is the script's",
    "pm.sendRequest('', function (err) { throw new TypeError('from callback: ' + err.message); }); console.log('not reached');",
  ),
];

/** pm.response.to and pm.request.to are own getters of those two objects; neither has a `not`. */
const TO_GETTERS: DiffCase[] = [
  t(
    "pm.response.to and pm.request.to, no .not",
    "console.log(typeof pm.response.to, typeof pm.response.not, typeof pm.request.to, typeof pm.request.not, Object.keys(pm.response).includes('to'), 'to' in pm.response, Object.keys(pm.request).includes('to')); pm.test('ok', () => pm.response.to.be.ok);",
  ),
  t("pm.response.not is undefined", "pm.test('not', () => pm.response.not.to.have.status(500));"),
  t(
    "pm.response.to kept in a variable",
    "const to = pm.response.to; pm.test('kept', () => to.have.status(200));",
  ),
];

/** `.jsonBody(path)` reads its path as lodash does: `""`, a plain word or an own dotted name is one key. */
const JSON_BODY_KEYS: DiffCase[] = [
  pt("jsonBody('') is not a property", "pm.response.to.not.have.jsonBody('')"),
  pt("jsonBody('') fails", "pm.response.to.have.jsonBody('')"),
  pt("jsonBody('', undefined) fails", "pm.response.to.have.jsonBody('', undefined)"),
  pt("jsonBody of a dotted path", "pm.response.to.have.jsonBody('address.city')"),
  pt("jsonBody of a bracket path", "pm.response.to.have.jsonBody('tags[0]')"),
];

export const CASES: DiffCase[] = [
  ...SCOPE_VALUES,
  ...REQUEST_CASES,
  ...REAL_WORLD_MODULES,
  ...CHAI_MORE,
  ...MORE,
  ...SDK_OBJECTS,
  ...RESPONSE_AND_CHAI,
  ...SCOPES_AND_REQUEST,
  ...LIBRARIES,
  ...CONSOLE_AND_ERRORS,
  ...ASYNC_AND_FLOW,
  ...LEGACY,
  ...GLOBALS,
  ...SEND_REQUEST_FALSY,
  ...TO_GETTERS,
  ...JSON_BODY_KEYS,
];
