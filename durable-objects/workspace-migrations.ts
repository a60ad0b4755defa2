/**
 * The Workspace object's SQLite schema, as ordered versioned migrations: each runs once, in order, and a
 * version is never edited after it shipped (a stored workspace has already applied it).
 */
import type { Migration } from "../platform/sql";
import { RESOURCE_TABLES } from "./resource-store";

/** Workspace tables: the run index, quotas, settings, API keys, idempotency keys, stored resources. */
export const WORKSPACE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "runs, quotas, settings, keys, idempotency",
    up: (sql) =>
      sql.exec(`
        CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, status TEXT NOT NULL,
          monitor_id TEXT, data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS runs_by_time ON runs (created_at DESC, id DESC);
        -- api_quota: unused since the quota is counted in memory (ApiQuotaCounter)
        CREATE TABLE IF NOT EXISTS api_quota (key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
          run_id TEXT NOT NULL, created_at INTEGER NOT NULL);`),
  },
  {
    version: 2,
    name: "named, revocable API keys; stored collections and environments",
    up: (sql) => {
      sql.exec("ALTER TABLE api_keys ADD COLUMN id TEXT");
      sql.exec("ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT 'api key'");
      sql.exec("ALTER TABLE api_keys ADD COLUMN prefix TEXT NOT NULL DEFAULT ''");
      sql.exec("ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER");
      sql.exec("UPDATE api_keys SET id = 'key_' || substr(hash, 1, 16) WHERE id IS NULL");
      sql.exec(RESOURCE_TABLES);
    },
  },
  {
    version: 3,
    name: "request time samples per run (workspace metrics)",
    up: (sql) => {
      sql.exec("ALTER TABLE runs ADD COLUMN request_times TEXT");
    },
  },
  {
    version: 4,
    name: "active runs by status (admission counts them without scanning every run)",
    up: (sql) => {
      sql.exec("CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status)");
    },
  },
  {
    version: 5,
    name: "each stored version keeps its own name (an older version answered the latest one's)",
    up: (sql) => {
      sql.exec("ALTER TABLE resource_versions ADD COLUMN name TEXT");
    },
  },
  {
    version: 6,
    name: "which stored collection and environment each monitor runs (a used one is not deleted)",
    up: (sql) => {
      sql.exec(`CREATE TABLE IF NOT EXISTS monitor_uses (monitor_id TEXT PRIMARY KEY, collection_id TEXT,
        environment_id TEXT)`);
    },
  },
];
