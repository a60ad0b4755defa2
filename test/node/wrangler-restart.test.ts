/**
 * Issue 5's hardest fault: the whole `wrangler dev` process (workerd included) is killed with SIGKILL
 * mid-run and started again on the same local persistence. The run must finish, and its event log
 * must have no gaps and no duplicates. Real processes, real sockets, real SQLite files.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { RunEvent } from "../../shared/schemas/events";
import { freePort, spawnWranglerDev, waitHealthy } from "../support/wrangler-dev";

const KEY = "restart-test-key";

function startWrangler(port: number, state: string): ChildProcess {
  return spawnWranglerDev({
    port,
    state,
    vars: { DEV_API_KEY: KEY, TARGET_POLICY: "any", ENVIRONMENT: "development" },
  });
}

/** SIGKILL the whole process group: wrangler and the workerd it spawned die without any cleanup. */
function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    process.kill(-child.pid!, "SIGKILL");
  });
}

const api = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...init.headers } });

/** Reads SSE events after `after` until `stop` says so or the stream ends. */
async function readEvents(
  base: string,
  runId: string,
  after: number,
  stop: (seq: number, e: RunEvent) => boolean,
): Promise<Array<{ seq: number; event: RunEvent }>> {
  const res = await api(base, `/v1/runs/${runId}/events`, { headers: { "last-event-id": String(after) } });
  const out: Array<{ seq: number; event: RunEvent }> = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!id || !data) continue;
      const item = { seq: Number(id), event: JSON.parse(data) as RunEvent };
      out.push(item);
      if (stop(item.seq, item.event)) {
        await reader.cancel();
        return out;
      }
    }
  }
  return out;
}

const children: ChildProcess[] = [];
let state = "";

afterAll(async () => {
  for (const c of children) await killHard(c).catch(() => {});
  if (state) await rm(state, { recursive: true, force: true });
});

describe("wrangler dev killed mid-run", () => {
  it("resumes the run after a SIGKILL and restart, with no lost and no duplicated events", async () => {
    state = await mkdtemp(join(tmpdir(), "edgerun-restart-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const target = inject("targetUrl");
    const first = startWrangler(port, state);
    children.push(first);
    await waitHealthy(base);

    const collection = {
      info: { name: "restart" },
      item: Array.from({ length: 12 }, (_, i) => ({
        name: `r${i}`,
        request: { method: "GET", url: `${target}/delay/150?i=${i}` },
        event: [
          { listen: "test", script: { exec: ["pm.test('ok', () => pm.response.to.have.status(200));"] } },
        ],
      })),
    };
    const created = await api(base, "/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ collection }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // A stored collection and an environment with a secret must survive the restart too.
    const stored = await api(base, "/v1/environments", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "kept",
        values: [{ key: "token", value: "restart-secret", type: "secret" }],
      }),
    });
    expect(stored.status).toBe(201);
    const { id: envId } = (await stored.json()) as { id: string };

    // Let a few requests complete, then kill everything without warning.
    const before = await readEvents(
      base,
      id,
      0,
      (_s, e) => e.type === "request.completed" && e.item.name === "r3",
    );
    await killHard(first);

    const second = startWrangler(port, state);
    children.push(second);
    await waitHealthy(base);
    const last = before.at(-1)!.seq;
    const after = await readEvents(
      base,
      id,
      last,
      (_s, e) => e.type.startsWith("run.") && e.type !== "run.started",
    );

    // Stitch the two reads: sequence numbers are contiguous from 1, each appears once.
    const all = [...before, ...after];
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    const full = await readEvents(base, id, 0, (_s, e) => e.type === "run.completed");
    expect(full.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    const requests = full.flatMap((e) => (e.event.type === "request.completed" ? [e.event] : []));
    expect(requests.map((r) => r.item.name)).toEqual(collection.item.map((i) => i.name));
    expect(full.at(-1)!.event.type).toBe("run.completed");
    // A request in flight at the kill may have been sent twice; if so its event says so.
    const resent = requests.filter((r) => r.resent);
    expect(resent.length).toBeLessThanOrEqual(1);
    const kept = await api(base, `/v1/environments/${envId}`);
    expect(kept.status).toBe(200);
    const keptText = await kept.text();
    expect(keptText).toContain('"name":"kept"');
    expect(keptText).not.toContain("restart-secret");
    await killHard(second);
  }, 180_000);
});
