// The legacy (pre-`pm`) sandbox of Newman (postman-sandbox's postman-legacy-interface): the `postman`
// object, the response/request globals and the `environment`/`globals` objects, which `postman.*`
// keeps in step. Runs inside QuickJS.
import type { ScriptInfo } from "../../engine/types";
import type { ListItem, PropertyList, VariableScope } from "./lists";
import type { PostmanRequest, RequestBody } from "./request";
import type { PostmanResponse } from "./response-object";

/** postman.set*Variable stores a value's toString() (so 5 reads back as "5"), except false and nullish. */
function legacyValue(value: unknown): unknown {
  // postman-sandbox's test is `(value === false || value) && typeof (value && value.toString) === "function"`.
  const v = value as { toString?: unknown } | null | undefined;
  if (v && typeof v.toString === "function") return (v as { toString(): unknown }).toString();
  return value;
}

/** Body fields as `{ key: value }`, repeated keys collected into arrays, disabled fields skipped. */
function fieldsObject(fields: ListItem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.disabled) continue;
    if (Object.hasOwn(out, f.key)) out[f.key] = ([] as unknown[]).concat(out[f.key], f.value);
    else out[f.key] = f.value;
  }
  return out;
}

function legacyData(body: RequestBody | undefined): unknown {
  if (!body || body.isEmpty()) return {};
  if (body.mode === "raw") return body.raw ?? {};
  if (body.mode === "urlencoded") return fieldsObject(body.urlencoded._enabled());
  if (body.mode === "formdata") return fieldsObject(body.formdata._enabled());
  if (body.mode === "file") return body.file?.content ?? {};
  return {};
}

interface Xml2js {
  parseString(
    xml: unknown,
    options: Record<string, unknown>,
    done: (err: unknown, result: unknown) => void,
  ): void;
}

/** What the legacy globals are built from: the script's own pm pieces. */
export interface LegacyApi {
  envScope: VariableScope;
  globalsScope: VariableScope;
  requestOf: () => PostmanRequest;
  responseOf: () => PostmanResponse | undefined;
  cookies: PropertyList;
  info: ScriptInfo;
  isTest: boolean;
  requireModule: (name: string) => unknown;
  setNextRequest: (target: unknown) => void;
  /** The item's request description (legacy `request.description`), when the engine passes one. */
  description?: string;
}

/**
 * Builds the lazy loaders of the legacy globals. `api` carries the script's pieces: the scopes, the
 * request/response getters, pm.cookies, setNextRequest, the info block and requireModule.
 */
export function legacyLoaders(api: LegacyApi): Record<string, () => unknown> {
  const { envScope, globalsScope, requestOf, responseOf, cookies, info, isTest, requireModule } = api;
  let environment: Record<string, unknown> | undefined;
  let globals: Record<string, unknown> | undefined;
  const envObject = () => {
    environment ??= envScope.toObject();
    return environment;
  };
  const globalsObject = () => {
    globals ??= globalsScope.toObject();
    return globals;
  };
  type ObjectOf = () => Record<string, unknown>;
  const setIn = (scope: VariableScope, object: ObjectOf) => (key: string, value: unknown) => {
    const v = legacyValue(value);
    object()[key] = v;
    return scope.set(key, v);
  };
  const clearIn = (scope: VariableScope, object: ObjectOf) => (key: string) => {
    if (key) delete object()[key];
    return scope.unset(key);
  };
  const clearAllIn = (scope: VariableScope, object: ObjectOf) => () => {
    const o = object();
    for (const k of Object.keys(o)) delete o[k];
    return scope.clear();
  };
  const postman: Record<string, (...args: never[]) => unknown> = {
    setEnvironmentVariable: setIn(envScope, envObject),
    getEnvironmentVariable: (k: unknown) => envScope.get(k),
    clearEnvironmentVariable: clearIn(envScope, envObject),
    clearEnvironmentVariables: clearAllIn(envScope, envObject),
    setGlobalVariable: setIn(globalsScope, globalsObject),
    getGlobalVariable: (k: unknown) => globalsScope.get(k),
    clearGlobalVariable: clearIn(globalsScope, globalsObject),
    clearGlobalVariables: clearAllIn(globalsScope, globalsObject),
    setNextRequest: api.setNextRequest,
  };
  if (isTest) {
    postman.getResponseCookie = (name: unknown) => cookies.one(String(name));
    postman.getResponseHeader = (name: unknown) => responseOf()?.headers.one(name)?.value;
  }
  // In a test script there is always a response object (empty after a request error).
  const response = () => responseOf() as PostmanResponse;
  const responseGlobals: Record<string, () => unknown> = isTest
    ? {
        responseBody: () => response().text(),
        responseCode: () => response().details(),
        responseHeaders: () => {
          const out: Record<string, unknown> = {};
          for (const h of response().headers.all()) out[h.key] = h.value;
          return out;
        },
        responseTime: () => response().responseTime,
        responseCookies: () => cookies,
      }
    : {};
  return {
    postman: () => postman,
    environment: envObject,
    globals: globalsObject,
    request: () => {
      const request = requestOf();
      return {
        id: info.requestId,
        name: info.requestName,
        // Newman: the item's request description (a string), undefined when it has none.
        description: api.description,
        headers: request.headers.toObject(true, false, true),
        method: request.method,
        url: request.url.toString(),
        data: legacyData(request.body),
      };
    },
    iteration: () => info.iteration,
    ...responseGlobals,
    xml2Json: () => (xml: unknown) => {
      // postman-sandbox's options; a parse error leaves the result undefined.
      let result: unknown;
      (requireModule("xml2js") as Xml2js).parseString(
        xml,
        { explicitArray: false, async: false, trim: true, mergeAttrs: false },
        (_err, r) => {
          result = r;
        },
      );
      return result;
    },
  };
}
