import { describe, expect, it } from "vitest";
import { applyBody, monitorView } from "../../shared/monitors/config";
import { CreateMonitorBodySchema, UpdateMonitorBodySchema } from "../../shared/schemas/monitors";

const collection = { info: { name: "C", schema: "v2.1" }, item: [] };
const create = CreateMonitorBodySchema.parse({
  name: "M",
  collection,
  schedule: { intervalSeconds: 30 },
  notifications: [{ url: "https://hooks.example.com/a", secret: "s3cret-s3cret" }],
});

function created() {
  const r = applyBody({ body: create, workspaceId: "ws", now: 1000, origin: "https://api.example" });
  if (!r.ok) throw new Error("expected a config");
  return r.config;
}

describe("monitor configuration", () => {
  it("fills defaults on create and anchors the interval grid at creation", () => {
    const cfg = created();
    expect(cfg).toMatchObject({
      workspaceId: "ws",
      active: true,
      regions: ["auto"],
      retry: { attempts: 0 },
      notifyAfter: 1,
      anchor: 1000,
      collection: { inline: collection },
      environment: null,
    });
    expect(cfg.id).toMatch(/^mon_[0-9a-z]{12}$/);
    expect(cfg.notifications[0]).toMatchObject({
      type: "webhook",
      on: ["failure", "recovery"],
      secret: "s3cret-s3cret",
    });
  });

  it("PATCH merges, keeps secrets of targets named by id, and re-anchors only on a schedule change", () => {
    const cfg = created();
    const keep = UpdateMonitorBodySchema.parse({
      name: "M2",
      notifications: [{ id: cfg.notifications[0]!.id, url: "https://hooks.example.com/a" }],
    });
    const r = applyBody({ body: keep, existing: cfg, workspaceId: "ws", now: 5000 });
    expect(r.ok && r.config).toMatchObject({
      name: "M2",
      anchor: 1000,
      id: cfg.id,
      createdAt: cfg.createdAt,
    });
    expect(r.ok && r.config.notifications[0]!.secret).toBe("s3cret-s3cret");
    const moved = applyBody({
      body: UpdateMonitorBodySchema.parse({
        schedule: { intervalSeconds: 60 },
        collectionId: "col_x",
        collectionVersion: 2,
      }),
      existing: cfg,
      workspaceId: "ws",
      now: 9000,
    });
    expect(moved.ok && moved.config).toMatchObject({ anchor: 9000, collection: { id: "col_x", version: 2 } });
  });

  it("reports conflicting or missing sources with JSON pointers", () => {
    const both = CreateMonitorBodySchema.parse({
      name: "M",
      collection,
      collectionId: "col_x",
      schedule: { intervalSeconds: 30 },
    });
    expect(applyBody({ body: both, workspaceId: "ws", now: 0 })).toEqual({
      ok: false,
      issues: [{ pointer: "/collectionId", detail: expect.any(String) }],
    });
    const none = CreateMonitorBodySchema.parse({ name: "M", schedule: { intervalSeconds: 30 } });
    expect(applyBody({ body: none, workspaceId: "ws", now: 0 }).ok).toBe(false);
  });

  it("renders the public view without secrets", () => {
    const view = monitorView(created(), {
      nextRunAt: 31_000,
      state: { status: "unknown", since: null, consecutiveFailures: 0, lastFailure: null, lastRun: null },
      uptime24h: null,
      recent: [],
    });
    expect(view.collection).toEqual({ inline: true, name: "C" });
    expect(view.nextRunAt).toBe(new Date(31_000).toISOString());
    expect(view.notifications[0]).toEqual(expect.objectContaining({ hasSecret: true }));
    expect(JSON.stringify(view)).not.toContain("s3cret");
  });
});
