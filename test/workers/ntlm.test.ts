/**
 * NTLM through the real stack in workerd: the handshake's three requests must go out on one
 * connection of the platform's fetch, since the target (test/support/ntlm-server.ts) binds each
 * challenge to the socket it was sent on and checks the type 3 message's proof of the password.
 * test/node/ntlm.test.ts compares the same semantics with Newman.
 */
import { describe, expect, inject, it } from "vitest";
import { api, readSse, startRun } from "./helpers";

const account = inject("ntlmAccount");

function ntlmCollection(requests: Array<{ name: string; path: string; password?: string }>) {
  return {
    info: { name: "ntlm", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: requests.map((r) => ({
      name: r.name,
      event: [
        { listen: "test", script: { exec: ["pm.test('status', () => pm.response.to.have.status(200));"] } },
      ],
      request: {
        method: "GET",
        url: `${inject("ntlmUrl")}${r.path}`,
        auth: {
          type: "ntlm",
          ntlm: [
            { key: "username", value: `${account.domain}\\${account.username}` },
            { key: "password", value: r.password ?? account.password },
          ],
        },
      },
    })),
  };
}

describe("NTLM in workerd", () => {
  it("completes each handshake on one connection, and fails a wrong password", async () => {
    const good = Array.from({ length: 12 }, (_, i) => ({ name: `ok ${i}`, path: `/ntlm?i=${i}` }));
    const { id, res } = await startRun({
      collection: ntlmCollection([...good, { name: "wrong", path: "/ntlm", password: "nope" }]),
    });
    expect(res.status).toBe(201);
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    const completed = events.filter((m) => m.event === "request.completed").map((m) => m.data);
    const codes = completed.map((d) => (d.response as { code: number }).code);
    expect(codes).toEqual([...good.map(() => 200), 401]);
    // Each item's two replays (type 1, type 3) are counted, as Newman counts them.
    expect(completed.map((d) => d.authRequests)).toEqual([...good.map(() => 2), 2]);
    const done = events.at(-1)!;
    expect(done.event).toBe("run.completed");
    expect((done.data.stats as { requests: { total: number } }).requests.total).toBe(13 * 3);
  });
});
