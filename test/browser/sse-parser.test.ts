/** The web app's SSE parser on the stream shapes a server or a proxy can produce. */
import { describe, expect, it } from "vitest";
import { SseParser } from "../../web/src/sse-parser";

describe("SseParser", () => {
  it("parses id, event and data, skipping comments and heartbeats", () => {
    const p = new SseParser();
    expect(p.push(': heartbeat\n\nid: 1\nevent: run.started\ndata: {"v":1}\n\n')).toEqual([
      { id: "1", event: "run.started", data: '{"v":1}' },
    ]);
  });

  it("joins events split across chunks at any byte, and multi-line data", () => {
    const text = 'id: 7\nevent: x\ndata: {"a":\ndata: 1}\n\nid: 8\ndata: two\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got).toEqual([
        { id: "7", event: "x", data: '{"a":\n1}' },
        { id: "8", event: null, data: "two" },
      ]);
    }
  });

  it("accepts CRLF line ends and fields without a space after the colon", () => {
    const p = new SseParser();
    expect(p.push("id:3\r\nevent:run.completed\r\ndata:{}\r\n\r\n")).toEqual([
      { id: "3", event: "run.completed", data: "{}" },
    ]);
  });

  it("keeps an incomplete event buffered until its blank line arrives", () => {
    const p = new SseParser();
    expect(p.push("id: 1\ndata: {}\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ id: "1", event: null, data: "{}" }]);
  });
});
