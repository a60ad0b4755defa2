/**
 * The engine's request layer against the real echo target: URL building, headers, body modes, auth
 * (with the digest challenge round trip and published signature vectors), cookies, redirects,
 * decoding, timeouts and the capture cap. Each case runs a one-collection plan through `runLocal`.
 */
import { createHmac } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { applyAuth } from "../../shared/engine/auth";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";
import { createTargetCheck } from "../../shared/security/target-policy";

const base = () => inject("targetUrl");

const deps = {
  fetch: (r: Request) => fetch(r),
  checkTarget: () => null,
  scripts: undefined,
  now: () => Date.now(),
  random: Math.random,
};

type Json = Record<string, unknown>;

async function run(items: Json[], extra: Json = {}, options: Json = {}): Promise<RequestCompletedEvent[]> {
  const collection = { info: { name: "http" }, item: items, ...extra };
  const plan = buildPlan({ collection: collection as never, options }, "http");
  const { events } = await runLocal(plan, deps);
  return events.filter((e: RunEvent): e is RequestCompletedEvent => e.type === "request.completed");
}

async function one(request: Json, extra: Json = {}, options: Json = {}): Promise<RequestCompletedEvent> {
  const [e] = await run([{ name: "r", request }], extra, options);
  return e!;
}

const body = (e: RequestCompletedEvent) => JSON.parse(e.response!.bodyPreview) as Json & { headers: Json };

describe("URLs and headers", () => {
  it("resolves variables, path variables and encodes the query like Postman", async () => {
    const e = await one(
      {
        method: "GET",
        url: {
          raw: "{{base}}/anything/:id?q=a b&u=ü&keep={{v}}",
          host: ["{{base}}"],
          path: ["anything", ":id"],
          query: [
            { key: "q", value: "a b" },
            { key: "u", value: "ü" },
            { key: "keep", value: "{{v}}" },
            { key: "off", value: "1", disabled: true },
          ],
          variable: [{ key: "id", value: "42" }],
        },
      },
      {
        variable: [
          { key: "base", value: base() },
          { key: "v", value: "x/y" },
        ],
      },
    );
    expect(e.request.url).toBe(`${base()}/anything/42?q=a%20b&u=%C3%BC&keep=x/y`);
    expect(body(e).args).toEqual({ q: "a b", u: "ü", keep: "x/y" });
  });

  it("sends enabled headers with resolved values and drops disabled ones", async () => {
    const e = await one(
      {
        method: "GET",
        url: `${base()}/headers`,
        header: [
          { key: "X-One", value: "{{v}}" },
          { key: "X-Off", value: "no", disabled: true },
        ],
      },
      { variable: [{ key: "v", value: "resolved" }] },
    );
    const headers = body(e).headers as Record<string, string>;
    expect(headers["x-one"]).toBe("resolved");
    expect(headers["x-off"]).toBeUndefined();
    expect(headers["user-agent"]).toMatch(/PostmanRuntime|edgerun/);
  });

  it("names a header fetch refuses and sends nothing for that request", async () => {
    const e = await one({
      method: "GET",
      url: `${base()}/headers`,
      header: [{ key: "Bad Name", value: "x" }],
    });
    expect(e.response).toBeUndefined();
    // Node's words, as Newman reports them: a name that is no token, a value with a bad character.
    expect(e.error).toEqual({
      name: "TypeError",
      message: 'Header name must be a valid HTTP token ["Bad Name"]',
    });
    const value = await one({
      method: "GET",
      url: `${base()}/headers`,
      header: [{ key: "X-A", value: "a\nb" }],
    });
    expect(value.error).toEqual({
      name: "TypeError",
      message: 'Invalid character in header content ["X-A"]',
    });
    const method = await one({ method: "GE T", url: `${base()}/headers` });
    expect(method.error).toEqual({
      name: "TypeError",
      message: 'Method must be a valid HTTP token ["GE T"]',
    });
  });

  it("sends URL credentials as Basic auth, not in the URL, beside the request's own headers", async () => {
    const url = base().replace("://", "://us%20er:p%40ss@");
    const e = await one({ method: "GET", url: `${url}/headers`, header: [{ key: "X-One", value: "1" }] });
    const headers = body(e).headers as Record<string, string>;
    // The value itself is masked in the event (a credential): its shape is what reaches the target.
    expect(headers.authorization).toMatch(/^Basic \S+$/);
    expect(headers["x-one"]).toBe("1");
    const bad = await one({
      method: "GET",
      url: `${url}/headers`,
      header: [{ key: "Bad Name", value: "x" }],
    });
    expect(bad.error?.name).toBe("TypeError");
  });
});

describe("bodies", () => {
  it("raw JSON gets its content type", async () => {
    const e = await one({
      method: "POST",
      url: `${base()}/post`,
      body: { mode: "raw", raw: '{"a":1}', options: { raw: { language: "json" } } },
    });
    expect(body(e).json).toEqual({ a: 1 });
  });

  it("urlencoded, skipping disabled fields", async () => {
    const e = await one({
      method: "POST",
      url: `${base()}/post`,
      body: {
        mode: "urlencoded",
        urlencoded: [
          { key: "a", value: "1 2" },
          { key: "b", value: "&=" },
          { key: "c", value: "x", disabled: true },
        ],
      },
    });
    expect(body(e).form).toEqual({ a: "1 2", b: "&=" });
  });

  it("formdata as multipart with text and inline file parts", async () => {
    const e = await one({
      method: "POST",
      url: `${base()}/post`,
      body: {
        mode: "formdata",
        formdata: [
          { key: "field", value: "value", type: "text" },
          { key: "upload", type: "file", src: "notes.txt", value: "file contents" },
        ],
      },
    });
    const echoed = body(e);
    expect(String((echoed.headers as Json)["content-type"])).toMatch(/^multipart\/form-data; boundary=/);
    expect(String(echoed.data)).toContain('name="field"');
    expect(String(echoed.data)).toContain("value");
  });

  it("graphql as a JSON query with variables", async () => {
    const e = await one({
      method: "POST",
      url: `${base()}/post`,
      body: { mode: "graphql", graphql: { query: "query { me { id } }", variables: '{"x":1}' } },
    });
    expect(body(e).json).toEqual({ query: "query { me { id } }", variables: { x: 1 } });
  });

  it("graphql variables written as text go out verbatim, as postman-runtime writes them", async () => {
    const sent = async (graphql: Record<string, unknown>) =>
      (await one({ method: "POST", url: `${base()}/post`, body: { mode: "graphql", graphql } })).request.body;
    expect(await sent({ query: "{ a }", operationName: "A", variables: '{"n": 1}' })).toBe(
      '{"query":"{ a }","operationName":"A","variables":{"n": 1}}',
    );
    // An empty text is left out; malformed JSON is sent as written (the server answers for it).
    expect(await sent({ query: "{ a }", variables: "" })).toBe('{"query":"{ a }"}');
    expect(await sent({ query: "{ a }", variables: "{oops" })).toBe('{"query":"{ a }","variables":{oops}');
    expect(await sent({ query: "{ a }", variables: { n: 1 } })).toBe('{"query":"{ a }","variables":{"n":1}}');
  });
});

describe("auth", () => {
  it("sends an auth type without a handler unauthenticated, and NTLM's type 1 once the server challenges", async () => {
    const ntlm = { type: "ntlm", ntlm: [{ key: "username", value: "u" }] };
    const [unknown, open, denied, challenged] = await run([
      { name: "unknown", request: { url: `${base()}/headers`, auth: { type: "foo", foo: [] } } },
      { name: "ntlm open", request: { url: `${base()}/headers`, auth: ntlm } },
      { name: "ntlm denied", request: { url: `${base()}/status/401`, auth: ntlm } },
      {
        name: "ntlm challenged",
        request: { url: `${base()}/status/401?www-authenticate=Negotiate,%20NTLM`, auth: ntlm },
      },
    ]);
    expect(unknown!.error).toBeUndefined();
    expect((body(unknown!).headers as Json).authorization).toBeUndefined();
    expect((body(open!).headers as Json).authorization).toBeUndefined();
    for (const e of [open!, denied!]) expect(e.console ?? []).toEqual([]);
    expect(challenged!.response!.code).toBe(401);
    expect(challenged!.console).toEqual([
      expect.objectContaining({
        level: "warn",
        message:
          "runtime~ntlm.auth: there was an error validating auth: ntlm: server did not send NTLM type 2 message",
      }),
    ]);
    expect(challenged!.authRequests).toBe(1);
  });

  it("basic, bearer and apikey (header and query)", async () => {
    const [basic, bearer, keyHeader, keyQuery] = await run([
      {
        name: "basic",
        request: {
          url: `${base()}/basic-auth/ann/s3cret`,
          auth: {
            type: "basic",
            basic: [
              { key: "username", value: "ann" },
              { key: "password", value: "s3cret" },
            ],
          },
        },
      },
      {
        name: "bearer",
        request: {
          url: `${base()}/bearer`,
          auth: { type: "bearer", bearer: [{ key: "token", value: "tok" }] },
        },
      },
      {
        name: "apikey header",
        request: {
          url: `${base()}/headers`,
          auth: {
            type: "apikey",
            apikey: [
              { key: "key", value: "X-Api-Key" },
              { key: "value", value: "k1" },
            ],
          },
        },
      },
      {
        name: "apikey query",
        request: {
          url: `${base()}/get`,
          auth: {
            type: "apikey",
            apikey: [
              { key: "key", value: "api_key" },
              { key: "value", value: "k2" },
              { key: "in", value: "query" },
            ],
          },
        },
      },
    ]);
    expect(basic!.response!.code).toBe(200);
    expect(body(bearer!).token).toBe("tok");
    expect((body(keyHeader!).headers as Json)["x-api-key"]).toBe("k1");
    expect(body(keyQuery!).args).toEqual({ api_key: "k2" });
  });

  it("answers a digest challenge with a second request", async () => {
    const e = await one({
      url: `${base()}/digest-auth/auth/ann/pw`,
      auth: {
        type: "digest",
        digest: [
          { key: "username", value: "ann" },
          { key: "password", value: "pw" },
        ],
      },
    });
    expect(e.response!.code).toBe(200);
    expect(body(e)).toEqual({ authenticated: true });
  });

  it("inherits auth from the collection and folders; noauth stops it", async () => {
    const events = await run(
      [
        { name: "inherits", request: { url: `${base()}/bearer` } },
        {
          name: "folder",
          auth: { type: "noauth" },
          item: [{ name: "no auth", request: { url: `${base()}/bearer` } }],
        },
      ],
      { auth: { type: "bearer", bearer: [{ key: "token", value: "from-collection" }] } },
    );
    expect(events[0]!.response!.code).toBe(200);
    expect(body(events[0]!).token).toBe("********"); // the echoed secret is masked in events
    expect(events[1]!.response!.code).toBe(401);
  });

  it("signs OAuth 1.0a HMAC-SHA1 like the published example", async () => {
    const signed = await applyAuth(
      {
        type: "oauth1",
        oauth1: [
          { key: "consumerKey", value: "xvz1evFS4wEEPTGEFPHBog" },
          { key: "consumerSecret", value: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw" },
          { key: "token", value: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb" },
          { key: "tokenSecret", value: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE" },
          { key: "nonce", value: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg" },
          { key: "timestamp", value: "1318622958" },
          { key: "signatureMethod", value: "HMAC-SHA1" },
          { key: "version", value: "1.0" },
          { key: "addParamsToHeader", value: true },
        ],
      } as never,
      {
        method: "POST",
        url: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        headers: [{ key: "Content-Type", value: "application/x-www-form-urlencoded" }],
        body: "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
      },
      (s) => s,
      { now: () => 0, random: Math.random },
    );
    const header = signed.headers.find((h) => h.key === "Authorization")!.value;
    expect(header).toContain('oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"');
  });

  it("signs AWS Signature v4 like the AWS test suite's get-vanilla case", async () => {
    const signed = await applyAuth(
      {
        type: "awsv4",
        awsv4: [
          { key: "accessKey", value: "AKIDEXAMPLE" },
          { key: "secretKey", value: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
          { key: "region", value: "us-east-1" },
          { key: "service", value: "service" },
        ],
      } as never,
      { method: "GET", url: "https://example.amazonaws.com/", headers: [] },
      (s) => s,
      { now: () => Date.UTC(2015, 7, 30, 12, 36, 0), random: Math.random },
    );
    const auth = signed.headers.find((h) => h.key.toLowerCase() === "authorization")!.value;
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/service\/aws4_request, /,
    );
    // A GET without a body signs host and X-Amz-Date only (as Newman does): the suite's own signature.
    expect(auth).toContain("SignedHeaders=host;x-amz-date, ");
    expect(auth).toContain("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });
});

describe("auth signatures against published vectors", () => {
  it("signs Hawk like the Hawk specification's example", async () => {
    const signed = await applyAuth(
      {
        type: "hawk",
        hawk: [
          { key: "authId", value: "dh37fgj492je" },
          { key: "authKey", value: "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn" },
          { key: "algorithm", value: "sha256" },
          { key: "nonce", value: "j4h3g2" },
          { key: "timestamp", value: "1353832234" },
          { key: "extraData", value: "some-app-ext-data" },
        ],
      } as never,
      { method: "GET", url: "http://example.com:8000/resource/1?b=1&a=2", headers: [] },
      (s) => s,
      { now: () => 0, random: Math.random },
    );
    const header = signed.headers.find((h) => h.key === "Authorization")!.value;
    expect(header).toBe(
      'Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="',
    );
  });

  it("signs a JWT (HS256) that verifies with the secret", async () => {
    const signed = await applyAuth(
      {
        type: "jwt",
        jwt: [
          { key: "algorithm", value: "HS256" },
          { key: "secret", value: "s3cr3t" },
          { key: "payload", value: '{"sub":"123","name":"Ann"}' },
        ],
      } as never,
      { method: "GET", url: "https://api.example.test/", headers: [] },
      (s) => s,
      { now: () => 1_700_000_000_000, random: Math.random },
    );
    const token = signed.headers.find((h) => h.key === "Authorization")!.value.replace(/^Bearer /, "");
    const [head, body, sig] = token.split(".");
    // As postman-runtime signs it: the header is `alg` alone, the payload exactly the user's (no iat).
    expect(JSON.parse(Buffer.from(head!, "base64url").toString())).toEqual({ alg: "HS256" });
    expect(JSON.parse(Buffer.from(body!, "base64url").toString())).toEqual({ sub: "123", name: "Ann" });
    expect(sig).toBe(createHmac("sha256", "s3cr3t").update(`${head}.${body}`).digest("base64url"));
  });
});

describe("cookies, redirects, decoding, limits", () => {
  it("keeps a cookie jar across requests of the run", async () => {
    const [set, later] = await run([
      { name: "set", request: { url: `${base()}/cookies/set?session=abc` } },
      { name: "later", request: { url: `${base()}/cookies` } },
    ]);
    expect(body(set!).cookies).toEqual({ session: "abc" });
    expect(body(later!).cookies).toEqual({ session: "abc" });
  });

  it("follows redirects, or not with ignoreRedirects", async () => {
    const followed = await one({ url: `${base()}/redirect/3` });
    expect(followed.response!.code).toBe(200);
    const ignored = await one({ url: `${base()}/redirect/3` }, {}, { ignoreRedirects: true });
    expect(ignored.response!.code).toBe(302);
  });

  it("turns POST into GET on 303 and keeps it on 307", async () => {
    const see = await one({
      method: "POST",
      url: `${base()}/redirect-to?url=/anything&status=303`,
      body: { mode: "raw", raw: "x" },
    });
    expect(body(see).method).toBe("GET");
    const keep = await one({
      method: "POST",
      url: `${base()}/redirect-to?url=/anything&status=307`,
      body: { mode: "raw", raw: "x" },
    });
    expect(body(keep).method).toBe("POST");
    expect(body(keep).data).toBe("x");
  });

  it("checks the target policy on every hop: a redirect to loopback or metadata is refused", async () => {
    // TARGET_POLICY=public with the echo's own address allowed: only the first hop may reach it.
    const checkTarget = createTargetCheck({ policy: "public", allowHosts: ["127.0.0.1"] });
    const port = new URL(base()).port;
    for (const [to, reason] of [
      [`http://localhost:${port}/get`, "loopback name"],
      ["http://169.254.169.254/latest/meta-data/", "link-local / metadata address"],
      [`http://[::ffff:127.0.0.2]:${port}/get`, "loopback"],
    ] as const) {
      const collection = {
        info: { name: "hops" },
        item: [{ name: "r", request: `${base()}/redirect-to?url=${encodeURIComponent(to)}` }],
      };
      const plan = buildPlan({ collection: collection as never, options: {} }, "hops");
      const { events } = await runLocal(plan, { ...deps, checkTarget });
      const done = events.find((e): e is RequestCompletedEvent => e.type === "request.completed")!;
      expect(done.error, to).toMatchObject({
        name: "TargetPolicyError",
        message: expect.stringContaining(reason),
      });
      expect(done.response, to).toBeUndefined();
    }
  });

  it("drops Authorization on a redirect to another host unless followAuthorizationHeader", async () => {
    const other = base().replace("127.0.0.1", "localhost");
    const request = {
      url: `${base()}/redirect-to?url=${encodeURIComponent(`${other}/headers`)}`,
      auth: { type: "bearer", bearer: [{ key: "token", value: "t" }] },
    };
    const dropped = await one(request);
    expect((body(dropped).headers as Json).authorization).toBeUndefined();
    const [kept] = await run([
      { name: "r", request, protocolProfileBehavior: { followAuthorizationHeader: true } },
    ]);
    // Forwarded (the echo shows it; masked, as every credential the run sent is in outputs).
    expect((body(kept!).headers as Json).authorization).toBe("********");
  });

  it.each(["gzip", "deflate", "brotli"])("decodes %s responses", async (encoding) => {
    const e = await one({ url: `${base()}/${encoding}` });
    expect(body(e)[encoding]).toBe(true);
  });

  it.each([
    ["gzip", "incorrect header check"],
    ["br", "Decompression failed"],
  ])("fails a body labelled %s that is none with zlib's words, as Newman", async (encoding, message) => {
    const e = await one({ url: `${base()}/response-headers?Content-Encoding=${encoding}` });
    expect(e.error).toEqual({ name: "Error", message });
  });

  it("fails a redirect whose Location is no URL and goes on with the next request", async () => {
    const [bad, next] = await run([
      { name: "bad", request: { url: `${base()}/redirect-to?url=${encodeURIComponent("http://[::1")}` } },
      { name: "next", request: { url: `${base()}/get` } },
    ]);
    expect(bad!.error).toEqual({
      name: "RedirectError",
      message: "the redirect's Location 'http://[::1' is not a valid URL",
    });
    expect(next!.response!.code).toBe(200);
  });

  it("fails a slow request at the request timeout and continues", async () => {
    const [slow, next] = await run(
      [
        { name: "slow", request: { url: `${base()}/delay/3000` } },
        { name: "next", request: { url: `${base()}/get` } },
      ],
      {},
      { timeoutRequest: 200 },
    );
    expect(slow!.response).toBeUndefined();
    // Newman's error for its --timeout-request.
    expect(slow!.error).toEqual({ name: "Error", message: "ESOCKETTIMEDOUT" });
    expect(next!.response!.code).toBe(200);
  });

  it("keeps a short preview of a large body in the event, with its real size", async () => {
    const e = await one({ url: `${base()}/bytes/100000` });
    expect(e.response!.size).toBe(100000);
    expect(e.response!.bodyPreview.length).toBeLessThanOrEqual(2048);
    expect(e.response!.bodyTruncated).toBe(true);
  });
});
