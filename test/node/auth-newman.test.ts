/**
 * Signed auth types against Newman itself: the same requests go through Newman 6.2.2 (in process, to
 * the suite's echo target, which answers with the headers and URL it got) and through edgerun's
 * `applyAuth`; deterministic signatures (HS*, RS*, EdgeGrid with a fixed nonce and timestamp, ASAP with
 * fixed claims) must be byte-identical, randomised ones (PS*, ES*) equal in header and payload and
 * valid under the public key. A signer's error is Newman's console warning, and the request goes unsigned.
 */
import { generateKeyPairSync, verify } from "node:crypto";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { applyAuth } from "../../shared/engine/auth";
import { buildBody } from "../../shared/engine/body";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";

const newman = createRequire(import.meta.url)("newman") as {
  run(
    opts: { collection: unknown; reporters: string[] },
    done: (err: unknown, summary: { run: { executions: Array<{ response?: { stream: Buffer } }> } }) => void,
  ): unknown;
};

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (k: typeof rsa.privateKey) => k.export({ type: "pkcs8", format: "pem" }).toString();
const RSA_KEY = pem(rsa.privateKey);
const EC_KEY = pem(ec.privateKey);

type Params = Record<string, string>;
interface Case {
  name: string;
  type: string;
  params: Params;
  method?: string;
  body?: string;
  form?: Array<{ key: string; value: string }>;
  headers?: Array<{ key: string; value: string }>;
}

const CASES: Case[] = [
  { name: "basic", type: "basic", params: { username: "ann", password: "p:ss wörd" } },
  { name: "bearer", type: "bearer", params: { token: "tok-1" } },
  { name: "apikey header", type: "apikey", params: { key: "X-Api-Key", value: "k1", in: "header" } },
  { name: "apikey query", type: "apikey", params: { key: "api_key", value: "k 2", in: "query" } },
  {
    name: "oauth2 header",
    type: "oauth2",
    params: { accessToken: "at-1", addTokenTo: "header", headerPrefix: "Token" },
  },
  {
    name: "oauth1 HMAC-SHA1",
    type: "oauth1",
    params: {
      consumerKey: "ck",
      consumerSecret: "cs",
      token: "tk",
      tokenSecret: "ts",
      signatureMethod: "HMAC-SHA1",
      timestamp: "1700000000",
      nonce: "abc123",
      version: "1.0",
      addParamsToHeader: "true",
    },
  },
  {
    name: "oauth1 HMAC-SHA256, POST form",
    type: "oauth1",
    params: {
      consumerKey: "ck",
      consumerSecret: "cs",
      signatureMethod: "HMAC-SHA256",
      timestamp: "1700000001",
      nonce: "n1",
      addParamsToHeader: "true",
      realm: "r",
    },
    method: "POST",
  },
  {
    name: "oauth1 to the query",
    type: "oauth1",
    params: {
      consumerKey: "ck",
      consumerSecret: "cs",
      signatureMethod: "HMAC-SHA1",
      timestamp: "1700000003",
      nonce: "n3",
      version: "1.0",
    },
  },
  {
    name: "oauth1 to a form body",
    type: "oauth1",
    params: {
      consumerKey: "ck",
      consumerSecret: "cs",
      signatureMethod: "HMAC-SHA512",
      timestamp: "1700000004",
      nonce: "n4",
    },
    method: "POST",
    form: [{ key: "a", value: "1 2" }],
  },
  {
    name: "oauth1 RSA-SHA256 with a body hash",
    type: "oauth1",
    params: {
      consumerKey: "ck",
      privateKey: RSA_KEY,
      signatureMethod: "RSA-SHA256",
      timestamp: "1700000005",
      nonce: "n5",
      includeBodyHash: "true",
      addParamsToHeader: "true",
    },
    method: "POST",
    body: '{"x":1}',
  },
  {
    name: "digest, preconfigured",
    type: "digest",
    params: {
      username: "ann",
      password: "pw",
      realm: "r@h",
      nonce: "dcd98b",
      algorithm: "MD5",
      qop: "auth",
      nonceCount: "00000001",
      clientNonce: "0a4f113b",
      opaque: "5ccc",
    },
  },
  {
    name: "digest SHA-256-sess",
    type: "digest",
    params: {
      username: "ann",
      password: "pw",
      realm: "r",
      nonce: "n",
      algorithm: "SHA-256-sess",
      qop: "auth",
      nonceCount: "00000002",
      clientNonce: "c",
    },
  },
  {
    name: "awsv4 GET",
    type: "awsv4",
    params: { accessKey: "AKID", secretKey: "SECRET", region: "eu-west-1", service: "execute-api" },
  },
  {
    name: "awsv4 s3 POST with a session token",
    type: "awsv4",
    params: {
      accessKey: "AKID",
      secretKey: "SECRET",
      region: "us-east-1",
      service: "s3",
      sessionToken: "TOKEN",
    },
    method: "POST",
    body: "hello",
  },
  {
    name: "awsv4 POST with a body",
    type: "awsv4",
    params: { accessKey: "AKID", secretKey: "SECRET", region: "eu-west-1", service: "execute-api" },
    method: "POST",
    body: "a=1",
  },
  { name: "awsv4 s3 GET", type: "awsv4", params: { accessKey: "AKID", secretKey: "SECRET", service: "s3" } },
  { name: "awsv4 defaults", type: "awsv4", params: { accessKey: "AKID", secretKey: "SECRET" } },
  {
    name: "hawk",
    type: "hawk",
    params: {
      authId: "id1",
      authKey: "key1",
      algorithm: "sha256",
      nonce: "nn",
      timestamp: "1700000002",
      extraData: "x",
    },
  },
  {
    name: "jwt HS256 + header",
    type: "jwt",
    params: { algorithm: "HS256", secret: "s3cr3t", header: '{"kid":"k1"}', payload: '{"sub":"1"}' },
  },
  {
    name: "jwt HS512 base64 secret, no prefix",
    type: "jwt",
    params: {
      algorithm: "HS512",
      secret: "c2VjcmV0",
      isSecretBase64Encoded: "true",
      payload: "",
      headerPrefix: "",
    },
  },
  {
    name: "jwt RS256",
    type: "jwt",
    params: { algorithm: "RS256", privateKey: RSA_KEY, payload: '{"sub":"2","n":[1,2]}' },
  },
  {
    name: "jwt RS384 to a query parameter",
    type: "jwt",
    params: {
      algorithm: "RS384",
      privateKey: RSA_KEY,
      payload: "{}",
      addTokenTo: "queryParam",
      queryParamKey: "jwt",
    },
  },
  { name: "jwt PS256", type: "jwt", params: { algorithm: "PS256", privateKey: RSA_KEY, payload: '{"a":1}' } },
  {
    name: "jwt ES256",
    type: "jwt",
    params: { algorithm: "ES256", privateKey: EC_KEY, payload: '{"b":2}', header: '{"typ":"at+jwt"}' },
  },
  {
    name: "edgegrid GET",
    type: "edgegrid",
    params: {
      accessToken: "akab-access",
      clientToken: "akab-client",
      clientSecret: "c2VjcmV0",
      nonce: "nonce-1",
      timestamp: "20260101T12:00:00+0000",
      headersToSign: "X-Custom, x-other",
    },
    headers: [{ key: "X-Custom", value: "  a   b  " }],
  },
  {
    name: "edgegrid POST body, baseURL",
    type: "edgegrid",
    params: {
      accessToken: "at",
      clientToken: "ct",
      clientSecret: "cs",
      nonce: "n2",
      timestamp: "20260101T12:00:01+0000",
      baseURL: "https://akab.example.net",
      maxBodySize: "4",
    },
    method: "POST",
    body: '{"long":"body"}',
  },
  {
    name: "asap RS256, fixed claims",
    type: "asap",
    params: {
      kid: "key-1",
      iss: "svc",
      aud: "api",
      privateKey: RSA_KEY,
      claims: '{"jti":"j-1","iat":1700000000,"exp":1700003600,"extra":true}',
    },
  },
];

const TARGET = () => `${inject("targetUrl")}/anything?q=1`;

interface Seen {
  authorization?: string;
  url: string;
  /** The request body as the target received it. */
  data: unknown;
  /** The signing headers AWS Signature v4 adds. */
  amz: string;
}

function collection(cases: Case[]) {
  return {
    info: { name: "auth", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: cases.map((c) => ({
      name: c.name,
      request: {
        method: c.method ?? "GET",
        url: TARGET(),
        header: c.headers ?? [],
        ...(c.body ? { body: { mode: "raw", raw: c.body } } : {}),
        ...(c.form ? { body: { mode: "urlencoded", urlencoded: c.form } } : {}),
        auth: {
          type: c.type,
          [c.type]: Object.entries(c.params).map(([key, value]) => ({ key, value, type: "string" })),
        },
      },
    })),
  };
}

/** Newman signs AWS requests with the clock: both sides sign at this instant (Date faked for Newman). */
const FIXED_NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

let theirs: Seen[] = [];
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: FIXED_NOW });
  theirs = await new Promise<Seen[]>((resolve, reject) =>
    newman.run({ collection: collection(CASES), reporters: [] }, (err, summary) => {
      if (err) return reject(err);
      resolve(
        summary.run.executions.map((e) => {
          const body = JSON.parse(e.response!.stream.toString()) as {
            headers: Record<string, string>;
            url: string;
            data: unknown;
          };
          const h = body.headers;
          const amz = [h["x-amz-date"], h["x-amz-content-sha256"], h["x-amz-security-token"]].join("|");
          return { authorization: h.authorization, url: body.url, data: body.data, amz };
        }),
      );
    }),
  ).finally(() => vi.useRealTimers());
}, 60_000);

async function ours(c: Case): Promise<Seen> {
  const method = c.method ?? "GET";
  const built = c.form
    ? await buildBody({ mode: "urlencoded", urlencoded: c.form }, { method, resolve: (s) => s, profile: {} })
    : { body: c.body, contentType: undefined };
  const headers = [
    ...(c.headers ?? []),
    ...(built.contentType ? [{ key: "Content-Type", value: built.contentType }] : []),
  ];
  const signed = await applyAuth(
    { type: c.type, [c.type]: Object.entries(c.params).map(([key, value]) => ({ key, value })) } as never,
    { method, url: TARGET(), headers, ...(built.body !== undefined ? { body: built.body } : {}) },
    (s) => s,
    { now: () => FIXED_NOW, random: Math.random },
  );
  const u = new URL(signed.url);
  // The echo target answers the body as text (none of these is sent as JSON).
  const text =
    signed.body === undefined
      ? ""
      : typeof signed.body === "string"
        ? signed.body
        : new TextDecoder().decode(signed.body);
  return {
    authorization: signed.headers.find((h) => h.key === "Authorization")?.value,
    url: u.pathname + u.search,
    data: text,
    amz: ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
      .map((k) => signed.headers.find((x) => x.key.toLowerCase() === k)?.value)
      .join("|"),
  };
}

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as unknown;

describe("signed auth types, as Newman signs them", () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const mine = await ours(c);
      const newmans = theirs[i]!;
      if (!/^jwt (PS|ES)/.test(c.name)) {
        expect(mine).toEqual(newmans);
        return;
      }
      // Randomised signatures: the same header and payload, and ours verifies.
      const [h1, p1, s1] = mine.authorization!.split(" ").pop()!.split(".");
      const [h2, p2] = newmans.authorization!.split(" ").pop()!.split(".");
      expect([decode(h1!), decode(p1!)]).toEqual([decode(h2!), decode(p2!)]);
      const es = c.name.includes("ES");
      const key = es ? ec.publicKey : rsa.publicKey;
      const ok = verify(
        "sha256",
        Buffer.from(`${h1}.${p1}`),
        es ? { key, dsaEncoding: "ieee-p1363" } : { key, padding: 6, saltLength: 32 },
        Buffer.from(s1!, "base64url"),
      );
      expect(ok).toBe(true);
    });
  });

  it("a signer's error is Newman's console warning, and the request goes out unsigned", async () => {
    const plan = buildPlan(
      {
        collection: {
          info: { name: "c" },
          item: [
            {
              name: "bad jwt",
              request: {
                url: TARGET(),
                auth: {
                  type: "jwt",
                  jwt: [
                    { key: "algorithm", value: "HS256" },
                    { key: "payload", value: "[1]" },
                    { key: "secret", value: "x" },
                  ],
                },
              },
            },
          ],
        },
        options: {},
      } as never,
      "auth",
    );
    const deps = {
      fetch: (r: Request) => fetch(r),
      checkTarget: () => null,
      scripts: undefined,
      now: Date.now,
      random: Math.random,
    };
    const { events } = await runLocal(plan, deps);
    const done = events.find((e: RunEvent): e is RequestCompletedEvent => e.type === "request.completed")!;
    expect(done.error).toBeUndefined();
    expect(done.response?.code).toBe(200);
    const warning = "runtime~jwt.auth: could not sign the request: JWT Claims Set MUST be an object";
    // `args`: the cli reporter prints it through util.inspect, quoted, as Newman prints its warnings.
    expect(done.console).toContainEqual({ level: "warn", message: warning, args: [warning] });
  });
});
