/**
 * Monitor notifications: the payloads (a JSON webhook body, a Slack-compatible `{ text, blocks }`),
 * their signature, and the delivery schedule. Pure (WebCrypto only), shared by the Monitor Durable
 * Object and tests that verify deliveries independently.
 *
 * Signature: `X-Edgerun-Timestamp: <unix seconds>` and
 * `X-Edgerun-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. Receivers recompute it
 * over the raw body and reject stale timestamps (e.g. older than 5 minutes) to stop replays.
 */
import type { MonitorRunFailure, NotificationEvent } from "../schemas/monitors";

/** Delays before delivery attempts 2, 3 and 4 (after a network error or a non-2xx answer). */
export const DELIVERY_BACKOFF_MS = [30_000, 120_000, 600_000] as const;

export interface NotificationContext {
  event: NotificationEvent;
  monitor: { id: string; name: string };
  /** When the state changed (ISO). */
  at: string;
  state: { status: "passing" | "failing"; since: string; consecutiveFailures: number };
  run: {
    runId: string;
    region: string;
    status: string;
    tickAt: string;
    failures: MonitorRunFailure[];
  };
  /** Where a person can look at it (the API's monitor URL). */
  link: string;
}

/** The generic webhook body (stable, versioned). */
export function webhookPayload(ctx: NotificationContext): Record<string, unknown> {
  return {
    v: 1,
    type: `monitor.${ctx.event}`,
    event: ctx.event,
    at: ctx.at,
    monitor: ctx.monitor,
    state: ctx.state,
    run: { ...ctx.run, failures: ctx.run.failures.slice(0, 5) },
    link: ctx.link,
  };
}

/** A Slack incoming-webhook message (`text` is the fallback, `blocks` the rich layout). */
export function slackPayload(ctx: NotificationContext): { text: string; blocks: unknown[] } {
  const failing = ctx.event === "failure";
  const text = failing
    ? `:red_circle: Monitor "${ctx.monitor.name}" is failing (${ctx.state.consecutiveFailures} failed run(s), region ${ctx.run.region})`
    : `:large_green_circle: Monitor "${ctx.monitor.name}" recovered (region ${ctx.run.region})`;
  const lines = ctx.run.failures
    .slice(0, 5)
    .map(
      (f) =>
        `• *${escapeSlack(f.item)}*${f.assertion ? ` — ${escapeSlack(f.assertion)}` : ""}: ${escapeSlack(f.message)}`,
    );
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: escapeSlack(text) } }];
  if (lines.length)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: lines.join("\n").slice(0, 2900) } });
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: `run \`${ctx.run.runId}\` · ${ctx.at} · <${ctx.link}|monitor>` }],
  });
  return { text, blocks };
}

function escapeSlack(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Hex HMAC-SHA256 of `${timestamp}.${body}` with the target's secret. */
export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The headers of one delivery: content type, timestamp, and the signature when a secret is set. */
export async function deliveryHeaders(opts: {
  body: string;
  secret: string | null;
  nowMs: number;
  deliveryId: string;
}): Promise<Record<string, string>> {
  const timestamp = Math.floor(opts.nowMs / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "edgerun-monitor/1",
    "x-edgerun-delivery": opts.deliveryId,
    "x-edgerun-timestamp": String(timestamp),
  };
  if (opts.secret)
    headers["x-edgerun-signature"] = `sha256=${await signPayload(opts.secret, timestamp, opts.body)}`;
  return headers;
}

/** When to try a delivery again after `attempt` (1-based) failed; null when it gives up. */
export function nextDeliveryAt(attempt: number, failedAt: number): number | null {
  const delay = DELIVERY_BACKOFF_MS[attempt - 1];
  return delay === undefined ? null : failedAt + delay;
}
