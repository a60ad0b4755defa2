/**
 * The benchmark collection: GET requests to the local echo target, each with the typical test script
 * (three assertions over the JSON response), so every tool and every case runs the same work.
 */

/**
 * The test script of every benchmark request (status, a JSON property, the content type): its text
 * differs per request, as real collections' scripts do. For decompositions, `BENCH_SCRIPT=empty` gives
 * every request an empty script instead, and `BENCH_SAME=1` one text for all (`pm.request`'s query
 * instead of the literal), which the V8 host then compiles once.
 */
export function typicalScript(i: number): string[] {
  const same = process.env.BENCH_SAME === "1";
  if (process.env.BENCH_SCRIPT === "empty") return [same ? "// noop" : `// noop ${i}`];
  const expected = same ? "pm.request.url.query.get('i')" : `'${i}'`;
  return [
    "pm.test('status is 200', () => pm.response.to.have.status(200));",
    "const body = pm.response.json();",
    `pm.test('echoes i', () => pm.expect(body.args.i).to.eql(${expected}));`,
    "pm.test('is json', () => pm.response.to.be.json);",
  ];
}

/** A Postman v2.1 collection of `count` requests to `{{base}}/get?i=…`, scripted unless told not to. */
export function benchCollection(count: number, options: { scripted?: boolean; base?: string } = {}) {
  const base = options.base ?? "{{base}}";
  return {
    info: {
      name: `bench-${count}`,
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: Array.from({ length: count }, (_, i) => ({
      name: `request ${i}`,
      request: { method: "GET", url: `${base}/get?i=${i}` },
      ...(options.scripted === false
        ? {}
        : { event: [{ listen: "test", script: { exec: typicalScript(i) } }] }),
    })),
  };
}
