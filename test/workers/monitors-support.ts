/** Helpers for the monitor tests: a controlled clock, alarm-driven ticks and the echo webhook recorder. */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { Monitor, MonitorRun } from "../../shared/schemas/monitors";
import { api, collection, target } from "./helpers";

/** Far enough in the future that no alarm set on the fake clock ever fires by itself during a test. */
export const T0 = Math.ceil((Date.now() + 365 * 24 * 3600_000) / 3600_000) * 3600_000;

export function monitorStub(id: string) {
  return env.MONITOR.get(env.MONITOR.idFromName(`dev:${id}`));
}

export function checkCollection(name: string, path: string) {
  return collection(name, [
    {
      name: "Probe",
      url: `${target()}${path}`,
      tests: ['pm.test("status is 200", () => pm.response.to.have.status(200));'],
    },
  ]);
}

/**
 * Creates a monitor paused, sets its clock to `clock`, then resumes it: its first tick is the first
 * grid point after `clock`, and no real alarm can fire in between.
 */
export async function createOnClock(body: Record<string, unknown>, clock = T0): Promise<Monitor> {
  const res = await api("/v1/monitors", { method: "POST", body: JSON.stringify({ ...body, active: false }) });
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as Monitor;
  await monitorStub(created.id).setClockForTests(clock);
  return patch(created.id, { active: true });
}

export async function patch(id: string, body: Record<string, unknown>): Promise<Monitor> {
  const res = await api(`/v1/monitors/${id}`, { method: "PATCH", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Monitor;
}

export async function getMonitor(id: string): Promise<Monitor> {
  const res = await api(`/v1/monitors/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Monitor;
}

export async function history(id: string): Promise<MonitorRun[]> {
  const res = await api(`/v1/monitors/${id}/runs?limit=100`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { runs: MonitorRun[] }).runs;
}

/** Moves the monitor's clock to `at` and runs its alarm once (the tick, starts, deliveries due by then). */
export async function alarmAt(id: string, at: number): Promise<boolean> {
  const stub = monitorStub(id);
  await stub.setClockForTests(at);
  return runDurableObjectAlarm(stub);
}

/** Waits until the history holds `n` finished runs (the RunCoordinators report them). */
export async function finishedRuns(id: string, n: number): Promise<MonitorRun[]> {
  return vi.waitFor(
    async () => {
      const runs = await history(id);
      const done = runs.filter((r) => r.finishedAt !== null);
      expect(done.length).toBe(n);
      return runs;
    },
    { timeout: 20_000, interval: 50 },
  );
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export async function hookLog(bucket: string): Promise<Delivery[]> {
  const res = await fetch(`${target()}/hooks-log/${bucket}`);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}

/** Recomputes `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` independently with WebCrypto. */
export async function expectedSignature(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`));
  return `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
