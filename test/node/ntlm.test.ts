/**
 * NTLM auth against Newman itself: one collection of NTLM requests (down-level and UPN usernames, a
 * wrong password, a server that answers the type 1 without a challenge, Negotiate offered beside NTLM,
 * a type 2 without target info, `disableRetryRequest`) runs through Newman
 * 6.2.2 in process and through edgerun's engine, both against a real target that binds each handshake
 * to its connection and checks the type 3 message's proof of the password (test/support/ntlm-server.ts).
 * Verdicts, messages, what the target saw, the request count and the report's executions must agree.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { buildNewmanReport } from "../../shared/reporters/newman-json";
import type { RequestCompletedEvent, RunEvent, TerminalEvent } from "../../shared/schemas/events";
import { type NtlmServer, startNtlmServer } from "../support/ntlm-server";
import { runEngine } from "../support/run-engine";

interface NewmanSummary {
  run: {
    stats: { requests: { total: number } };
    executions: Array<{
      item: { name: string };
      response?: { code: number };
      assertions?: Array<{ assertion: string; error?: { message: string } }>;
    }>;
  };
}

const newman = createRequire(import.meta.url)("newman") as {
  run(
    opts: { collection: unknown; reporters: string[] },
    done: (err: unknown, summary: NewmanSummary) => void,
  ): { on(event: "console", fn: (err: unknown, args: { level: string; messages: unknown[] }) => void): void };
};

const ACCOUNT = { username: "ann", password: "s3cret! wörd", domain: "CORP" };

interface Case {
  name: string;
  path: string;
  username?: string;
  password?: string;
  extra?: Array<{ key: string; value: unknown }>;
}

const CASES: Case[] = [
  { name: "down-level name", path: "/ntlm" },
  { name: "user principal name", path: "/ntlm", username: "ann@CORP" },
  { name: "domain parameter", path: "/ntlm", username: "ann", extra: [{ key: "domain", value: "corp" }] },
  { name: "workstation", path: "/ntlm", extra: [{ key: "workstation", value: "build-01" }] },
  { name: "wrong password", path: "/ntlm", password: "nope" },
  { name: "no type 2", path: "/ntlm/no-challenge" },
  { name: "negotiate and ntlm", path: "/ntlm/negotiate" },
  { name: "no target info", path: "/ntlm?notargetinfo" },
  { name: "retry disabled", path: "/ntlm", extra: [{ key: "disableRetryRequest", value: true }] },
  // A target that keeps the connection authenticated. A request after it passes either way, but it
  // is sent once by Newman and once more with a handshake here when the client's pool hands out
  // another connection: the request count would depend on the pool, so no such request is compared.
  { name: "session", path: "/ntlm/session" },
];

const TEST = [
  "pm.test('status', () => pm.response.to.have.status(200));",
  "pm.test('who', () => pm.expect(pm.response.json().user).to.equal('ann'));",
];

function collection(base: string) {
  return {
    info: { name: "ntlm", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: CASES.map((c) => ({
      name: c.name,
      request: {
        method: "GET",
        // A user's own Authorization never goes out: the NTLM signer removes it.
        header: [{ key: "Authorization", value: "Basic dXNlcjpwdw==" }],
        url: `${base}${c.path}`,
        auth: {
          type: "ntlm",
          ntlm: [
            { key: "username", value: c.username ?? "CORP\\ann" },
            { key: "password", value: c.password ?? ACCOUNT.password },
            ...(c.extra ?? []),
          ],
        },
      },
      event: [{ listen: "test", script: { type: "text/javascript", exec: TEST } }],
    })),
  };
}

type Verdicts = Array<{ item: string; code?: number; assertions: string[] }>;

let server: NtlmServer;
let theirs: { summary: NewmanSummary; warnings: string[]; seen: NtlmServer["seen"] };

beforeAll(async () => {
  server = await startNtlmServer(ACCOUNT);
  const warnings: string[] = [];
  const summary = await new Promise<NewmanSummary>((resolve, reject) => {
    newman
      .run({ collection: collection(server.url), reporters: [] }, (err, s) =>
        err ? reject(err) : resolve(s),
      )
      .on("console", (_err, args) => {
        if (args.level === "warn") warnings.push(String(args.messages[0]));
      });
  });
  theirs = { summary, warnings, seen: server.seen.splice(0) };
}, 60_000);

afterAll(() => server.close());

/** Newman lists an execution once per request sent: each item's last entry holds its verdicts. */
function newmanVerdicts(summary: NewmanSummary): Verdicts {
  const byItem = new Map<string, Verdicts[number]>();
  for (const e of summary.run.executions)
    byItem.set(e.item.name, {
      item: e.item.name,
      ...(e.response ? { code: e.response.code } : {}),
      assertions: (e.assertions ?? []).map((a) => `${a.assertion}: ${a.error?.message ?? "ok"}`),
    });
  return [...byItem.values()];
}

/** What the target saw, per request: the path and the Authorization message type (not the socket). */
const shapes = (seen: NtlmServer["seen"]) => seen.map((s) => `${s.path} ${s.type}`);

describe("NTLM auth, as Newman", () => {
  let events: RunEvent[];
  beforeAll(async () => {
    server.seen.length = 0;
    events = await runEngine(buildPlan({ collection: collection(server.url) as never, options: {} }, "ntlm"));
  }, 60_000);

  const completed = () => events.filter((e): e is RequestCompletedEvent => e.type === "request.completed");

  it("reaches the same verdicts with the same messages", () => {
    const ours: Verdicts = completed().map((e) => ({
      item: e.item.name,
      ...(e.response ? { code: e.response.code } : {}),
      assertions: e.assertions.map((a) => `${a.name}: ${a.error?.message ?? "ok"}`),
    }));
    expect(ours).toEqual(newmanVerdicts(theirs.summary));
    // The handshake passed where the password was right, on the connection it began on.
    expect(ours.filter((v) => v.code === 200).map((v) => v.item)).toEqual([
      "down-level name",
      "user principal name",
      "domain parameter",
      "workstation",
      "negotiate and ntlm",
      "no target info",
      "session",
    ]);
  });

  it("sends the same requests, so counts and lists them as Newman does", async () => {
    expect(shapes(server.seen)).toEqual(shapes(theirs.seen));
    const done = events.find((e): e is TerminalEvent => e.type === "run.completed");
    expect(done?.stats.requests.total).toBe(theirs.summary.run.stats.requests.total);
    const report = await buildNewmanReport(events, { collection: { id: "c", name: "ntlm" } });
    expect(report.run.executions.length).toBe(theirs.summary.run.executions.length);
  });

  it("warns as Newman does when the server sends no challenge", () => {
    const warned = completed().flatMap((e) =>
      e.console.filter((c) => c.level === "warn").map((c) => `${e.item.name}: ${c.message}`),
    );
    expect(theirs.warnings).toEqual([
      "runtime~ntlm.auth: there was an error validating auth: ntlm: server did not send NTLM type 2 message",
    ]);
    expect(warned).toEqual(theirs.warnings.map((w) => `no type 2: ${w}`));
  });

  it("hands test scripts the last message sent, never the user's own Authorization", () => {
    for (const e of completed()) {
      const auth = e.request.headers.filter((h) => h.key.toLowerCase() === "authorization");
      expect(auth.length, e.item.name).toBeLessThanOrEqual(1);
      expect(auth[0]?.value ?? "", e.item.name).not.toMatch(/^Basic/);
    }
  });
});
