/**
 * An incremental `text/event-stream` parser (the WHATWG rules the app needs: `id`, `event`, multi-line
 * `data`, comments, CR/LF/CRLF line ends, events split across chunks). No DOM dependencies, so Node
 * tests exercise it directly.
 */

export interface SseMessage {
  id: string | null;
  event: string | null;
  data: string;
}

/** Incremental `text/event-stream` parser: feed it chunks, it returns the complete events seen so far. */
export class SseParser {
  #buffer = "";

  /** Parses every complete event in `chunk` (plus what was buffered); comments and blanks are skipped. */
  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.#buffer);
      if (!match) return out;
      const block = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      let id: string | null = null;
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split(/\r\n|\n|\r/)) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "id") id = value;
        else if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) out.push({ id, event, data: data.join("\n") });
    }
  }
}
