/**
 * Stored collections and environments inside their workspace's Durable Object: every replace keeps the
 * previous version, content is chunked (a collection may be several MB; one SQLite row may not), and
 * secret-typed environment values are write-only (answered masked unless the run service asks to reveal).
 */
import { all, first, readChunks, writeChunks } from "../platform/sql";
import type { ResourceKind, StoredResource, StoredResourceMeta } from "../shared/schemas/resources";
import { decodeCursor, encodeCursor } from "../shared/schemas/resources";

export const SECRET_MASK = "********";

/** Tables the store needs (migration step of the Workspace object). */
export const RESOURCE_TABLES = `
  CREATE TABLE IF NOT EXISTS resources (kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    latest INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (kind, id));
  CREATE INDEX IF NOT EXISTS resources_by_time ON resources (kind, created_at DESC, id DESC);
  CREATE TABLE IF NOT EXISTS resource_versions (kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
    etag TEXT NOT NULL, size INTEGER NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (kind, id, version));
  CREATE TABLE IF NOT EXISTS resource_chunks (owner TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (owner, idx));
`;

interface ResourceRow extends Record<string, SqlStorageValue> {
  kind: string;
  id: string;
  name: string;
  latest: number;
  created_at: string;
  updated_at: string;
}

/** A create (`create: true`) or replace of one stored resource. */
export interface PutInput {
  kind: ResourceKind;
  id: string;
  name: string;
  content: unknown;
  create: boolean;
  /** Replace only if this is the current ETag. */
  ifMatch?: string | undefined;
}

export type PutResult =
  | { ok: true; resource: StoredResourceMeta }
  | { ok: false; reason: "not-found" | "precondition-failed" }
  /** An environment value is the mask (`********`) but no stored secret has its key: nothing to keep. */
  | { ok: false; reason: "masked-secret"; index: number; key: string };

export class ResourceStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Creates (no `id` row yet) or replaces a resource as a new version; `ifMatch` guards lost updates. */
  put(input: PutInput): PutResult {
    const sql = this.#storage.sql;
    const existing = this.#row(input.kind, input.id);
    if (input.create === (existing !== null)) return { ok: false, reason: "not-found" };
    if (existing && input.ifMatch && input.ifMatch !== this.#etag(input.kind, input.id, existing.latest)) {
      return { ok: false, reason: "precondition-failed" };
    }
    let content = input.content;
    if (input.kind === "environment" && existing) {
      content = keepMaskedSecrets(content, this.#content(input.kind, input.id, existing.latest));
    }
    const masked = input.kind === "environment" ? maskedSecret(content) : null;
    if (masked) return { ok: false, reason: "masked-secret", ...masked };
    const text = JSON.stringify(content);
    const version = existing ? existing.latest + 1 : 1;
    const now = new Date().toISOString();
    const etag = `"${input.kind[0]}${input.id.slice(-8)}-v${version}-${fnv1a(text)}"`;
    this.#storage.transactionSync(() => {
      writeChunks(sql, "resource_chunks", owner(input.kind, input.id, version), text);
      sql.exec(
        "INSERT INTO resource_versions (kind, id, version, etag, size, created_at, name) VALUES (?, ?, ?, ?, ?, ?, ?)",
        input.kind,
        input.id,
        version,
        etag,
        text.length,
        now,
        input.name,
      );
      sql.exec(
        `INSERT INTO resources (kind, id, name, latest, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, latest = excluded.latest, updated_at = excluded.updated_at`,
        input.kind,
        input.id,
        input.name,
        version,
        now,
        now,
      );
    });
    return { ok: true, resource: this.#meta(this.#row(input.kind, input.id)!, version) };
  }

  /** One version (default: latest). Secret values are masked unless `reveal` (server-side callers only). */
  get(kind: ResourceKind, id: string, version?: number, reveal = false): StoredResource | null {
    const row = this.#row(kind, id);
    if (!row) return null;
    const v = version ?? row.latest;
    const content = this.#content(kind, id, v);
    if (content === null) return null;
    return { ...this.#meta(row, v), json: JSON.stringify(reveal ? content : maskSecrets(kind, content)) };
  }

  /** Newest first, keyset-paginated; `cursor` must come from a previous page (validated by the caller). */
  list(
    kind: ResourceKind,
    limit: number,
    cursor?: string,
  ): { items: StoredResourceMeta[]; nextCursor: string | null } {
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = after
      ? all<ResourceRow>(
          this.#storage.sql,
          `SELECT * FROM resources WHERE kind = ? AND (created_at < ? OR (created_at = ? AND id < ?))
           ORDER BY created_at DESC, id DESC LIMIT ?`,
          kind,
          after[0],
          after[0],
          after[1],
          limit + 1,
        )
      : all<ResourceRow>(
          this.#storage.sql,
          "SELECT * FROM resources WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT ?",
          kind,
          limit + 1,
        );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.#meta(r, r.latest)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /** Deletes every version; answers false when there was nothing to delete. */
  delete(kind: ResourceKind, id: string): boolean {
    const row = this.#row(kind, id);
    if (!row) return false;
    const sql = this.#storage.sql;
    this.#storage.transactionSync(() => {
      for (let v = 1; v <= row.latest; v++)
        sql.exec("DELETE FROM resource_chunks WHERE owner = ?", owner(kind, id, v));
      sql.exec("DELETE FROM resource_versions WHERE kind = ? AND id = ?", kind, id);
      sql.exec("DELETE FROM resources WHERE kind = ? AND id = ?", kind, id);
    });
    return true;
  }

  #row(kind: ResourceKind, id: string): ResourceRow | null {
    return first<ResourceRow>(
      this.#storage.sql,
      "SELECT * FROM resources WHERE kind = ? AND id = ?",
      kind,
      id,
    );
  }

  #etag(kind: ResourceKind, id: string, version: number): string | null {
    return (
      first<{ etag: string }>(
        this.#storage.sql,
        "SELECT etag FROM resource_versions WHERE kind = ? AND id = ? AND version = ?",
        kind,
        id,
        version,
      )?.etag ?? null
    );
  }

  #content(kind: ResourceKind, id: string, version: number): unknown {
    const text = readChunks(this.#storage.sql, "resource_chunks", owner(kind, id, version));
    return text === null ? null : (JSON.parse(text) as unknown);
  }

  #meta(row: ResourceRow, version: number): StoredResourceMeta {
    const v = first<{ etag: string; size: number; created_at: string; name: string | null }>(
      this.#storage.sql,
      "SELECT etag, size, created_at, name FROM resource_versions WHERE kind = ? AND id = ? AND version = ?",
      row.kind,
      row.id,
      version,
    );
    return {
      id: row.id,
      kind: row.kind as ResourceKind,
      // Versions stored before migration 5 have no name of their own.
      name: v?.name ?? row.name,
      version,
      latestVersion: row.latest,
      etag: v?.etag ?? "",
      size: v?.size ?? 0,
      createdAt: row.created_at,
      updatedAt: v?.created_at ?? row.updated_at,
    };
  }
}

const owner = (kind: ResourceKind, id: string, version: number) => `${kind}:${id}:${version}`;

interface EnvLike {
  values?: Array<{ key?: unknown; value?: unknown; type?: unknown }>;
}

function maskSecrets(kind: ResourceKind, content: unknown): unknown {
  if (kind !== "environment" || !content || typeof content !== "object") return content;
  const env = content as EnvLike;
  if (!Array.isArray(env.values)) return content;
  return {
    ...env,
    values: env.values.map((v) => (v && v.type === "secret" ? { ...v, value: SECRET_MASK } : v)),
  };
}

/**
 * A client that GETs an environment and PUTs it back sends the mask for secrets it never saw: keep the
 * previous value for such entries so a round trip does not overwrite a secret with asterisks.
 */
function keepMaskedSecrets(next: unknown, previous: unknown): unknown {
  const n = next as EnvLike;
  const p = previous as EnvLike | null;
  if (!n || !Array.isArray(n.values) || !p || !Array.isArray(p.values)) return next;
  const old = new Map(p.values.filter((v) => v?.type === "secret").map((v) => [v.key, v.value]));
  return {
    ...n,
    values: n.values.map((v) =>
      v && v.type === "secret" && v.value === SECRET_MASK && old.has(v.key)
        ? { ...v, value: old.get(v.key) }
        : v,
    ),
  };
}

/**
 * The first secret still holding the mask after `keepMaskedSecrets`: sent back under a new key, or on
 * create (an exported environment's masked secret). Storing it would run with eight asterisks.
 */
function maskedSecret(content: unknown): { index: number; key: string } | null {
  const values = (content as EnvLike | null)?.values;
  if (!Array.isArray(values)) return null;
  const index = values.findIndex((v) => v?.type === "secret" && v.value === SECRET_MASK);
  return index < 0 ? null : { index, key: String(values[index]!.key ?? "") };
}

/** A short content fingerprint for ETags (not security-relevant; the version number makes them unique). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
