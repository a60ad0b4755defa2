/**
 * Monitor API schemas (API-CONTRACT.md §2, `/v1/monitors`): request bodies and response shapes.
 *
 * The one source of monitor types for the Worker, the Monitor Durable Object and the web app. Shape
 * checks only: cron syntax and time zones are checked by `shared/monitors/schedule.ts` (croner), so the
 * web app can import these schemas without the scheduler.
 */
import * as z from "zod";
import { RegionSchema, RunOptionsSchema, RunStatusSchema } from "./api";
import { CollectionSchema, EnvironmentSchema } from "./collection";

export const MONITOR_ID_PATTERN = /^mon_[0-9a-z]{10,40}$/;
export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 86_400;
export const MAX_NOTIFICATIONS = 10;

export const CronScheduleSchema = z.strictObject({
  /** Five fields: minute hour day-of-month month day-of-week. */
  cron: z
    .string()
    .trim()
    .max(128)
    .refine((c) => c.split(/\s+/).length === 5, {
      message: "a cron expression has 5 fields: minute hour day-of-month month day-of-week",
    }),
  /** IANA time zone (`Europe/Berlin`); DST transitions follow the zone's rules. */
  timezone: z.string().min(1).max(64).default("UTC"),
});
export const IntervalScheduleSchema = z.strictObject({
  intervalSeconds: z.number().int().min(MIN_INTERVAL_SECONDS).max(MAX_INTERVAL_SECONDS),
});
export const ScheduleSchema = z.union([CronScheduleSchema, IntervalScheduleSchema]);
export type Schedule = z.infer<typeof ScheduleSchema>;

export const NotificationEventSchema = z.enum(["failure", "recovery"]);
export type NotificationEvent = z.infer<typeof NotificationEventSchema>;
export const NotificationTypeSchema = z.enum(["webhook", "slack"]);

/** A notification target as clients send it; `secret` is write-only. */
export const NotificationInputSchema = z.strictObject({
  /** On PATCH, an existing target's id keeps its stored secret when `secret` is omitted. */
  id: z.string().max(64).optional(),
  type: NotificationTypeSchema.default("webhook"),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  secret: z.string().min(8).max(256).optional(),
  on: z.array(NotificationEventSchema).min(1).max(2).default(["failure", "recovery"]),
});
export type NotificationInput = z.infer<typeof NotificationInputSchema>;

export const RetrySchema = z.strictObject({ attempts: z.number().int().min(0).max(3) });

const monitorFields = {
  name: z.string().trim().min(1).max(200),
  /** Inline Postman collection, or a stored collection's id. */
  collection: z.union([CollectionSchema, z.string().min(1).max(128)]).optional(),
  collectionId: z.string().min(1).max(128).optional(),
  /** Pins a stored collection's version; omitted: the latest version at each run. */
  collectionVersion: z.number().int().min(1).optional(),
  environment: z
    .union([EnvironmentSchema, z.string().min(1).max(128)])
    .nullable()
    .optional(),
  environmentId: z.string().min(1).max(128).nullable().optional(),
  environmentVersion: z.number().int().min(1).optional(),
  schedule: ScheduleSchema,
  regions: z.array(RegionSchema).min(1).max(10).optional(),
  options: RunOptionsSchema.optional(),
  retry: RetrySchema.optional(),
  /** Consecutive failed ticks before a `failure` notification (default 1). */
  notifyAfter: z.number().int().min(1).max(100).optional(),
  notifications: z.array(NotificationInputSchema).max(MAX_NOTIFICATIONS).optional(),
  active: z.boolean().optional(),
};

export const CreateMonitorBodySchema = z.strictObject(monitorFields);
export type CreateMonitorBody = z.infer<typeof CreateMonitorBodySchema>;

/** PATCH: every field optional; `notifications` replaces the whole list. */
export const UpdateMonitorBodySchema = z.strictObject({
  ...monitorFields,
  name: monitorFields.name.optional(),
  schedule: ScheduleSchema.optional(),
});
export type UpdateMonitorBody = z.infer<typeof UpdateMonitorBodySchema>;

// ---- responses ----------------------------------------------------------------------------------

export const ResourceRefSchema = z.union([
  z.object({ id: z.string(), version: z.number().optional() }),
  z.object({ inline: z.literal(true), name: z.string() }),
]);

export const NotificationSchema = z.object({
  id: z.string(),
  type: NotificationTypeSchema,
  url: z.string(),
  on: z.array(NotificationEventSchema),
  hasSecret: z.boolean(),
});
export type Notification = z.infer<typeof NotificationSchema>;

export const ResponseTimeSchema = z.object({
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
});
export type ResponseTime = z.infer<typeof ResponseTimeSchema>;

export const MonitorRunFailureSchema = z.object({
  item: z.string(),
  assertion: z.string().nullable(),
  message: z.string(),
});
export type MonitorRunFailure = z.infer<typeof MonitorRunFailureSchema>;

/** One run of a monitor (one region, one attempt of one tick). A run the service refused (quota, 429) is
 * recorded with status `failed`, an id `rej_…` and the reason as its failure message. */
export const MonitorRunSchema = z.object({
  runId: z.string(),
  tickAt: z.string(),
  region: RegionSchema,
  attempt: z.number(),
  status: RunStatusSchema,
  /** The monitor's verdict: completed with no failed request, assertion or script; null while running. */
  passed: z.boolean().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  requests: z.object({ total: z.number(), failed: z.number() }),
  assertions: z.object({ total: z.number(), failed: z.number() }),
  responseTime: ResponseTimeSchema.nullable(),
  failures: z.array(MonitorRunFailureSchema).max(20),
});
export type MonitorRun = z.infer<typeof MonitorRunSchema>;

export const MonitorStateSchema = z.object({
  status: z.enum(["passing", "failing", "unknown"]),
  since: z.string().nullable(),
  consecutiveFailures: z.number(),
  lastRun: MonitorRunSchema.nullable(),
  lastFailure: z.object({ runId: z.string(), at: z.string(), message: z.string() }).nullable(),
});
export type MonitorState = z.infer<typeof MonitorStateSchema>;

export const RecentRunSchema = z.object({
  runId: z.string(),
  at: z.string(),
  status: RunStatusSchema,
  passed: z.boolean().nullable(),
  region: RegionSchema,
  durationMs: z.number().nullable(),
  meanResponseMs: z.number().nullable(),
});

export const MonitorSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  collection: ResourceRefSchema,
  environment: ResourceRefSchema.nullable(),
  schedule: z.union([z.object({ cron: z.string(), timezone: z.string() }), IntervalScheduleSchema]),
  regions: z.array(RegionSchema),
  options: z.record(z.string(), z.unknown()),
  retry: z.object({ attempts: z.number() }),
  notifyAfter: z.number(),
  notifications: z.array(NotificationSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextRunAt: z.string().nullable(),
  state: MonitorStateSchema,
  summary: z.object({
    /** 0–100 over the last 24 h of finished runs; null when there were none. */
    uptime24h: z.number().nullable(),
    /** Newest last, at most 20 (sparklines). */
    recent: z.array(RecentRunSchema).max(20),
  }),
});
export type Monitor = z.infer<typeof MonitorSchema>;

export const MonitorListSchema = z.object({
  monitors: z.array(MonitorSchema),
  nextCursor: z.string().nullable(),
});
export type MonitorList = z.infer<typeof MonitorListSchema>;

export const MonitorRunListSchema = z.object({
  runs: z.array(MonitorRunSchema),
  nextCursor: z.string().nullable(),
});
export type MonitorRunList = z.infer<typeof MonitorRunListSchema>;

export const StatsWindowSchema = z.enum(["24h", "7d", "30d"]);
export type StatsWindow = z.infer<typeof StatsWindowSchema>;

export const StatSchema = z.object({
  runs: z.number(),
  passed: z.number(),
  failed: z.number(),
  /** 0–100; null without finished runs. */
  uptime: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
export type Stat = z.infer<typeof StatSchema>;

export const MonitorStatsSchema = z.object({
  window: StatsWindowSchema,
  overall: StatSchema,
  regions: z.record(z.string(), StatSchema),
  series: z.array(
    z.object({
      t: z.string(),
      region: z.string(),
      runs: z.number(),
      failed: z.number(),
      p50: z.number().nullable(),
      p95: z.number().nullable(),
    }),
  ),
});
export type MonitorStats = z.infer<typeof MonitorStatsSchema>;

export const MonitorRunNowSchema = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      status: RunStatusSchema,
      region: RegionSchema,
      /**
       * A started run's own links. A run the run service refused (a quota, a stored collection that is
       * gone) has no run of its own: `self` is the monitor's history, where it is recorded, and `reason`
       * says why.
       */
      links: z.object({ self: z.string(), events: z.string().optional(), report: z.string().optional() }),
      reason: z.string().optional(),
    }),
  ),
});
export type MonitorRunNow = z.infer<typeof MonitorRunNowSchema>;

export const ListQuerySchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const StatsQuerySchema = z.object({ window: StatsWindowSchema.default("24h") });
