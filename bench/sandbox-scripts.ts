/**
 * The scripts and script context the sandbox benches share (bench/sandbox.ts for the QuickJS host,
 * bench/prelude-profile.ts for the prelude alone in Node), so their numbers describe the same work.
 */
import type { ScriptContext } from "../shared/engine/types";

const body = JSON.stringify({
  id: 7,
  name: "Leanne Graham",
  email: "leanne@example.test",
  roles: ["admin", "editor"],
  address: { city: "Gwenborough", zip: "92998-3874", geo: { lat: "-37.3159", lng: "81.1496" } },
  items: Array.from({ length: 20 }, (_, i) => ({ id: i, price: i * 1.5, tags: ["x", "y"] })),
});

/** A fresh context per script, as the engine passes one (a GET with a JSON response). */
export const benchContext = (): ScriptContext => ({
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "Get user", requestId: "r1" },
  scopes: {
    globals: [],
    collection: [],
    environment: [{ key: "baseUrl", value: "http://example.test" }],
    data: {},
    local: [],
    environmentName: "bench",
  },
  request: {
    method: "GET",
    url: { raw: "{{baseUrl}}/users/7", host: ["{{baseUrl}}"], path: ["users", "7"], query: [], variable: [] },
    headers: [],
  },
  response: {
    code: 200,
    status: "OK",
    headers: [{ key: "Content-Type", value: "application/json; charset=utf-8" }],
    body,
    responseSize: body.length,
    responseTime: 12,
  },
  cookies: [],
  location: ["Bench", "Get user"],
  collectionName: "Bench",
});

/** The typical test script: 5 pm.test blocks with chai chains over a JSON response. */
export const TYPICAL = `
pm.test("status is 200", () => pm.response.to.have.status(200));
pm.test("is json", () => { pm.response.to.be.json; pm.expect(pm.response.headers.get("Content-Type")).to.include("application/json"); });
const user = pm.response.json();
pm.test("user shape", () => { pm.expect(user).to.have.property("id").that.is.a("number"); pm.expect(user.email).to.match(/@/); });
pm.test("roles", () => { pm.expect(user.roles).to.be.an("array").that.includes("admin"); pm.expect(user.roles).to.have.lengthOf(2); });
pm.test("items", () => { pm.expect(user.items).to.have.lengthOf(20); pm.expect(user.items[3].price).to.be.above(4).and.below(5); pm.environment.set("lastId", user.id); });
`;

/** The fixed cost of a script: one empty pm.test. */
export const EMPTY = `pm.test("empty", () => {});`;
