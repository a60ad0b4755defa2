/**
 * sandbox-diff cases for the request and response objects' SDK surface (postman-collection): what a script
 * reads back after assigning to pm.request, the list methods on headers and query, auth parameter lists,
 * and the response helpers real collections call. Part of sandbox-diff-corpus.ts's CASES.
 */
import type { DiffCase } from "./sandbox-diff-corpus";

const t = (name: string, source: string, extra: Partial<DiffCase> = {}): DiffCase => ({
  name,
  source,
  ...extra,
});
const pre = (name: string, source: string, extra: Partial<DiffCase> = {}): DiffCase =>
  t(name, source, { event: "prerequest", ...extra });
const basic = {
  type: "basic",
  basic: [
    { key: "username", value: "ada" },
    { key: "password", value: "s3cret" },
  ],
};

/** The cases (see the file's comment). */
export const REQUEST_CASES: DiffCase[] = [
  // The request afterwards is compared: replacing the list by null or an array is what is sent.
  pre("headers replaced by null", "pm.request.headers = null;"),
  pre("headers replaced by an array", "pm.request.headers = [{ key: 'X-Arr', value: '1' }];"),
  pre(
    "disabled members in list methods",
    "pm.request.headers.add({ key: 'X-Off', value: '1', disabled: true }); pm.request.headers.add({ key: 'X-On', value: '2' }); const h = pm.request.headers; const keys = []; h.each((m) => keys.push(m.key)); console.log(h.count(), JSON.stringify(keys), JSON.stringify(h.all().map((m) => m.key)), JSON.stringify(h.map((m) => m.key)), h.filter((m) => m.disabled).length, h.find((m) => m.key === 'X-Off') !== undefined, h.idx(h.count() - 2) && h.idx(h.count() - 2).key, h.reduce((n) => n + 1, 0), h.indexOf('X-Off'), String(h).includes('X-Off'));",
  ),
  pre(
    "lists as strings",
    "pm.request.headers.add({ key: 'X-Off', value: '1', disabled: true }); console.log(JSON.stringify(String(pm.request.headers)), JSON.stringify(pm.request.headers.toString()), JSON.stringify(String(pm.request.url.query)));",
  ),
  pre(
    "form and query lists with disabled members",
    "pm.request.body.update({ mode: 'urlencoded', urlencoded: [{ key: 'a', value: '1' }, { key: 'b', value: '2', disabled: true }] }); const f = pm.request.body.urlencoded; pm.request.url.query.add({ key: 'off', value: 'x', disabled: true }); console.log(f.count(), JSON.stringify(f.toObject()), JSON.stringify(f.toObject(true)), String(pm.request.body), JSON.stringify(pm.request.url.query.toObject()), JSON.stringify(pm.request.url.query.toJSON()), pm.request.url.getPathWithQuery());",
  ),
  t(
    "cookies as text",
    "console.log(JSON.stringify(String(pm.cookies)), pm.cookies.count(), JSON.stringify(String(pm.response.cookies)));",
  ),
  t(
    "response headers as text",
    "console.log(JSON.stringify(pm.response.headers.toString()), pm.response.headers.count());",
  ),
  pre(
    "disabled members by key",
    "pm.request.headers.add({ key: 'X-Off', value: '1', disabled: true }); pm.request.url.query.add({ key: 'q', value: 'off', disabled: true }); const h = pm.request.headers; console.log(h.get('X-Off'), h.has('X-Off'), h.one('X-Off') && h.one('X-Off').value, pm.request.url.query.get('q'), pm.request.url.query.count(), pm.request.url.getQueryString(), String(pm.request.url));",
  ),
  pre(
    "url assigned a string",
    "pm.request.url = 'http://x.test/y?z=1'; console.log(typeof pm.request.url, String(pm.request.url), JSON.stringify(pm.request.url));",
  ),
  pre(
    "url assigned a string then sent",
    "pm.request.url = 'https://api.example.com/other/{{token}}?q=1'; console.log(JSON.stringify(pm.request.toJSON().url), pm.request.url.toString());",
  ),
  pre(
    "url assigned an object",
    "pm.request.url = { host: ['a', 'test'], path: ['p'], protocol: 'https' }; console.log(typeof pm.request.url, String(pm.request.url));",
  ),
  pre(
    "addHeader with a number",
    "pm.request.addHeader({ key: 'n', value: 5 }); console.log(pm.request.headers.get('n'), typeof pm.request.headers.get('n'), JSON.stringify(pm.request.headers.toObject()), JSON.stringify(pm.request.headers));",
  ),
  pre(
    "headers add and upsert with numbers",
    "pm.request.headers.add({ key: 'a', value: 1 }); pm.request.headers.upsert({ key: 'a', value: 2 }); pm.request.headers.upsert({ key: 'b', value: true }); console.log(JSON.stringify(pm.request.headers.toObject()), typeof pm.request.headers.get('a'));",
  ),
  pre(
    "headers add null and undefined values",
    "pm.request.headers.add({ key: 'u' }); pm.request.headers.add({ key: 'n', value: null }); console.log(JSON.stringify(pm.request.headers));",
  ),
  pre(
    "headers upsert with another case",
    "pm.request.headers.upsert({ key: 'accept', value: 'text/xml' }); pm.request.upsertHeader({ key: 'X-N', value: 7 }); console.log(JSON.stringify(pm.request.headers), pm.request.headers.get('x-n'));",
  ),
  pre(
    "headers remove then sent",
    "pm.request.headers.remove('accept'); pm.request.removeHeader('Content-Type'); pm.request.headers.add({ key: 'X-Late', value: 'yes' }); console.log(pm.request.headers.count());",
  ),
  t(
    "request headers each and toObject",
    "pm.request.headers.each((h) => console.log(h.key, h.value)); console.log(JSON.stringify(pm.request.getHeaders()), JSON.stringify(pm.request.headers.toObject()));",
  ),
  t(
    "request getHeaders options and duplicates",
    "pm.request.headers.add({ key: 'accept', value: 'text/xml' }); pm.request.headers.add({ key: 'X-Off', value: '1', disabled: true }); console.log(JSON.stringify(pm.request.getHeaders()), JSON.stringify(pm.request.getHeaders({ enabled: true, ignoreCase: true })), JSON.stringify(pm.request.headers.toObject()), JSON.stringify(pm.request.headers.toObject(true)), pm.request.headers.get('Accept'));",
  ),
  t(
    "response headers toObject with duplicates",
    "console.log(JSON.stringify(pm.response.headers.toObject()), pm.response.headers.get('set-cookie'), JSON.stringify(pm.response.headers.toObject(false, true)));",
    {
      response: {
        headers: [
          ["Content-Type", "application/json"],
          ["Set-Cookie", "a=1"],
          ["Set-Cookie", "b=2; Path=/"],
        ],
      },
    },
  ),
  t(
    "path variable parsed from a string",
    "console.log(JSON.stringify(pm.request.url.variables), pm.request.url.getPath(), JSON.stringify(pm.request.url.toJSON()));",
    { request: { url: "https://api.example.com/users/:id/posts/:postId" } },
  ),
  t(
    "path variables with values and a suffix",
    "pm.request.url.variables.add({ key: 'id', value: '42' }); pm.request.url.variables.add({ key: 'n', value: '' }); console.log(pm.request.url.getPath(), pm.request.url.getPath(true), pm.request.url.getPathWithQuery(), pm.request.url.toString(), String(pm.request.url));",
    {
      event: "test",
      request: { url: "https://api.example.com/users/:id.json/:n/:id?x=1" },
      known:
        "the request handed back: postman-collection's Url#toString fills in path variables; edgerun hands back the template (the engine fills them in when it sends)",
    },
  ),
  t(
    "url helpers",
    "const u = pm.request.url; console.log(u.getQueryString(), u.getPathWithQuery(), u.getHost(), u.getRemote(), u.getRemote(true), u.toString(true)); try { u.getRaw(); } catch (e) { console.log(e.message); } console.log(JSON.stringify(u.query.toObject()), u.query.count(), u.query.get('page'));",
    { request: { url: "http://api.example.com:8080/a/b?page=2&flag&e=#frag" } },
  ),
  pre(
    "query add remove upsert then sent",
    "const q = pm.request.url.query; q.add({ key: 'x', value: 'y' }); q.remove('limit'); q.upsert({ key: 'page', value: '9' }); q.add({ key: 'n', value: 5 }); pm.request.addQueryParams('z=1&w'); pm.request.removeQueryParams(['x']); console.log(pm.request.url.getQueryString(), JSON.stringify(q.toObject()));",
    {
      known:
        "query parameters: edgerun keeps a value a script adds as text (5 → '5', null → ''); postman-collection's QueryParam keeps it and prints a non-text value as the bare key",
    },
  ),
  pre("method assigned", "pm.request.method = 'put'; console.log(pm.request.method);", {
    known: "the engine sends the method in capitals (PUT); Newman hands the request back with it as assigned",
  }),
  t(
    "auth basic list",
    "const a = pm.request.auth; console.log(a.type, typeof a.basic, JSON.stringify(a.basic)); console.log(typeof a.parameters, typeof a.current, typeof a.update, typeof a.use, typeof a.clear);",
    { request: { auth: basic } },
  ),
  t(
    "auth parameters read",
    "const a = pm.request.auth; console.log(a.current(), a.basic.get('username'), JSON.stringify(a.basic.toObject()), a.parameters().get('password'), JSON.stringify(a.parameters().toObject()), a.basic.count(), a.basic.has('username'));",
    { request: { auth: basic } },
  ),
  pre(
    "auth update and use",
    "const a = pm.request.auth; a.update({ username: 'bob' }); console.log(JSON.stringify(a.basic.toObject())); a.use('bearer', { token: 'tk' }); console.log(a.type, a.current(), JSON.stringify(a.parameters().toObject()), JSON.stringify(a.toJSON()));",
    { request: { auth: basic } },
  ),
  pre(
    "auth clear and parameters list methods",
    "const a = pm.request.auth; a.update([{ key: 'extra', value: 1 }], 'basic'); a.update({ key: 'k' }, 'apikey'); console.log(JSON.stringify(a.apikey), a.basic.get('extra'), typeof a.basic.get('extra')); a.clear('apikey'); a.clear('basic'); console.log(JSON.stringify(a), typeof a.apikey, a.parameters().count()); a.use('type'); console.log(a.type);",
    { request: { auth: basic } },
  ),
  t(
    "response helpers",
    "console.log(pm.response.reason(), pm.response.size().body, pm.response.size().header, pm.response.size().total, pm.response.responseSize, JSON.stringify(pm.response.headers.toObject()), pm.response.text());",
  ),
  pre(
    "body urlencoded and formdata toObject",
    "pm.request.body.update({ mode: 'urlencoded', urlencoded: [{ key: 'a', value: '1' }, { key: 'b', value: 'x y' }] }); console.log(JSON.stringify(pm.request.body.urlencoded.toObject()), pm.request.body.toString()); pm.request.body.update({ mode: 'formdata', formdata: [{ key: 'f', value: 'v', type: 'text' }] }); console.log(JSON.stringify(pm.request.body.formdata.toObject()), JSON.stringify(pm.request.body.formdata), pm.request.body.mode);",
  ),
];
