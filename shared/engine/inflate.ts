/**
 * `Content-Encoding: deflate` bodies as Newman decodes them: workerd's fetch decodes gzip and br but
 * passes deflate through (Node's decodes it, so a body that no longer starts with a zlib header is left).
 */
export function inflated(res: Response): Response {
  const encoding = res.headers.get("content-encoding")?.trim().toLowerCase();
  // The encoding first: `res.body` makes a stream object, which the usual body read does not need.
  if (encoding !== "deflate" || !res.body || [101, 204, 205, 304].includes(res.status)) return res;
  const raw = res.body.getReader();
  let out: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!out) {
        const first = await raw.read();
        if (first.done) return controller.close();
        const rest = new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(first.value),
          async pull(c) {
            const next = await raw.read();
            if (next.done) c.close();
            else c.enqueue(next.value);
          },
          cancel: (reason) => raw.cancel(reason),
        });
        out = (isZlib(first.value) ? rest.pipeThrough(new DecompressionStream("deflate")) : rest).getReader();
      }
      const next = await out.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => (out ? out.cancel(reason) : raw.cancel(reason)),
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** A zlib stream header (RFC 1950): deflate method, and CMF·256 + FLG divisible by 31. */
function isZlib(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}
