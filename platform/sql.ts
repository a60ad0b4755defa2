/**
 * The small SQL layer every Durable Object class shares: typed row helpers, chunked blobs for values
 * larger than one SQLite row may hold, and one migrations runner.
 *
 * Migrations are ordered and versioned; each runs in a synchronous transaction together with the
 * record of its version (a new object's in one transaction together), so a crash mid-migration leaves
 * the previous version intact and the next start retries it. Objects created before this runner existed recorded a single `schema_meta.version`:
 * that number is adopted as "every migration up to it is applied".
 */

/** One schema step. `up` may create, `ALTER` or backfill; it must be deterministic. */
export interface Migration {
  version: number;
  name: string;
  up(sql: SqlStorage): void;
}

/**
 * The schema that every migration up to `version` leaves, as one SQL script (statements separated by
 * `;`, no bindings): a new object runs it in one `exec` instead of each step (no table created only to
 * be dropped by a later step, one statement to prepare per table). Its users test that it equals the
 * steps' schema.
 */
export interface Baseline {
  version: number;
  sql: string;
}

/**
 * Applies pending migrations in version order; answers the schema version now in force. An object's
 * first start (every run is a new object) costs one look at the schema and one transaction with every
 * migration — with a `baseline`, one script for the steps it covers —; later starts that look and one
 * read of the recorded version.
 */
export function migrate(
  storage: DurableObjectStorage,
  migrations: readonly Migration[],
  opts: { baseline?: Baseline } = {},
): number {
  const sql = storage.sql;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const tables = new Set(
    all<{ name: string }>(
      sql,
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_migrations', 'schema_meta')",
    ).map((r) => r.name),
  );
  if (tables.size === 0) {
    const covered = opts.baseline?.version ?? 0;
    storage.transactionSync(() => {
      if (opts.baseline) sql.exec(baselineScript(opts.baseline, sorted));
      else sql.exec(MIGRATIONS_TABLE);
      for (const m of sorted) if (m.version > covered) apply(sql, m);
    });
    return sorted.at(-1)?.version ?? 0;
  }
  if (!tables.has("_migrations")) sql.exec(MIGRATIONS_TABLE);
  let current = first<{ v: number | null }>(sql, "SELECT MAX(version) AS v FROM _migrations")?.v ?? 0;
  if (current === 0 && tables.has("schema_meta")) current = adoptLegacyVersion(sql, migrations);
  for (const m of sorted) {
    if (m.version <= current) continue;
    storage.transactionSync(() => apply(sql, m));
    current = m.version;
  }
  return current;
}

const MIGRATIONS_TABLE =
  "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

/** The migrations table, the baseline's schema and the record of every version it covers, as one script. */
function baselineScript(baseline: Baseline, sorted: readonly Migration[]): string {
  const now = Date.now();
  const rows = sorted
    .filter((m) => m.version <= baseline.version)
    .map((m) => `(${m.version}, '${m.name.replaceAll("'", "''")}', ${now})`);
  const parts = [MIGRATIONS_TABLE, baseline.sql.trim().replace(/;+$/, "")];
  if (rows.length)
    parts.push(`INSERT INTO _migrations (version, name, applied_at) VALUES ${rows.join(", ")}`);
  return parts.join(";\n");
}

/** One migration and the record of its version (callers wrap both in one transaction). */
function apply(sql: SqlStorage, m: Migration): void {
  m.up(sql);
  sql.exec(
    "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
    m.version,
    m.name,
    Date.now(),
  );
}

function adoptLegacyVersion(sql: SqlStorage, migrations: readonly Migration[]): number {
  const version = first<{ version: number }>(sql, "SELECT version FROM schema_meta")?.version ?? 0;
  for (const m of migrations) {
    if (m.version <= version) {
      sql.exec(
        "INSERT OR IGNORE INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
        m.version,
        m.name,
        0,
      );
    }
  }
  sql.exec("DROP TABLE schema_meta");
  return version;
}

type Binding = string | number | null | ArrayBuffer;

/** The first row of a query, or null. */
export function first<T extends Record<string, SqlStorageValue>>(
  sql: SqlStorage,
  query: string,
  ...args: Binding[]
): T | null {
  const rows = sql.exec<T>(query, ...args).toArray();
  return rows[0] ?? null;
}

/** All rows of a query (for bounded result sets: always use LIMIT on anything that grows). */
export function all<T extends Record<string, SqlStorageValue>>(
  sql: SqlStorage,
  query: string,
  ...args: Binding[]
): T[] {
  return sql.exec<T>(query, ...args).toArray();
}

/** Characters per chunk: well below SQLite's per-row limit in Durable Objects (2 MB). */
export const CHUNK_CHARS = 512 * 1024;

/**
 * Writes a (possibly large) text as ordered chunks in `table (owner, idx, data)`, replacing what the
 * owner had, and answers how many chunks it wrote. `previous`: how many the owner had, when the caller
 * knows (a checkpoint written every few requests): rows are then replaced in place and only a surplus is
 * deleted, one statement per chunk instead of two. Callers wrap this in their transaction.
 */
export function writeChunks(
  sql: SqlStorage,
  table: string,
  owner: string,
  text: string,
  previous?: number,
): number {
  if (previous === undefined) sql.exec(`DELETE FROM ${table} WHERE owner = ?`, owner);
  let n = 0;
  for (let i = 0; i < text.length || n === 0; i += CHUNK_CHARS, n++) {
    sql.exec(
      `INSERT OR REPLACE INTO ${table} (owner, idx, data) VALUES (?, ?, ?)`,
      owner,
      n,
      text.slice(i, i + CHUNK_CHARS),
    );
  }
  if (previous !== undefined && previous > n)
    sql.exec(`DELETE FROM ${table} WHERE owner = ? AND idx >= ?`, owner, n);
  return n;
}

/** Reads a chunked text back; null when the owner has none. */
export function readChunks(sql: SqlStorage, table: string, owner: string): string | null {
  const rows = all<{ data: string }>(sql, `SELECT data FROM ${table} WHERE owner = ? ORDER BY idx`, owner);
  return rows.length === 0 ? null : rows.map((r) => r.data).join("");
}
