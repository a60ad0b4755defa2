/**
 * API keys and authentication hardening through the real Worker: keys shown once and stored hashed,
 * listed by prefix, revoked at once; forged keys and unknown workspaces create no Durable Object;
 * failed authentication is rate-limited per client.
 */
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers";

const ADMIN = "edgerun-test-admin";

async function createWorkspace(name: string) {
  const res = await api("/v1/admin/workspaces", {
    method: "POST",
    key: ADMIN,
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as {
    workspace: { id: string };
    apiKey: string;
    key: { id: string; prefix: string };
  };
}

const workspaceObjects = async () => (await listDurableObjectIds(env.WORKSPACE)).length;

describe("API keys", () => {
  it("creates, lists (prefix only) and revokes keys; a revoked key gets 401 at once", async () => {
    const ws = await createWorkspace("keys");
    expect(ws.apiKey.startsWith(ws.key.prefix)).toBe(true);
    const created = await api(`/v1/admin/workspaces/${ws.workspace.id}/keys`, {
      method: "POST",
      key: ADMIN,
      body: JSON.stringify({ name: "ci" }),
    });
    expect(created.status).toBe(201);
    const second = (await created.json()) as { apiKey: string; key: { id: string; name: string } };
    expect(second.key.name).toBe("ci");
    expect((await api("/v1/runs", { key: second.apiKey })).status).toBe(200);

    const listed = await api(`/v1/admin/workspaces/${ws.workspace.id}/keys`, { key: ADMIN });
    const text = await listed.text();
    expect(text).not.toContain(ws.apiKey);
    expect(text).not.toContain(second.apiKey);
    expect(JSON.parse(text).keys).toHaveLength(2);

    const revoked = await api(`/v1/admin/workspaces/${ws.workspace.id}/keys/${second.key.id}`, {
      method: "DELETE",
      key: ADMIN,
    });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await api("/v1/runs", { key: second.apiKey })).status).toBe(401);
    expect((await api("/v1/runs", { key: ws.apiKey })).status).toBe(200);
    expect(
      (
        await api(`/v1/admin/workspaces/${ws.workspace.id}/keys/key_unknown`, {
          method: "DELETE",
          key: ADMIN,
        })
      ).status,
    ).toBe(404);
  });

  it("refuses forged keys and unknown workspaces without creating any Durable Object", async () => {
    await createWorkspace("baseline");
    const before = await workspaceObjects();
    for (let i = 0; i < 10; i++) {
      const forged = `er_ws${"abcdefghij12".slice(0, 12)}${String(i).padStart(8, "0")}_${"A".repeat(40)}`;
      expect((await api("/v1/runs", { key: forged })).status).toBe(401);
    }
    const patch = await api("/v1/admin/workspaces/wsunknownunknown00000000", {
      method: "PATCH",
      key: ADMIN,
      body: JSON.stringify({ allowHosts: [] }),
    });
    expect(patch.status).toBe(404);
    expect((await api("/v1/admin/workspaces/wsunknown/keys", { key: ADMIN })).status).toBe(404);
    expect(await workspaceObjects()).toBe(before);
  });

  it("rate-limits failed authentication per client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api("/v1/runs", {
        key: "not-a-key",
        headers: { "cf-connecting-ip": "198.51.100.7" },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("retry-after")).toBe("60");
        break;
      }
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(30);
    // Another client is unaffected.
    expect(
      (await api("/v1/runs", { key: "not-a-key", headers: { "cf-connecting-ip": "198.51.100.8" } })).status,
    ).toBe(401);
  });
});
