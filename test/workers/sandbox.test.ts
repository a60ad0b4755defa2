/**
 * The QuickJS sandbox inside workerd, through the public API: libraries by realistic use,
 * pm.sendRequest over the engine's HTTP path, each limit failing one script while the run goes on,
 * and no Worker binding reachable from a script.
 */
import { describe, expect, it } from "vitest";
import { api, readSse, target } from "./helpers";

interface Req {
  item: { name: string };
  assertions: Array<{ name: string; passed: boolean; error?: { message: string } }>;
  scriptErrors: Array<{ name: string; message: string }>;
  console: Array<{ message: string }>;
}

const item = (name: string, test: string[], url = `${target()}/json`) => ({
  name,
  request: { method: "GET", url },
  event: [{ listen: "test", script: { exec: test } }],
});

async function runCollection(items: unknown[], options: Record<string, unknown> = {}): Promise<Req[]> {
  const res = await api("/v1/runs", {
    method: "POST",
    body: JSON.stringify({ collection: { info: { name: "sandbox" }, item: items }, options }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const events = await readSse(await api(`/v1/runs/${id}/events`));
  expect(events.at(-1)!.event).toBe("run.completed");
  return events.filter((e) => e.event === "request.completed").map((e) => e.data as unknown as Req);
}

describe("sandbox in workerd", () => {
  it("loads the bundled libraries on demand and uses them", async () => {
    const [r] = await runCollection([
      item("libraries", [
        "var _ = require('lodash'), CryptoJS = require('crypto-js'), moment = require('moment');",
        "var Ajv = require('ajv'), xml2js = require('xml2js'), cheerio = require('cheerio');",
        "const parse = require('csv-parse/lib/sync'), url = require('url'), qs = require('querystring');",
        "pm.test('lodash', () => pm.expect(_.get({ a: { b: [1, 2] } }, 'a.b[1]')).to.equal(2));",
        "pm.test('crypto-js', () => pm.expect(CryptoJS.enc.Base64.stringify(CryptoJS.HmacSHA256('m', 'k'))).to.have.lengthOf(44));",
        "pm.test('moment', () => pm.expect(moment.utc('2024-02-29').add(1, 'year').format('YYYY-MM-DD')).to.equal('2025-02-28'));",
        "pm.test('ajv', () => { const v = new Ajv().compile({ type: 'object', required: ['id'] }); pm.expect(v({ id: 1 })).to.be.true; pm.expect(v({})).to.be.false; });",
        "xml2js.parseString('<r><id>7</id></r>', (err, out) => pm.test('xml2js', () => pm.expect(out.r.id[0]).to.equal('7')));",
        "pm.test('cheerio', () => pm.expect(cheerio.load('<ul><li>a</li><li>b</li></ul>')('li').length).to.equal(2));",
        "pm.test('csv-parse', () => pm.expect(parse('x,y\\n1,2', { columns: true })[0].y).to.equal('2'));",
        "pm.test('url + querystring', () => pm.expect(qs.parse(url.parse('http://h/p?a=1&b=2').query).b).to.equal('2'));",
        "pm.test('uuid', () => pm.expect(require('uuid').v4()).to.match(/^[0-9a-f]{8}-/));",
      ]),
    ]);
    expect(r!.scriptErrors).toEqual([]);
    expect(r!.assertions.filter((a) => !a.passed)).toEqual([]);
    expect(r!.assertions).toHaveLength(9);
  });

  it("runs pm.sendRequest through the engine's HTTP path, callback and promise styles", async () => {
    const [r] = await runCollection([
      item("send", [
        `pm.sendRequest('${target()}/get?via=callback', (err, res) => pm.test('callback', () => pm.expect(res.json().args.via).to.equal('callback')));`,
        `pm.sendRequest({ url: '${target()}/post', method: 'POST', header: { 'Content-Type': 'application/json' }, body: { mode: 'raw', raw: '{"n":1}' } })`,
        "  .then((res) => pm.test('promise', () => pm.expect(res.json().json.n).to.equal(1)));",
      ]),
    ]);
    expect(r!.scriptErrors).toEqual([]);
    expect(r!.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["callback", true],
      ["promise", true],
    ]);
  });

  it("fails a looping, allocating or recursing script alone; the run and the isolate carry on", {
    timeout: 120_000,
  }, async () => {
    const reqs = await runCollection(
      [
        item("loop", ["while (true) {}"]),
        item("alloc", ["const a = []; while (true) a.push({ n: a.length, s: 'payload' + a.length });"]),
        item("recurse", ["function f(n) { return f(n + 1) + 1; } f(0);"]),
        item("after", ["pm.test('still alive', () => pm.response.to.have.status(200));"]),
      ],
      { timeoutScript: 1000 },
    );
    expect(reqs.map((r) => [r.item.name, r.scriptErrors[0]?.name ?? null])).toEqual([
      ["loop", "ScriptTimeoutError"],
      ["alloc", expect.stringMatching(/ScriptMemoryError|ScriptTimeoutError/)],
      ["recurse", expect.stringMatching(/ScriptStackError|RangeError|InternalError/)],
      ["after", null],
    ]);
    expect(reqs[3]!.assertions[0]).toMatchObject({ name: "still alive", passed: true });
  });

  it("reaches no Worker binding, global or secret from a script", async () => {
    const [r] = await runCollection([
      item("probe", [
        "const names = ['fetch', 'caches', 'env', 'RUN_COORDINATOR', 'WORKSPACE', 'ADMIN_TOKEN', 'WebSocket', 'scheduler', 'navigator'];",
        "pm.test('no host globals', () => pm.expect(names.filter((n) => typeof this[n] !== 'undefined')).to.eql([]));",
        "pm.test('no process', () => pm.expect(typeof process).to.equal('undefined'));",
        "pm.test('no fs: the empty module Newman bundles', () => pm.expect(require('fs')).to.eql({}));",
        "pm.test('no eval escape', () => pm.expect(typeof (0, eval)('this.__host')).to.equal('undefined'));",
      ]),
    ]);
    expect(r!.scriptErrors).toEqual([]);
    expect(r!.assertions.filter((a) => !a.passed)).toEqual([]);
    expect(r!.assertions).toHaveLength(4);
  });

  it("contains a 10,000-request pm.sendRequest loop: at most 200 reach the target, the run goes on", async () => {
    const bucket = `flood-${crypto.randomUUID()}`;
    const reqs = await runCollection([
      item("flood", [
        `for (let i = 0; i < 10000; i++) pm.sendRequest('${target()}/limited/${bucket}?i=' + i, () => {});`,
      ]),
      item("after", ["pm.test('still alive', () => pm.response.to.have.status(200));"]),
    ]);
    expect(reqs[0]!.scriptErrors).toEqual([
      expect.objectContaining({
        name: "ScriptLimitError",
        message: "pm.sendRequest: a script may send at most 200 requests (limit reached)",
      }),
    ]);
    expect(reqs[1]!.assertions[0]).toMatchObject({ name: "still alive", passed: true });
    const stats = (await (await fetch(`${target()}/stats/limited-${bucket}`)).json()) as { count: number };
    expect(stats.count).toBe(200);
  });

  it("refuses an 8 MB variable as a script error; a script's changes to built-ins stay for the run, as in Newman", async () => {
    const reqs = await runCollection([
      item("big", [
        "Object.prototype.polluted = 1; Date.now = () => 0;",
        "pm.environment.set('kept', 'yes'); pm.environment.set('big', 'x'.repeat(8e6));",
      ]),
      item("after", [
        "pm.test('not set', () => pm.expect(pm.environment.has('big')).to.equal(false));",
        "pm.test('set before the error', () => pm.expect(pm.environment.get('kept')).to.equal('yes'));",
        "pm.test('changes kept', () => { pm.expect({}.polluted).to.equal(1); pm.expect(Date.now()).to.equal(0); });",
      ]),
    ]);
    expect(reqs[0]!.scriptErrors[0]).toMatchObject({ name: "ScriptLimitError" });
    expect(reqs[0]!.scriptErrors[0]!.message).toContain("a variable's value may be at most 1048576 (1 MiB)");
    expect(reqs[1]!.scriptErrors).toEqual([]);
    expect(reqs[1]!.assertions.map((a) => [a.name, a.passed])).toEqual([
      ["not set", true],
      ["set before the error", true],
      ["changes kept", true],
    ]);
  });

  it("runs Newman's legacy sandbox (Sugar, lodash 3, postman.*) and really waits for timers", async () => {
    const [r] = await runCollection([
      item("legacy", [
        "tests['Sugar has'] = responseBody.has('Leanne');",
        "tests['lodash 3'] = _.VERSION === '3.10.2' && _.pluck([{ a: 1 }], 'a')[0] === 1;",
        "postman.setEnvironmentVariable('n', 5);",
        "tests['postman.* stores strings'] = environment.n === '5' && pm.environment.get('n') === '5';",
        "tests['falsy'] = 0;",
        "const t0 = Date.now();",
        "setTimeout(() => pm.test('waited', () => pm.expect(Date.now() - t0).to.be.at.least(90)), 100);",
      ]),
    ]);
    expect(r!.scriptErrors).toEqual([]);
    expect(r!.assertions.map((a) => [a.name, a.passed, a.error?.message ?? null])).toEqual([
      ["waited", true, null],
      ["Sugar has", true, null],
      ["lodash 3", true, null],
      ["postman.* stores strings", true, null],
      ["falsy", false, "expected 0 to be truthy"],
    ]);
  });
});
