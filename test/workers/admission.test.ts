/**
 * Run admission is atomic in the Workspace object: 40 concurrent submissions against
 * MAX_ACTIVE_RUNS (20 in tests) admit exactly 20; the rest are 429 problem+json and store nothing.
 */
import { describe, expect, it } from "vitest";
import { api, collection, target } from "./helpers";

describe("run admission", () => {
  it("admits exactly MAX_ACTIVE_RUNS of 40 concurrent submissions", async () => {
    const created = await api("/v1/admin/workspaces", {
      method: "POST",
      key: "edgerun-test-admin",
      body: JSON.stringify({ name: "admission" }),
    });
    const { apiKey: key } = (await created.json()) as { apiKey: string };
    const body = JSON.stringify({
      collection: collection("Hang", [{ name: "hang", url: `${target()}/hang` }]),
      options: { timeoutRequest: 300_000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => api("/v1/runs", { method: "POST", key, body })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.headers.get("retry-after")).toBeTruthy();
    }
    const ids = await Promise.all(
      answers.filter((a) => a.status === 201).map(async (a) => ((await a.json()) as { id: string }).id),
    );
    const list = (await (await api("/v1/runs?limit=100", { key })).json()) as { runs: Array<{ id: string }> };
    expect(new Set(list.runs.map((r) => r.id))).toEqual(new Set(ids));
    await Promise.all(ids.map((id) => api(`/v1/runs/${id}/cancel`, { method: "POST", key })));
  });
});
