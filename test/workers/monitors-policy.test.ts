/**
 * Webhook URLs pass the same target policy as requests. The suite runs with TARGET_POLICY=any (local
 * targets), so this drives the app with the deployed default (`public`) bindings.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { collection, DEV_KEY } from "./helpers";

const publicEnv = {
  ...(env as unknown as Record<string, unknown>),
  TARGET_POLICY: "public",
} as unknown as Env;
const ctx = {
  waitUntil: () => undefined,
  passThroughOnException: () => undefined,
  props: {},
} as unknown as ExecutionContext;

describe("monitor webhooks under the public target policy", () => {
  it("refuses loopback, private and metadata webhook URLs with a pointer, and stores nothing", async () => {
    const app = createApp();
    const post = (body: unknown) =>
      app.fetch(
        new Request("http://edgerun.test/v1/monitors", {
          method: "POST",
          headers: { authorization: `Bearer ${DEV_KEY}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        publicEnv,
        ctx,
      );
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://10.0.0.8/hook",
      "http://169.254.169.254/latest",
      "http://[::1]/x",
    ]) {
      const res = await post({
        name: "Policy",
        collection: collection("P", [{ name: "p", url: "https://example.com/" }]),
        schedule: { intervalSeconds: 60 },
        notifications: [{ type: "webhook", url }],
      });
      expect(res.status, url).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ pointer: string; detail: string }> };
      expect(problem.errors[0]?.pointer, url).toBe("/notifications/0/url");
      expect(problem.errors[0]?.detail, url).toMatch(/refused by the target policy/);
    }
    const list = await app.fetch(
      new Request("http://edgerun.test/v1/monitors", { headers: { authorization: `Bearer ${DEV_KEY}` } }),
      publicEnv,
      ctx,
    );
    const names = ((await list.json()) as { monitors: Array<{ name: string }> }).monitors.map((m) => m.name);
    expect(names).not.toContain("Policy");
  });
});
