import { describe, expect, it } from "vitest";
import { decodeStoredEvent, encodeStoredEvent } from "../../durable-objects/event-codec";

const prefix = `{"v":1,"runId":${JSON.stringify("run_abc")},`;

const requestEvent = (i: number, extra: Record<string, unknown> = {}) => ({
  v: 1,
  runId: "run_abc",
  ts: "2026-12-01T12:04:30.442Z",
  type: "request.completed",
  iteration: 0,
  item: { id: `item-${i}`, name: `request ${i}`, path: [] },
  request: {
    method: "GET",
    url: `http://127.0.0.1:4000/get?i=${i}`,
    headers: [
      { key: "User-Agent", value: "PostmanRuntime/7.43.0 edgerun/0.1" },
      { key: "Accept", value: "*/*" },
      { key: "Postman-Token", value: crypto.randomUUID() },
      { key: "Connection", value: "keep-alive" },
    ],
  },
  response: {
    code: 200,
    status: "OK",
    headers: [{ key: "content-type", value: "application/json; charset=utf-8" }],
    size: 12,
    timeMs: 3,
    bodyPreview: '{"passed":true,"skipped":false,"index":"\u0002 \n\u0001 \u001f"}',
  },
  assertions: [{ name: "ok", passed: true, skipped: false, index: 0 }],
  console: [],
  scriptErrors: [],
  scripts: { prerequest: 0, test: 1 },
  timings: { waitMs: 0, totalMs: 4, prerequestMs: 0, testMs: 1, headersMs: 3 },
  ...extra,
});

describe("event codec at rest", () => {
  it("round-trips events exactly, including strings that contain dictionary fragments and control characters", () => {
    const events = [
      requestEvent(1),
      requestEvent(2, { note: '"type":"request.completed" \u0003\u0004 {"key":"Accept","value":"*/*"}' }),
      { v: 1, runId: "run_abc", ts: "t", type: "run.completed", stats: {} },
      { v: 1, runId: "other", type: "run.failed" },
    ];
    for (const e of events) {
      const json = JSON.stringify(e);
      const stored = encodeStoredEvent(json, prefix);
      expect(decodeStoredEvent(stored, prefix)).toBe(json);
    }
  });

  it("keeps a typical request event well under a third of a 4 KiB page", () => {
    const json = JSON.stringify(requestEvent(7));
    const stored = encodeStoredEvent(json, prefix);
    expect(stored.length).toBeLessThan(json.length - 300);
  });

  it("reads rows written by earlier versions (whole, or only without the envelope)", () => {
    const json = JSON.stringify(requestEvent(3));
    expect(decodeStoredEvent(json, prefix)).toBe(json);
    expect(decodeStoredEvent(`{${json.slice(prefix.length)}`, prefix)).toBe(json);
  });
});
