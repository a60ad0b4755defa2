/**
 * A new run object's schema comes from one baseline script (RUN_BASELINE) instead of each migration
 * step: it must be exactly what the steps leave and record the same versions; migrations newer than
 * the baseline still run as steps, and an existing object is migrated by the steps alone.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RUN_BASELINE, RUN_MIGRATIONS, RunStore } from "../../durable-objects/run-store";
import { type Migration, migrate } from "../../platform/sql";

/** Tables and indexes with their definitions (SQLite keeps the text; spacing and IF NOT EXISTS aside). */
function schemaOf(sql: SqlStorage): Array<{ type: string; name: string; def: string }> {
  return sql
    .exec<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .toArray()
    .map((r) => ({
      type: r.type,
      name: r.name,
      def: (r.sql ?? "")
        .replace(/IF NOT EXISTS /gi, "")
        .replace(/\s+/g, " ")
        .trim(),
    }));
}

function versionsOf(sql: SqlStorage): Array<{ version: number; name: string }> {
  return sql
    .exec<{ version: number; name: string }>("SELECT version, name FROM _migrations ORDER BY version")
    .toArray();
}

const freshObject = () => env.RUN_COORDINATOR.get(env.RUN_COORDINATOR.newUniqueId());

describe("run object schema", () => {
  it("creates a new run object from the baseline with the schema and versions the migration steps leave", async () => {
    const stepwise = await runInDurableObject(freshObject(), (_i, state) => {
      migrate(state.storage, RUN_MIGRATIONS);
      return { schema: schemaOf(state.storage.sql), versions: versionsOf(state.storage.sql) };
    });
    const baseline = await runInDurableObject(freshObject(), (_i, state) => {
      new RunStore(state.storage);
      return { schema: schemaOf(state.storage.sql), versions: versionsOf(state.storage.sql) };
    });
    expect(baseline.schema).toEqual(stepwise.schema);
    expect(baseline.versions).toEqual(stepwise.versions);
    expect(baseline.schema.map((t) => t.name)).toContain("state_chunks");
    expect(baseline.schema.map((t) => t.name)).not.toContain("state");
  });

  it("applies migrations newer than the baseline as steps, once", async () => {
    const later: Migration = {
      version: Math.max(RUN_BASELINE.version, ...RUN_MIGRATIONS.map((m) => m.version)) + 1,
      name: "a later step's 'quoted' name",
      up: (sql) => sql.exec("CREATE TABLE later (k TEXT PRIMARY KEY)"),
    };
    const all = [...RUN_MIGRATIONS, later];
    const result = await runInDurableObject(freshObject(), (_i, state) => {
      const first = migrate(state.storage, all, { baseline: RUN_BASELINE });
      const again = migrate(state.storage, all, { baseline: RUN_BASELINE });
      return { first, again, versions: versionsOf(state.storage.sql), schema: schemaOf(state.storage.sql) };
    });
    expect(result.first).toBe(later.version);
    expect(result.again).toBe(later.version);
    expect(result.versions.map((v) => v.version)).toEqual(all.map((m) => m.version));
    expect(result.versions.at(-1)?.name).toBe(later.name);
    expect(result.schema.map((t) => t.name)).toContain("later");
  });

  it("migrates an existing object by the steps (the baseline is for new objects only), keeping its data", async () => {
    const result = await runInDurableObject(freshObject(), (_i, state) => {
      migrate(state.storage, RUN_MIGRATIONS.slice(0, 1));
      state.storage.sql.exec("INSERT INTO state (id, data) VALUES (1, '{\"kept\":true}')");
      new RunStore(state.storage);
      return {
        versions: versionsOf(state.storage.sql).map((v) => v.version),
        state: state.storage.sql
          .exec<{ data: string }>("SELECT data FROM state_chunks WHERE owner = 'state'")
          .toArray(),
      };
    });
    expect(result.versions).toEqual(RUN_MIGRATIONS.map((m) => m.version));
    expect(result.state).toEqual([{ data: '{"kept":true}' }]);
  });
});
