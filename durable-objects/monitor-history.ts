/**
 * The Monitor object's tables: its run history (one row per run attempt), tick outcomes, the job
 * schedule its single alarm multiplexes, notification deliveries, and keyed JSON blobs (config, state).
 *
 * Retention: a run row is kept 30 days and at most 10,000 rows per monitor (whichever is smaller);
 * pruning happens on every tick, so storage per monitor stays bounded.
 */
import { all, first, type Migration, readChunks, writeChunks } from "../platform/sql";
import type { StatRow } from "../shared/monitors/stats";
import type { MonitorRun } from "../shared/schemas/monitors";

export const HISTORY_MAX_ROWS = 10_000;
export const HISTORY_MAX_AGE_MS = 30 * 24 * 3600_000;

export const MONITOR_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "monitor history, ticks, jobs, deliveries, blobs",
    up: (sql) =>
      sql.exec(`
        CREATE TABLE blobs (owner TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (owner, idx));
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, tick_at INTEGER NOT NULL, region TEXT NOT NULL,
          attempt INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, final INTEGER NOT NULL DEFAULT 0,
          passed INTEGER, data TEXT NOT NULL, times TEXT NOT NULL DEFAULT '[]',
          UNIQUE (tick_at, region, attempt));
        CREATE INDEX runs_by_tick ON runs (tick_at DESC, run_id DESC);
        CREATE TABLE ticks (tick_at INTEGER PRIMARY KEY, regions INTEGER NOT NULL, outcome TEXT);
        CREATE TABLE jobs (key TEXT PRIMARY KEY, due INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE INDEX jobs_by_due ON jobs (due);
        CREATE TABLE deliveries (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, event TEXT NOT NULL,
          target_id TEXT NOT NULL, body TEXT NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL,
          last_error TEXT);
        CREATE INDEX deliveries_by_time ON deliveries (created_at);
        CREATE TABLE notices (at INTEGER NOT NULL, event TEXT NOT NULL);`),
  },
];

export interface HistoryRow {
  run_id: string;
  tick_at: number;
  region: string;
  attempt: number;
  done: number;
  final: number;
  passed: number | null;
  data: string;
  times: string;
}

type Row = HistoryRow & Record<string, SqlStorageValue>;

export interface Job {
  key: string;
  due: number;
  data: Record<string, unknown>;
}

/** Typed access to the Monitor object's tables (callers own transactions). */
export class MonitorTables {
  constructor(private readonly sql: SqlStorage) {}

  blob<T>(owner: string): T | null {
    const text = readChunks(this.sql, "blobs", owner);
    return text === null ? null : (JSON.parse(text) as T);
  }

  setBlob(owner: string, value: unknown): void {
    writeChunks(this.sql, "blobs", owner, JSON.stringify(value));
  }

  // ---- jobs (the alarm's schedule) --------------------------------------------------------------

  putJob(key: string, due: number, data: Record<string, unknown> = {}): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO jobs (key, due, data) VALUES (?, ?, ?)",
      key,
      due,
      JSON.stringify(data),
    );
  }

  /** Adds a job unless one with that key exists (idempotent scheduling). */
  addJob(key: string, due: number, data: Record<string, unknown> = {}): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO jobs (key, due, data) VALUES (?, ?, ?)",
      key,
      due,
      JSON.stringify(data),
    );
  }

  job(key: string): Job | null {
    const row = first<{ key: string; due: number; data: string }>(
      this.sql,
      "SELECT * FROM jobs WHERE key = ?",
      key,
    );
    return row ? { key: row.key, due: row.due, data: JSON.parse(row.data) as Record<string, unknown> } : null;
  }

  deleteJob(key: string): void {
    this.sql.exec("DELETE FROM jobs WHERE key = ?", key);
  }

  deleteJobs(prefix: string): void {
    this.sql.exec("DELETE FROM jobs WHERE substr(key, 1, ?) = ?", prefix.length, prefix);
  }

  nextDueJob(now: number): Job | null {
    const row = first<{ key: string; due: number; data: string }>(
      this.sql,
      "SELECT * FROM jobs WHERE due <= ? ORDER BY due, key LIMIT 1",
      now,
    );
    return row ? { key: row.key, due: row.due, data: JSON.parse(row.data) as Record<string, unknown> } : null;
  }

  earliestDue(): number | null {
    return first<{ due: number | null }>(this.sql, "SELECT MIN(due) AS due FROM jobs")?.due ?? null;
  }

  // ---- runs ---------------------------------------------------------------------------------------

  runAt(tickAt: number, region: string, attempt: number): HistoryRow | null {
    return first<Row>(
      this.sql,
      "SELECT * FROM runs WHERE tick_at = ? AND region = ? AND attempt = ?",
      tickAt,
      region,
      attempt,
    );
  }

  run(runId: string): HistoryRow | null {
    return first<Row>(this.sql, "SELECT * FROM runs WHERE run_id = ?", runId);
  }

  insertRun(run: MonitorRun, flags: { done: boolean; final: boolean; passed: boolean | null }): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO runs (run_id, tick_at, region, attempt, done, final, passed, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      run.runId,
      Date.parse(run.tickAt),
      run.region,
      run.attempt,
      flags.done ? 1 : 0,
      flags.final ? 1 : 0,
      flags.passed === null ? null : flags.passed ? 1 : 0,
      JSON.stringify(run),
    );
  }

  finishRun(run: MonitorRun, flags: { final: boolean; passed: boolean; times: number[] }): void {
    this.sql.exec(
      "UPDATE runs SET done = 1, final = ?, passed = ?, data = ?, times = ? WHERE run_id = ?",
      flags.final ? 1 : 0,
      flags.passed ? 1 : 0,
      JSON.stringify(run),
      JSON.stringify(flags.times),
      run.runId,
    );
  }

  unfinished(limit: number): HistoryRow[] {
    return all<Row>(this.sql, "SELECT * FROM runs WHERE done = 0 ORDER BY tick_at LIMIT ?", limit);
  }

  /** Newest first (a tick's retries after its first attempt), keyset-paginated on (tick_at, rowid). */
  page(limit: number, after?: { tickAt: number; seq: number }): Array<Row & { seq: number }> {
    if (!after) {
      return all<Row & { seq: number }>(
        this.sql,
        "SELECT rowid AS seq, * FROM runs ORDER BY tick_at DESC, rowid DESC LIMIT ?",
        limit,
      );
    }
    return all<Row & { seq: number }>(
      this.sql,
      `SELECT rowid AS seq, * FROM runs WHERE tick_at < ? OR (tick_at = ? AND rowid < ?)
       ORDER BY tick_at DESC, rowid DESC LIMIT ?`,
      after.tickAt,
      after.tickAt,
      after.seq,
      limit,
    );
  }

  /** Final (counted) runs since an instant, for stats. */
  /** Final outcomes since `since` (ms), oldest first, as the window statistics read them. */
  statRowsSince(since: number): StatRow[] {
    return all<Row>(
      this.sql,
      "SELECT * FROM runs WHERE final = 1 AND tick_at > ? ORDER BY tick_at",
      since,
    ).map((r) => ({
      tickAt: r.tick_at,
      region: r.region,
      passed: r.passed === 1,
      times: JSON.parse(r.times) as number[],
    }));
  }

  /** Final outcomes of one tick, per region. */
  tickOutcomes(tickAt: number): Array<{ region: string; passed: number; run_id: string; data: string }> {
    return all(
      this.sql,
      "SELECT region, passed, run_id, data FROM runs WHERE tick_at = ? AND final = 1",
      tickAt,
    );
  }

  prune(now: number): void {
    this.sql.exec("DELETE FROM runs WHERE tick_at < ?", now - HISTORY_MAX_AGE_MS);
    this.sql.exec("DELETE FROM ticks WHERE tick_at < ?", now - HISTORY_MAX_AGE_MS);
    this.sql.exec(
      `DELETE FROM runs WHERE run_id IN (SELECT run_id FROM runs ORDER BY tick_at DESC, rowid DESC
       LIMIT -1 OFFSET ?)`,
      HISTORY_MAX_ROWS,
    );
    this.sql.exec(
      "DELETE FROM deliveries WHERE created_at < ? AND status != 'pending'",
      now - HISTORY_MAX_AGE_MS,
    );
    this.sql.exec("DELETE FROM notices WHERE at < ?", now - 24 * 3600_000);
  }
}
