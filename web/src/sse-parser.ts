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

const BLANK_LINE = /\r\n\r\n|\n\n|\r\r/g;

function parseBlock(block: string): SseMessage | null {
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
  return data.length > 0 ? { id, event, data: data.join("\n") } : null;
}

/** Incremental `text/event-stream` parser: feed it chunks, it returns the complete events seen so far. */
export class SseParser {
  #buffer = "";

  /**
   * Parses every complete event in `chunk` (plus what was buffered); comments and blanks are skipped.
   * One pass with a moving index: a replay delivers megabytes at once, so the buffer is cut only once.
   */
  push(chunk: string): SseMessage[] {
    const text = this.#buffer + chunk;
    const out: SseMessage[] = [];
    let start = 0;
    BLANK_LINE.lastIndex = 0;
    for (let m = BLANK_LINE.exec(text); m; m = BLANK_LINE.exec(text)) {
      const message = parseBlock(text.slice(start, m.index));
      if (message) out.push(message);
      start = m.index + m[0].length;
    }
    this.#buffer = text.slice(start);
    return out;
  }
}
