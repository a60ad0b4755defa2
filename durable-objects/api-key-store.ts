/**
 * A workspace's API keys inside its Durable Object: only the SHA-256 of a key and a visible prefix are
 * stored; revocation takes effect on the next request.
 */
import { all, first } from "../platform/sql";
import type { ApiKeyInfo } from "../shared/schemas/resources";

export interface NewApiKey {
  hash: string;
  prefix: string;
  id: string;
  name: string;
}

interface KeyRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

const info = (row: KeyRow): ApiKeyInfo => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: new Date(row.created_at).toISOString(),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
});

const COLUMNS = "id, name, prefix, created_at, revoked_at";

export class ApiKeyStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  verify(hash: string): boolean {
    return (
      first(this.#sql, "SELECT 1 AS ok FROM api_keys WHERE hash = ? AND revoked_at IS NULL", hash) !== null
    );
  }

  create(key: NewApiKey): ApiKeyInfo {
    this.#sql.exec(
      "INSERT INTO api_keys (hash, created_at, id, name, prefix) VALUES (?, ?, ?, ?, ?)",
      key.hash,
      Date.now(),
      key.id,
      key.name,
      key.prefix,
    );
    return this.get(key.id)!;
  }

  list(): ApiKeyInfo[] {
    return all<KeyRow>(this.#sql, `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id LIMIT 1000`).map(
      info,
    );
  }

  revoke(id: string): ApiKeyInfo | null {
    this.#sql.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Date.now(), id);
    return this.get(id);
  }

  get(id: string): ApiKeyInfo | null {
    const row = first<KeyRow>(this.#sql, `SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, id);
    return row ? info(row) : null;
  }
}
