/**
 * A monitor's stored configuration, how create/PATCH bodies turn into it, and its public view.
 * Pure: the Worker validates with it before any Durable Object runs, and the Monitor object renders
 * the `Monitor` response with it (secrets never leave the object).
 */
import type { Region, RunOptions } from "../schemas/api";
import type { Collection, Environment } from "../schemas/collection";
import type {
  CreateMonitorBody,
  Monitor,
  MonitorRun,
  MonitorState,
  NotificationEvent,
  Schedule,
  UpdateMonitorBody,
} from "../schemas/monitors";

export interface StoredNotification {
  id: string;
  type: "webhook" | "slack";
  url: string;
  secret: string | null;
  on: NotificationEvent[];
}

export type CollectionSource = { id: string; version?: number | undefined } | { inline: Collection };
export type EnvironmentSource = { id: string; version?: number | undefined } | { inline: Environment } | null;

export interface MonitorConfig {
  id: string;
  workspaceId: string;
  name: string;
  active: boolean;
  collection: CollectionSource;
  environment: EnvironmentSource;
  schedule: Schedule;
  /** Origin of the interval grid: creation or the last schedule change (epoch ms). */
  anchor: number;
  regions: Region[];
  options: RunOptions;
  retry: { attempts: number };
  notifyAfter: number;
  notifications: StoredNotification[];
  createdAt: string;
  updatedAt: string;
  /** The API origin the monitor was configured through (absolute links in notifications). */
  origin?: string | undefined;
}

export interface ConfigIssue {
  pointer: string;
  detail: string;
}

/** New random id with a prefix (`mon_`, `ntf_`), lowercase base32. */
export function newId(prefix: string, bytes = 12): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  return `${prefix}${[...raw].map((b) => alphabet[b & 31]).join("")}`;
}

function collectionOf(body: UpdateMonitorBody, existing?: MonitorConfig): CollectionSource | ConfigIssue {
  if (body.collection !== undefined && body.collectionId !== undefined) {
    return { pointer: "/collectionId", detail: "give either collection or collectionId, not both" };
  }
  const id = body.collectionId ?? (typeof body.collection === "string" ? body.collection : undefined);
  if (id !== undefined) return { id, ...(body.collectionVersion ? { version: body.collectionVersion } : {}) };
  if (body.collection && typeof body.collection === "object") return { inline: body.collection };
  if (existing) {
    if (body.collectionVersion && "id" in existing.collection)
      return { id: existing.collection.id, version: body.collectionVersion };
    return existing.collection;
  }
  return { pointer: "/collection", detail: "a collection (inline) or a collectionId is required" };
}

function environmentOf(body: UpdateMonitorBody, existing?: MonitorConfig): EnvironmentSource | ConfigIssue {
  if (body.environment != null && body.environmentId != null) {
    return { pointer: "/environmentId", detail: "give either environment or environmentId, not both" };
  }
  const id = body.environmentId ?? (typeof body.environment === "string" ? body.environment : undefined);
  if (id) return { id, ...(body.environmentVersion ? { version: body.environmentVersion } : {}) };
  if (body.environment && typeof body.environment === "object") return { inline: body.environment };
  if (body.environment === null || body.environmentId === null) return null;
  return existing ? existing.environment : null;
}

function notificationsOf(body: UpdateMonitorBody, existing?: MonitorConfig): StoredNotification[] {
  if (!body.notifications) return existing?.notifications ?? [];
  return body.notifications.map((n) => {
    const previous = n.id ? existing?.notifications.find((p) => p.id === n.id) : undefined;
    return {
      id: previous?.id ?? newId("ntf_", 8),
      type: n.type,
      url: n.url,
      secret: n.secret ?? (previous && previous.url === n.url ? previous.secret : null),
      on: [...new Set(n.on)],
    };
  });
}

/**
 * Applies a create body (no `existing`) or a PATCH body to a configuration. Answers the new configuration
 * or the problems found (JSON pointers into the body); checks that need the platform (stored
 * collections, target policy) are the caller's.
 */
export function applyBody(opts: {
  body: CreateMonitorBody | UpdateMonitorBody;
  existing?: MonitorConfig;
  workspaceId: string;
  now: number;
  origin?: string | undefined;
}): { ok: true; config: MonitorConfig } | { ok: false; issues: ConfigIssue[] } {
  const { body, existing, now } = opts;
  const collection = collectionOf(body, existing);
  const environment = environmentOf(body, existing);
  const issues = [collection, environment].filter((v): v is ConfigIssue => v !== null && "pointer" in v);
  const schedule = body.schedule ?? existing?.schedule;
  const name = body.name ?? existing?.name;
  if (!schedule) issues.push({ pointer: "/schedule", detail: "a schedule is required" });
  if (!name) issues.push({ pointer: "/name", detail: "a name is required" });
  if (issues.length > 0 || !schedule || !name) return { ok: false, issues };
  const iso = new Date(now).toISOString();
  const scheduleChanged = !existing || JSON.stringify(existing.schedule) !== JSON.stringify(schedule);
  const config: MonitorConfig = {
    id: existing?.id ?? newId("mon_"),
    workspaceId: opts.workspaceId,
    name,
    active: body.active ?? existing?.active ?? true,
    collection: collection as CollectionSource,
    environment: environment as EnvironmentSource,
    schedule,
    anchor: scheduleChanged ? now : (existing?.anchor ?? now),
    regions: [...new Set<Region>(body.regions ?? existing?.regions ?? ["auto"])],
    options: body.options ?? existing?.options ?? {},
    retry: body.retry ?? existing?.retry ?? { attempts: 0 },
    notifyAfter: body.notifyAfter ?? existing?.notifyAfter ?? 1,
    notifications: notificationsOf(body, existing),
    createdAt: existing?.createdAt ?? iso,
    updatedAt: iso,
    origin: opts.origin ?? existing?.origin,
  };
  return { ok: true, config };
}

/** What the history contributes to a view. */
export interface ViewExtras {
  nextRunAt: number | null;
  state: MonitorState;
  uptime24h: number | null;
  recent: MonitorRun[];
}

/** The public `Monitor` shape: resources by reference or inline name, notification secrets hidden. */
export function monitorView(config: MonitorConfig, extras: ViewExtras): Monitor {
  const ref = (source: CollectionSource | EnvironmentSource) => {
    if (source === null) return null;
    if ("inline" in source) return { inline: true as const, name: inlineName(source.inline) };
    return { id: source.id, ...(source.version ? { version: source.version } : {}) };
  };
  return {
    id: config.id,
    name: config.name,
    active: config.active,
    collection: ref(config.collection)!,
    environment: ref(config.environment),
    schedule: config.schedule,
    regions: config.regions,
    options: config.options,
    retry: config.retry,
    notifyAfter: config.notifyAfter,
    notifications: config.notifications.map((n) => ({
      id: n.id,
      type: n.type,
      url: n.url,
      on: n.on,
      hasSecret: n.secret !== null,
    })),
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
    nextRunAt: config.active && extras.nextRunAt !== null ? new Date(extras.nextRunAt).toISOString() : null,
    state: extras.state,
    summary: {
      uptime24h: extras.uptime24h,
      recent: extras.recent.map((r) => ({
        runId: r.runId,
        at: r.tickAt,
        status: r.status,
        passed: r.passed,
        region: r.region,
        durationMs: r.durationMs,
        meanResponseMs: r.responseTime?.mean ?? null,
      })),
    },
  };
}

function inlineName(value: Collection | Environment): string {
  const v = value as { info?: { name?: unknown }; name?: unknown };
  const name = v.info?.name ?? v.name;
  return typeof name === "string" ? name : "(inline)";
}
