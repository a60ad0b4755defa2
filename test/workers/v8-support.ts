/** What the V8 script host's tests share: a minimal script context and the jar of a run without cookies. */
import type { ScriptCapabilities, ScriptContext } from "../../shared/engine/types";

export const scriptContext: ScriptContext = {
  info: { eventName: "test", iteration: 0, iterationCount: 1, requestName: "r", requestId: "r1" },
  scopes: { globals: [], collection: [], environment: [], data: {}, local: [], environmentName: "" },
  request: {
    method: "GET",
    url: { raw: "http://example.test/", host: ["example.test"], path: [], query: [], variable: [] },
    headers: [],
  },
  cookies: [],
  location: ["C", "r"],
  collectionName: "C",
};

export const emptyJar: ScriptCapabilities["cookieJar"] = {
  getAll: () => [],
  set: () => undefined,
  unset: () => undefined,
  clear: () => undefined,
};
