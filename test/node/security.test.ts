import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { targetCheckFor } from "../../platform/target-policy";
import { checkCollectionLimits } from "../../shared/engine/limits";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { buildUrl, parseUrl } from "../../shared/engine/url";
import { resolveTemplate } from "../../shared/engine/variables";
import { CollectionSchema } from "../../shared/schemas/collection";
import { MASK } from "../../shared/security/mask";
import { createMasker } from "../../shared/security/masker";
import { createTargetCheck } from "../../shared/security/target-policy";
import { MiniScriptHost } from "../support/mini-script-host";

const publicCheck = createTargetCheck({ policy: "public" });
const refused = (url: string) => publicCheck(new URL(url)) !== null;

describe("target policy", () => {
  it.each([
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://localhost/",
    "http://api.localhost/",
    "http://localhost./",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://metadata.google.internal/",
    "ftp://example.com/",
    "file:///etc/passwd",
  ])("refuses %s", (url) => {
    expect(refused(url)).toBe(true);
  });

  it.each([
    "https://example.com/",
    "http://93.184.216.34/",
    "http://[2606:2800:220:1::]/",
    "https://api.github.com:443/x",
  ])("allows %s", (url) => {
    expect(refused(url)).toBe(false);
  });

  it("allows listed hosts and everything under TARGET_POLICY=any (http/https only)", () => {
    expect(
      createTargetCheck({ policy: "public", allowHosts: ["*.corp.test", "10.0.0.5"] })(
        new URL("http://10.0.0.5/"),
      ),
    ).toBeNull();
    expect(createTargetCheck({ policy: "any" })(new URL("http://127.0.0.1/"))).toBeNull();
    expect(createTargetCheck({ policy: "any" })(new URL("gopher://x/"))).not.toBeNull();
  });

  it("turns a refused target, also on a redirect hop, into an error event while the run continues", async () => {
    const base = inject("targetUrl");
    const deps = {
      fetch: (r: Request) => fetch(r),
      checkTarget: (u: URL) => (u.pathname === "/get" ? "refused by test policy" : null),
      scripts: new MiniScriptHost(),
      now: Date.now,
      random: Math.random,
    };
    const c = {
      info: { name: "policy" },
      item: [
        { name: "hop", request: { url: `${base}/redirect/1` } },
        { name: "next", request: { url: `${base}/status/204` } },
      ],
    };
    const { events } = await runLocal(buildPlan({ collection: c as never, options: {} }, "p"), deps);
    const reqs = events.filter((e) => e.type === "request.completed");
    expect(reqs[0]?.type === "request.completed" && reqs[0].error).toMatchObject({
      name: "TargetPolicyError",
    });
    expect(reqs[1]?.type === "request.completed" && reqs[1].response?.code).toBe(204);
  });
});

describe("allow lists", () => {
  it("open exactly the listed hosts of a public policy, from the deployment and the workspace", () => {
    const check = targetCheckFor({ TARGET_POLICY: "public", TARGET_ALLOW_HOSTS: "Build.Internal" }, [
      "10.0.0.8",
      "*.staging.example",
    ]);
    expect(check(new URL("http://10.0.0.8/x"))).toBeNull();
    expect(check(new URL("http://build.internal/"))).toBeNull();
    expect(check(new URL("http://api.staging.example/"))).toBeNull();
    expect(check(new URL("http://10.0.0.9/"))).toMatch(/refused/);
    expect(check(new URL("http://staging.example.evil.test/"))).toBeNull(); // public name: allowed anyway
    expect(check(new URL("http://127.0.0.1/"))).toMatch(/refused/);
    expect(check(new URL("file:///etc/passwd"))).toMatch(/scheme|protocol/);
  });

  it("ignores deployment allow-list entries that break the allow-list rules", () => {
    const check = targetCheckFor({
      TARGET_POLICY: "public",
      TARGET_ALLOW_HOSTS: "*.0.0.1,*.com,build.internal",
    });
    expect(check(new URL("http://127.0.0.1/"))).toMatch(/refused/);
    expect(check(new URL("http://build.internal/"))).toBeNull();
  });
});

describe("secret masking", () => {
  it("never lets a canary secret out of an event", async () => {
    const base = inject("targetUrl");
    const canary = "CANARY-s3cr3t-9f8e7d";
    const c = {
      info: { name: "canary" },
      auth: { type: "bearer", bearer: [{ key: "token", value: "{{token}}" }] },
      item: [
        {
          name: "echo",
          event: [
            {
              listen: "test",
              script: {
                exec: [
                  "console.log('token is ' + pm.environment.get('token')); pm.test('uses ' + pm.environment.get('token'), () => { throw new Error('bad ' + pm.environment.get('token')) })",
                ],
              },
            },
          ],
          request: {
            method: "GET",
            url: `${base}/get?t={{token}}&b=${btoa(canary)}`,
            header: [{ key: "X-Echo", value: "{{token}}" }],
          },
        },
      ],
    };
    const plan = buildPlan(
      {
        collection: c as never,
        environment: { name: "e", values: [{ key: "token", value: canary, type: "secret" }] },
        options: {},
      },
      "m",
    );
    const { events } = await runLocal(plan, {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: new MiniScriptHost(),
      now: Date.now,
      random: Math.random,
    });
    const text = JSON.stringify(events);
    const at = text.indexOf(canary);
    expect(at, text.slice(Math.max(0, at - 300), at + 50)).toBe(-1);
    expect(text).not.toContain(btoa(canary));
    expect(text).toContain(MASK);
    const req = events.find((e) => e.type === "request.completed");
    expect(
      req?.type === "request.completed" && req.request.headers.find((h) => h.key === "Authorization")?.value,
    ).toBe(MASK);
  });

  it("masks any secret in any surrounding text (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{6,30}$/),
        fc.string(),
        fc.string(),
        (secret, before, after) => {
          const masked = createMasker([secret]).maskString(`${before}${secret}${after}`);
          return !masked.includes(secret);
        },
      ),
    );
  });
});

describe("hostile input", () => {
  it("the variable resolver never throws and leaves text without {{ untouched", () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string({ maxLength: 8 }), fc.string()), (text, vars) => {
        const scopes = {
          globals: [],
          collection: [],
          environment: Object.entries(vars).map(([key, value]) => ({ key, value })),
          data: {},
          local: [],
        };
        const out = resolveTemplate(text, scopes);
        return text.includes("{{") || out === text;
      }),
    );
  });

  it("self-referencing variables stop at the depth bound", () => {
    const scopes = {
      globals: [],
      collection: [],
      environment: [{ key: "a", value: "{{a}}x" }],
      data: {},
      local: [],
    };
    expect(resolveTemplate("{{a}}", scopes).endsWith("x")).toBe(true);
  });

  it("URL building yields a parseable URL or a clear error", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (raw) => {
        try {
          const url = buildUrl(parseUrl(`http://example.com/${raw}`), (s) => s);
          return typeof new URL(url).href === "string";
        } catch (err) {
          return /invalid URL/.test((err as Error).message);
        }
      }),
    );
  });

  it("the collection parser never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkCollectionLimits(value);
        CollectionSchema.safeParse(value);
        return true;
      }),
    );
  });

  it("names the limit for oversized collections", () => {
    const deep = { info: { name: "d" }, item: [] as unknown[] };
    let cur = deep.item;
    for (let i = 0; i < 40; i++) {
      const next: unknown[] = [];
      cur.push({ name: `f${i}`, item: next });
      cur = next;
    }
    const v = checkCollectionLimits(deep);
    expect(v[0]?.message).toMatch(/deeper than/);
    expect(v[0]?.pointer).toMatch(/^\/item\/0\/item/);
  });
});
