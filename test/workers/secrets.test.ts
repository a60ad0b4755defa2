/**
 * Secrets never leak, through the real Worker and Durable Objects: a canary sent as a literal
 * Authorization header, as basic-auth credentials and as a secret a pre-request script sets at run time
 * appears in no event (SSE replay), Newman report, JUnit report or run summary — while the collection's
 * own names stay as written even when a secret's value is an ordinary word.
 */
import { describe, expect, it } from "vitest";
import { api, readSse, target } from "./helpers";

const RUNTIME = "rtCANARY-4b1e-set-by-script";
const HEADER = "hdCANARY-9c7d-literal-header";
const PASSWORD = "pwCANARY-2a6f-basic";
const LITERAL = "ltCANARY-77aa-literal-in-script";
const STATIC = "Digest auth wrong password";

const script = (listen: string, exec: string[]) => ({ listen, script: { exec } });

function body() {
  return {
    collection: {
      info: { name: "secret canaries" },
      item: [
        {
          name: "runtime secret",
          event: [
            // Assembled at run time, so the value is nowhere in the collection itself.
            script("prerequest", [
              `pm.environment.set('rt', ${JSON.stringify(RUNTIME.split("-"))}.join('-'), 'secret');`,
              "console.log('set', pm.environment.get('rt'));",
              `pm.environment.set('lit', '${LITERAL}', 'secret');`,
            ]),
            script("test", [
              "console.log(pm.environment.get('rt'), pm.environment.get('lit'));",
              "pm.test('rt ' + pm.environment.get('rt'), () => { throw new Error('bad ' + pm.environment.get('rt')) });",
            ]),
          ],
          request: { method: "GET", url: `${target()}/get?rt={{rt}}` },
        },
        {
          name: "literal header",
          event: [
            script("test", [
              "console.log(pm.request.headers.get('Authorization'));",
              "pm.test('header', () => pm.expect(pm.request.headers.get('Authorization')).to.eql('nope'));",
              "pm.test('rt later ' + pm.environment.get('rt'), () => pm.expect(pm.environment.get('rt')).to.eql(1));",
            ]),
          ],
          request: {
            method: "POST",
            url: `${target()}/post`,
            header: [{ key: "Authorization", value: `Bearer ${HEADER}` }],
            body: { mode: "raw", raw: '{"rt":"{{rt}}"}', options: { raw: { language: "json" } } },
          },
        },
        {
          name: "basic auth",
          event: [script("test", ["console.log(atob(pm.request.headers.get('Authorization').slice(6)));"])],
          request: {
            method: "GET",
            url: `${target()}/headers`,
            auth: {
              type: "basic",
              basic: [
                { key: "username", value: "user" },
                { key: "password", value: PASSWORD },
              ],
            },
          },
        },
        {
          name: STATIC,
          item: [
            {
              name: STATIC,
              event: [
                script("test", ["pm.test('wrong password is refused', () => pm.expect(1).to.eql(2));"]),
              ],
              request: { method: "GET", url: `${target()}/get?p={{word}}` },
            },
          ],
        },
      ],
    },
    environment: { name: "env", values: [{ key: "word", value: "password", type: "secret" }] },
  };
}

const CANARIES = [
  RUNTIME,
  LITERAL,
  HEADER,
  PASSWORD,
  `user:${PASSWORD}`,
  btoa(`user:${PASSWORD}`),
  btoa(RUNTIME),
];

describe("secret canaries", () => {
  it("appear in no event, report or summary, and static names are not rewritten", async () => {
    const created = await api("/v1/runs", { method: "POST", body: JSON.stringify(body()) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await readSse(await api(`/v1/runs/${id}/events`));
    const replay = await readSse(await api(`/v1/runs/${id}/events`, { headers: { "last-event-id": "0" } }));
    const newman = await (await api(`/v1/runs/${id}/report?format=newman`)).text();
    const junit = await (await api(`/v1/runs/${id}/report?format=junit`)).text();
    const html = await (await api(`/v1/runs/${id}/report?format=html`)).text();
    const summary = await (await api(`/v1/runs/${id}`)).text();
    const outputs = { sse: JSON.stringify(replay), newman, junit, html, summary };
    for (const [where, text] of Object.entries(outputs))
      for (const canary of CANARIES)
        expect({ where, leaked: text.includes(canary) }).toEqual({ where, leaked: false });

    // The scripts saw real values: the runtime secret was sent and echoed (masked) in later events.
    const requests = replay.filter((m) => m.event === "request.completed").map((m) => m.data);
    expect(requests).toHaveLength(4);
    expect(JSON.stringify(requests[0])).toContain("rt=********");
    expect(JSON.stringify(requests[1])).toMatch(/rt later \*{8}/);
    expect(newman).toContain("********");

    // Static names stay as written; the secret word is still masked in free text (the URL).
    const item = requests[3] as {
      item: { name: string; path: string[] };
      assertions: Array<{ name: string }>;
    };
    expect(item.item).toMatchObject({ name: STATIC, path: [STATIC] });
    expect(item.assertions[0]?.name).toBe("wrong password is refused");
    expect(JSON.stringify(item)).toContain("p=********");
    const report = JSON.parse(newman) as {
      collection: { item: Array<{ name: string; item?: Array<{ name: string }> }> };
      run: { executions: Array<{ item: { name: string } }>; failures: Array<{ source: { name: string } }> };
    };
    expect(report.collection.item.map((i) => i.name)).toContain(STATIC);
    expect(report.collection.item.find((i) => i.name === STATIC)?.item?.[0]?.name).toBe(STATIC);
    expect(report.run.executions.map((e) => e.item.name)).toContain(STATIC);
    expect(junit).toContain(STATIC);
    expect(junit).toContain("wrong password is refused");
    expect(newman).not.toContain("wrong ********");
    expect(junit).not.toContain("wrong ********");
  });
});
