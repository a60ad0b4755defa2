/**
 * Durable Object failure path and schema migrations: a slice that throws every time ends the run
 * `failed` after the bounded retries (no endless re-arm), with a contiguous event log; objects created
 * with schema v1 migrate to v2 keeping their data.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FAILED_SLICES } from "../../durable-objects/run-coordinator";
import type { Workspace } from "../../durable-objects/workspace";
import { api, collection, readSse, startRun, target } from "./helpers";

describe("run failure path", () => {
  it("ends a run failed after bounded retries when every slice throws, and visits do not re-arm it", async () => {
    const requests = Array.from({ length: 5 }, (_, i) => ({ name: `r${i}`, url: `${target()}/get?i=${i}` }));
    const { id } = await startRun({
      collection: collection("Throws", requests),
      options: { delayRequest: 60_000 },
    });
    // Wait for the first request to commit; the next slice is then a minute away.
    await readSse(await api(`/v1/runs/${id}/events`), (m) => m.event === "request.completed");
    const stub = env.RUN_COORDINATOR.get(env.RUN_COORDINATOR.idFromName(`dev:${id}`));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE state_chunks SET data = '{broken' WHERE owner = 'state'");
    });
    for (let attempt = 1; attempt <= MAX_FAILED_SLICES; attempt++) {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const summary = (await (await api(`/v1/runs/${id}`)).json()) as {
        status: string;
        reason: string | null;
      };
      if (attempt < MAX_FAILED_SLICES) {
        expect(summary.status).toBe("running");
        // A status visit leaves the backoff alone: the retry stays in the future.
        const alarm = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
        expect(alarm).toBeGreaterThan(Date.now());
      } else {
        expect(summary.status).toBe("failed");
        expect(summary.reason).toMatch(/internal error after 5 attempts/);
      }
    }
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event).toBe("run.failed");
    expect(events.filter((e) => e.event === "request.completed")).toHaveLength(1);
  });

  it("never advances the sequence for events whose checkpoint failed; the retry resends and commits", async () => {
    const requests = Array.from({ length: 3 }, (_, i) => ({ name: `r${i}`, url: `${target()}/get?i=${i}` }));
    const { id } = await startRun({
      collection: collection("Seq", requests),
      options: { delayRequest: 60_000 },
    });
    await readSse(await api(`/v1/runs/${id}/events`), (m) => m.event === "request.completed");
    const stub = env.RUN_COORDINATOR.get(env.RUN_COORDINATOR.idFromName(`dev:${id}`));
    // The next checkpoint fails inside its transaction (as SQLITE_TOOBIG or a full disk would).
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "CREATE TRIGGER fail_checkpoint BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'checkpoint refused'); END",
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const during = (await (await api(`/v1/runs/${id}`)).json()) as { status: string; lastEventId: number };
    expect(during.status).toBe("running");
    await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec("DROP TRIGGER fail_checkpoint"),
    );
    for (let i = 0; i < 4 && (await runDurableObjectAlarm(stub)); i++);
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(during.lastEventId).toBe(3);
    const completed = all.filter((e) => e.event === "request.completed");
    expect(completed.map((e) => (e.data as { item: { name: string } }).item.name)).toEqual([
      "r0",
      "r1",
      "r2",
    ]);
    expect((completed[1]!.data as { resent?: boolean }).resent).toBe(true);
    expect(all.at(-1)?.event).toBe("run.completed");
  });
});

describe("event log at rest", () => {
  it("stores events without the run's constant envelope and serves them with it", async () => {
    const { id } = await startRun({
      collection: collection("Compact", [{ name: "one", url: `${target()}/get` }]),
    });
    const served = await readSse(await api(`/v1/runs/${id}/events`));
    const stub = env.RUN_COORDINATOR.get(env.RUN_COORDINATOR.idFromName(`dev:${id}`));
    const rows = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ data: string }>("SELECT data FROM events ORDER BY seq").toArray(),
    );
    expect(rows).toHaveLength(served.length);
    // Envelope left out, common fragments tokenised (durable-objects/event-codec.ts).
    for (const row of rows) expect(row.data.startsWith('\u0001{"ts":')).toBe(true);
    const stored = rows.reduce((n, r) => n + r.data.length, 0);
    const servedBytes = served.reduce((n, m) => n + JSON.stringify(m.data).length, 0);
    expect(stored).toBeLessThan(servedBytes * 0.75);
    for (const m of served) expect(m.data).toMatchObject({ v: 1, runId: id });
  });
});

describe("migrations", () => {
  it("migrates a Workspace created with schema v1 to the latest version, keeping its keys and runs", async () => {
    const stub = env.WORKSPACE.get(env.WORKSPACE.idFromName(`legacy-${crypto.randomUUID()}`));
    const hash = "a".repeat(64);
    await runInDurableObject(stub, (_instance: Workspace, state) => {
      const sql = state.storage.sql;
      sql.exec(`
        CREATE TABLE schema_meta (version INTEGER NOT NULL);
        INSERT INTO schema_meta (version) VALUES (1);
        CREATE TABLE runs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, status TEXT NOT NULL, monitor_id TEXT, data TEXT NOT NULL);
        CREATE TABLE api_quota (key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL);
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE api_keys (hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
        CREATE TABLE idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, run_id TEXT NOT NULL, created_at INTEGER NOT NULL);`);
      sql.exec("INSERT INTO meta (k, v) VALUES ('name', 'legacy')");
      sql.exec("INSERT INTO api_keys (hash, created_at) VALUES (?, ?)", hash, 1_700_000_000_000);
      sql.exec(
        "INSERT INTO runs (id, created_at, status, monitor_id, data) VALUES ('run_legacy0000', '2026-01-01T00:00:00.000Z', 'completed', NULL, '{}')",
      );
    });
    expect(await stub.verifyApiKey(hash)).toBe(true);
    expect(await stub.hasRun("run_legacy0000")).toBe(true);
    const keys = await stub.listApiKeys();
    expect(keys).toEqual([expect.objectContaining({ id: `key_${hash.slice(0, 16)}`, revokedAt: null })]);
    expect((await stub.settings())?.name).toBe("legacy");
    const versions = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql
        .exec<{ version: number }>("SELECT version FROM _migrations ORDER BY version")
        .toArray(),
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const list = await stub.listResources({ kind: "collection", limit: 10 });
    expect(list.items).toEqual([]);
  });
});

describe("engine state at rest", () => {
  it("keeps a checkpoint that grows past one chunk and shrinks back exact, with no stale chunk left", async () => {
    const { id } = await startRun({
      collection: collection("Chunks", [
        {
          name: "grow",
          url: `${target()}/get`,
          tests: ['pm.environment.set("big", "x".repeat(1000000));'],
        },
        {
          name: "keep",
          url: `${target()}/get`,
          tests: ["pm.test('kept', () => pm.expect(pm.environment.get('big').length).to.equal(1000000));"],
        },
        { name: "shrink", url: `${target()}/get`, tests: ["pm.environment.unset('big');"] },
        {
          name: "after",
          url: `${target()}/get`,
          tests: ["pm.test('gone', () => pm.expect(pm.environment.get('big')).to.be.undefined);"],
        },
      ]),
    });
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    expect(all.at(-1)?.event).toBe("run.completed");
    const assertions = all
      .filter((m) => m.event === "request.completed")
      .flatMap((m) => (m.data.assertions as Array<{ name: string; passed: boolean }>) ?? []);
    expect(assertions).toEqual([
      expect.objectContaining({ name: "kept", passed: true }),
      expect.objectContaining({ name: "gone", passed: true }),
    ]);
    const stub = env.RUN_COORDINATOR.get(env.RUN_COORDINATOR.idFromName(`dev:${id}`));
    const chunks = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ idx: number }>("SELECT idx FROM state_chunks WHERE owner = 'state'").toArray(),
    );
    expect(chunks.map((c) => c.idx)).toEqual([0]);
  });

  it("shrinks a request event past one row's size and goes on (30,000 pm.test calls with long names)", async () => {
    const tests = [
      "for (let i = 0; i < 30000; i++) pm.test('t'.repeat(200) + i, () => pm.expect(i % 2).to.equal(0));",
    ];
    const { id } = await startRun({
      collection: collection("Huge event", [
        { name: "huge", url: `${target()}/get?i=0`, tests },
        { name: "after", url: `${target()}/get?i=1`, tests: ["pm.test('after runs', () => {});"] },
      ]),
    });
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    expect(events.at(-1)?.event).toBe("run.completed");
    const [huge = {}, after] = events.filter((e) => e.event === "request.completed").map((e) => e.data);
    const truncated = huge.truncated as { bytes: number; dropped: Record<string, number> };
    expect(truncated.bytes).toBeGreaterThan(6_000_000);
    const kept = (huge.assertions as unknown[]).length;
    expect(kept).toBeGreaterThan(1000);
    expect(truncated.dropped["/assertions"]).toBe(30_000 - kept);
    expect(JSON.stringify(huge.console)).toMatch(/past the 1048576-byte limit/);
    expect(after?.assertions).toEqual([expect.objectContaining({ name: "after runs", passed: true })]);
    // The stats count every assertion, kept in the event or not.
    const stats = events.at(-1)?.data.stats as { assertions: { total: number; failed: number } };
    expect(stats.assertions).toMatchObject({ total: 30_001, failed: 15_000 });
  }, 120_000);
});
