/**
 * The masker: runtime secrets, credential values wherever they reappear, URL userinfo, static names
 * spared, the short-value policy. Engine runs use the real QuickJS sandbox against the local echo target.
 */
import "../../shared/sandbox/quickjs-module.node";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { runMasker } from "../../shared/engine/run-masker";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { credentialForms, MASK, maskDeep, maskUrlUserinfo, staticText } from "../../shared/security/mask";
import { createMasker } from "../../shared/security/masker";

const host = new QuickJSScriptHost({});
const RUNTIME = "rt-Zq81-runtime-canary";
const HEADER = "hd-Xw27-header-canary";
const PASSWORD = "pw-Lm55-basic-canary";

const test = (lines: string[]) => ({ listen: "test", script: { exec: lines } });
const pre = (lines: string[]) => ({ listen: "prerequest", script: { exec: lines } });

async function run(collection: unknown, extra: Record<string, unknown> = {}, checkpoint = false) {
  const plan = buildPlan({ collection: collection as never, options: {}, ...extra }, "mask");
  const { events } = await runLocal(
    plan,
    {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: host,
      now: Date.now,
      random: Math.random,
    },
    { checkpoint },
  );
  return { plan, events, text: JSON.stringify(events) };
}

function leak(text: string, secret: string): string {
  const at = text.indexOf(secret);
  return at < 0 ? "" : text.slice(Math.max(0, at - 200), at + secret.length + 20);
}

describe("runtime secrets (set by a script with type 'secret')", () => {
  const base = () => inject("targetUrl");
  const collection = () => ({
    info: { name: "runtime" },
    item: [
      {
        name: "login",
        event: [
          // The value never appears literally in the collection: the script assembles it.
          pre([`pm.environment.set('rt', ${JSON.stringify(RUNTIME.split("-"))}.join('-'), 'secret');`]),
          test(["console.log('got ' + pm.environment.get('rt'))"]),
        ],
        request: { method: "GET", url: `${base()}/get?t={{rt}}` },
      },
      {
        name: "later",
        event: [
          test([
            "console.log(pm.environment.get('rt'));",
            "pm.test('rt is ' + pm.environment.get('rt'), () => { throw new Error('bad ' + pm.environment.get('rt')) });",
          ]),
        ],
        request: {
          method: "POST",
          url: `${base()}/post`,
          header: [{ key: "X-Echo", value: "{{rt}}" }],
          body: { mode: "raw", raw: '{"t":"{{rt}}"}', options: { raw: { language: "json" } } },
        },
      },
    ],
  });

  it.each([false, true])("never appear in an event (checkpoint after every step: %s)", async (checkpoint) => {
    const { text, events } = await run(collection(), {}, checkpoint);
    expect(leak(text, RUNTIME)).toBe("");
    expect(text).not.toContain(btoa(RUNTIME));
    const reqs = events.filter((e) => e.type === "request.completed");
    expect(reqs).toHaveLength(2);
    expect(reqs[0]?.type === "request.completed" && reqs[0].request.url).toContain(`t=${MASK}`);
    const end = events.at(-1);
    expect(end?.type === "run.completed" && end.failures[0]?.message).toBe(`bad ${MASK}`);
  });

  it("are masked in the report context with the final scopes", async () => {
    const { plan } = await run(collection());
    const scopes = {
      globals: [],
      collection: [],
      environment: [{ key: "rt", value: RUNTIME, type: "secret" }],
    };
    const ctx = maskDeep(
      { environment: { values: scopes.environment }, note: `x${RUNTIME}x` },
      runMasker(plan, scopes),
    );
    expect(JSON.stringify(ctx)).not.toContain(RUNTIME);
  });
});

describe("credential values the run sends", () => {
  it("are masked in echoed bodies, console, assertion messages and failures", async () => {
    const base = inject("targetUrl");
    const { text } = await run({
      info: { name: "creds" },
      item: [
        {
          name: "bearer header",
          event: [
            test([
              "console.log(pm.request.headers.get('Authorization'));",
              "pm.test('auth header', () => pm.expect(pm.request.headers.get('Authorization')).to.eql('nope'));",
            ]),
          ],
          request: {
            url: `${base}/headers`,
            header: [
              { key: "Authorization", value: `Bearer ${HEADER}` },
              { key: "X-Api-Key", value: `${HEADER}-key` },
              { key: "Cookie", value: `session=${HEADER}-cookie; lang=en` },
            ],
          },
        },
        {
          name: "basic auth",
          event: [test(["console.log(atob(pm.request.headers.get('Authorization').slice(6)))"])],
          request: {
            url: `${base}/headers`,
            auth: {
              type: "basic",
              basic: [
                { key: "username", value: "user" },
                { key: "password", value: PASSWORD },
              ],
            },
          },
        },
      ],
    });
    for (const secret of [HEADER, PASSWORD, btoa(`user:${PASSWORD}`), `user:${PASSWORD}`])
      expect(leak(text, secret)).toBe("");
  });

  it("masks URL userinfo in place and its password wherever it reappears", () => {
    expect(maskUrlUserinfo("http://user:pw@host/x")).toBe(`http://user:${MASK}@host/x`);
    expect(maskUrlUserinfo("https://ghp_token@github.com/")).toBe(`https://${MASK}@github.com/`);
    expect(maskUrlUserinfo("http://host/a@b")).toBe("http://host/a@b");
    const m = createMasker([]);
    const event = {
      v: 1,
      runId: "r",
      ts: "",
      type: "request.completed",
      iteration: 0,
      item: { id: "i", name: "n", path: [] },
      request: { method: "GET", url: "http://user:hunter22@h/", headers: [] },
      response: { code: 200, status: "OK", headers: [], size: 0, timeMs: 0, bodyPreview: "pw=hunter22" },
      assertions: [],
      console: [{ level: "log", message: "hunter22" }],
      scriptErrors: [],
      scripts: { prerequest: 0, test: 0 },
    } as const;
    const out = JSON.stringify(m.maskEvent(structuredClone(event) as never));
    expect(out).not.toContain("hunter22");
  });

  it("without any secret still masks by position: userinfo, credential headers, visualizer data", () => {
    const m = createMasker([]);
    const event = {
      v: 1,
      runId: "r",
      ts: "",
      type: "request.completed",
      iteration: 0,
      item: { id: "i", name: "n", path: [] },
      request: { method: "GET", url: "http://u:pw@h/", headers: [{ key: "Authorization", value: "abc" }] },
      response: {
        code: 200,
        status: "OK",
        headers: [{ key: "set-cookie", value: "a=b" }],
        size: 0,
        timeMs: 0,
        bodyPreview: "",
      },
      assertions: [],
      console: [],
      scriptErrors: [],
      scripts: { prerequest: 0, test: 0 },
    } as const;
    const out = m.maskEvent(structuredClone(event) as never) as typeof event;
    expect(out.request.url).toBe(`http://u:${MASK}@h/`);
    expect(out.request.headers).toEqual([{ key: "Authorization", value: MASK }]);
    expect(out.response.headers).toEqual([{ key: "set-cookie", value: MASK }]);
    const plain = {
      ...event,
      request: { method: "GET", url: "http://h/", headers: [{ key: "Accept", value: "*/*" }] },
      response: { ...event.response, headers: [{ key: "content-type", value: "text/plain" }] },
      visualizer: { template: "t", data: [{ key: "x-api-key", value: "abc" }] },
    };
    const visual = m.maskEvent(structuredClone(plain) as never) as typeof plain;
    expect(visual.visualizer.data).toEqual([{ key: "x-api-key", value: MASK }]);
    const { visualizer: _v, ...bare } = plain;
    expect(m.maskEvent(structuredClone(bare) as never)).toEqual(bare);
  });

  it("derives the secret forms of credential headers", () => {
    expect(credentialForms("Authorization", `Basic ${btoa("u:secretpw")}`)).toEqual(
      expect.arrayContaining([btoa("u:secretpw"), "u:secretpw", "secretpw"]),
    );
    expect(credentialForms("Authorization", 'Digest username="u", response="abc123def", nonce="n"')).toEqual(
      expect.arrayContaining(["abc123def"]),
    );
    expect(credentialForms("Cookie", "a=1111; b=2222")).toEqual(expect.arrayContaining(["1111", "2222"]));
    expect(credentialForms("X-Api-Key", "key with spaces")).toEqual(["key with spaces"]);
  });
});

describe("a failed pm.sendRequest", () => {
  it("has its URL and error masked in its event and in the run's failures", async () => {
    const { text, events } = await run({
      info: { name: "side" },
      item: [
        {
          name: "side request",
          event: [
            pre([`pm.environment.set('rt', ${JSON.stringify(RUNTIME.split("-"))}.join('-'), 'secret');`]),
            test([
              `pm.sendRequest('http://user:${PASSWORD}@127.0.0.1:1/x?key=' + pm.environment.get('rt'), () => {});`,
            ]),
          ],
          request: { method: "GET", url: `${inject("targetUrl")}/get` },
        },
      ],
    });
    const req = events.find((e) => e.type === "request.completed");
    expect(req?.type === "request.completed" && req.sideRequestFailures?.[0]?.url).toBe(
      `http://user:${MASK}@127.0.0.1:1/x?key=${MASK}`,
    );
    const end = events.at(-1);
    expect(end?.type === "run.completed" && end.failures.some((f) => f.sideRequest)).toBe(true);
    for (const secret of [RUNTIME, PASSWORD]) expect(leak(text, secret)).toBe("");
  });
});

describe("static names and short values", () => {
  it("never rewrites item, folder or assertion names written in the collection", async () => {
    const base = inject("targetUrl");
    const { events } = await run(
      {
        info: { name: "static password" },
        item: [
          {
            name: "Digest auth wrong password",
            item: [
              {
                name: "Digest auth wrong password",
                event: [
                  test(["pm.test('wrong password is refused', () => { throw new Error('password') })"]),
                ],
                request: { url: `${base}/get?p={{pw}}` },
              },
            ],
          },
        ],
      },
      { environment: { values: [{ key: "pw", value: "password", type: "secret" }] } },
    );
    const req = events.find((e) => e.type === "request.completed");
    if (req?.type !== "request.completed") throw new Error("no request event");
    expect(req.item.name).toBe("Digest auth wrong password");
    expect(req.item.path).toEqual(["Digest auth wrong password"]);
    expect(req.assertions[0]?.name).toBe("wrong password is refused");
    expect(req.assertions[0]?.error?.message).toBe(MASK);
    expect(req.request.url).toContain(`p=${MASK}`);
    const end = events.at(-1);
    expect(end?.type === "run.completed" && end.failures[0]?.name).toBe("wrong password is refused");
  });

  it("keeps names and ids in masked report contexts", () => {
    const m = createMasker(["password"]);
    const ctx = maskDeep(
      { name: "wrong password", id: "password", item: [{ name: "password", body: "password" }] },
      m,
    );
    expect(ctx).toEqual({ name: "wrong password", id: "password", item: [{ name: "password", body: MASK }] });
  });

  it("masks short values only by position", () => {
    const m = createMasker(["abc", "true"]);
    expect(m.maskString("abc true abcd")).toBe("abc true abcd");
    const ctx = maskDeep(
      {
        values: [{ key: "k", value: "abc", type: "secret" }],
        header: [{ key: "Authorization", value: "x" }],
      },
      m,
    );
    expect(ctx).toEqual({
      values: [{ key: "k", value: MASK, type: "secret" }],
      header: [{ key: "Authorization", value: MASK }],
    });
  });

  it("masks any secret in any text, sparing only static text (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{4,20}$/),
        fc.string(),
        fc.string(),
        (secret, before, after) => {
          const isStatic = staticText({ names: [`name ${secret}`], sources: [] });
          const m = createMasker([secret], { isStatic });
          const masked = m.maskString(`${before}${secret}${after}`);
          const end = m.maskEvent({
            v: 1,
            runId: "r",
            ts: "",
            type: "run.completed",
            stats: {} as never,
            timings: {} as never,
            failures: [{ iteration: 0, source: "assertion", name: `name ${secret}`, message: secret }],
          });
          return (
            !masked.includes(secret) &&
            end.failures[0]?.name === `name ${secret}` &&
            end.failures[0].message === MASK
          );
        },
      ),
    );
  });
});

describe("script source in reports", () => {
  it("is masked except for the assertion names it declares", () => {
    const m = createMasker(["password", "s3cr3t-token"]);
    const exec = [
      "pm.test('wrong password is refused', () => {});",
      'pm.test.skip("password later"); tests["password ok"] = true;',
      "pm.environment.set('t', 's3cr3t-token', 'secret'); console.log('password')",
    ];
    expect(maskDeep({ script: { exec } }, m).script.exec).toEqual([
      exec[0],
      exec[1],
      `pm.environment.set('t', '${MASK}', 'secret'); console.log('${MASK}')`,
    ]);
  });
});

describe("staticText", () => {
  it("knows names and the assertion names scripts declare literally, nothing else in the source", () => {
    const isStatic = staticText({
      names: ["Digest auth wrong password"],
      sources: [
        `pm.test('wrong password', f); pm.environment.get('password'); pm.test(\`t \${x}\`, f);`,
        'tests["it\\"s fine"] = true; pm.test.skip(`plain`);',
      ],
    });
    expect(["Digest auth wrong password", "wrong password", 'it"s fine', "plain"].map(isStatic)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["password", `t \${x}`, "wrong"].map(isStatic)).toEqual([false, false, false]);
  });
});
